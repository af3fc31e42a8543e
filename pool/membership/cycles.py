"""Application cycles (issue #14): an enterprise not admitted, or expelled,
may apply again in a later declaration year.

Each cycle starts with a 申报 ``state_change`` (the first from no state, a
re-application from ``rejected`` or ``expelled``) that names the saved check
it relies on, and ends with its decision; the history keeps every cycle.  After
an expulsion the city's waiting period ``reapply_after_expulsion_months`` (a
dated parameter: the text is silent, default 0) must also have passed.
Plain Python: the caller's session, explicit dates; flushed, never committed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import Application, Enterprise, PoolEvent
from models.enterprise import APPLIED, EXPELLED, REJECTED
from models.event import STATE_CHANGE

from pool.kernel.refusal import TransitionRefused
from pool.membership.events import move, prepare
from pool.membership.history import STATE_LABELS, live_events, require_snapshot
from pool.membership.rules import add_months

__all__ = ["Cycle", "cycles", "reapply"]


@dataclass(frozen=True)
class Cycle:
    """One application: its 申报 event, the check it named, and its decision (if any)."""

    number: int
    applied: PoolEvent
    application_id: int | None
    decision: PoolEvent | None


def cycles(session, enterprise: Enterprise) -> list[Cycle]:
    """The enterprise's application cycles, oldest first, from the live state changes."""
    out: list[Cycle] = []
    for event in session.scalars(live_events(enterprise.id, STATE_CHANGE)):
        if event.to_state == APPLIED:
            out.append(Cycle(len(out) + 1, event, (event.evidence or {}).get("application_id"), None))
        elif out and out[-1].decision is None:
            out[-1] = Cycle(out[-1].number, out[-1].applied, out[-1].application_id, event)
    return out


def reapply(session, enterprise: Enterprise, *, actor, on: date, today: date, application: Application,
            snapshot, reason: str = "") -> PoolEvent:
    """Start a new application cycle on ``on`` relying on the saved check ``application``.

    :raise TransitionRefused: not rejected or expelled, the same declaration
        year as the last application, the waiting period after an expulsion
        not over, or a check of another enterprise or county.
    """
    require_snapshot(snapshot, on)
    prepare(session, enterprise, actor, on, None, "重新申报", today=today, moves=False)
    if enterprise.state not in (REJECTED, EXPELLED):
        raise TransitionRefused(f"{enterprise.name}当前状态为“{STATE_LABELS[enterprise.state]}”，"
                                f"只有未予入库或已退库的企业可以重新申报")
    previous = cycles(session, enterprise)
    if previous and on.year <= previous[-1].applied.effective_on.year:
        year = previous[-1].applied.effective_on.year
        raise TransitionRefused(f"{enterprise.name}已于 {year} 年度申报；须在以后的申报年度（{year + 1} 年起）重新申报")
    if enterprise.state == EXPELLED:
        months = snapshot["reapply_after_expulsion_months"]
        due = add_months(enterprise.state_changed_on, months)
        if on < due:
            raise TransitionRefused(f"退库后须满 {months} 个月方可重新申报（{due} 起）")
    if application.uscc != enterprise.uscc or application.county_id != enterprise.county_id:
        raise TransitionRefused("所选资格评估不是该企业在本县（市、区）的评估")
    if application.enterprise_id not in (None, enterprise.id):
        raise TransitionRefused("所选资格评估已关联其他企业")
    application.enterprise_id = enterprise.id
    return move(session, enterprise, actor, on, APPLIED, (reason or "").strip() or "重新申报",
                {"application_id": application.id, "cycle": len(previous) + 1})
