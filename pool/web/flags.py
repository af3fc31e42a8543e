"""One risk flag as a work item: its history, acknowledge, assign, comment.
Thin callers of :mod:`pool.monitoring.workitems`; a flag is reached only
through the viewer's counties (else 404)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from models import RiskFlag, db
from models.monitoring import FIRST_POOL
from pool.access import scoping
from pool.ladder import catalogue
from pool.monitoring import workitems
from pool.monitoring.flags import KIND_LABELS, SEVERITY_LABELS

from pool.web import clock
from pool.web.safe_forms import SafeForm

bp = Blueprint("flags", __name__, url_prefix="/monitor/flags")

# The history's words (pool.monitoring.workitems.history), marked for the catalogue and shown translated.
_MESSAGES = [_l("风险扫描"), _l("发现"), _l("升级"), _l("降级"), _l("关闭"), _l("确认知悉"), _l("指派"),
             _l("处理意见")]


class AcknowledgeForm(SafeForm):
    submit = SubmitField(_l("确认知悉"))


class AssignForm(SafeForm):
    assignee = SelectField(_l("负责人"), choices=[], validate_choice=False)
    submit = SubmitField(_l("指派"))


class CommentForm(SafeForm):
    text = TextAreaField(_l("处理意见"), validators=[
        DataRequired(_l("请填写处理意见")), Length(max=workitems.COMMENT_LENGTH)])
    submit = SubmitField(_l("添加处理意见"))


def _flag_or_404(flag_id: int) -> RiskFlag:
    flag = db.session.scalar(select(RiskFlag).where(
        RiskFlag.id == flag_id, scoping.county_filter(current_user, RiskFlag.county_id)))
    if flag is None:
        abort(404)
    return flag


@bp.get("/<int:flag_id>")
def detail(flag_id: int):
    return _page(_flag_or_404(flag_id))


@bp.post("/<int:flag_id>/acknowledge")
def acknowledge(flag_id: int):
    flag = _flag_or_404(flag_id)
    return _act(flag, AcknowledgeForm(), lambda form: workitems.acknowledge(
        db.session, flag, actor=current_user, now=clock.now()), _("已确认知悉"))


@bp.post("/<int:flag_id>/assign")
def assign(flag_id: int):
    flag = _flag_or_404(flag_id)
    form = _assign_form(flag)
    return _act(flag, form, lambda f: workitems.assign(
        db.session, flag, actor=current_user, assignee_id=int(f.assignee.data) if f.assignee.data else None,
        now=clock.now()), _("已更新负责人"), assign=form)


@bp.post("/<int:flag_id>/comment")
def comment(flag_id: int):
    flag = _flag_or_404(flag_id)
    form = CommentForm()
    return _act(flag, form, lambda f: workitems.comment(
        db.session, flag, actor=current_user, text_=f.text.data, now=clock.now()), _("已添加处理意见"), comment=form)


def _act(flag, form, action, done: str, **forms):
    if not form.validate_on_submit():
        return _page(flag, **forms), 422
    try:
        action(form)
    except workitems.FlagRefused as exc:
        db.session.rollback()
        return _page(flag, error=str(exc), **forms), 422
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("flags.detail", flag_id=flag.id))


def _assign_form(flag, **kwargs) -> AssignForm:
    form = AssignForm(**kwargs)
    form.assignee.choices = [("", _("（不指派）"))] + [
        (str(u.id), u.display_name) for u in workitems.assignees(db.session, flag.county_id)]
    if kwargs.get("formdata", True) is None or not form.is_submitted():
        form.assignee.data = str(flag.assigned_to_id or "")
    return form


def _page(flag, *, error=None, assign=None, comment=None):
    return render_template(
        "monitor/flag.html", flag=flag, history=workitems.history(flag), error=error,
        pool=None if flag.pool_code == FIRST_POOL else catalogue.pools(db.session).get(flag.pool_code),
        kind_label=_(KIND_LABELS[flag.kind]), severity_label=_(SEVERITY_LABELS[flag.severity]),
        acknowledge_form=AcknowledgeForm(formdata=None), assign_form=assign or _assign_form(flag, formdata=None),
        comment_form=comment or CommentForm(formdata=None))


