"""One enterprise's record in Excel: export it; upload an edited copy → a
preview of every change → confirm.  Thin callers of :mod:`pool.io.record_book`.

Between the preview and the confirmation the file travels in the confirm form
itself — base64 in a hidden field, sealed with an HMAC (the app's secret key)
over the enterprise, the effective date, the file's digest and the previewed
plan's fingerprint — so nothing is kept on the server.  The confirmation plans
again: if the record changed since the preview, the page answers 409 with the
new preview instead of applying what the officer did not see.
"""
import base64
import hashlib
import io
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField, FileRequired
from itsdangerous import BadSignature, TimestampSigner
from wtforms import DateField, HiddenField, SubmitField
from wtforms.validators import DataRequired, Length

from models import db
from pool.io import record_book, workbook
from pool.web.clock import today
from pool.records.changes import RecordRefused, VersionConflict
from pool.records.fields import PARTS
from pool.web.access import enterprise_or_404
from pool.web.monitor import follow
from pool.web.safe_forms import SafeForm

bp = Blueprint("record_book", __name__, url_prefix="/records/<int:enterprise_id>/excel")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEAL_HOURS = 8  # as long as a login session: the preview may wait that long


class UploadForm(SafeForm):
    file = FileField(_l("记录文件（.xlsx）"), validators=[
        FileRequired(_l("请选择文件")), FileAllowed(["xlsx"], _l("只接受 .xlsx 文件（Excel 工作簿）"))])
    effective_on = DateField(_l("变更生效日期"), validators=[DataRequired(_l("请填写变更生效日期"))])
    submit = SubmitField(_l("预览变更"))


class ConfirmForm(SafeForm):
    content = HiddenField(validators=[DataRequired(), Length(max=4 * (record_book.MAX_BYTES // 3 + 1))])
    effective_on = HiddenField(validators=[DataRequired()])
    seal = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("确认更新记录"))


@bp.get("/export.xlsx")
def export(enterprise_id: int):
    """The record as it stands today, in the applicant workbook's layout."""
    enterprise = enterprise_or_404(enterprise_id)
    day = today()
    return send_file(io.BytesIO(record_book.export_record(enterprise, day)), mimetype=XLSX, as_attachment=True,
                     download_name=f"{enterprise.name}-{day.isoformat()}.xlsx")


@bp.route("/import", methods=["GET", "POST"])
def upload(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    form = UploadForm()
    if not form.is_submitted():
        form.effective_on.data = today()
    problems = []
    if form.validate_on_submit():
        content = form.file.data.read(record_book.MAX_BYTES + 1)
        try:
            plan = record_book.plan_import(db.session, enterprise, content, today=today(),
                                           effective_on=form.effective_on.data)
        except workbook.WorkbookError as exc:
            problems = exc.problems
        except RecordRefused as exc:
            form.effective_on.errors = [*form.effective_on.errors, str(exc)]
        else:
            return _preview(enterprise, plan, content)
    return _upload_page(enterprise, form, problems, 422 if form.is_submitted() else 200)


def _upload_page(enterprise, form, problems, status):
    return render_template("records/excel_import.html", e=enterprise, form=form, problems=problems,
                           limit=record_book.MAX_BYTES // 1024, day=today()), status


@bp.post("/confirm")
def confirm(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    form = ConfirmForm()
    opened = _open(enterprise, form) if form.validate_on_submit() else None
    if opened is None:
        upload_form = UploadForm(formdata=None, effective_on=today())
        return _upload_page(enterprise, upload_form, [_("确认信息无效或已过期，记录未作修改：请重新上传文件")], 400)
    content, effective_on, seen = opened
    plan = record_book.plan_import(db.session, enterprise, content, today=today(), effective_on=effective_on)
    if plan.fingerprint != seen:
        return _preview(enterprise, plan, content, stale=True)
    try:
        applied = record_book.apply(db.session, enterprise, plan, actor=current_user, today=today())
    except VersionConflict:
        db.session.rollback()
        plan = record_book.plan_import(db.session, enterprise, content, today=today(), effective_on=effective_on)
        return _preview(enterprise, plan, content, stale=True)
    except RecordRefused:
        db.session.rollback()
        return _preview(enterprise, plan, content)
    follow(enterprise.id)
    db.session.commit()
    flash(_("已按 Excel 文件更新记录：%(count)s 项变更，生效日期 %(day)s", count=applied,
            day=effective_on.isoformat()), "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))


def _preview(enterprise, plan, content: bytes, *, stale: bool = False):
    """The changes, the parts kept, the refusals a confirmation would meet, and
    the sealed form that confirms (409 when the record moved since the last preview)."""
    encoded = base64.b64encode(content).decode()
    form = ConfirmForm(formdata=None, content=encoded, effective_on=plan.effective_on.isoformat(),
                       seal=_signer().sign(_sealed(enterprise.id, plan.effective_on.isoformat(), encoded,
                                                   plan.fingerprint)).decode())
    problems = record_book.rehearse(db.session, enterprise, plan, actor=current_user, today=today())
    rows = [(change, [(_(d.label), _shown(change.part, d.field, d.old), _shown(change.part, d.field, d.new))
                      for d in change.differences]) for change in plan.changes]
    status = 409 if stale else 422 if problems else 200
    return render_template("records/excel_preview.html", e=enterprise, plan=plan, rows=rows, form=form,
                           problems=problems, stale=stale), status


def _shown(part: str, field: str, value):
    spec = PARTS[part].fields.get(field) if part in PARTS else None
    if spec is not None and spec.kind == "choice" and value is not None:
        return _(spec.choices.get(value, value))
    return value


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt="record-book")


def _sealed(enterprise_id: int, effective_on: str, encoded: str, fingerprint: str) -> str:
    digest = hashlib.sha256(encoded.encode()).hexdigest()
    return f"{enterprise_id}:{effective_on}:{digest}:{fingerprint}"


def _open(enterprise, form):
    """``(content, effective date, the previewed fingerprint)`` from a confirm
    form whose seal holds, else ``None``."""
    try:
        sealed = _signer().unsign(form.seal.data, max_age=SEAL_HOURS * 3600).decode()
        _id, _day, _digest, fingerprint = sealed.split(":")
        if sealed != _sealed(enterprise.id, form.effective_on.data, form.content.data, fingerprint):
            return None
        return base64.b64decode(form.content.data, validate=True), date.fromisoformat(form.effective_on.data), \
            fingerprint
    except (BadSignature, ValueError):  # binascii.Error is a ValueError
        return None
