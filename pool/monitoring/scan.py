"""The daily risk scan (SPEC §4): the open risk flags of the whole pool on a date.

:func:`assess` computes every condition of SPEC §4's table on ``as_of``, one
stage per flag kind (and, for the configured pools of the ladder, each pool's
members ready to graduate: :mod:`pool.monitoring.ladder`), from facts loaded with a handful of set-based queries
for the whole pool (never one query per enterprise) and decided in Python by
the same rules the criteria and the proposals use; :func:`scan` reconciles
them with the open :class:`~models.RiskFlag` rows (:mod:`pool.monitoring.reconcile`:
opening, escalating, de-escalating and closing flags, each with a
:class:`~models.RiskFlagChange`) and queues the officers' immediate mails in
the same transaction.  One open flag per enterprise, kind and pool.  The
daily job reads and writes in separate transactions (:func:`survey`, then
:func:`settle`; :mod:`pool.monitoring.daily`).  Plain
Python: the caller passes the session and the date and owns the transaction
(nothing here commits).

How SPEC §4 is read (each stage's reading is in its module):

* **Who is scanned.**  Enterprises in the pool on ``as_of`` — admitted on or
  before it and not yet graduated or expelled on it (as
  :func:`pool.membership.proposals.was_admitted_on`).  Flags of an enterprise that left
  the pool close with the reason.
* **The stages.**  no_progress, integrity_incident and graduation_ready in
  :mod:`pool.monitoring.exits`; qualification_expiring in
  :mod:`pool.monitoring.qualifications`; annual_data_missing in
  :mod:`pool.monitoring.annual`; criteria_drift in :mod:`pool.monitoring.drift`
  (on record verdicts the scan keeps: :mod:`pool.monitoring.verdicts`).
* **History.**  A flag's evidence holds the facts behind it (dates, figures,
  the severity level reached — never a day count) and its detail is rewritten
  only when they change, so an unchanged condition writes nothing but
  ``last_seen_on`` (the last scan that saw it).  New facts at the same
  severity update detail and evidence in place; severity changes are
  history rows.
* **Idempotent and forward-only.**  Scanning a date again changes nothing.
  Scanning a date *before* the last scan recorded (the latest ``last_seen_on``
  or ``closed_on``) is refused with :class:`ScanRefused`: closing or
  escalating flags "in the past" would put history rows out of order.  Past
  dates can still be looked at with :func:`assess`, which writes nothing.
* **Mails.**  Each scan that raises a high / expulsion-due flag, or escalates
  one to such a severity, queues one immediate mail per officer of the
  county listing all of them (a county that gets 30 at once gets one mail
  with 30 lines, not 30 mails), keyed by date, the batch's first flag and
  its severity (a flag reaches a severity at most once a day).
"""
from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from sqlalchemy import func, select

from models import ChangeRecord, Enterprise, Membership, MembershipEvent, PoolEvent, RiskFlag
from models.monitoring import FIRST_POOL, SEVERITIES

from pool.eligibility import rulebook as rulebooks
from pool.kernel.collector import no_cycle_collection
from pool.membership.history import require_date
from pool.monitoring import outbox, verdicts
from pool.monitoring.annual import annual_data_missing
from pool.monitoring.drift import criteria_drift
from pool.monitoring.exits import graduation_ready, integrity_incident, no_progress
from pool.monitoring.facts import Facts
from pool.monitoring.ladder import pool_graduations
from pool.monitoring.reconcile import reconcile
from pool.monitoring.flags import SEVERITY_LABELS, Condition, in_pool
from pool.monitoring.qualifications import qualification_expiring
from pool.records.bulk import CHUNK

# More enterprises changed while the survey read than one ``IN`` list holds: settle surveys the pool again.
RESURVEY_ABOVE = CHUNK


class ScanRefused(ValueError):
    """A scan that would rewrite history (a date before the last scan)."""


@dataclass
class ScanResult:
    as_of: date
    raised: int = 0
    escalated: int = 0
    deescalated: int = 0
    closed: int = 0
    unchanged: int = 0
    mails_enqueued: int = 0
    open_by_severity: dict = field(default_factory=dict)

    def summary(self) -> str:
        """One line in Chinese, e.g. for the CLI and the job log."""
        still = "，".join(f"{SEVERITY_LABELS[s]} {n}" for s, n in self.open_by_severity.items() if n)
        return (f"{self.as_of} 风险扫描：新增 {self.raised}，升级 {self.escalated}，"
                f"降级 {self.deescalated}，关闭 {self.closed}，未变 {self.unchanged}；"
                f"待发提醒邮件 {self.mails_enqueued} 封；"
                f"当前未关闭风险：{still or '无'}")


# --- the conditions ---------------------------------------------------------------

STAGES: tuple[tuple[str, Callable[[Facts, date, object], list[Condition]]], ...] = (
    ("无实质性进展", no_progress),
    ("资格到期", qualification_expiring),
    ("年度数据未报送", annual_data_missing),
    ("不再符合入库标准", criteria_drift),
    ("诚信事件", integrity_incident),
    ("符合出库条件", graduation_ready),
    ("各培育库符合出库条件", pool_graduations),
)


def assess(session, as_of: date, rulebook=None) -> dict[tuple[int, str], Condition]:
    """Every SPEC §4 condition of the first pool on ``as_of``: ``{(enterprise_id, kind): Condition}``
    (the configured pools' too: :func:`survey`).

    Reads only (a record verdict it must judge afresh is not kept);
    ``rulebook`` defaults to :func:`pool.eligibility.rulebook.load`.
    """
    rulebook = rulebook or rulebooks.load(session)
    return {(c.enterprise_id, c.kind): c for c in _conditions(Facts(session, as_of, rulebook))
            if c.pool_code == FIRST_POOL}


def _conditions(facts: Facts, progress=None):
    snapshot = facts.rulebook.policy.in_force(facts.as_of)
    for label, find in STAGES:
        yield from find(facts, facts.as_of, snapshot)
        if progress:
            progress(label)


# --- the scan ------------------------------------------------------------------------

def last_scanned(session) -> date | None:
    """The latest date a scan recorded (``last_seen_on`` or ``closed_on``)."""
    seen, closed = session.execute(
        select(func.max(RiskFlag.last_seen_on), func.max(RiskFlag.closed_on))).one()
    return max((d for d in (seen, closed) if d is not None), default=None)


def scan(session, as_of: date, *, rulebook=None, progress: Callable[[str], None] | None = None,
         base_url: str = "") -> ScanResult:
    """Bring the open risk flags up to date for ``as_of`` and queue the mails
    for new high / expulsion-due flags, in the caller's transaction
    (:func:`survey` keeping the verdicts it judges, then :func:`settle`).

    ``rulebook`` defaults to :func:`pool.eligibility.rulebook.load`; ``progress`` is called
    with a Chinese stage label after each step (for long runs); the mails
    link to the flags under ``base_url`` (the system's public address).

    :raise ScanRefused: if ``as_of`` is before the last scan recorded.
    """
    _require_forward(session, as_of)
    found = survey(session, as_of, rulebook, keep_verdicts=True, progress=progress)
    return settle(session, found, progress=progress, base_url=base_url)


@dataclass(frozen=True)
class Survey:
    """What a scan found on ``as_of`` (``{(enterprise id, kind, pool code): Condition}``)
    and how far the record had come when it read: the last
    :class:`~models.ChangeRecord`, :class:`~models.PoolEvent` and
    :class:`~models.MembershipEvent` it saw."""

    as_of: date
    rulebook: object
    found: dict
    marks: tuple[int, ...]


def survey(session, as_of: date, rulebook=None, *, keep_verdicts: bool = False,
           progress: Callable[[str], None] | None = None) -> Survey:
    """The conditions of the whole pool on ``as_of``; writes nothing unless
    ``keep_verdicts`` (so the daily job reads in a read-only transaction and
    takes the write lock only for :func:`settle`)."""
    rulebook = rulebook or rulebooks.load(session)
    marks = _marks(session)
    with no_cycle_collection():
        facts = Facts(session, as_of, rulebook, keep_verdicts=keep_verdicts)
        return Survey(as_of, rulebook, {c.key: c for c in _conditions(facts, progress)}, marks)


def settle(session, found: Survey, *, progress: Callable[[str], None] | None = None,
           base_url: str = "") -> ScanResult:
    """Reconcile the open flags with ``found`` in the caller's transaction and
    queue the urgent mails.  An enterprise whose record or pool events changed
    after the survey read (an officer's save, which already brought its flags
    up to date: :func:`follow`) is assessed again here, so the scan never puts
    back what the officer's change just closed.

    :raise ScanRefused: as :func:`scan`.
    """
    as_of = found.as_of
    _require_forward(session, as_of)
    conditions = found.found
    changed = _changed_since(session, found.marks)
    if len(changed) > RESURVEY_ABOVE:  # e.g. an intake batch saved meanwhile: survey again, not by ids
        conditions = {c.key: c for c in _conditions(Facts(session, as_of, found.rulebook, keep_verdicts=True))}
    elif changed:
        facts = Facts(session, as_of, found.rulebook, keep_verdicts=True, only=changed)
        conditions = {key: c for key, c in conditions.items() if key[0] not in changed}
        conditions.update({c.key: c for c in _conditions(facts)})
    with no_cycle_collection():
        result = ScanResult(as_of)
        urgent = reconcile(session, as_of, conditions, result)
        if progress:
            progress("更新风险记录")
        result.mails_enqueued = outbox.alert_officers(session, as_of, urgent, base_url)
        result.open_by_severity = open_by_severity(session)
        if progress:
            progress("写入提醒邮件")
    return result


_LOGS = (ChangeRecord, PoolEvent, MembershipEvent)


def _marks(session) -> tuple[int, ...]:
    """The last change record, pool event and membership event written (each 0 if none)."""
    return tuple(session.execute(select(*(select(func.coalesce(func.max(log.id), 0)).scalar_subquery()
                                          for log in _LOGS))).one())


def _changed_since(session, marks: tuple[int, ...]) -> set[int]:
    """The enterprises with a change record, pool event or membership event after ``marks``."""
    records, events, memberships = marks
    return set(session.scalars(
        select(ChangeRecord.enterprise_id).where(ChangeRecord.id > records, ChangeRecord.enterprise_id.is_not(None))
        .union(select(PoolEvent.enterprise_id).where(PoolEvent.id > events),
               select(Membership.enterprise_id).join(MembershipEvent, MembershipEvent.membership_id == Membership.id)
               .where(MembershipEvent.id > memberships))))


def follow(session, enterprise_id: int, as_of: date, rulebook=None, base_url: str = "") -> ScanResult:
    """Bring one enterprise's flags up to date on ``as_of`` right after an
    officer's action changed its facts (a graduation or expulsion, a renewed
    certificate, a figure reported), instead of at the next scan: the same
    stages on that enterprise's facts, its flags opened, escalated or closed
    with their history, urgent mails queued — in the caller's transaction.

    :raise ScanRefused: as :func:`scan`.
    """
    _require_forward(session, as_of)
    rulebook = rulebook or rulebooks.load(session)
    facts = Facts(session, as_of, rulebook, keep_verdicts=True, only=enterprise_id)
    found = {c.key: c for c in _conditions(facts)}
    result = ScanResult(as_of)
    urgent = reconcile(session, as_of, found, result, only=enterprise_id)
    result.mails_enqueued = outbox.alert_officers(session, as_of, urgent, base_url)
    return result


def judge_records(session, as_of: date, rulebook, *, commit: Callable[[], None],
                  reading: Callable[[], AbstractContextManager] = nullcontext) -> int:
    """Before the scan of ``as_of``: judge the members' records whose kept
    verdicts no longer hold (:func:`pool.monitoring.verdicts.refresh`), a
    batch at a time, each ended by ``commit``; the scan then finds them
    judged.  Returns how many were judged.  Reads inside ``reading()``, each
    read ended by ``commit`` (see :func:`pool.monitoring.daily.run`).

    :raise ScanRefused: as :func:`scan`, before anything is written.
    """
    with reading():
        _require_forward(session, as_of)
        members = session.scalars(select(Enterprise.id).where(in_pool(as_of))).all()
        commit()
    with no_cycle_collection():
        return verdicts.refresh(session, as_of, rulebook, members, commit=commit, reading=reading)


def _require_forward(session, as_of: date) -> None:
    require_date(as_of, "扫描日期")
    last = last_scanned(session)
    if last is not None and as_of < last:
        raise ScanRefused(f"扫描日期 {as_of} 早于上次扫描日期 {last}：风险记录只能按日期向前推进"
                          "（查看过去某日的情况请用 assess，不写入）")


def open_by_severity(session, county_ids=None) -> dict[str, int]:
    """Counts of open flags by severity, most severe first."""
    stmt = select(RiskFlag.severity, func.count()).where(RiskFlag.closed_on.is_(None))
    if county_ids is not None:
        stmt = stmt.where(RiskFlag.county_id.in_(list(county_ids)))
    counts = dict(session.execute(stmt.group_by(RiskFlag.severity)).all())
    return {s: counts.get(s, 0) for s in reversed(SEVERITIES)}
