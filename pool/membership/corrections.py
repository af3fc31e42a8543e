"""Correcting a mistaken admission, rejection, graduation or expulsion (issue #14).

Two people: an officer who may act for the county asks, with a written
reason; the city administrator — not the one who asked — approves or refuses,
with a reason when refusing.  An approval appends a ``correction`` event
naming the state change it voids; nothing is deleted.  The pool on any date,
the county's quota, the proposals and the flags then follow the corrected
history (they read only live state changes, and the enterprise's cached state
is recomputed from them).

Only the latest live state change of an enterprise can be voided (later ones
stand on it: undo them first), never the 申报 itself; voiding a graduation is
refused if a later replenishment of the county would then have had no place —
the refusal names it.  Plain Python: the caller's session, an explicit
``today``; rows are flushed, never committed.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import CITY_ADMIN, Enterprise, PoolEvent, StateCorrection, utcnow
from models.enterprise import ADMITTED, APPLIED, GRADUATED
from models.event import APPROVED, CORRECTION, PENDING, REFUSED, STATE_CHANGE

from pool.access.scoping import may_act_for
from pool.eligibility.rulebook import policy_on
from pool.kernel import text
from pool.kernel.refusal import TransitionRefused
from pool.membership.admission import required_reason
from pool.membership.events import lock_enterprise
from pool.membership.history import STATE_LABELS, live_events
from pool.membership.quota import FIRST_POOL, void_refusal

__all__ = ["propose", "approve", "refuse", "correctable", "pending_for"]


def correctable(session, enterprise: Enterprise) -> PoolEvent | None:
    """The state change a correction could void now: the latest live one, unless it is the 申报."""
    events = session.scalars(live_events(enterprise.id, STATE_CHANGE)).all()
    if not events or events[-1].to_state == APPLIED:
        return None
    return events[-1]


def pending_for(session, enterprise_id: int) -> StateCorrection | None:
    return session.scalar(select(StateCorrection).where(
        StateCorrection.enterprise_id == enterprise_id, StateCorrection.status == PENDING))


def propose(session, event: PoolEvent, *, actor, reason: str) -> StateCorrection:
    """Ask to void ``event``.

    :raise TransitionRefused: not allowed, not the latest live state change,
        a request pending already, or no reason.
    """
    enterprise = lock_enterprise(session, event.enterprise_id)
    if not may_act_for(actor, enterprise.county_id):
        raise TransitionRefused(f"经办人无权办理{enterprise.county.name}的企业")
    required_reason(reason, "申请更正须写明理由")
    reason = reason.strip()
    _require_correctable(session, enterprise, event)
    if pending_for(session, enterprise.id) is not None:
        raise TransitionRefused(f"{enterprise.name}已有一项待审批的更正申请")
    request = StateCorrection(enterprise_id=enterprise.id, county_id=enterprise.county_id, event_id=event.id,
                              reason=reason, status=PENDING, proposed_by_id=actor.id)
    session.add(request)
    session.flush()
    return request


def approve(session, request: StateCorrection, *, actor, today: date, reason: str = "") -> PoolEvent:
    """Approve: append the correction event and recompute the enterprise's state.

    :raise TransitionRefused: not the city administrator, the one who asked,
        not pending, or the history no longer allows it (a later state change,
        a later replenishment that would lose its place).
    """
    _require_decider(request, actor)
    enterprise = lock_enterprise(session, request.enterprise_id)
    event = request.event
    _require_correctable(session, enterprise, event)
    if event.to_state == GRADUATED:
        _require_places_without(session, event)
    note = text.refusal("理由", reason, multiline=True) if reason else None
    if note is not None:
        raise TransitionRefused(note)
    correction = PoolEvent(
        enterprise_id=enterprise.id, county_id=enterprise.county_id, kind=CORRECTION, subtype=STATE_CHANGE,
        effective_on=today, actor_id=actor.id, corrects_id=event.id,
        reason=request.reason + (f"（审批意见：{reason.strip()}）" if reason.strip() else ""),
        evidence={"corrected": {"id": event.id, "from_state": event.from_state, "to_state": event.to_state,
                                "effective_on": event.effective_on.isoformat()},
                  "request": request.id, "proposed_by": request.proposed_by_id, "approved_by": actor.id})
    session.add(correction)
    session.flush()
    _recompute(session, enterprise)
    request.status, request.decided_by_id, request.decided_at = APPROVED, actor.id, utcnow()
    request.decision_reason, request.correction_event_id = reason.strip() or None, correction.id
    session.flush()
    return correction


def refuse(session, request: StateCorrection, *, actor, reason: str) -> None:
    """Refuse, with a written reason; the state change stands."""
    _require_decider(request, actor)
    required_reason(reason, "不予更正须写明理由")
    request.decision_reason = reason.strip()
    request.status, request.decided_by_id, request.decided_at = REFUSED, actor.id, utcnow()
    session.flush()


# --- checks ----------------------------------------------------------------------------

def _require_correctable(session, enterprise: Enterprise, event: PoolEvent) -> None:
    if event.kind != STATE_CHANGE or event.enterprise_id != enterprise.id:
        raise TransitionRefused("只能更正入库、不予入库、出库或退库的状态变更")
    latest = correctable(session, enterprise)
    if event.to_state == APPLIED:
        raise TransitionRefused("申报记录不能更正；如登记有误，请修改企业信息")
    if latest is None or latest.id != event.id:
        raise TransitionRefused(f"只能更正该企业最近一次状态变更（{_describe(latest)}）；"
                                f"如需更正更早的变更，请先更正其后的变更")


def _require_decider(request: StateCorrection, actor) -> None:
    if getattr(actor, "role", None) != CITY_ADMIN:
        raise TransitionRefused("更正申请须由市级管理员审批")
    if request.status != PENDING:
        raise TransitionRefused("该更正申请已处理")
    if actor.id == request.proposed_by_id:
        raise TransitionRefused("申请人不能审批自己的更正申请，须由另一位市级管理员审批")


def _require_places_without(session, graduation: PoolEvent) -> None:
    """Voiding a graduation takes back its replenishment places: every later
    replenishment of the county must still have had one (:func:`pool.membership.quota.void_refusal`)."""
    refused = void_refusal(session, FIRST_POOL, graduation.county_id, graduation.id, graduation.effective_on,
                           lambda day: policy_on(session, day)["quota_multiplier"])
    if refused:
        raise TransitionRefused(refused)


def _recompute(session, enterprise: Enterprise) -> None:
    """The cached state, its date and the admission date from the live state changes."""
    events = session.scalars(live_events(enterprise.id, STATE_CHANGE)).all()
    last = events[-1]
    enterprise.state, enterprise.state_changed_on = last.to_state, last.effective_on
    admissions = [e for e in events if e.to_state == ADMITTED]
    enterprise.admitted_on = admissions[-1].effective_on if admissions else None


def _describe(event: PoolEvent | None) -> str:
    if event is None:
        return "无"
    return f"{event.effective_on} {STATE_LABELS.get(event.to_state, event.to_state)}"
