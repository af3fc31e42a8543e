"""出库、退库确认: the county's exit requests awaiting the city (approve or
return with a reason).  Thin callers of :mod:`pool.membership.exit_requests`."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from models import ExitRequest, db
from models.event import PENDING
from pool.access import scoping
from pool.eligibility import rulebook
from pool.kernel.refusal import TransitionRefused
from pool.membership import exit_requests

from pool.web.clock import today
from pool.web.monitor import follow
from pool.web.safe_forms import SafeForm
from pool.web.access import child_or_404

bp = Blueprint("exits", __name__, url_prefix="/exits")

# An expulsion's basis by name, not by its stored code (a graduation's rule is its letter, a or b).
BASIS_LABELS = {"no_progress": _l("无实质性进展"), "incident": _l("诚信事件")}


class DecisionForm(SafeForm):
    reason = TextAreaField(_l("确认意见"), validators=[Optional(), Length(max=2000)])
    approve = SubmitField(_l("确认生效"))
    send_back = SubmitField(_l("退回县（市、区）"))


@bp.get("/")
def index():
    """Pending requests first, then the latest decided ones (the viewer's counties)."""
    rows = db.session.scalars(
        scoping.children(current_user, ExitRequest)
        .options(selectinload(ExitRequest.enterprise), selectinload(ExitRequest.proposed_by),
                 selectinload(ExitRequest.decided_by))
        .order_by((ExitRequest.status == PENDING).desc(), ExitRequest.id.desc()).limit(200)).all()
    return render_template("exits/index.html", rows=rows, form=DecisionForm(), kinds=exit_requests.KIND_LABELS,
                           bases=BASIS_LABELS)


@bp.post("/<int:request_id>/decide")
def decide(request_id: int):
    row = child_or_404(ExitRequest, request_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    name = row.enterprise.name
    try:
        if form.approve.data:
            exit_requests.approve(db.session, row, actor=current_user, today=today(),
                                  snapshot=rulebook.policy_on(db.session, row.effective_on))
            follow(row.enterprise_id)
            message = _("已确认：%(name)s %(what)s，自 %(day)s 起生效", name=name,
                        what=_(exit_requests.KIND_LABELS[row.kind]), day=row.effective_on.isoformat())
        else:
            exit_requests.send_back(db.session, row, actor=current_user, reason=form.reason.data or "")
            message = _("已退回：%(name)s", name=name)
    except TransitionRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("exits.index")), 303
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("exits.index")), 303
