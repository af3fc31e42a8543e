"""Bringing an existing pool in (issue #21): a whole history replayed through the lifecycle.

:func:`replay` writes the go-live workbook's history (:mod:`.sheets`) in the
caller's transaction, *through the functions an officer's actions use* — in
date order across the whole pool, each event with its own past effective
date and ``today`` the day of the import:

* rounds first (:func:`pool.membership.intake.record_past_round`: no overlap,
  no recorded replenishment inside one);
* each enterprise registered on its 申报 date (the earliest of its events if
  the sheet has no 申报) from its record on the applicant sheets, judged as of
  that day (:func:`pool.records.registration.register_applicant`);
* each admission in the round open that day or on a replenishment place
  counted then and on every later replenishment's day
  (:func:`pool.membership.lifecycle.admit`): with the record's verdict on that
  day when it is eligible, else on the decision's 依据文件, which is then
  required; graduations and expulsions only where their rule holds on the
  record that day (12 months in the pool, the product certified, the window
  without progress, the incident); progress and incidents as recorded facts.

The enterprises are registered first, all at once
(:func:`pool.records.registration.register_applicants`: registering one
depends on no other's history, only on its own record and day); then the
other events replay in date order.  All of it runs in one
:class:`~pool.membership.batch.Batch`, which changes how the lifecycle reads
and writes (no lock or re-read of a row this import inserted, the events and
the new records inserted as rows, one statement a table, instead of through
the unit of work, the rounds read once), never what it decides.

Nothing is written unless the whole history replays: every refusal is
collected (naming the sheet and row; an enterprise's later events are not
tried once one is refused), listed in date order, and :class:`HistoryRefused`
carries them all.
An enterprise already registered with the same history, and a round already
recorded with the same dates, are left as they are, so importing the same
file again changes nothing.  :func:`preview` replays inside a SAVEPOINT that
it rolls back, and says what the import would create.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from models import CITY_ADMIN, County, Enterprise, IntakeRound, PoolEvent
from models.event import CORRECTION, INCIDENT, PROGRESS, STATE_CHANGE

from pool.eligibility.applicant import InvalidApplicant
from pool.eligibility.rulebook import NoPolicyInForce, Rulebook, complete_snapshot
from pool.io.golive.sheets import EVENTS, ROUNDS, History, PastEvent
from pool.kernel.refusal import TransitionRefused
from pool.membership import intake, lifecycle
from pool.membership.admission import VERDICT_LABELS
from pool.membership.batch import Batch
from pool.membership.history import STATE_LABELS, pool_on
from pool.membership.quota import quota
from pool.monitoring.flags import KIND_LABELS
from pool.monitoring.scan import assess
from pool.records.changes import RecordRefused
from pool.records.facts import record_verdict
from pool.records.registration import register_applicants

# Same-day events in the order they must happen.
_ORDER = {"申报": 0, "入库": 1, "不予入库": 1, "实质性进展": 2, "诚信事件": 2, "培育出库": 3, "退库": 3}
_STATE_OF = {"申报": "applied", "入库": "admitted", "不予入库": "rejected", "培育出库": "graduated",
             "退库": "expelled"}
_FACT_OF = {"实质性进展": PROGRESS, "诚信事件": INCIDENT}


class HistoryRefused(ValueError):
    """The history does not replay; ``problems`` says where and why, in Chinese."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"历史记录有 {len(problems)} 处问题：\n" + "\n".join(problems))


@dataclass
class Outcome:
    """What an import did (or, previewed, would do)."""

    registered: int = 0  # enterprises created
    kept: int = 0  # enterprises already there with the same history
    rounds: int = 0  # rounds recorded
    rounds_kept: int = 0
    events: int = 0  # lifecycle events written
    members: dict = field(default_factory=dict)  # county -> {state label: count} on today
    quota: dict = field(default_factory=dict)  # county -> Quota on today
    flags: dict = field(default_factory=dict)  # flag kind -> count the next scan would raise


def preview(session, history: History, *, actor, today: date, rulebook: Rulebook) -> Outcome:
    """:func:`replay` and :func:`summary` inside a SAVEPOINT that is rolled back: nothing stays.

    :raise HistoryRefused: as :func:`replay`.
    """
    savepoint = session.begin_nested()
    try:
        outcome = replay(session, history, actor=actor, today=today, rulebook=rulebook)
        summary(session, outcome, today=today, rulebook=rulebook)
        return outcome
    finally:
        savepoint.rollback()


def replay(session, history: History, *, actor, today: date, rulebook: Rulebook) -> Outcome:
    """Write ``history`` in the caller's transaction (flushed, not committed).

    :raise HistoryRefused: with every problem found; what was flushed must
        then be rolled back by the caller.
    """
    if getattr(actor, "role", None) != CITY_ADMIN:
        raise HistoryRefused(["只有市级管理员可以导入历史记录"])
    outcome, problems = Outcome(), []
    _rounds(session, history, actor, today, outcome, problems)
    records = {}
    for number, data in enumerate(history.applicants, start=2):
        uscc = str(data.get("uscc", "")).strip().upper()
        records[uscc] = (number, data)
    events: dict[str, list[PastEvent]] = defaultdict(list)
    for event in history.events:
        if event.uscc not in records:
            problems.append(f"「{EVENTS}」第 {event.row} 行：统一社会信用代码 {event.uscc} 不在「企业」工作表中")
        else:
            events[event.uscc].append(event)
    for uscc, (number, _data) in records.items():
        if uscc not in events:
            problems.append(f"「企业」第 {number} 行：{uscc} 没有历史事件")
    existing = {e.uscc: e for e in session.scalars(select(Enterprise).where(Enterprise.uscc.in_(list(events))))}
    for uscc in list(events):
        if uscc in existing:
            if _same_history(session, existing[uscc], events[uscc]):
                outcome.kept += 1
            else:
                problems.append(f"「企业」第 {records[uscc][0]} 行：{existing[uscc].name}（{uscc}）已在系统中，"
                                "且其记录的历史与文件不同；请在企业页面上更正")
            del events[uscc]
    if problems:
        raise HistoryRefused(problems)
    with Batch.begin(session) as batch:  # the rounds are recorded: read them once
        _replay(session, events, records, actor, today, rulebook, batch, outcome)
    return outcome


def _replay(session, events, records, actor, today, rulebook, batch, outcome) -> None:
    """Register every enterprise, then replay the other events in date order (:func:`replay`)."""
    enterprises, refusals = _register(session, events, records, actor, today, rulebook, batch, outcome)
    registering = {id(e) for e in _registering(events).values() if e is not None}
    steps = sorted(((e.on, _ORDER[e.action], e.row, uscc, e) for uscc, evs in events.items() for e in evs
                   if id(e) not in registering and uscc in enterprises), key=lambda step: step[:3])
    failed: set[str] = set()
    for on, order, row, uscc, event in steps:
        if uscc in failed:
            continue
        try:
            _step(session, event, on, enterprises[uscc], actor, today, rulebook, batch, outcome)
        except (TransitionRefused, RecordRefused, InvalidApplicant, NoPolicyInForce, KeyError) as exc:
            refusals.append(((on, order, row), f"「{EVENTS}」第 {event.row} 行（{uscc}，{on.isoformat()}）：{_said(exc)}"))
            failed.add(uscc)
    if refusals:  # in date order, as the history replays
        raise HistoryRefused([message for _key, message in sorted(refusals, key=lambda r: r[0])])
    batch.flush()


def _registering(events: dict[str, list[PastEvent]]) -> dict[str, PastEvent | None]:
    """Each enterprise's first 申报, which registers it (``None``: the sheet
    has none, it is registered on the day of its earliest event)."""
    return {uscc: min((e for e in evs if e.action == "申报"), key=lambda e: (e.on, e.row), default=None)
            for uscc, evs in events.items()}


def _register(session, events, records, actor, today, rulebook, batch, outcome):
    """Every enterprise registered at once (:func:`register_applicants`):
    registering one depends on no other's history.  Returns the enterprises by
    USCC and the refusals with the place in the history they would have had."""
    registering = _registering(events)
    usccs = list(events)
    days = [registering[u].on if registering[u] else min(e.on for e in events[u]) for u in usccs]
    results = register_applicants(session, [(records[u][1], day) for u, day in zip(usccs, days)], actor=actor,
                                  rulebook=rulebook, today=today, batch=batch)
    enterprises, refusals = {}, []
    for uscc, day, result in zip(usccs, days, results):
        event = registering[uscc]
        if isinstance(result, Exception):
            where = f"「{EVENTS}」第 {event.row} 行" if event else f"「企业」第 {records[uscc][0]} 行"
            key = (day, _ORDER["申报"], event.row) if event else (day, -1, 0)
            refusals.append((key, f"{where}（{uscc}，{day.isoformat()}）：{_said(result)}"))
        else:
            enterprises[uscc] = result
            outcome.registered += 1
            outcome.events += 1
    return enterprises, refusals


def _said(exc: Exception) -> str:
    if isinstance(exc, InvalidApplicant):
        return "；".join(f"{p.label}：{p.message}" for p in exc.problems[:3])
    return str(exc).strip("'\"")


def _rounds(session, history, actor, today, outcome, problems) -> None:
    recorded = {r.name: r for r in session.scalars(select(IntakeRound).where(intake.rounds_of(None)))}
    for past in sorted(history.rounds, key=lambda r: r.opened_on):
        same = recorded.get(past.name)
        if same is not None and (same.opened_on, same.closed_on) == (past.opened_on, past.closed_on):
            outcome.rounds_kept += 1
            continue
        try:
            intake.record_past_round(session, name=past.name, opened_on=past.opened_on,
                                     closed_on=past.closed_on, today=today, actor=actor)
            outcome.rounds += 1
        except TransitionRefused as exc:
            problems.append(f"「{ROUNDS}」第 {past.row} 行：{exc}")


def _step(session, event, on, enterprise, actor, today, rulebook, batch, outcome) -> None:
    if event.action == "申报":
        raise TransitionRefused("该企业已有申报事件，不能重复申报")
    reason = event.reason or (f"依据 {event.document}" if event.document else "")
    snapshot = lambda: complete_snapshot(rulebook.policy, on)  # noqa: E731 - asked only where needed
    action = event.action
    if action == "入库":
        evaluation = record_verdict(enterprise, on, rulebook)
        document = event.document
        if evaluation.verdict != "eligible" and not document:
            raise TransitionRefused(f"该企业的记录在 {on.isoformat()} 评估为“{VERDICT_LABELS[evaluation.verdict]}”，"
                                    "历史入库须填写依据文件")
        lifecycle.admit(session, enterprise, actor=actor, on=on, today=today, evaluation=evaluation.to_record(),
                        snapshot=snapshot(), note=event.reason or None,
                        document=document if evaluation.verdict != "eligible" else None, batch=batch)
    elif action == "不予入库":
        lifecycle.reject(session, enterprise, actor=actor, on=on, today=today, reason=reason, batch=batch)
    elif action == "培育出库":
        lifecycle.graduate(session, enterprise, actor=actor, on=on, today=today, rule=event.kind,
                           reason=reason, evidence={"document": event.document}, snapshot=snapshot(), batch=batch)
    elif action == "退库":
        lifecycle.expel(session, enterprise, actor=actor, on=on, today=today, basis=event.kind, reason=reason,
                        snapshot=snapshot(), batch=batch)
    elif action == "实质性进展":
        lifecycle.record_progress(session, enterprise, actor=actor, on=on, today=today, subtype=event.kind,
                                  reason=reason, evidence={"document": event.document}, batch=batch)
    else:
        lifecycle.record_incident(session, enterprise, actor=actor, on=on, today=today, subtype=event.kind,
                                  reason=reason, evidence={"document": event.document}, batch=batch)
    outcome.events += 1


def _same_history(session, enterprise: Enterprise, events: list[PastEvent]) -> bool:
    """Whether the enterprise's live events are the file's: the same state
    changes and facts on the same days."""
    recorded = session.scalars(select(PoolEvent).where(PoolEvent.enterprise_id == enterprise.id)).all()
    voided = {e.corrects_id for e in recorded if e.kind == CORRECTION}
    mine = Counter((e.effective_on, e.to_state if e.kind == STATE_CHANGE else e.kind,
                    e.subtype if e.kind != STATE_CHANGE else None)
                   for e in recorded if e.id not in voided and e.kind in (STATE_CHANGE, PROGRESS, INCIDENT))
    theirs = Counter((e.on, _STATE_OF.get(e.action) or _FACT_OF[e.action],
                      e.kind if e.action in _FACT_OF else None) for e in events)
    if not any(e.action == "申报" for e in events) and events:
        theirs[(min(e.on for e in events), "applied", None)] += 1
    return mine == theirs


def summary(session, outcome: Outcome, *, today: date, rulebook: Rulebook) -> Outcome:
    """Fill ``outcome``'s picture of the pool on ``today``: members per county
    and state, each county's replenishment quota, and the flags the next scan
    would raise (by kind)."""
    counties = {c.id: c for c in session.scalars(select(County).order_by(County.sort_order, County.id))}
    states = pool_on(session, today)
    county_of = dict(session.execute(select(Enterprise.id, Enterprise.county_id)
                                     .where(Enterprise.id.in_(list(states)))).all()) if states else {}
    members: dict[str, Counter] = {c.name: Counter() for c in counties.values()}
    for enterprise_id, state in states.items():
        members[counties[county_of[enterprise_id]].name][STATE_LABELS[state]] += 1
    order = list(STATE_LABELS.values())  # the lifecycle's order: 申报, 培育中, 已出库, …
    outcome.members = {name: dict(sorted(counts.items(), key=lambda item: order.index(item[0])))
                       for name, counts in members.items() if counts}
    snapshot = complete_snapshot(rulebook.policy, today)
    outcome.quota = {c.name: quota(session, c.id, today, snapshot) for c in counties.values()
                     if c.name in outcome.members}
    outcome.flags = dict(Counter(kind for _eid, kind in assess(session, today, rulebook)))
    return outcome


def describe(outcome: Outcome) -> list[str]:
    """The outcome in Chinese, one line each (the CLI prints them, the page lists them)."""
    lines = [f"登记企业 {outcome.registered} 家（已在系统中且历史相同、保持不变 {outcome.kept} 家）；"
             f"补记入库批次 {outcome.rounds} 个（已有 {outcome.rounds_kept} 个）；写入历史事件 {outcome.events} 条"]
    for county, states in outcome.members.items():
        places = outcome.quota.get(county)
        quota_text = (f"；增补名额：累计出库 {places.graduated} 家，名额 {places.limit} 个，"
                      f"已用 {places.replenished} 个，剩余 {places.left} 个") if places else ""
        lines.append(f"{county}：" + "，".join(f"{state} {n} 家" for state, n in states.items()) + quota_text)
    if outcome.flags:
        lines.append("下次风险扫描将提示：" + "，".join(f"{KIND_LABELS[k]} {n} 项"
                                              for k, n in sorted(outcome.flags.items())))
    return lines
