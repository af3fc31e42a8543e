"""奖补政策: each shipped programme as officers read it — provenance, rules with their
clauses, and every parameter with its dated values — and the city administrator's
new dated values (a tier table the document does not print, a reading the city
decides otherwise).  Thin callers of :mod:`pool.awards.parameters`."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from models import db
from pool.awards import labels, parameters, programme
from pool.web import clock
from pool.web.access import admin_required
from pool.web.safe_forms import SafeForm

bp = Blueprint("award_programmes", __name__, url_prefix="/awards/programmes")


class ParameterForm(SafeForm):
    key = SelectField(_l("参数"), choices=[])
    valid_from = DateField(_l("起始日期"), validators=[DataRequired(_l("请填写起始日期"))])
    value = TextAreaField(_l("取值"), validators=[DataRequired(_l("请填写取值")), Length(max=4000)])
    source = TextAreaField(_l("依据"), validators=[DataRequired(_l("请写明依据")), Length(max=1000)])
    submit = SubmitField(_l("保存新取值"))

    def fill(self, prog) -> "ParameterForm":
        self.key.choices = [(key, f"{key} · {spec['label']}") for key, spec in prog.raw_parameters.items()
                            if parameters.kind_of(prog, key) != parameters.TABLE]
        return self


@bp.get("/")
def index():
    return render_template("awards/programmes.html", programmes=[programme.load(code) for code in programme.codes()])


def _programme_or_404(code: str):
    if code not in programme.codes():
        abort(404)
    return parameters.programme(db.session, code)


@bp.get("/<code>")
def detail(code: str):
    prog = _programme_or_404(code)
    return _page(prog, ParameterForm(formdata=None, valid_from=clock.today()).fill(prog))


def _page(prog, form, status=200):
    year = min(max(clock.today().year, prog.start.year), prog.end.year)
    in_force = prog.in_force(year)
    return render_template("awards/programme.html", prog=prog, year=year, in_force=in_force, form=form,
                           entered=parameters.rows(db.session, prog.code), kinds=parameters.KIND_LABELS,
                           kind_of=parameters.kind_of, show=parameters.show, types=labels.TYPE_LABELS), status


@bp.post("/<code>/parameters")
@admin_required
def set_parameter(code: str):
    prog = _programme_or_404(code)
    form = ParameterForm().fill(prog)
    if not form.validate_on_submit():
        return _page(prog, form, 422)
    try:
        parameters.record(db.session, code, form.key.data, valid_from=form.valid_from.data, text=form.value.data,
                          source=form.source.data, actor=current_user, as_of=clock.today(), now=clock.now())
    except parameters.ParameterRefused as exc:
        db.session.rollback()
        field = form.valid_from if "起始日期" in str(exc) else form.source if "依据" in str(exc) else form.value
        field.errors = [str(exc)]
        return _page(prog, form, 422)
    db.session.commit()
    flash(_("已保存 %(key)s 自 %(day)s 起的新取值；未公示的年度结算请重新计算", key=form.key.data,
            day=form.valid_from.data.isoformat()), "success")
    return redirect(url_for("award_programmes.detail", code=code)), 303
