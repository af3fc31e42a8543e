"""The daily risk scan (SPEC §4): the open risk flags of the whole pool on a date.

:func:`assess` computes, with a handful of set-based queries for the whole pool
(never one query per enterprise), every condition of SPEC §4's table on
``as_of``; :func:`scan` reconciles them with the open :class:`~models.RiskFlag`
rows — opening, escalating, de-escalating and closing flags, each with a
:class:`~models.RiskFlagChange` — and queues the officers' immediate mails in
the same transaction.  Plain Python: the caller passes the session and the
date and owns the transaction (nothing here commits).

How SPEC §4 is read (the interpretation, in one place):

* **Who is scanned.**  Enterprises in the pool on ``as_of`` — admitted on or
  before it and not yet graduated or expelled on it (as
  :func:`pool.membership.proposals.was_admitted_on`).  Flags of an enterprise that left
  the pool close with the reason.
* **no_progress.**  The window starts at the later of admission and the last
  uncorrected progress event effective on or before ``as_of``
  (:func:`pool.membership.proposals.progress_window_start`); ``no_progress_warning_months``
  (18) / ``no_progress_high_months`` (21) / ``progress_window_months`` (24) whole
  months after it (:func:`pool.membership.proposals.months_without_progress`, so on
  ``add_months(start, N)`` exactly, not the day before) the flag is warning /
  high / expulsion due — the last exactly when expulsion rule (a) holds.
* **qualification_expiring.**  Qualifications of the ``accepted_qualifications``
  types (criterion 2).  Warning: one is valid on ``as_of`` but none that has
  started by ``as_of + qualification_expiring_days`` (90) runs past that day
  (a renewal that starts in time counts).  High: none is valid on ``as_of``
  and one that was valid during the membership has ended.  An enterprise
  admitted without any (criterion 2 is "in principle") gets no flag.
* **annual_data_missing.**  The deadline is the latest ``annual_data_deadline``
  (05-31) *before* ``as_of`` (the deadline day itself is still on time); the
  figures due are those of the year before it: revenue, R&D expense,
  employees and R&D staff.  Members admitted on or before that deadline are
  flagged warning from the day after it, high once ``annual_data_high_after_days``
  (30) days overdue.  From 1 January to the new deadline the previous
  deadline still applies, so a flag stays open until the data is recorded.
* **criteria_drift.**  Criteria 5, 6 and 7 of :mod:`pool.eligibility.criteria` on the
  enterprise's current patents, its latest yearly figures of a year before
  ``as_of``'s, its ``has_rd_leader`` and its research partnerships in force;
  high when any of them is a definite ``fail`` (a *missing* figure is
  annual_data_missing's business, not drift).  SQL pre-selects candidates
  (a superset: exact integer cross-multiplication, values it cannot multiply
  safely let through), Python decides exactly with the criteria's own exact
  ratio test (a test holds the verdicts equal to the criteria's), and the
  criteria word the detail.
* **integrity_incident.**  An uncorrected incident effective on or after
  admission and on or before ``as_of`` (expulsion rule (b)) → expulsion due.
* **graduation_ready.**  Graduation rule (a) or (b) of :mod:`pool.membership.proposals`
  holds, found set-based; the detail is worded by the proposal's own helpers,
  so it is the proposal's reason word for word.  Info only.
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

import functools
import gc
import json
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from types import SimpleNamespace
from typing import Callable

from sqlalchemy import (
    JSON, BigInteger, Date, String, Text, and_, bindparam, case, cast, exists, extract, func, literal,
    literal_column, or_, select, true, type_coerce, update,
)
from sqlalchemy.orm import aliased

from models import (
    Enterprise, Patent, PoolEvent, Product, ProductFigure, Qualification, ResearchPartnership,
    RiskFlag, RiskFlagChange, YearlyFigure,
)
from models.base import YUAN_PER_WAN
from models.enterprise import ADMITTED, EXPELLED, GRADUATED
from models.event import CORRECTION, INCIDENT, PROGRESS
from models.monitoring import (
    ANNUAL_DATA_MISSING, CLOSED, CRITERIA_DRIFT, DEESCALATED, ESCALATED, EXPULSION_DUE,
    GRADUATION_READY, HIGH, INFO, INTEGRITY_INCIDENT, NO_PROGRESS,
    QUALIFICATION_EXPIRING, RAISED, SEVERITIES, WARNING,
)

from pool.kernel import jsonutil
from pool.monitoring import outbox
from pool.eligibility import rulebook as rulebooks
from pool.eligibility.applicant import Applicant
from pool.eligibility.applicant import Patent as PatentFact
from pool.eligibility.applicant import ResearchPartnership as PartnershipFact
from pool.eligibility.figures import c5_industrialization, c6_rd_investment, c7_rd_team
from pool.eligibility.profile import describe_qualification as _describe_qualification
from pool.eligibility.ratios import at_least as _at_least
from pool.membership.history import INCIDENT_TYPES, require_date, require_snapshot
from pool.membership.proposals import graduation_findings
from pool.membership.rules import add_months, months_without_progress

KIND_LABELS = {
    NO_PROGRESS: "无实质性进展", QUALIFICATION_EXPIRING: "资格到期",
    ANNUAL_DATA_MISSING: "年度数据未报送", CRITERIA_DRIFT: "不再符合入库标准",
    INTEGRITY_INCIDENT: "诚信事件", GRADUATION_READY: "符合出库条件",
}
SEVERITY_LABELS = {INFO: "提示", WARNING: "预警", HIGH: "高风险", EXPULSION_DUE: "应予退库"}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
URGENT = (HIGH, EXPULSION_DUE)  # an officer is mailed at once
ACTION_LABELS = {RAISED: "新增", ESCALATED: "升级", DEESCALATED: "降级", CLOSED: "关闭"}

# The previous-year figures SPEC §4 asks for (revenue, R&D, staff).
ANNUAL_FIELDS = {"operating_revenue": "营业收入", "rd_expense": "研发投入", "employees": "职工总数",
                 "rd_staff": "研发人员数"}
RESEARCH_PARTNERS = ("university", "research_institute")  # criterion 7 (not "other")

# SQL multiplies stored integers (yuan, persons) by a threshold's integer
# ratio; beyond these bounds the product could leave 64 bits, so such rows are
# let through to the exact decision in Python.
_SAFE_FACTOR = 10**6
_SAFE_VALUE = 2**62 // _SAFE_FACTOR


class ScanRefused(ValueError):
    """A scan that would rewrite history (a date before the last scan)."""


class Condition:
    """What the scan found for one enterprise and one flag kind.

    ``evidence`` (JSON-ready) holds the facts; ``detail`` (Chinese, quoting
    dates, numbers and thresholds) may be given as a function that words it
    on first use — the scan needs it only for flags that are new or whose
    facts changed, and wording criteria or growth details for every open
    flag every day would cost more than finding them.
    """

    __slots__ = ("enterprise_id", "county_id", "enterprise_name", "kind", "severity", "evidence", "_detail")

    def __init__(self, enterprise_id: int, county_id: int, enterprise_name: str, kind: str,
                 severity: str, detail: str | Callable[[], str], evidence: dict):
        self.enterprise_id, self.county_id, self.enterprise_name = enterprise_id, county_id, enterprise_name
        self.kind, self.severity, self.evidence, self._detail = kind, severity, evidence, detail

    @property
    def detail(self) -> str:
        if callable(self._detail):
            self._detail = self._detail()
        return self._detail

    def __repr__(self) -> str:
        return f"<Condition {self.enterprise_id} {self.kind} {self.severity}>"


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


# --- the pool on a date ----------------------------------------------------------

def in_pool(as_of: date):
    """SQL condition: the ``Enterprise`` was in the pool on ``as_of``."""
    # One IN on the indexed state, then the rest (a top-level OR of two
    # state tests makes SQLite search the index twice and sort the union).
    return and_(
        Enterprise.state.in_((ADMITTED, GRADUATED, EXPELLED)),
        Enterprise.admitted_on <= as_of,
        or_(Enterprise.state == ADMITTED, Enterprise.state_changed_on > as_of),
    )


def _live(kind: str, as_of: date):
    """SQL condition: a ``PoolEvent`` of ``kind`` effective by ``as_of`` that no
    correction voids (set-based form of :func:`pool.membership.history.live_events`)."""
    correction = aliased(PoolEvent)
    voided = exists().where(correction.kind == CORRECTION, correction.corrects_id == PoolEvent.id)
    return and_(PoolEvent.kind == kind, PoolEvent.effective_on <= as_of, ~voided)


def latest_start(as_of: date, months: int) -> date:
    """The latest day ``s`` with ``add_months(s, months) <= as_of``: a window
    started on or before it has lasted ``months`` whole months on ``as_of``
    (``add_months`` is monotonic, so this turns the month rule into one date
    comparison in SQL)."""
    start = add_months(as_of, -months)
    while add_months(start + timedelta(days=1), months) <= as_of:
        start += timedelta(days=1)
    return start


def _yuan(column):
    """A ``Money`` column as its stored integer yuan, for exact SQL arithmetic."""
    return type_coerce(column, BigInteger)


def _ratio_below(numerator, denominator, threshold) -> object:
    """SQL prefilter for ``numerator / denominator < threshold`` (integers,
    denominator > 0): exact cross-multiplication in 64 bits, or true where
    that could overflow (the caller decides those exactly)."""
    return _cross_multiplied(numerator, denominator, Fraction(threshold), lambda a, b: a < b)


def _ratio_at_least(numerator, denominator, factor: Fraction) -> object:
    """SQL prefilter for ``numerator >= denominator * factor`` (see :func:`_ratio_below`)."""
    return _cross_multiplied(numerator, denominator, factor, lambda a, b: a >= b)


def _cross_multiplied(numerator, denominator, ratio: Fraction, compare) -> object:
    t, u = ratio.numerator, ratio.denominator
    if max(t, u) > _SAFE_FACTOR:
        return true()
    # BIGINT literals: PostgreSQL multiplies an integer column in 64 bits.  A
    # CASE, not an OR: PostgreSQL may evaluate an OR's operands in any order,
    # and the product of a huge value would overflow before the guard spoke.
    a, b, big = numerator, denominator, literal(_SAFE_VALUE, BigInteger)
    return case((or_(a >= big, b >= big), true()),
                else_=compare(a * literal(u, BigInteger), b * literal(t, BigInteger)))


# --- the conditions ---------------------------------------------------------------

def assess(session, as_of: date, snapshot) -> dict[tuple[int, str], Condition]:
    """Every SPEC §4 condition on ``as_of``: ``{(enterprise_id, kind): Condition}``.

    Reads only; ``snapshot`` is the policy in force on ``as_of``.

    :raise ValueError: if ``snapshot`` is for another date.
    """
    require_snapshot(snapshot, as_of)
    return {(c.enterprise_id, c.kind): c for c in _conditions(session, as_of, snapshot)}


def _conditions(session, as_of, snapshot, progress=None):
    for label, find in STAGES:
        yield from find(session, as_of, snapshot)
        if progress:
            progress(label)


def _no_progress(session, as_of: date, p) -> list[Condition]:
    levels = sorted(((p["progress_window_months"], EXPULSION_DUE), (p["no_progress_high_months"], HIGH),
                     (p["no_progress_warning_months"], WARNING)), reverse=True)
    window = p["progress_window_months"]
    last = (select(PoolEvent.enterprise_id, func.max(PoolEvent.effective_on).label("last"))
            .where(_live(PROGRESS, as_of)).group_by(PoolEvent.enterprise_id).subquery())
    start = case((last.c.last > Enterprise.admitted_on, last.c.last), else_=Enterprise.admitted_on)
    rows = session.execute(
        select(Enterprise.id, Enterprise.county_id, Enterprise.name, Enterprise.admitted_on, last.c.last)
        .outerjoin(last, last.c.enterprise_id == Enterprise.id)
        .where(in_pool(as_of), start <= latest_start(as_of, min(m for m, _ in levels)))
    )
    found = []
    for eid, county_id, name, admitted, progressed in rows:
        begin = max(admitted, progressed) if progressed else admitted
        months = months_without_progress(begin, as_of)
        level, severity = next((m, s) for m, s in levels if months >= m)
        since = "入库" if begin == admitted else "上次实质性进展"
        due = add_months(begin, window)
        if severity == EXPULSION_DUE:
            detail = (f"自 {begin}（{since}）起无实质性进展已满 {window} 个月（{due} 届满），"
                      f"应予退库（黄石 二(六)2）")
        else:
            detail = (f"自 {begin}（{since}）起无实质性进展已满 {level} 个月；"
                      f"至 {due} 满 {window} 个月仍无进展应予退库")
        evidence = {"window_start": begin.isoformat(), "months_reached": level,
                    "due_on": due.isoformat()}
        found.append(Condition(eid, county_id, name, NO_PROGRESS, severity, detail, evidence))
    return found


def _qualifications(session, as_of: date, p) -> list[Condition]:
    q = Qualification
    days = p["qualification_expiring_days"]
    horizon = as_of + timedelta(days=days)
    current = and_(q.valid_from <= as_of, q.valid_to >= as_of)
    ended = and_(q.valid_to < as_of, q.valid_to >= Enterprise.admitted_on)
    current_end, last_ended = func.max(case((current, q.valid_to))), func.max(case((ended, q.valid_to)))
    reach = func.max(case((q.valid_from <= horizon, q.valid_to)))
    rows = session.execute(
        select(Enterprise.id, Enterprise.county_id, Enterprise.name, current_end.label("current_end"),
               # Only a current one that ends by the horizon can be quoted: the
               # test keeps SQL from writing strings for every member.
               func.aggregate_strings(case((and_(current, q.valid_to <= horizon), _described(q))),
                                      _RECORD).label("current"),
               func.aggregate_strings(case((ended, _described(q))), _RECORD).label("ended"))
        .join(q, q.enterprise_id == Enterprise.id)
        .where(in_pool(as_of), q.type.in_(p["accepted_qualifications"]))
        .group_by(Enterprise.id)
        .having(or_(and_(current_end.is_not(None), reach <= horizon),
                    and_(current_end.is_(None), last_ended.is_not(None))))
    )
    found = []
    for row in rows:
        quals = _qualification_facts(row.current if row.current_end else row.ended)
        if not row.current_end:  # the ones that ended last
            quals = [x for x in quals if x.valid_to == quals[-1].valid_to]
        held = "、".join(_describe_qualification(x) for x in quals)
        end = quals[-1].valid_to
        if row.current_end:
            severity = WARNING
            detail = f"第2条所依资格将于 {end} 到期（{days} 天内），且无接续有效的认可资格：{held}"
        else:
            severity = HIGH
            detail = f"第2条所依资格已于 {end} 到期，目前无有效的认可资格：{held}"
        evidence = {"qualifications": [{"type": x.type, "certificate_no": x.certificate_no,
                                        "valid_from": x.valid_from.isoformat(),
                                        "valid_to": x.valid_to.isoformat()} for x in quals],
                    "horizon_days": days}
        found.append(Condition(row.id, row.county_id, row.name, QUALIFICATION_EXPIRING,
                               severity, detail, evidence))
    return found


# Qualifications travel from SQL as one string per enterprise (portable
# aggregate_strings); control characters cannot occur in the fields.
_FIELD, _RECORD = "\x1f", "\x1e"


def _described(q):
    return (q.type + _FIELD + func.coalesce(q.certificate_no, "") + _FIELD
            + cast(q.valid_from, String) + _FIELD + cast(q.valid_to, String))


def _qualification_facts(text: str) -> list[SimpleNamespace]:
    """Parsed :func:`_described` records, by end date, type and number."""
    facts = []
    for record in text.split(_RECORD):
        kind, number, start, end = record.split(_FIELD)
        facts.append(SimpleNamespace(type=kind, certificate_no=number or None,
                                     valid_from=date.fromisoformat(start), valid_to=date.fromisoformat(end)))
    return sorted(facts, key=lambda x: (x.valid_to, x.type, x.certificate_no or ""))


def annual_deadline(as_of: date, month_day: str) -> date:
    """This year's ``annual_data_deadline`` (``"MM-DD"``) for ``as_of``'s year."""
    return date(as_of.year, int(month_day[:2]), int(month_day[3:]))


def last_deadline_before(as_of: date, month_day: str) -> date:
    """The latest annual-data deadline strictly before ``as_of``."""
    deadline = annual_deadline(as_of, month_day)
    return deadline if deadline < as_of else deadline.replace(year=as_of.year - 1)


def missing_figures(enterprise_year):
    """SQL condition: no complete ``YearlyFigure`` of year ``enterprise_year``
    for the ``Enterprise`` (revenue, R&D expense, employees, R&D staff)."""
    yf = aliased(YearlyFigure)
    complete = and_(*(getattr(yf, f).is_not(None) for f in ANNUAL_FIELDS))
    return ~exists().where(yf.enterprise_id == Enterprise.id, yf.year == enterprise_year, complete)


def figures_of(year: int):
    """``(alias, on clause, columns)`` to outer-join the ``Enterprise``'s
    figures of ``year``; the columns tell which annual fields are absent
    (read them with :func:`absent_fields`)."""
    yf = aliased(YearlyFigure)
    columns = [yf.id.label("figure"), *(getattr(yf, f).is_(None).label(f) for f in ANNUAL_FIELDS)]
    return yf, and_(yf.enterprise_id == Enterprise.id, yf.year == year), columns


def absent_fields(row) -> list[str]:
    """The :data:`ANNUAL_FIELDS` a row selected with :func:`figures_of` lacks."""
    return [f for f in ANNUAL_FIELDS if row.figure is None or getattr(row, f)]


def _annual_data(session, as_of: date, p) -> list[Condition]:
    deadline = last_deadline_before(as_of, p["annual_data_deadline"])
    year = deadline.year - 1
    high_after = p["annual_data_high_after_days"]
    figures, on, columns = figures_of(year)
    rows = session.execute(
        select(Enterprise.id, Enterprise.county_id, Enterprise.name, *columns)
        .outerjoin(figures, on)
        .where(in_pool(as_of), Enterprise.admitted_on <= deadline, missing_figures(year))
    )
    overdue = (as_of - deadline).days
    severity = HIGH if overdue >= high_after else WARNING
    found = []
    for row in rows:
        absent = absent_fields(row)
        labels = "、".join(ANNUAL_FIELDS[f] for f in absent)
        detail = f"{year} 年度数据未在截止日 {deadline} 前报送完整（缺少：{labels}）"
        if severity == HIGH:
            detail += f"，逾期已满 {high_after} 天"
        evidence = {"year": year, "deadline": deadline.isoformat(), "missing": absent}
        found.append(Condition(row.id, row.county_id, row.name, ANNUAL_DATA_MISSING, severity,
                               detail, evidence))
    return found


def _criteria_drift(session, as_of: date, p) -> list[Condition]:
    yf, pt, rp = YearlyFigure, aliased(Patent), aliased(ResearchPartnership)
    latest = (select(func.max(yf.year)).where(yf.enterprise_id == Enterprise.id, yf.year < as_of.year)
              .correlate(Enterprise).scalar_subquery())
    fig = aliased(YearlyFigure)
    rd, revenue = _yuan(fig.rd_expense), _yuan(fig.operating_revenue)
    staff, employees = fig.rd_staff, fig.employees
    rate, ratio, staff_ratio = p["min_industrialization_rate"], p["min_rd_ratio"], p["min_rd_staff_ratio"]
    # Criterion 5 from one pass over the patents, criteria 6 and 7 from the
    # latest figures: the same rules as pool.eligibility.criteria, in exact integers.
    valid = Patent.status == "valid"
    n_valid = func.sum(case((valid, 1), else_=0))
    could = func.sum(case((and_(valid, or_(Patent.industrialized.is_(True), Patent.industrialized.is_(None))), 1),
                          else_=0))
    below_rate = select(Patent.enterprise_id).group_by(Patent.enterprise_id).having(
        or_(n_valid == 0, _ratio_below(could, n_valid, rate)))
    c5 = or_(Enterprise.id.in_(below_rate), ~exists().where(pt.enterprise_id == Enterprise.id))
    c6 = and_(rd < math.ceil(p["min_rd_amount"] * YUAN_PER_WAN), revenue.is_not(None),
              or_(revenue == 0, _ratio_below(rd, revenue, ratio)))
    partnered = exists().where(rp.enterprise_id == Enterprise.id, rp.partner_type.in_(RESEARCH_PARTNERS),
                               rp.valid_from <= as_of, rp.valid_to >= as_of)
    c7 = or_(Enterprise.has_rd_leader.is_(False),  # the partnership probe last: rarely reached
             and_(staff.is_not(None), employees.is_not(None),
                  or_(employees == 0, _ratio_below(staff, employees, staff_ratio)), ~partnered))
    candidates = (
        select(Enterprise.id, Enterprise.county_id, Enterprise.name, Enterprise.has_rd_leader, fig.year,
               fig.operating_revenue, fig.rd_expense, employees, staff)
        .outerjoin(fig, and_(fig.enterprise_id == Enterprise.id, fig.year == latest))
        .where(in_pool(as_of), or_(c5, c6, c7))
        .subquery()
    )
    # Patents and partnership are looked up for the candidates only (the detail quotes them).
    counted = {name: select(func.count()).where(pt.enterprise_id == candidates.c.id, *where)
               .scalar_subquery().label(name) for name, where in (
                   ("total", ()), ("valid", (pt.status == "valid",)),
                   ("done", (pt.status == "valid", pt.industrialized.is_(True))),
                   ("unknown", (pt.status == "valid", pt.industrialized.is_(None))))}
    first_partner = {name: select(getattr(rp, name)).where(
        rp.enterprise_id == candidates.c.id, rp.partner_type.in_(RESEARCH_PARTNERS),
        rp.valid_from <= as_of, rp.valid_to >= as_of).order_by(rp.id).limit(1).scalar_subquery().label(name)
        for name in ("partner", "partner_type", "valid_from", "valid_to")}
    rows = session.execute(select(candidates, *counted.values(), *first_partner.values()))
    thresholds = (rate, p["min_rd_amount"], ratio, staff_ratio)
    found = []
    for row in rows:
        failing = _failing_5_to_7(row, *thresholds)
        if not failing:
            continue
        detail = functools.partial(_drift_detail, row, as_of, p, failing)
        evidence = {"criteria": failing, "year": row.year,
                    "figures": {f: None if getattr(row, f) is None else str(getattr(row, f))
                                for f in ANNUAL_FIELDS},
                    "patents": {"total": row.total, "valid": row.valid, "industrialized": row.done,
                                "unknown": row.unknown},
                    "has_rd_leader": row.has_rd_leader, "partner": row.partner}
        found.append(Condition(row.id, row.county_id, row.name, CRITERIA_DRIFT, HIGH, detail, evidence))
    return found


def _failing_5_to_7(row, rate, amount, ratio, staff_ratio) -> list[int]:
    """Which of criteria 5-7 definitely fail on the candidate's facts: the
    ``fail`` of :mod:`pool.eligibility.criteria`, decided exactly here (a test holds the
    two equal) so that the criteria word details only for flags that change."""
    failing = []
    if row.valid == 0 or not _at_least(row.done + row.unknown, row.valid, rate):
        failing.append(5)
    rd, revenue = row.rd_expense, row.operating_revenue
    if rd is not None and rd < amount and revenue is not None and (revenue == 0 or not _at_least(rd, revenue, ratio)):
        failing.append(6)
    staff, employees = row.rd_staff, row.employees
    if row.has_rd_leader is False or (
            row.partner is None and staff is not None and employees is not None
            and (employees == 0 or not _at_least(staff, employees, staff_ratio))):
        failing.append(7)
    return failing


def _drift_detail(row, as_of: date, p, failing) -> str:
    """The failing criteria's own details (:mod:`pool.eligibility.criteria`)."""
    applicant = _drift_applicant(row, as_of)
    results = [_CRITERIA_5_TO_7[n](applicant, as_of, p, None) for n in failing]
    basis = f"按 {row.year} 年度数据及现有专利，" if row.year else "按现有专利及登记信息，"
    return basis + "不再符合" + "；".join(f"第{r.id}条（{r.title}）：{r.detail}" for r in results)


_CRITERIA_5_TO_7 = {5: c5_industrialization, 6: c6_rd_investment, 7: c7_rd_team}
_VALID_DONE = PatentFact("", "invention", "valid", industrialized=True)
_VALID_UNKNOWN = PatentFact("", "invention", "valid", industrialized=None)
_VALID_NOT_DONE = PatentFact("", "invention", "valid", industrialized=False)
_NOT_VALID = PatentFact("", "invention", "lapsed")


def _drift_applicant(row, as_of: date) -> Applicant:
    """The facts criteria 5-7 read, as the :class:`Applicant` they take."""
    patents = ((_VALID_DONE,) * row.done + (_VALID_UNKNOWN,) * row.unknown
               + (_VALID_NOT_DONE,) * (row.valid - row.done - row.unknown) + (_NOT_VALID,) * (row.total - row.valid))
    partners = (PartnershipFact(row.partner, row.partner_type, row.valid_from, row.valid_to),) \
        if row.partner is not None else ()
    return Applicant(uscc="", name=row.name, assessment_year=as_of.year, employees=row.employees,
                     operating_revenue=row.operating_revenue, rd_expense=row.rd_expense,
                     rd_staff=row.rd_staff, has_rd_leader=row.has_rd_leader,
                     research_partnerships=partners, patents=patents)


def _by_enterprise(rows) -> dict[int, list]:
    """Rows whose first column is the enterprise id, grouped by it (in order)."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.id, []).append(row)
    return grouped


def _incidents(session, as_of: date, p) -> list[Condition]:
    rows = session.execute(
        select(Enterprise.id, Enterprise.county_id, Enterprise.name, PoolEvent.id.label("event_id"),
               PoolEvent.subtype, PoolEvent.effective_on, PoolEvent.reason)
        .join(PoolEvent, PoolEvent.enterprise_id == Enterprise.id)
        .where(in_pool(as_of), _live(INCIDENT, as_of), PoolEvent.effective_on >= Enterprise.admitted_on)
        .order_by(Enterprise.id, PoolEvent.effective_on, PoolEvent.id)
    )
    found = []
    for eid, events in _by_enterprise(rows).items():
        named = "；".join(f"{e.effective_on} {INCIDENT_TYPES.get(e.subtype, e.subtype)}：{e.reason}"
                         for e in events)
        detail = f"入库后发生诚信事件 {len(events)} 起（{named}），应即退库（黄石 二(六)2）"
        evidence = {"incidents": [{"event_id": e.event_id, "subtype": e.subtype,
                                   "effective_on": e.effective_on.isoformat()} for e in events]}
        found.append(Condition(eid, events[0].county_id, events[0].name, INTEGRITY_INCIDENT,
                               EXPULSION_DUE, detail, evidence))
    return found


def _graduation(session, as_of: date, p) -> list[Condition]:
    months, growth = p["graduation_min_months"], p["graduation_growth"]
    base, now = aliased(ProductFigure), aliased(ProductFigure)
    base_year, year = extract("year", Enterprise.admitted_on), as_of.year - 1
    factor = 1 + Fraction(growth)
    rule_a = Product.certified_on > Enterprise.admitted_on
    rule_b = and_(base_year < year, base.sales > 0, base.profit > 0,
                  _ratio_at_least(_yuan(now.sales), _yuan(base.sales), factor),
                  _ratio_at_least(_yuan(now.profit), _yuan(base.profit), factor))
    rows = session.execute(
        select(Enterprise.id, Enterprise.county_id, Enterprise.name, Enterprise.admitted_on,
               Product.id.label("product_id"), Product.name.label("product"), Product.certified_on,
               base.sales.label("base_sales"), base.profit.label("base_profit"),
               now.sales.label("sales"), now.profit.label("profit"))
        .join(Product, Product.enterprise_id == Enterprise.id)
        .outerjoin(base, and_(base.product_id == Product.id, base.year == base_year))
        .outerjoin(now, and_(now.product_id == Product.id, now.year == year))
        .where(in_pool(as_of), Enterprise.admitted_on <= latest_start(as_of, months),
               Product.patent_intensive.is_(True), Product.certified_on <= as_of, or_(rule_a, rule_b))
        .order_by(Enterprise.id, Product.certified_on, Product.id)
    )
    found = []
    for eid, products in _by_enterprise(rows).items():
        first = products[0]
        admitted = first.admitted_on
        new = [r for r in products if r.certified_on > admitted]
        if new:
            evidence = {"rule": "a", "new_products": [_product_fact(r) for r in new]}
        else:
            grown = [r for r in products if _grew_enough(r, admitted, year, factor)]
            if not grown:
                continue
            evidence = {"rule": "b", "base_year": admitted.year, "year": year,
                        "products": [{**_product_fact(r), "base": [str(r.base_sales), str(r.base_profit)],
                                      "now": [str(r.sales), str(r.profit)]} for r in grown]}
        detail = functools.partial(_graduation_detail, products, admitted, as_of, p, evidence["rule"])
        found.append(Condition(eid, first.county_id, first.name, GRADUATION_READY, INFO, detail, evidence))
    return found


def _grew_enough(row, admitted: date, year: int, factor: Fraction) -> bool:
    """Graduation rule (b) for one product row, exactly as
    :func:`pool.membership.proposals._grew` decides it (a test holds them equal)."""
    figures = (row.base_sales, row.base_profit, row.sales, row.profit)
    return (year > admitted.year and None not in figures and row.base_sales > 0 and row.base_profit > 0
            and _at_least(row.sales, row.base_sales, factor) and _at_least(row.profit, row.base_profit, factor))


def _product_fact(row) -> dict:
    return {"id": row.product_id, "certified_on": row.certified_on.isoformat()}


def _graduation_detail(rows, admitted: date, as_of: date, p, rule: str) -> str:
    """The graduation proposal's reason (:func:`pool.membership.proposals.graduation_findings`)."""
    products = [SimpleNamespace(id=r.product_id, name=r.product, certified_on=r.certified_on) for r in rows]
    base_year, year = admitted.year, as_of.year - 1
    figures = {}
    for r in rows:
        figures[(r.product_id, base_year)] = SimpleNamespace(sales=r.base_sales, profit=r.base_profit)
        figures[(r.product_id, year)] = SimpleNamespace(sales=r.sales, profit=r.profit)
    return graduation_findings(p, admitted, as_of, products, figures)[rule].detail


STAGES: tuple[tuple[str, Callable], ...] = (
    ("无实质性进展", _no_progress),
    ("资格到期", _qualifications),
    ("年度数据未报送", _annual_data),
    ("不再符合入库标准", _criteria_drift),
    ("诚信事件", _incidents),
    ("符合出库条件", _graduation),
)


# --- the scan ------------------------------------------------------------------------

def last_scanned(session) -> date | None:
    """The latest date a scan recorded (``last_seen_on`` or ``closed_on``)."""
    seen, closed = session.execute(
        select(func.max(RiskFlag.last_seen_on), func.max(RiskFlag.closed_on))).one()
    return max((d for d in (seen, closed) if d is not None), default=None)


def scan(session, as_of: date, *, rulebook=None, progress: Callable[[str], None] | None = None) -> ScanResult:
    """Bring the open risk flags up to date for ``as_of`` and queue the mails
    for new high / expulsion-due flags, in the caller's transaction.

    ``rulebook`` defaults to :func:`pool.eligibility.rulebook.load`; ``progress`` is called
    with a Chinese stage label after each step (for long runs).

    :raise ScanRefused: if ``as_of`` is before the last scan recorded.
    """
    require_date(as_of, "扫描日期")
    last = last_scanned(session)
    if last is not None and as_of < last:
        raise ScanRefused(f"扫描日期 {as_of} 早于上次扫描日期 {last}：风险记录只能按日期向前推进"
                          "（查看过去某日的情况请用 assess，不写入）")
    rulebook = rulebook or rulebooks.load(session)
    snapshot = rulebook.policy.in_force(as_of)
    with _no_cycle_collection():
        found = {(c.enterprise_id, c.kind): c for c in _conditions(session, as_of, snapshot, progress)}
        result = ScanResult(as_of)
        urgent = _reconcile(session, as_of, found, result)
        if progress:
            progress("更新风险记录")
        result.mails_enqueued = _alert_officers(session, as_of, urgent)
        result.open_by_severity = open_by_severity(session)
        if progress:
            progress("写入提醒邮件")
    return result


@contextmanager
def _no_cycle_collection():
    """Pause Python's cyclic garbage collector for the block.  A scan of the
    whole pool allocates hundreds of thousands of short-lived rows, dicts and
    strings without cycles; the collector's repeated passes over them cost
    about a tenth of the scan and find nothing.  (Reference counting still
    frees everything; the collector runs again afterwards.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def open_by_severity(session, county_ids=None) -> dict[str, int]:
    """Counts of open flags by severity, most severe first."""
    stmt = select(RiskFlag.severity, func.count()).where(RiskFlag.closed_on.is_(None))
    if county_ids is not None:
        stmt = stmt.where(RiskFlag.county_id.in_(list(county_ids)))
    counts = dict(session.execute(stmt.group_by(RiskFlag.severity)).all())
    return {s: counts.get(s, 0) for s in reversed(SEVERITIES)}


def _reconcile(session, as_of: date, found: dict, result: ScanResult) -> list[tuple[int, Condition]]:
    """Open, change and close flags with their history rows (bulk statements);
    return ``(flag id, condition)`` of the flags that became high or
    expulsion due."""
    open_flags = session.execute(
        select(RiskFlag.id, RiskFlag.enterprise_id, RiskFlag.kind, RiskFlag.severity,
               cast(RiskFlag.evidence, Text).label("evidence"), in_pool(as_of).label("member"))
        .join(Enterprise, Enterprise.id == RiskFlag.enterprise_id)
        .where(RiskFlag.closed_on.is_(None))
    ).all()
    seen = set()
    changes, updates, closes, urgent = [], [], [], []
    for flag in open_flags:
        key = (flag.enterprise_id, flag.kind)
        seen.add(key)
        now = found.get(key)
        if now is None:
            reason = "条件已消除" if flag.member else "企业已不在培育库中"
            closes.append({"id": flag.id, "closed_on": as_of})
            changes.append(_change(flag.id, CLOSED, flag.severity, reason))
            result.closed += 1
        elif now.severity != flag.severity:
            up = SEVERITY_RANK[now.severity] > SEVERITY_RANK[flag.severity]
            row = {"id": flag.id, "severity": now.severity, "detail": now.detail, "evidence": now.evidence}
            if up:
                row["escalated_on"] = as_of
                result.escalated += 1
                if now.severity in URGENT:
                    urgent.append((flag.id, now))
            else:
                result.deescalated += 1
            updates.append(row)
            changes.append(_change(flag.id, ESCALATED if up else DEESCALATED, now.severity, now.detail))
        else:
            if _stored_json(now.evidence) != flag.evidence:
                updates.append({"id": flag.id, "detail": now.detail, "evidence": now.evidence})
            result.unchanged += 1
    new = [found[key] for key in sorted(found.keys() - seen)]
    if new:
        table = RiskFlag.__table__
        before = session.scalar(select(func.coalesce(func.max(RiskFlag.id), 0)))
        session.execute(
            table.insert().values(opened_on=_sql_date(as_of), last_seen_on=_sql_date(as_of),
                                  evidence=_json_text(session, "evidence_json")),
            [{"enterprise_id": c.enterprise_id, "county_id": c.county_id, "kind": c.kind,
              "severity": c.severity, "detail": c.detail, "evidence_json": _stored_json(c.evidence)}
             for c in new])
        # No RETURNING: with it SQLAlchemy would insert row by row to keep the order.
        ids = {(e, k): i for i, e, k in session.execute(
            select(RiskFlag.id, RiskFlag.enterprise_id, RiskFlag.kind).where(RiskFlag.id > before))}
        for c in new:
            flag_id = ids[(c.enterprise_id, c.kind)]
            changes.append(_change(flag_id, RAISED, c.severity, c.detail))
            if c.severity in URGENT:
                urgent.append((flag_id, c))
        result.raised += len(new)
    for group in _same_keys(updates):
        session.execute(update(RiskFlag), group)
    if closes:
        session.execute(update(RiskFlag), closes)
    session.execute(update(RiskFlag)
                    .where(RiskFlag.closed_on.is_(None), RiskFlag.last_seen_on < as_of)
                    .values(last_seen_on=as_of).execution_options(synchronize_session=False))
    if changes:
        session.execute(RiskFlagChange.__table__.insert().values(on=_sql_date(as_of)), changes)
    return urgent


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _stored_json(evidence: dict) -> str:
    """``evidence`` as the engine stores it (``jsonutil.dumps``, kept verbatim
    by both backends: json, not jsonb), so equal text means equal facts.
    Evidence holds no ``Decimal`` (amounts are strings), for which the plain
    encoder writes the same text, faster."""
    try:
        return _ENCODE(evidence)
    except TypeError:
        return jsonutil.dumps(evidence)


def _json_text(session, name: str):
    """A parameter for a JSON column that takes the text :func:`_stored_json`
    wrote (PostgreSQL wants it cast; SQLite stores the text as it is)."""
    param = bindparam(name, type_=Text)
    return cast(param, JSON) if session.get_bind().dialect.name == "postgresql" else param


def _sql_date(day: date):
    """``day`` written into the statement (ISO text, a date on both backends):
    a bulk insert's common date is then not converted again for every row."""
    return literal_column(f"'{day.isoformat()}'", Date)


def _change(flag_id: int, action: str, severity: str, detail: str) -> dict:
    return {"flag_id": flag_id, "action": action, "severity": severity, "detail": detail}


def _same_keys(rows: list[dict]) -> list[list[dict]]:
    """``rows`` grouped by their set of keys (one executemany per group)."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


# --- mails ---------------------------------------------------------------------------

def _alert_officers(session, as_of: date, urgent: list[tuple[int, Condition]]) -> int:
    """One immediate mail per officer of each county with flags that became urgent."""
    by_county: dict[int, list[tuple[int, Condition]]] = {}
    for flag_id, condition in urgent:
        by_county.setdefault(condition.county_id, []).append((flag_id, condition))
    if not by_county:
        return 0
    mails = []
    officers = outbox.county_officers(session, by_county)
    for county_id, items in by_county.items():
        # Names this scan's batch: a flag reaches a severity at most once a day.
        flag_id, first = min(items, key=lambda item: item[0])
        batch = f"{flag_id}-{first.severity}"
        conditions = sorted((c for _, c in items),
                            key=lambda c: (-SEVERITY_RANK[c.severity], c.enterprise_name, c.kind))
        mails += [outbox.alert_mail(officer, as_of, batch, conditions) for officer in officers.get(county_id, [])]
    return outbox.enqueue_many(session, mails)
