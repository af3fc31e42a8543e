"""工作台 (issue #15): what needs doing today, for the counties one sees.

:func:`worklist` gathers the open work of the viewer's counties into tasks,
each with a count, its oldest (or soonest) date and the first few items:

* open risk flags by severity, the most severe first (expulsion due, high,
  warning), and the graduation proposals (``graduation_ready``) awaiting an
  officer's confirmation;
* certificates of the criterion-2 types ending within
  ``qualification_expiring_days`` (90) with no renewal recorded that starts by
  their end (the rule of :mod:`pool.monitoring.qualifications`);
* before this year's ``annual_data_deadline``, the members whose previous-year
  figures are still incomplete (after it, annual_data_missing flags say so);
* county exits and state corrections awaiting the city administrator's decision;
* what enterprises submitted through the portal, awaiting an officer's review;
* for each configured pool (the ladder, :mod:`pool.ladder.proposals`): its members holding
  the qualification it graduates on, its applications awaiting a decision, and the
  graduates of the pool it follows not yet applied to it.

It reads only; dates are passed in; the web layer links each task to the
page where it is done.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from sqlalchemy import func, select

from models import Enterprise, Membership, Qualification, RiskFlag, Submission
from models.enterprise import APPLIED
from models.event import PENDING as CORRECTION_PENDING
from models.event import ExitRequest, StateCorrection
from models.monitoring import EXPULSION_DUE, FIRST_POOL, GRADUATION_READY, HIGH, WARNING

from pool.eligibility.profile import QUALIFICATION_LABELS, describe_qualification
from pool.membership.exit_requests import KIND_LABELS as EXIT_LABELS
from pool.monitoring.annual import ANNUAL_FIELDS, annual_deadline, missing_figures
from pool.monitoring.flags import KIND_LABELS, SEVERITY_LABELS, in_pool
from pool.kernel.wording import phrase
from pool.ladder import catalogue, proposals

SHOWN = 5  # items listed per task; the count says how many there are


@dataclass(frozen=True)
class Item:
    enterprise_id: int
    enterprise: str
    detail: str
    on: date | None
    label: str = ""  # what kind of item, e.g. a flag's kind


@dataclass(frozen=True)
class Task:
    """One kind of work: ``key`` names it for the page (e.g. ``flags:high``)."""

    key: str
    label: str
    count: int
    oldest: date | None = None  # the oldest flag or request, the soonest certificate end
    items: tuple[Item, ...] = field(default_factory=tuple)
    params: dict = field(default_factory=dict)  # the numbers in the label (for its translations)


_ANNUAL = phrase("{year} 年度{fields}尚未报送完整")
_EXIT = phrase("{day} 生效：{reason!s}")


def worklist(session, county_ids: Iterable[int] | None, today: date, snapshot) -> list[Task]:
    """The open tasks of ``county_ids`` (``None``: every county) on ``today``,
    in the order they should be done; tasks with nothing to do are left out."""
    counties = None if county_ids is None else list(county_ids)
    tasks = [*_flags(session, counties), _exits(session, counties), _expiring(session, counties, today, snapshot),
             _annual(session, counties, today, snapshot), _corrections(session, counties),
             _submissions(session, counties), *ladder_tasks(session, counties, today)]
    return [task for task in tasks if task is not None and task.count]


def _in(column, counties):
    return column.in_(counties) if counties is not None else column.is_not(None)


def _flags(session, counties) -> list[Task]:
    tasks = []
    for key, condition, label in (
            (f"flags:{EXPULSION_DUE}", RiskFlag.severity == EXPULSION_DUE,
             f"{SEVERITY_LABELS[EXPULSION_DUE]}的风险提示"),
            (f"flags:{HIGH}", RiskFlag.severity == HIGH, f"{SEVERITY_LABELS[HIGH]}提示"),
            (f"flags:{WARNING}", RiskFlag.severity == WARNING, f"{SEVERITY_LABELS[WARNING]}提示"),
            # The configured pools' graduations are their own tasks (ladder_tasks).
            (f"flags:{GRADUATION_READY}", (RiskFlag.kind == GRADUATION_READY) & (RiskFlag.pool_code == FIRST_POOL),
             "出库建议待确认")):
        where = (RiskFlag.closed_on.is_(None), condition, _in(RiskFlag.county_id, counties))
        count, oldest = session.execute(select(func.count(), func.min(RiskFlag.opened_on)).where(*where)).one()
        if not count:
            continue
        rows = session.execute(
            select(RiskFlag.enterprise_id, Enterprise.name, RiskFlag.kind, RiskFlag.detail, RiskFlag.opened_on)
            .join(Enterprise, Enterprise.id == RiskFlag.enterprise_id).where(*where)
            .order_by(RiskFlag.opened_on, RiskFlag.id).limit(SHOWN)).all()
        tasks.append(Task(key, label, count, oldest, tuple(
            Item(eid, name, detail, opened, KIND_LABELS[kind]) for eid, name, kind, detail, opened in rows)))
    return tasks


def _expiring(session, counties, today: date, p) -> Task:
    horizon = today + timedelta(days=p["qualification_expiring_days"])
    accepted = list(p["accepted_qualifications"])
    q = Qualification
    ending = session.execute(
        select(q.enterprise_id, Enterprise.name, q.type, q.certificate_no, q.valid_from, q.valid_to)
        .join(Enterprise, Enterprise.id == q.enterprise_id)
        .where(in_pool(today), _in(Enterprise.county_id, counties), q.type.in_(accepted),
               q.valid_to >= today, q.valid_to <= horizon)
        .order_by(q.valid_to, q.id)).all()
    if not ending:
        return Task("expiring", "", 0)
    later = {}  # enterprise -> the (start, end) of its certificates of the accepted types
    for eid, start, end in session.execute(
            select(q.enterprise_id, q.valid_from, q.valid_to)
            .where(q.enterprise_id.in_({row[0] for row in ending}), q.type.in_(accepted))):
        later.setdefault(eid, []).append((start, end))
    due = [row for row in ending if not any(
        start <= row.valid_to + timedelta(days=1) and end > row.valid_to for start, end in later[row.enterprise_id])]
    label = f"资格证书 {p['qualification_expiring_days']} 天内到期（未见续期）"
    return Task("expiring", label, len(due), due[0].valid_to if due else None, tuple(
        Item(row.enterprise_id, row.name, describe_qualification(row), row.valid_to)
        for row in due[:SHOWN]), {"days": p["qualification_expiring_days"]})


def _annual(session, counties, today: date, p) -> Task | None:
    deadline = annual_deadline(today, p["annual_data_deadline"])
    if today > deadline:
        return None  # overdue: the annual_data_missing flags carry it
    year = deadline.year - 1
    where = (in_pool(today), _in(Enterprise.county_id, counties), missing_figures(year))
    count = session.scalar(select(func.count()).select_from(Enterprise).where(*where))
    rows = session.execute(select(Enterprise.id, Enterprise.name).where(*where)
                           .order_by(Enterprise.name_key, Enterprise.id).limit(SHOWN)).all()
    fields = "、".join(ANNUAL_FIELDS.values())
    return Task("annual", f"{year} 年度数据待报送（截止 {deadline.isoformat()}）", count, deadline, tuple(
        Item(eid, name, _ANNUAL.format(year=year, fields=fields), deadline) for eid, name in rows),
        {"year": year, "day": deadline.isoformat()})


def _exits(session, counties) -> Task:
    er = ExitRequest
    where = (er.status == CORRECTION_PENDING, _in(er.county_id, counties))
    count, oldest = session.execute(select(func.count(), func.min(er.proposed_at)).where(*where)).one()
    rows = session.execute(select(er.enterprise_id, Enterprise.name, er.kind, er.effective_on, er.reason)
                           .join(Enterprise, Enterprise.id == er.enterprise_id).where(*where)
                           .order_by(er.proposed_at).limit(SHOWN)).all()
    return Task("exits", "出库、退库待市级确认", count, oldest.date() if oldest else None, tuple(
        Item(eid, name, _EXIT.format(day=on.isoformat(), reason=reason), on, EXIT_LABELS[kind])
        for eid, name, kind, on, reason in rows))


def _corrections(session, counties) -> Task:
    sc = StateCorrection
    where = (sc.status == CORRECTION_PENDING, _in(sc.county_id, counties))
    count, oldest = session.execute(select(func.count(), func.min(sc.proposed_at)).where(*where)).one()
    rows = session.execute(select(sc.enterprise_id, Enterprise.name, sc.reason, sc.proposed_at)
                           .join(Enterprise, Enterprise.id == sc.enterprise_id).where(*where)
                           .order_by(sc.proposed_at).limit(SHOWN)).all()
    return Task("corrections", "更正申请待市级审批", count, oldest.date() if oldest else None, tuple(
        Item(eid, name, reason, at.date()) for eid, name, reason, at in rows))


def _submissions(session, counties) -> Task:
    """Portal submissions awaiting review; a declaration's enterprise is not registered yet (id 0)."""
    sub = Submission
    where = (sub.status == "submitted", _in(sub.county_id, counties))
    count, oldest = session.execute(select(func.count(), func.min(sub.submitted_at)).where(*where)).one()
    rows = session.execute(select(sub.enterprise_id, Enterprise.name, sub.title, sub.submitted_at)
                           .outerjoin(Enterprise, Enterprise.id == sub.enterprise_id).where(*where)
                           .order_by(sub.submitted_at).limit(SHOWN)).all()
    return Task("submissions", "企业报送待审核", count, oldest.date() if oldest else None, tuple(
        Item(eid or 0, name or title, title, at.date()) for eid, name, title, at in rows))


LADDER_LABELS = {"graduate": phrase("{pool!s}：出库建议待办理"), "applied": phrase("{pool!s}：申报待决定"),
                 "next": phrase("{pool!s}：可建议申报的出库企业")}
_LADDER_DUE = phrase("已取得出库资格：{qualification}")
_LADDER_APPLIED = phrase("{day} 申报，待决定")
_LADDER_NEXT = phrase("{day} 从上一级培育库出库")


def ladder_tasks(session, counties, today: date) -> list[Task]:
    """Per configured pool: graduations to confirm, applications to decide, graduates to propose
    (``key`` ``ladder:<what>:<pool code>``; every task, with nothing to do or not)."""
    tasks = []
    for pool in catalogue.pools(session).values():
        if pool.code_backed:
            continue
        due_count, due = proposals.graduations_due(session, pool, today, counties, SHOWN)
        types = "、".join(QUALIFICATION_LABELS.get(t, t) for t in pool.lifecycle["graduation"]["exit_on_qualification"]
                         or ())
        pending, waiting = proposals.count_and_first(
            session, proposals.members_stmt(pool.code, counties, state=APPLIED), SHOWN)
        oldest = session.scalar(select(func.min(Membership.since)).where(
            Membership.pool_code == pool.code, Membership.state == APPLIED, _in(Membership.county_id, counties)))
        ahead_count, ahead = (0, []) if pool.retired else proposals.count_and_first(
            session, proposals.successors_stmt(pool, counties), SHOWN)
        params = {"pool": pool.name, "code": pool.code}
        tasks += [
            Task(f"ladder:graduate:{pool.code}", LADDER_LABELS["graduate"].format(pool=pool.name), due_count, None,
                 tuple(Item(m.enterprise_id, m.enterprise.name, _LADDER_DUE.format(qualification=types), None)
                       for m in due), params),
            Task(f"ladder:applied:{pool.code}", LADDER_LABELS["applied"].format(pool=pool.name), pending, oldest,
                 tuple(Item(m.enterprise_id, m.enterprise.name, _LADDER_APPLIED.format(day=m.since), m.since)
                       for m in waiting), params),
            Task(f"ladder:next:{pool.code}", LADDER_LABELS["next"].format(pool=pool.name), ahead_count, None, tuple(
                Item(e.id, e.name, _LADDER_NEXT.format(day=e.state_changed_on), e.state_changed_on)
                for e in ahead), params),
        ]
    return tasks
