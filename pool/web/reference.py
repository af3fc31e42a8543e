"""Official reference tables: the catalogues with their provenance, and the city
administrator's import of a revised table (upload → diff → confirm → recorded)."""
import json
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from models import db
from pool.reference import catalogues, gbt4754, industries
from pool.io import reference_import
from pool.eligibility import rulebook
from pool.reference.industries import TableProblems

from pool.web.access import admin_required
from pool.web.clock import today

bp = Blueprint("reference", __name__, url_prefix="/rules/reference")
MAX_CONTENT = 2 * 1024 * 1024


class ImportForm(FlaskForm):
    file = FileField(_l("分类表文件"), validators=[FileRequired(_l("请选择文件"))])
    valid_from = DateField(_l("生效日期（官方文件规定的施行日期）"),
                           validators=[DataRequired(_l("请填写生效日期"))])
    source = StringField(_l("依据文件（名称及文号）"),
                         validators=[DataRequired(_l("请注明依据文件")), Length(max=200)])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("校验并预览变化"))


class ConfirmImportForm(FlaskForm):
    content = HiddenField(validators=[DataRequired(), Length(max=MAX_CONTENT)])
    valid_from = HiddenField(validators=[DataRequired()])
    source = HiddenField(validators=[DataRequired(), Length(max=200)])
    note = HiddenField(validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("确认导入"))


def _kind_or_404(kind: str) -> str:
    if kind not in reference_import.KINDS:
        abort(404)
    return kind


@bp.route("/")
def index():
    """Every shipped and imported reference table with where it comes from."""
    book = rulebook.load(db.session)
    return render_template(
        "rules/reference.html", catalogues=catalogues.CATALOGUES.values(), gbt=gbt4754,
        pi_versions=book.industries.versions, pi_in_force=book.industries.version_on(today()),
        sme_versions=reference_import.versions(db.session, "sme_size"), kinds=reference_import.KINDS)


@bp.route("/catalogue/<key>")
def catalogue(key):
    found = catalogues.CATALOGUES.get(key)
    if found is None:
        abort(404)
    return render_template("rules/catalogue.html", catalogue=found)


@bp.route("/patent-intensive.csv")
def export_patent_intensive():
    """The classification in force today, as the importable CSV."""
    version = rulebook.load_industries(db.session).version_on(today()) or industries.DEFAULT_VERSION
    return Response(reference_import.export_csv(version), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=patent_intensive.csv"})


@bp.route("/<kind>/import", methods=["GET", "POST"])
@admin_required
def import_table(kind):
    kind = _kind_or_404(kind)
    form = ImportForm()
    if not form.is_submitted():
        form.valid_from.data = today()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            content = reference_import.read_upload(kind, upload.filename or "", upload.read(MAX_CONTENT + 1))
            preview = reference_import.preview(
                rulebook.load(db.session), kind, content, valid_from=form.valid_from.data,
                source=form.source.data, note=form.note.data)
        except TableProblems as exc:
            problems = exc.problems
        else:
            confirm = ConfirmImportForm(formdata=None, content=json.dumps(content, ensure_ascii=False),
                                        valid_from=preview.valid_from.isoformat(),
                                        source=preview.source, note=preview.note)
            return render_template("rules/reference_preview.html", kind=kind,
                                   label=reference_import.KINDS[kind], preview=preview, form=confirm)
    status = 422 if form.is_submitted() else 200
    return render_template("rules/reference_import.html", kind=kind, label=reference_import.KINDS[kind],
                           form=form, problems=problems,
                           formats=" / ".join(reference_import.FORMATS[kind])), status


@bp.post("/<kind>/confirm")
@admin_required
def confirm_import(kind):
    kind = _kind_or_404(kind)
    form = ConfirmImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            content = json.loads(form.content.data)
            valid_from = date.fromisoformat(form.valid_from.data)
            row = reference_import.record(
                db.session, rulebook.load(db.session), kind, content, valid_from=valid_from,
                source=form.source.data, note=form.note.data, actor=current_user)
        except (ValueError, TypeError) as exc:
            problems = exc.problems if isinstance(exc, TableProblems) else [_("导入内容无效，请重新上传")]
        else:
            db.session.commit()
            flash(_("已导入%(label)s，自 %(day)s 起适用", label=reference_import.KINDS[kind],
                    day=row.valid_from.isoformat()), "success")
            return redirect(url_for("reference.index"))
    else:
        problems = [_("确认信息不完整，请重新上传")]
    upload = ImportForm(formdata=None, valid_from=today())
    return render_template("rules/reference_import.html", kind=kind, label=reference_import.KINDS[kind],
                           form=upload, problems=problems,
                           formats=" / ".join(reference_import.FORMATS[kind])), 422
