"""Writing a membership of a configured pool: every decision an append-only event.

Each action locks the membership row (``FOR UPDATE`` on PostgreSQL) and re-reads
it, checks the actor's county (:func:`pool.access.scoping.may_act_for`), the
state it moves from, the date (not after today, not before the last decision)
and what the pool asks — then appends a :class:`~models.MembershipEvent` and
keeps the membership's cached state in step:

* :func:`apply` — 申报 (again after a rejection): a new membership or rejected → applied;
* :func:`admit` — applied → admitted on the verdict of the record on that day under
  the pool's criteria: ``eligible``, or ``needs_review`` with the officer's reason;
  ``ineligible`` and ``incomplete`` are refused, naming the criteria; in a pool with a
  replenishment quota, outside the pool's intake rounds it takes a place of the
  county's quota, checked under the county row lock (:mod:`pool.ladder.quota`);
* :func:`reject` / :func:`leave` — applied → rejected / admitted → expelled, with a reason;
* :func:`graduate` — admitted → graduated: for a pool that graduates on a qualification,
  only while one is in force on that day (cited in the event);
* :func:`record_facts` — the pool's supplementary facts, checked against their declared kinds;
* :func:`void` — the last decision was a mistake: a ``void`` event names it, with a reason,
  and the state returns to the one before.  The application itself is not voided (reject it),
  nor a graduation a later replenishment stands on.

:func:`decide` takes any of them by name (:data:`DECISIONS`), as the pages and the API offer them.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from sqlalchemy import select

from models import Enterprise, Membership, MembershipEvent
from models.enterprise import ADMITTED, APPLIED, EXPELLED, GRADUATED, REJECTED, STATE_LABELS
from models.ladder import FACTS, MOVE, VOID
from pool.access.scoping import may_act_for
from pool.eligibility.applicant import InvalidApplicant
from pool.eligibility.outcome import in_force
from pool.eligibility.profile import QUALIFICATION_LABELS
from pool.kernel.refusal import TransitionRefused, require_not_future
from pool.kernel.wording import phrase
from pool.ladder import catalogue, quota, verdicts
from pool.membership.admission import VERDICT_LABELS
from pool.pools.fields import fact_problems

FROM = {APPLIED: (REJECTED,), ADMITTED: (APPLIED,), REJECTED: (APPLIED,), GRADUATED: (ADMITTED,),
        EXPELLED: (ADMITTED,)}
ACTIONS = {APPLIED: phrase("申报"), ADMITTED: phrase("入库"), REJECTED: phrase("不予入库"),
           GRADUATED: phrase("出库"), EXPELLED: phrase("退出")}

_NOT_YOURS = phrase("经办人无权办理{county}的企业")
_NO_POOL = phrase("没有培育库 {code}")
_RETIRED = phrase("{pool!s}已于 {day} 停用，不再受理申报")
_FIRST_POOL = phrase("{pool!s}的入库与出库在企业页的入库办理中进行")
_WRONG_STATE = phrase("{name!s}在{pool!s}中的状态为“{state}”，不能{action}")
_BEFORE_LAST = phrase("{action}日期 {day} 早于上次决定的日期 {last}")
_REASON = phrase("请填写{action}的理由")
_VERDICT_REFUSED = phrase("{day} 按{pool!s}的标准核验结论为“{verdict}”，不能入库：{criteria}")
_REVIEW_REASON = phrase("核验结论为“需人工审核”：请写明对{criteria}的判断理由")
_INVALID_RECORD = phrase("{day} 的企业记录不完整，无法核验：{problems}")
_NO_QUALIFICATION = phrase("{day} 未持有有效的{labels}：{pool!s}以取得该资格为出库条件")
_NOTHING_TO_VOID = phrase("没有可更正的决定（申报本身不能更正，请作不予入库处理）")
_FACTS_BAD = phrase("补充事实“{label}”：{message}")
_FACTS_SAME = phrase("补充事实与已登记的相同，未作变更")
_NOT_APPLIED = phrase("{name!s}尚未申报{pool!s}")
DECISIONS = ("apply", "admit", "reject", "graduate", "leave", "void", "facts")


def held(session, enterprise_id: int, pool_code: str) -> Membership | None:
    """The enterprise's membership of ``pool_code``, if it ever applied."""
    return session.scalar(select(Membership).where(Membership.enterprise_id == enterprise_id,
                                                   Membership.pool_code == pool_code))


def decide(session, enterprise: Enterprise, pool_code: str, decision: str, *, actor, on: date, today: date,
           reason: str = "", facts: Mapping[str, Any] | None = None):
    """The decision named ``decision`` (one of :data:`DECISIONS`) on the enterprise's membership.

    :raise TransitionRefused: as the decision does, or no membership yet for any but ``apply``.
    """
    common = {"actor": actor, "on": on, "today": today, "reason": reason}
    if decision == "apply":
        return apply(session, enterprise, pool_code, facts=facts, **common)
    membership = held(session, enterprise.id, pool_code)
    if membership is None:
        raise TransitionRefused(_NOT_APPLIED.format(name=enterprise.name, pool=_pool(session, pool_code).name))
    if decision == "facts":
        return record_facts(session, membership, facts or {}, **common)
    return {"admit": admit, "reject": reject, "graduate": graduate, "leave": leave,
            "void": void}[decision](session, membership, **common)


def _pool(session, code: str):
    pool = catalogue.pools(session).get(code)
    if pool is None:
        raise TransitionRefused(_NO_POOL.format(code=code))
    if pool.code_backed:
        raise TransitionRefused(_FIRST_POOL.format(pool=pool.name))
    return pool


def _lock(session, membership_id: int) -> Membership:
    return session.execute(select(Membership).where(Membership.id == membership_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()


def _check(enterprise: Enterprise, actor, on: date, today: date) -> None:
    require_not_future(on, today, phrase("生效日期"))
    if not may_act_for(actor, enterprise.county_id):
        raise TransitionRefused(_NOT_YOURS.format(county=enterprise.county.name))


def _require_move(membership: Membership, enterprise: Enterprise, to_state: str, on: date, pool) -> None:
    action = ACTIONS[to_state]
    if membership.state not in FROM[to_state]:
        raise TransitionRefused(_WRONG_STATE.format(name=enterprise.name, pool=pool.name,
                                                    state=STATE_LABELS[membership.state], action=action))
    if on < membership.since:
        raise TransitionRefused(_BEFORE_LAST.format(action=action, day=on, last=membership.since))


def _move(session, membership: Membership, enterprise: Enterprise, to_state: str, *, actor, on: date,
          today: date, reason: str = "", evidence: dict | None = None, terms=None, pool=None) -> MembershipEvent:
    _require_move(membership, enterprise, to_state, on, pool or catalogue.pools(session)[membership.pool_code])
    event = MembershipEvent(membership=membership, kind=MOVE, from_state=membership.state,
                            to_state=to_state, effective_on=on, actor_id=actor.id, reason=reason,
                            evidence=evidence or {}, replenishment=bool(terms and terms.replenishment),
                            intake_round_id=terms.intake_round.id if terms and terms.intake_round else None)
    session.add(event)
    membership.state, membership.since = to_state, on
    if to_state == ADMITTED:
        membership.admitted_on = on
    session.flush()
    return event


def apply(session, enterprise: Enterprise, pool_code: str, *, actor, on: date, today: date,
          reason: str = "", facts: Mapping[str, Any] | None = None) -> Membership:
    """申报: a new membership of ``pool_code`` (or a rejected one again)."""
    pool = _pool(session, pool_code)
    _check(enterprise, actor, on, today)
    if pool.retired and on >= pool.retired[0]:
        raise TransitionRefused(_RETIRED.format(pool=pool.name, day=pool.retired[0]))
    found = held(session, enterprise.id, pool.code)
    if found is None:
        clean = _clean_facts(pool, facts or {})
        membership = Membership(enterprise_id=enterprise.id, county_id=enterprise.county_id, pool_code=pool.code,
                                state=None, since=on, facts=clean)
        session.add(membership)
        event = MembershipEvent(membership=membership, kind=MOVE, from_state=None, to_state=APPLIED,
                                effective_on=on, actor_id=actor.id, reason=reason, evidence={"facts": clean})
        session.add(event)
        membership.state = APPLIED
        session.flush()
        return membership
    membership = _lock(session, found.id)
    if membership.state != REJECTED:
        raise TransitionRefused(_WRONG_STATE.format(name=enterprise.name, pool=pool.name,
                                                    state=STATE_LABELS[membership.state], action=ACTIONS[APPLIED]))
    _move(session, membership, enterprise, APPLIED, actor=actor, on=on, today=today, reason=reason)
    return membership


def admit(session, membership: Membership, *, actor, on: date, today: date, reason: str = "") -> MembershipEvent:
    """入库 on the verdict of the record on ``on`` (see the module docstring)."""
    enterprise, pool = membership.enterprise, _pool(session, membership.pool_code)
    _check(enterprise, actor, on, today)
    membership = _lock(session, membership.id)
    try:
        evaluation = verdicts.evaluate(session, enterprise, pool.code, on, membership.facts)
    except InvalidApplicant as exc:
        raise TransitionRefused(_INVALID_RECORD.format(day=on, problems="；".join(map(str, exc.problems)))) from None
    open_points = [f"第{c.id}项“{c.title}”" for c in evaluation.criteria if c.status != "pass"]
    if evaluation.verdict in ("ineligible", "incomplete"):
        raise TransitionRefused(_VERDICT_REFUSED.format(day=on, pool=pool.name,
                                                        verdict=VERDICT_LABELS[evaluation.verdict],
                                                        criteria="、".join(open_points)))
    if evaluation.verdict == "needs_review" and not reason.strip():
        raise TransitionRefused(_REVIEW_REASON.format(criteria="、".join(open_points)))
    _require_move(membership, enterprise, ADMITTED, on, pool)
    terms = quota.admission(session, pool, membership.county_id, on)
    return _move(session, membership, enterprise, ADMITTED, actor=actor, on=on, today=today, reason=reason.strip(),
                 evidence={"verdict": evaluation.to_record(), **terms.evidence()}, terms=terms, pool=pool)


def reject(session, membership: Membership, *, actor, on: date, today: date, reason: str) -> MembershipEvent:
    return _decide(session, membership, REJECTED, actor=actor, on=on, today=today, reason=reason)


def leave(session, membership: Membership, *, actor, on: date, today: date, reason: str) -> MembershipEvent:
    return _decide(session, membership, EXPELLED, actor=actor, on=on, today=today, reason=reason)


def _decide(session, membership, to_state, *, actor, on, today, reason) -> MembershipEvent:
    _pool(session, membership.pool_code)
    _check(membership.enterprise, actor, on, today)
    if not (reason or "").strip():
        raise TransitionRefused(_REASON.format(action=ACTIONS[to_state]))
    membership = _lock(session, membership.id)
    return _move(session, membership, membership.enterprise, to_state, actor=actor, on=on, today=today,
                 reason=reason.strip())


def exit_qualification(pool, enterprise: Enterprise, on: date):
    """The enterprise's qualification in force on ``on`` that graduates it from ``pool``, or None."""
    return exit_certificate(pool, enterprise.qualifications, on)


def exit_certificate(pool, certificates, on: date):
    """The first of ``certificates`` (anything with ``type``, ``valid_from``, ``valid_to``: rows or
    selected tuples) in force on ``on`` of a type ``pool`` graduates on, or None — the one exit rule."""
    types = pool.lifecycle["graduation"].get("exit_on_qualification") or ()
    return next((q for q in certificates if q.type in types and in_force(q.valid_from, q.valid_to, on)), None)


def graduate(session, membership: Membership, *, actor, on: date, today: date, reason: str = "") -> MembershipEvent:
    """出库: for a pool graduating on a qualification, only while one is in force on ``on``."""
    pool = _pool(session, membership.pool_code)
    enterprise = membership.enterprise
    _check(enterprise, actor, on, today)
    membership = _lock(session, membership.id)
    types = pool.lifecycle["graduation"].get("exit_on_qualification") or ()
    evidence = {}
    if types:
        q = exit_qualification(pool, enterprise, on)
        if q is None:
            raise TransitionRefused(_NO_QUALIFICATION.format(
                day=on, labels="或".join(QUALIFICATION_LABELS.get(t, t) for t in types), pool=pool.name))
        evidence = {"qualification": {"id": q.id, "type": q.type, "certificate_no": q.certificate_no,
                                      "valid_from": q.valid_from.isoformat(), "valid_to": q.valid_to.isoformat()}}
    elif not reason.strip():
        raise TransitionRefused(_REASON.format(action=ACTIONS[GRADUATED]))
    return _move(session, membership, enterprise, GRADUATED, actor=actor, on=on, today=today,
                 reason=reason.strip(), evidence=evidence)


def _clean_facts(pool, facts: Mapping[str, Any]) -> dict:
    problems = fact_problems({n: k for n, (k, _l) in pool.facts.items()}, facts)
    if problems:
        raise TransitionRefused("；".join(_FACTS_BAD.format(label=pool.facts.get(name, ("", name))[1] or name,
                                                          message=message) for name, message in problems))
    return {k: (str(v) if not isinstance(v, (bool, int, str)) and v is not None else v) for k, v in facts.items()}


def record_facts(session, membership: Membership, facts: Mapping[str, Any], *, actor, on: date, today: date,
                 reason: str = "") -> MembershipEvent:
    """Replace the membership's supplementary facts (the event keeps the ones before)."""
    pool = _pool(session, membership.pool_code)
    _check(membership.enterprise, actor, on, today)
    membership = _lock(session, membership.id)
    clean = _clean_facts(pool, facts)
    if clean == (membership.facts or {}):
        raise TransitionRefused(_FACTS_SAME)
    event = MembershipEvent(membership=membership, kind=FACTS, effective_on=on, actor_id=actor.id,
                            reason=reason.strip(), evidence={"before": membership.facts or {}, "after": clean})
    session.add(event)
    membership.facts = clean
    session.flush()
    return event


def void(session, membership: Membership, *, actor, on: date, today: date, reason: str) -> MembershipEvent:
    """Void the last live decision (not the application): the state returns to the one before it.
    A graduation is not voided while a replenishment recorded from its date on needs its places."""
    pool = _pool(session, membership.pool_code)
    _check(membership.enterprise, actor, on, today)
    if not (reason or "").strip():
        raise TransitionRefused(_REASON.format(action=phrase("更正")))
    membership = _lock(session, membership.id)
    voided = {e.voids_id for e in membership.events if e.kind == VOID}
    moves = [e for e in membership.events if e.kind == MOVE and e.id not in voided]
    if len(moves) < 2:
        raise TransitionRefused(_NOTHING_TO_VOID)
    last, before = moves[-1], moves[-2]
    refused = quota.void_refusal(session, pool, last)
    if refused:
        raise TransitionRefused(refused)
    event = MembershipEvent(membership=membership, kind=VOID, from_state=last.to_state, to_state=last.from_state,
                            effective_on=on, actor_id=actor.id, reason=reason.strip(), voids_id=last.id)
    session.add(event)
    membership.state, membership.since = last.from_state, before.effective_on
    if last.to_state == ADMITTED:
        membership.admitted_on = None
    session.flush()
    return event
