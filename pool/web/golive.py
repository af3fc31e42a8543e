"""上线导入: the city administrator brings the existing pool in with its history
(upload the go-live workbook → the whole history checked, and what it would
create → confirm → written, all or nothing).  Thin callers of :mod:`pool.io.golive`.

As for the record book, the file travels from the preview to the confirmation
in the confirm form, base64 under an HMAC seal with the import's day; the
confirmation replays the whole history again, so what changed meanwhile is
refused, not half-written.
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
from sqlalchemy import select
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Length

from models import County, db
from pool.eligibility import rulebook
from pool.io import golive
from pool.io.workbook import WorkbookError
from pool.web.access import admin_required
from pool.web.clock import today
from pool.web.safe_forms import SafeForm

bp = Blueprint("golive", __name__, url_prefix="/golive")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 7 * 1024 * 1024  # in base64 it must still fit the request limit; larger pools: the CLI
SEAL_HOURS = 8


class UploadForm(SafeForm):
    file = FileField(_l("上线导入工作簿（.xlsx）"), validators=[
        FileRequired(_l("请选择文件")), FileAllowed(["xlsx"], _l("只接受 .xlsx 文件（Excel 工作簿）"))])
    submit = SubmitField(_l("校验全部历史并预览"))


class ConfirmForm(SafeForm):
    content = HiddenField(validators=[DataRequired(), Length(max=4 * (MAX_BYTES // 3 + 1))])
    on = HiddenField(validators=[DataRequired()])
    seal = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("确认导入"))


@bp.before_request
@admin_required
def _administrator_only():
    """Every page here is the city administrator's."""


@bp.get("/")
def index():
    return render_template("golive/index.html", form=UploadForm(), problems=[])


@bp.get("/template.xlsx")
def template():
    buffer = io.BytesIO()
    golive.write_template(buffer, counties=db.session.scalars(select(County.name).order_by(County.sort_order)).all())
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name="上线导入模板.xlsx")


@bp.post("/preview")
def preview():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("golive/index.html", form=form, problems=[]), 422
    content = form.file.data.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        return _refused(form, [_("文件超过 %(n)s MB；更大的历史请用命令 flask pool import-history 导入",
                                 n=MAX_BYTES // 1024 // 1024)])
    day = today()
    try:
        outcome = _run(content, day, golive.preview)
    except (WorkbookError, golive.HistoryRefused) as exc:
        return _refused(form, [str(p) for p in exc.problems])
    encoded = base64.b64encode(content).decode()
    confirm = ConfirmForm(formdata=None, content=encoded, on=day.isoformat(),
                          seal=_signer().sign(_sealed(encoded, day.isoformat())).decode())
    return render_template("golive/preview.html", lines=golive.describe(outcome), outcome=outcome, form=confirm,
                           day=day)


@bp.post("/confirm")
def confirm():
    form = ConfirmForm()
    opened = _open(form) if form.validate_on_submit() else None
    if opened is None:
        return _refused(UploadForm(formdata=None), [_("确认信息已失效或不完整，请重新上传")])
    content, day = opened
    try:
        outcome = _run(content, day, golive.replay)
    except (WorkbookError, golive.HistoryRefused) as exc:
        db.session.rollback()
        return _refused(UploadForm(formdata=None), [str(p) for p in exc.problems])
    db.session.commit()
    flash(_("已导入：登记企业 %(n)s 家，补记入库批次 %(r)s 个，历史事件 %(e)s 条",
            n=outcome.registered, r=outcome.rounds, e=outcome.events), "success")
    return redirect(url_for("enterprises.index"))


def _run(content: bytes, day: date, how):
    history = golive.read_history(content)
    return how(db.session, history, actor=current_user, today=day, rulebook=rulebook.load(db.session))


def _refused(form, problems):
    return render_template("golive/index.html", form=form, problems=problems), 422


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt="golive")


def _sealed(encoded: str, day: str) -> str:
    return f"{hashlib.sha256(encoded.encode()).hexdigest()}:{day}"


def _open(form):
    try:
        sealed = _signer().unsign(form.seal.data, max_age=SEAL_HOURS * 3600).decode()
        if sealed != _sealed(form.content.data, form.on.data):
            return None
        return base64.b64decode(form.content.data, validate=True), date.fromisoformat(form.on.data)
    except (BadSignature, ValueError):
        return None
