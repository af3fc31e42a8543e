"""The pool lifecycle (黄石 二(六)2 入库企业动态调整机制; SPEC §3): transitions.

States: ``applied`` → ``admitted`` → ``graduated``; ``admitted`` → ``expelled``;
``applied`` → ``rejected``.  Each transition appends one ``state_change``
:class:`~models.PoolEvent` (who, effective date, from/to, reason, the verdict or
evidence relied on) and updates the enterprise's cached ``state``,
``state_changed_on`` and ``admitted_on``.  Facts that are not transitions —
progress, integrity incidents, officers' review decisions, outcomes after
graduation, corrections — are events of their own kinds.

Contract of every function here:

* plain inputs, the caller's SQLAlchemy ``session``, an explicit ``on`` date,
  ``today`` (no ``on`` may be later: :func:`pool.kernel.refusal.require_not_future`) and
  the acting :class:`~models.User` (who must be allowed to act for the
  enterprise's county); no Flask, no clock;
* a refused action raises :class:`TransitionRefused` with a Chinese reason and
  writes nothing;
* the new rows are flushed, never committed: the caller owns the transaction.
  Each function first locks the enterprise row (``FOR UPDATE`` on PostgreSQL)
  and re-reads it, so two officers acting on one enterprise serialize and the
  second sees the first's result; :func:`admit` also locks the county row for
  the quota (see ``pool/membership/quota.py``).  Locks last until the caller commits or
  rolls back — do so promptly, also after a refusal.
* an event may not be dated before the enterprise's last state change, so the
  log read by date (``pool_on``) always agrees with the cached state.

The proposal, quota and history reads live in ``pool.membership.proposals``,
``pool.membership.quota`` and ``pool.membership.history`` and are re-exported here.
"""
from __future__ import annotations

from datetime import date
from typing import Mapping

from sqlalchemy import exists, select

from models import CITY_ADMIN, Enterprise, PoolEvent
from models.enterprise import ADMITTED, APPLIED, EXPELLED, GRADUATED, REJECTED
from models.event import CORRECTION, INCIDENT, NOTE, OUTCOME, PROGRESS, REVIEW, STATE_CHANGE

from pool.membership.admission import (
    checked_evaluation, require_admissible, required_reason,
    resolved_reviews,
)
from pool.membership.history import (
    CONTINUED_CULTIVATION, INCIDENT_TYPES, OUTCOME_TYPES, PROGRESS_TYPES, STATE_LABELS, live_events,
    members_on, pool_on, require_snapshot,
)
from pool.membership.proposals import (
    EXPULSION, GRADUATION, Finding, Proposal, expulsion_assessment, expulsion_proposal,
    graduation_assessment, graduation_proposal, progress_window_start, proposal_by_rule,
)
from pool.membership.rules import add_months, months_without_progress
from pool.membership.quota import (IN_ROUND, REPLENISHED, Quota, lock_county, open_intake_round, quota,
                                  replenishment_refusal)
from pool.kernel import text
from pool.kernel.refusal import DateRefused, TransitionRefused, require_not_future
from pool.kernel.wording import phrase
from pool.membership.events import as_json, check_subtype, fact, move, prepare

__all__ = [
    # transitions and facts
    "TransitionRefused", "DateRefused", "require_not_future",
    "apply", "admit", "reject", "graduate", "expel",
    "record_progress", "record_incident", "record_outcome", "correct",
    # proposals (pool.membership.proposals)
    "Proposal", "Finding", "graduation_proposal", "expulsion_proposal", "graduation_assessment",
    "expulsion_assessment", "proposal_by_rule", "add_months", "months_without_progress",
    "progress_window_start",
    # quota (pool.membership.quota) and history (pool.membership.history)
    "Quota", "quota", "open_intake_round", "pool_on", "members_on", "live_events",
    "STATE_LABELS", "PROGRESS_TYPES", "INCIDENT_TYPES", "OUTCOME_TYPES",
]

EXPULSION_BASES = {"no_progress": "a", "incident": "b"}


# The wording of the actions and their refusals.
_APPLY, _ADMIT, _REJECT = phrase("申报"), phrase("入库"), phrase("不予入库")
_GRADUATE, _EXPEL, _CORRECT = phrase("培育出库"), phrase("退库"), phrase("更正")
_PROGRESS, _INCIDENT, _OUTCOME_MARK = phrase("实质性进展"), phrase("诚信事件"), phrase("出库后标记")
_CORRECT_RECORD = phrase("更正记录")
_APPLIED_ALREADY = phrase("{name!s}已有申报记录，不能重复申报")
_APPLIED_REASON = phrase("申报入库")
_HISTORICAL = phrase("历史入库（依据 {document!s}）：{reason}")
_REJECT_REASON = phrase("不予入库须写明理由")
_REVIEWS_NEED_EVALUATION = phrase("复核决定须附所依据的评估记录")
RULE_AB = phrase("{action}条件须为 a 或 b，不能为 {rule!s}")
REASON_FOR = phrase("{action}须写明理由")
NOT_MET = phrase("{name!s}在 {day} 不符合{action}条件（{rule}）：{detail}")
_MARK = phrase("标记{outcome}")
_MARKED_ALREADY = phrase("{name!s}已于 {day} 标记为{outcome}")
_CULTIVATION_FIRST = phrase("{name!s}须先标记接续培育，才能标记{outcome}")
_NOT_CORRECTABLE = phrase("只能更正进展、诚信事件、出库后标记或备注；状态变更与复核决定不能撤销")
_CORRECTION_BEFORE = phrase("更正日期 {day} 早于原记录日期 {original}")
_CORRECTED_ALREADY = phrase("记录 {id} 已被更正")
_FACT_REASON = phrase("{what}须写明情况")
_RECORD = phrase("记录{what}")
BASIS = phrase("退库依据须为 no_progress 或 incident，不能为 {basis}")
_CITY_ONLY_HISTORY = phrase("只有市级管理员可以补录历史入库决定")


# --- transitions ---------------------------------------------------------------

def apply(session, enterprise: Enterprise, *, actor, on: date, today: date,
          reason: str = "", batch=None) -> PoolEvent:
    """Record the 申报 of a new enterprise (state ``applied``).  ``batch``
    (:mod:`pool.membership.batch`) writes many at once; every function below
    takes it too, and returns ``None`` with it: the batch inserts the event
    later, as a row.

    :raise TransitionRefused: if the enterprise already has a lifecycle history.
    """
    prepare(session, enterprise, actor, on, APPLIED, _APPLY, today=today, batch=batch)
    if _has_history(session, enterprise, batch):
        raise TransitionRefused(_APPLIED_ALREADY.format(name=enterprise.name))
    return move(session, enterprise, actor, on, APPLIED, reason or _APPLIED_REASON, {}, batch=batch)


def _has_history(session, enterprise, batch) -> bool:
    if batch is not None and batch.fresh(enterprise):  # its cache is its whole history
        return enterprise.state_changed_on is not None
    return bool(session.scalar(select(exists().where(PoolEvent.enterprise_id == enterprise.id,
                                                     PoolEvent.kind == STATE_CHANGE))))


def admit(session, enterprise: Enterprise, *, actor, on: date, today: date, evaluation: Mapping,
          reviews: Mapping[int, tuple[str, str]] | None = None, snapshot, note: str | None = None,
          document: str | None = None, batch=None) -> PoolEvent:
    """Admit an ``applied`` enterprise on ``on``.

    ``evaluation`` is the verdict record (``Evaluation.to_record()``): verdict
    ``eligible``, or ``needs_review`` with every ``review`` criterion resolved in
    ``reviews`` as ``{criterion_id: ("waive", written reason)}``.  Each resolution
    is recorded as a ``review`` event.  Inside an intake round open on ``on`` the
    admission is unlimited (``intake_round_id`` recorded); otherwise it is a
    replenishment (增补) and takes one place of the county's quota, checked under
    the county row lock.  ``snapshot`` is the policy in force on ``on``.  The
    officer's ``note`` (备注), if any, is kept on the event.

    ``document`` records an admission the city decided before it used this
    system (the go-live import, :mod:`pool.io.golive`; the city administrator
    only): the decision's document (文号) stands for the verdict, which is
    stored beside it whatever it says; round or quota are checked as always.

    :raise TransitionRefused: wrong state, a verdict that does not allow
        admission, an unresolved or refused review, a review without a reason,
        no quota left, or a document given by anyone but the administrator.
    """
    require_snapshot(snapshot, on)
    prepare(session, enterprise, actor, on, ADMITTED, _ADMIT, today=today, batch=batch)
    note = _note(note)
    criteria = checked_evaluation(evaluation, on)
    resolutions = resolved_reviews(criteria, reviews or {})
    document = _document(document, actor)
    if document is None:
        require_admissible(evaluation["verdict"], criteria, resolutions)
    intake, places = open_intake_round(session, on, batch.rounds if batch else None), None
    if intake is None:
        county = lock_county(session, enterprise.county_id)
        places, refusal = replenishment_refusal(session, county, on, snapshot)
        if refusal:
            raise TransitionRefused(refusal)
        reason = REPLENISHED.format(places=places.describe(snapshot["quota_multiplier"]))
    else:
        reason = IN_ROUND.format(round=intake.name, day=intake.opened_on)
    _record_reviews(session, enterprise, actor, on, criteria, resolutions, evaluation, batch)
    evidence = {  # made JSON-ready once, as a whole, by the event (events.append)
        "evaluation": evaluation,
        "reviews": [{"criterion_id": r["criterion_id"], "decision": r["decision"],
                     "reason": r["reason"]} for r in resolutions],
        "quota": places.to_dict() if places else None,
        "intake_round": {"id": intake.id, "name": intake.name} if intake else None,
    }
    if note:
        evidence["note"] = note
    if document:
        evidence["document"] = document
        reason = _HISTORICAL.format(document=document, reason=reason)
    return move(session, enterprise, actor, on, ADMITTED, reason, evidence, batch=batch,
                 replenishment=intake is None, intake_round_id=intake.id if intake else None)


def reject(session, enterprise: Enterprise, *, actor, on: date, today: date, reason: str,
           evaluation: Mapping | None = None,
           reviews: Mapping[int, tuple[str, str]] | None = None, batch=None) -> PoolEvent:
    """Decide not to admit an ``applied`` enterprise, with a written ``reason``.

    ``evaluation`` (optional) is stored as the verdict relied on; ``reviews``
    (needs ``evaluation``) records the officer's decisions on ``review``
    criteria, e.g. the refusal that led here.

    :raise TransitionRefused: wrong state, no reason, or invalid reviews.
    """
    required_reason(reason, _REJECT_REASON)
    prepare(session, enterprise, actor, on, REJECTED, _REJECT, today=today, batch=batch)
    if reviews and evaluation is None:
        raise TransitionRefused(_REVIEWS_NEED_EVALUATION)
    criteria = checked_evaluation(evaluation, on) if evaluation is not None else []
    resolutions = resolved_reviews(criteria, reviews or {})
    _record_reviews(session, enterprise, actor, on, criteria, resolutions, evaluation, batch)
    evidence = {"evaluation": evaluation} if evaluation is not None else {}
    return move(session, enterprise, actor, on, REJECTED, reason, evidence, batch=batch)


def graduate(session, enterprise: Enterprise, *, actor, on: date, today: date, rule: str,
             reason: str,
             evidence: Mapping | None = None, snapshot, approval: Mapping | None = None,
             batch=None) -> PoolEvent:
    """Confirm a graduation (培育出库) by ``rule`` ``"a"`` (new patent-intensive
    product) or ``"b"`` (sales and profit growth), which must hold on ``on``
    (:func:`pool.membership.proposals.graduation_assessment`).  ``evidence`` is what the
    officer adds (JSON-ready); the proposal is stored beside it.

    :raise TransitionRefused: wrong state, no reason, or the rule does not hold.
    """
    extra = {"officer": as_json(evidence or {})}
    if approval:
        extra["approval"] = as_json(approval)
    return _confirm(session, enterprise, actor, on, today, GRADUATION, rule, reason, extra, snapshot, batch)


def expel(session, enterprise: Enterprise, *, actor, on: date, today: date, basis: str,
          reason: str,
          snapshot, approval: Mapping | None = None, batch=None) -> PoolEvent:
    """Confirm an expulsion (退库) on ``basis`` ``"no_progress"`` (rule a) or
    ``"incident"`` (rule b), which must hold on ``on``.

    :raise TransitionRefused: wrong state, no reason, or the basis does not hold.
    """
    if basis not in EXPULSION_BASES:
        raise TransitionRefused(BASIS.format(basis=repr(basis)))
    extra = {"basis": basis, **({"approval": as_json(approval)} if approval else {})}
    return _confirm(session, enterprise, actor, on, today, EXPULSION, EXPULSION_BASES[basis], reason, extra,
                    snapshot, batch)


def _confirm(session, enterprise, actor, on, today, kind, rule, reason, extra,
             snapshot, batch=None) -> PoolEvent:
    require_snapshot(snapshot, on)
    action, to_state = (_GRADUATE, GRADUATED) if kind == GRADUATION else (_EXPEL, EXPELLED)
    if rule not in ("a", "b"):
        raise TransitionRefused(RULE_AB.format(action=action, rule=repr(rule)))
    required_reason(reason, REASON_FOR.format(action=action))
    prepare(session, enterprise, actor, on, to_state, action, today=today, batch=batch)
    proposal, detail = proposal_by_rule(session, enterprise, kind, rule, on, snapshot)
    if proposal is None:
        raise TransitionRefused(NOT_MET.format(name=enterprise.name, day=on, action=action, rule=rule, detail=detail))
    record = {"rule": rule, "proposal": proposal.to_dict(), **extra}
    return move(session, enterprise, actor, on, to_state, reason, record, batch=batch)


# --- facts that are not transitions ---------------------------------------------

def record_progress(session, enterprise: Enterprise, *, actor, on: date, today: date, subtype: str,
                    reason: str, evidence: Mapping | None = None, batch=None) -> PoolEvent:
    """Record a substantive progress (实质性进展) of an ``admitted`` enterprise;
    it restarts the no-progress window from ``on``.

    :raise TransitionRefused: not admitted, unknown ``subtype`` or no reason.
    """
    return _record_fact(session, enterprise, actor, on, today, PROGRESS, PROGRESS_TYPES,
                        subtype, reason, evidence, _PROGRESS, batch)


def record_incident(session, enterprise: Enterprise, *, actor, on: date, today: date, subtype: str,
                    reason: str, evidence: Mapping | None = None, batch=None) -> PoolEvent:
    """Record an integrity incident (诚信事件) of an ``admitted`` enterprise; it
    makes expulsion due at once.

    :raise TransitionRefused: not admitted, unknown ``subtype`` or no reason.
    """
    return _record_fact(session, enterprise, actor, on, today, INCIDENT, INCIDENT_TYPES,
                        subtype, reason, evidence, _INCIDENT, batch)


def record_outcome(session, enterprise: Enterprise, *, actor, on: date, today: date, subtype: str,
                   reason: str, evidence: Mapping | None = None) -> PoolEvent:
    """Mark a ``graduated`` enterprise for continued cultivation (接续培育) or tag
    an outcome of it (``little_giant``, ``single_champion``), each at most once;
    an outcome needs the continued-cultivation mark first (SPEC §3: "later").

    :raise TransitionRefused: not graduated, unknown or repeated ``subtype``,
        outcome before continued cultivation, or no reason.
    """
    check_subtype(OUTCOME_TYPES, subtype, _OUTCOME_MARK)
    mark = _MARK.format(outcome=OUTCOME_TYPES[subtype])
    required_reason(reason, REASON_FOR.format(action=mark))
    prepare(session, enterprise, actor, on, GRADUATED, mark, today=today, moves=False)
    marked = {e.subtype: e for e in session.scalars(live_events(enterprise.id, OUTCOME))}
    if subtype in marked:
        raise TransitionRefused(_MARKED_ALREADY.format(name=enterprise.name, day=marked[subtype].effective_on,
                                                       outcome=OUTCOME_TYPES[subtype]))
    cultivation = marked.get(CONTINUED_CULTIVATION)
    if subtype != CONTINUED_CULTIVATION and (cultivation is None or cultivation.effective_on > on):
        raise TransitionRefused(_CULTIVATION_FIRST.format(name=enterprise.name, outcome=OUTCOME_TYPES[subtype]))
    return fact(session, enterprise, actor, on, OUTCOME, subtype, reason, evidence)


def correct(session, event: PoolEvent, *, actor, on: date, today: date, reason: str) -> PoolEvent:
    """Void a progress, incident, outcome or note event by appending a
    ``correction`` that names it; proposals then ignore it.  State changes and
    review decisions are not voided this way (they are what a decision stood on).

    :raise TransitionRefused: wrong kind, already corrected, dated before the
        event, or no reason.
    """
    if event.kind not in (PROGRESS, INCIDENT, OUTCOME, NOTE):
        raise TransitionRefused(_NOT_CORRECTABLE)
    required_reason(reason, REASON_FOR.format(action=_CORRECT))
    enterprise = session.get(Enterprise, event.enterprise_id)
    prepare(session, enterprise, actor, on, None, _CORRECT_RECORD, today=today, moves=False)
    if on < event.effective_on:
        raise TransitionRefused(_CORRECTION_BEFORE.format(day=on, original=event.effective_on))
    if session.scalar(select(exists().where(PoolEvent.kind == CORRECTION,
                                            PoolEvent.corrects_id == event.id))):
        raise TransitionRefused(_CORRECTED_ALREADY.format(id=event.id))
    corrected = {"id": event.id, "kind": event.kind, "subtype": event.subtype,
                 "effective_on": event.effective_on.isoformat(), "reason": event.reason}
    return fact(session, enterprise, actor, on, CORRECTION, event.kind, reason,
                 {"corrected": corrected}, corrects_id=event.id)


def _record_fact(session, enterprise, actor, on, today, kind, types, subtype, reason, evidence,
                 what, batch=None):
    check_subtype(types, subtype, what)
    required_reason(reason, _FACT_REASON.format(what=what))
    prepare(session, enterprise, actor, on, ADMITTED, _RECORD.format(what=what), today=today, moves=False,
            batch=batch)
    return fact(session, enterprise, actor, on, kind, subtype, reason, evidence, batch=batch)


# --- writing ------------------------------------------------------------------

def _document(document: str | None, actor) -> str | None:
    """A historical decision's document (文号), checked: plain text, and only
    the city administrator records one."""
    if document is None or not document.strip():
        return None
    if getattr(actor, "role", None) != CITY_ADMIN:
        raise TransitionRefused(_CITY_ONLY_HISTORY)
    unclean = text.refusal("依据文件", document)
    if unclean is not None:
        raise TransitionRefused(unclean)
    return document.strip()


def _note(note: str | None) -> str | None:
    """An optional note (备注): kept as typed, stripped; no control characters."""
    if note is None or not note.strip():
        return None
    unclean = text.refusal("备注", note, multiline=True)
    if unclean is not None:
        raise TransitionRefused(unclean)
    return note.strip()


def _record_reviews(session, enterprise, actor, on, criteria, resolutions, evaluation, batch=None) -> None:
    for r in resolutions:
        c = r["criterion"]
        evidence = {"criterion_id": c["id"], "title": c.get("title"), "status": c["status"],
                    "detail": c.get("detail"), "evaluation_as_of": evaluation.get("as_of")}
        fact(session, enterprise, actor, on, REVIEW, r["decision"], r["reason"], evidence, batch=batch)
