"""更正状态变更: an officer asks to void a mistaken admission, rejection,
graduation or expulsion; the city administrator approves or refuses.  Thin
callers of :mod:`pool.membership.corrections`; every request is reached
through its county-scoped enterprise."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from models import PoolEvent, StateCorrection, db
from pool.access import scoping
from pool.web.clock import today
from pool.kernel.refusal import TransitionRefused
from pool.membership import corrections
from pool.web.access import child_or_404, enterprise_or_404
from pool.web.safe_forms import SafeForm

bp = Blueprint("corrections", __name__, url_prefix="/corrections")


class RequestForm(SafeForm):
    reason = TextAreaField(_l("更正理由"), validators=[Length(max=2000)])
    submit = SubmitField(_l("提交更正申请"))


class DecisionForm(SafeForm):
    reason = TextAreaField(_l("审批意见（不予更正时必填）"), validators=[Optional(), Length(max=2000)])
    approve = SubmitField(_l("批准更正"))
    refuse = SubmitField(_l("不予更正"))


@bp.route("/")
def index():
    """Pending requests first, then the latest decided ones (the viewer's counties)."""
    rows = db.session.scalars(
        scoping.children(current_user, StateCorrection)
        .options(selectinload(StateCorrection.enterprise), selectinload(StateCorrection.event),
                 selectinload(StateCorrection.proposed_by), selectinload(StateCorrection.decided_by))
        .order_by((StateCorrection.status == "pending").desc(), StateCorrection.id.desc()).limit(200)).all()
    return render_template("corrections/index.html", rows=rows, form=DecisionForm())


@bp.route("/new/<int:enterprise_id>/<int:event_id>", methods=["GET", "POST"])
def propose(enterprise_id: int, event_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    event = child_or_404(PoolEvent, event_id, enterprise_id=enterprise.id)
    form, status = RequestForm(), 200
    if form.validate_on_submit():
        try:
            corrections.propose(db.session, event, actor=current_user, reason=form.reason.data or "")
        except TransitionRefused as exc:
            db.session.rollback()
            form.reason.errors = [str(exc)]
            status = 409
        else:
            db.session.commit()
            flash(_("已提交更正申请，待市级管理员审批"), "success")
            return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))
    elif request.method == "POST":
        status = 422
    return render_template("corrections/propose.html", e=enterprise, event=event, form=form), status


@bp.post("/<int:request_id>/decide")
def decide(request_id: int):
    row = child_or_404(StateCorrection, request_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if form.approve.data:
            corrections.approve(db.session, row, actor=current_user, today=today(), reason=form.reason.data or "")
            message = _("已批准更正：%(name)s 的状态已按更正后的记录重算", name=row.enterprise.name)
        else:
            corrections.refuse(db.session, row, actor=current_user, reason=form.reason.data or "")
            message = _("已不予更正：%(name)s", name=row.enterprise.name)
    except TransitionRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("corrections.index")), 303
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("corrections.index")), 303

