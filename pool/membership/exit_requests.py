"""Exits confirmed by the city (issue #15): a county's graduation or expulsion
as a request that the city administrator approves or returns.

黄石 二(六)2 names the city's market regulator and the county governments as
jointly responsible for the pool; the project reads that as: while the dated
parameter ``exit_needs_city_approval`` is true (the default, marked [R]), a
county officer's confirmed graduation or expulsion does not change the pool
until the city approves it.  :func:`confirm_exit` is the one entry every edge
uses: it records the exit at once (the administrator, or the parameter off)
or files an :class:`~models.ExitRequest`.  The request is checked as the exit
itself would be — the state, the rule holding on its effective date, a reason
— so a request that cannot succeed is refused at once; approving records the
exit through :func:`pool.membership.lifecycle.graduate` / ``expel`` as of the
requested date (the rule is checked again then), with the approval kept in
the event's evidence; returning needs a reason.  One pending request per
enterprise.  Plain Python: the caller's session; nothing commits.
"""
from __future__ import annotations

from datetime import date
from typing import Mapping

from sqlalchemy import select

from models import CITY_ADMIN, Enterprise, ExitRequest, PoolEvent, utcnow
from models.enterprise import ADMITTED
from models.event import APPROVED, EXPULSION_EXIT, GRADUATION_EXIT, PENDING, RETURNED

from pool.access.scoping import may_act_for
from pool.kernel import text
from pool.kernel.refusal import TransitionRefused, require_not_future
from pool.kernel.wording import phrase
from pool.membership import lifecycle
from pool.membership.admission import required_reason
from pool.membership.events import lock_enterprise, prepare
from pool.membership.history import require_snapshot
from pool.membership.proposals import EXPULSION, GRADUATION, proposal_by_rule

__all__ = ["confirm_exit", "approve", "send_back", "pending_for", "latest_for", "needs_city"]

KIND_LABELS = {GRADUATION_EXIT: phrase("培育出库"), EXPULSION_EXIT: phrase("退库")}
_UNKNOWN_KIND = phrase("未知的出库类型 {kind}")
_REQUEST = phrase("申请{action}")
_PENDING = phrase("{name!s}已有待市级确认的{kind}申请（{day}），请等待确认或退回")
_SEND_BACK_REASON = phrase("退回须写明理由")
_CITY_ONLY = phrase("只有市级管理员可以确认或退回出库、退库申请")
_DECIDED = phrase("该申请已处理")


def needs_city(actor, snapshot) -> bool:
    """Whether ``actor``'s exit must wait for the city on the snapshot's date."""
    return getattr(actor, "role", None) != CITY_ADMIN and bool(snapshot["exit_needs_city_approval"])


def confirm_exit(session, enterprise: Enterprise, *, actor, kind: str, rule: str, on: date, today: date,
                 reason: str, snapshot, evidence: Mapping | None = None) -> PoolEvent | ExitRequest:
    """Graduate (``kind`` ``graduation``, ``rule`` a/b) or expel (``expulsion``,
    ``rule`` no_progress/incident) ``enterprise`` on ``on`` — at once, or as a
    request to the city (:func:`needs_city`).

    :raise TransitionRefused: what the exit itself would refuse, or a request already pending.
    """
    require_snapshot(snapshot, on)
    if kind not in KIND_LABELS:
        raise TransitionRefused(_UNKNOWN_KIND.format(kind=repr(kind)))
    if not needs_city(actor, snapshot):
        return _record(session, enterprise, actor=actor, kind=kind, rule=rule, on=on, today=today,
                       reason=reason, snapshot=snapshot, evidence=evidence)
    action = KIND_LABELS[kind]
    required_reason(reason, lifecycle.REASON_FOR.format(action=action))
    if kind == EXPULSION_EXIT and rule not in lifecycle.EXPULSION_BASES:
        raise TransitionRefused(lifecycle.BASIS.format(basis=repr(rule)))
    if kind == GRADUATION_EXIT and rule not in ("a", "b"):
        raise TransitionRefused(lifecycle.RULE_AB.format(action=action, rule=repr(rule)))
    prepare(session, enterprise, actor, on, ADMITTED, _REQUEST.format(action=action), today=today, moves=False)
    pending = pending_for(session, enterprise.id)
    if pending is not None:
        raise TransitionRefused(_PENDING.format(name=enterprise.name, kind=KIND_LABELS[pending.kind],
                                                day=pending.effective_on.isoformat()))
    proposal, detail = proposal_by_rule(session, enterprise, _PROPOSAL[kind], _rule_letter(kind, rule), on, snapshot)
    if proposal is None:
        raise TransitionRefused(lifecycle.NOT_MET.format(name=enterprise.name, day=on, action=action, rule=rule,
                                                          detail=detail))
    request = ExitRequest(enterprise_id=enterprise.id, county_id=enterprise.county_id, kind=kind, rule=rule,
                          effective_on=on, reason=reason.strip(), evidence=lifecycle.as_json(evidence or {}),
                          status=PENDING, proposed_by_id=actor.id)
    session.add(request)
    session.flush()
    return request


def approve(session, request: ExitRequest, *, actor, today: date, snapshot) -> PoolEvent:
    """The city records the requested exit as of its date.

    :raise TransitionRefused: not the administrator, not pending, or the exit
        no longer holds (e.g. corrected facts): the request stays pending.
    """
    _require_decider(request, actor)
    require_not_future(request.effective_on, today, "生效日期")
    lock_enterprise(session, request.enterprise_id)
    approval = {"request_id": request.id, "requested_by": request.proposed_by.display_name,
                "requested_at": request.proposed_at.isoformat(), "approved_by": actor.display_name}
    event = _record(session, request.enterprise, actor=actor, kind=request.kind, rule=request.rule,
                    on=request.effective_on, today=today, reason=request.reason, snapshot=snapshot,
                    evidence=request.evidence, approval=approval)
    request.status, request.decided_by_id, request.decided_at = APPROVED, actor.id, utcnow()
    request.event_id = event.id
    session.flush()
    return event


def send_back(session, request: ExitRequest, *, actor, reason: str) -> None:
    """The city returns the request to the county, with a written reason; the pool does not change."""
    _require_decider(request, actor)
    required_reason(reason, _SEND_BACK_REASON)
    if (unclean := text.refusal("退回理由", reason, multiline=True)) is not None:
        raise TransitionRefused(unclean)
    request.status, request.decided_by_id, request.decided_at = RETURNED, actor.id, utcnow()
    request.decision_reason = reason.strip()
    session.flush()


def pending_for(session, enterprise_id: int) -> ExitRequest | None:
    return session.scalar(select(ExitRequest).where(ExitRequest.enterprise_id == enterprise_id,
                                                     ExitRequest.status == PENDING))


def latest_for(session, enterprise_id: int) -> ExitRequest | None:
    """The enterprise's latest request, whatever its status: the page shows one
    pending, or the city's reason for returning the last one."""
    return session.scalar(select(ExitRequest).where(ExitRequest.enterprise_id == enterprise_id)
                          .order_by(ExitRequest.id.desc()).limit(1))


_PROPOSAL = {GRADUATION_EXIT: GRADUATION, EXPULSION_EXIT: EXPULSION}


def _rule_letter(kind: str, rule: str) -> str:
    return lifecycle.EXPULSION_BASES[rule] if kind == EXPULSION_EXIT else rule


def _record(session, enterprise, *, actor, kind, rule, on, today, reason, snapshot, evidence, approval=None):
    if kind == GRADUATION_EXIT:
        return lifecycle.graduate(session, enterprise, actor=actor, on=on, today=today, rule=rule, reason=reason,
                                  evidence=evidence, snapshot=snapshot, approval=approval)
    return lifecycle.expel(session, enterprise, actor=actor, on=on, today=today, basis=rule, reason=reason,
                           snapshot=snapshot, approval=approval)


def _require_decider(request: ExitRequest, actor) -> None:
    if getattr(actor, "role", None) != CITY_ADMIN or not may_act_for(actor, request.county_id):
        raise TransitionRefused(_CITY_ONLY)
    if request.status != PENDING:
        raise TransitionRefused(_DECIDED)
