"""地区与官方统计: the city administrator enters or imports the regions, their yearly official values and the
values reported for the measures the records cannot produce (报送数值).

Thin callers of :mod:`pool.targets.statistics`: one value through a form (a
different value for the same region, key and year is a correction, kept beside
the one it replaces), or a JSON document in the series contract's shape
(``pool/data/targets/target-series.schema.json``: regions with ``statistics``,
and ``series`` of the measures the records cannot produce).
"""
import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import db
from pool.targets import series, statistics
from pool.web import clock
from pool.web.access import admin_required
from pool.web.safe_forms import SafeForm

bp = Blueprint("target_statistics", __name__, url_prefix="/targets/statistics")
MAX_IMPORT_BYTES = 2 * 1024 * 1024


class StatisticForm(SafeForm):
    region = SelectField(_l("地区"), choices=[])
    key = SelectField(_l("统计项"), choices=[])
    year = IntegerField(_l("统计年度"), validators=[DataRequired(_l("请填写统计年度")), NumberRange(min=1949, max=2100)])
    value = StringField(_l("数值"), validators=[DataRequired(_l("请填写数值")), Length(max=40)])
    source = TextAreaField(_l("来源文件"), validators=[DataRequired(_l("请写明官方统计的来源文件")), Length(max=1000)])
    note = TextAreaField(_l("更正说明（更正已有数值时填写）"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("登记官方统计"))

    def fill(self) -> "StatisticForm":
        self.region.choices = [(r.code, f"{r.name}（{r.code}）") for r in statistics.all_regions(db.session)]
        self.key.choices = [(key, f"{key} · {label}") for key, label in series.statistic_keys().items()]
        return self


class ReportedForm(StatisticForm):
    """A yearly value of a measure the records cannot produce, for one region, citing its source."""

    key = SelectField(_l("计量"), choices=[])
    source = TextAreaField(_l("来源文件"), validators=[DataRequired(_l("请写明报送数值的来源文件")), Length(max=1000)])
    submit = SubmitField(_l("登记报送数值"))

    def fill(self) -> "ReportedForm":
        super().fill()
        self.key.choices = [(key, f"{label} · {key}") for key, label in statistics.reportable().items()]
        return self


class StatisticsImportForm(SafeForm):
    file = FileField(_l("地区与官方统计文件（JSON）"), validators=[FileRequired(_l("请选择文件"))])
    submit = SubmitField(_l("导入地区与官方统计"))


def _page(form=None, upload=None, problems=(), status=200, reported=None):
    current = statistics.current(db.session).values()
    return render_template("targets/statistics.html", form=form or StatisticForm(formdata=None).fill(),
                           reported=reported or ReportedForm(formdata=None, prefix="r").fill(),
                           upload=upload or StatisticsImportForm(formdata=None), problems=list(problems),
                           regions=statistics.all_regions(db.session),
                           official=[r for r in current if statistics.reported_measure(r.key) is None],
                           values=[r for r in current if statistics.reported_measure(r.key) is not None],
                           history=statistics.history(db.session), label=statistics.label,
                           levels=series.LEVEL_LABELS), status


@bp.get("/")
@admin_required
def index():
    return _page()


@bp.post("/")
@admin_required
def enter():
    return _enter(StatisticForm().fill(), "form")


@bp.post("/reported")
@admin_required
def report():
    return _enter(ReportedForm(prefix="r").fill(), "reported")


def _enter(form, name: str):
    """Record the official statistic or reported value ``form`` holds; the page again with it on refusal."""
    if not form.validate_on_submit():
        return _page(status=422, **{name: form})
    try:
        row = statistics.record(db.session, form.region.data, form.key.data, form.year.data, form.value.data.strip(),
                                form.source.data, actor=current_user, now=clock.now(), note=form.note.data or "",
                                as_of=clock.today())
    except statistics.StatisticsRefused as exc:
        db.session.rollback()
        form.value.errors = list(exc.problems)
        return _page(status=422, **{name: form})
    db.session.commit()
    flash(_("已登记 %(region)s %(year)s 年的 %(key)s", region=row.region.name, year=row.year,
            key=statistics.label(row.key)), "success")
    return redirect(url_for("target_statistics.index")), 303


@bp.post("/import")
@admin_required
def import_document():
    upload = StatisticsImportForm()
    problems: list[str] = []
    if upload.validate_on_submit():
        content = request.files["file"].read(MAX_IMPORT_BYTES + 1)
        try:
            if len(content) > MAX_IMPORT_BYTES:
                raise ValueError
            document = json.loads(content.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            problems = [_("文件不是 2 MB 以内、UTF-8 编码的 JSON；格式见目标序列约定（target-series.schema.json）")]
        else:
            try:
                created, added, skipped = statistics.import_document(db.session, document, actor=current_user,
                                                                     now=clock.now(), as_of=clock.today())
            except statistics.StatisticsRefused as exc:
                db.session.rollback()
                problems = exc.problems
            else:
                db.session.commit()
                flash(_("已导入：新地区 %(r)s 个，官方统计和报送数值 %(n)s 条；%(s)s 条与现值相同，未重复登记",
                        r=len(created), n=len(added), s=skipped), "success")
                return redirect(url_for("target_statistics.index")), 303
    return _page(upload=upload, problems=problems, status=422)
