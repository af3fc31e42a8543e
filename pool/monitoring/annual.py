"""Annual data (SPEC §4): the previous year's figures, due by ``annual_data_deadline``.

The figures due are revenue, R&D expense, employees and R&D staff of the year
before the deadline's.  :func:`annual_data_missing` is the scan's stage; the
deadline and the "figures incomplete" SQL are shared with the contacts'
reminders (:func:`pool.monitoring.outbox.annual_data_reminders`).

* The deadline is the latest ``annual_data_deadline`` (05-31) *before*
  ``as_of`` (the deadline day itself is still on time).  Members admitted on
  or before that deadline are flagged warning from the day after it, high
  once ``annual_data_high_after_days`` (30) days overdue.  From 1 January to
  the new deadline the previous deadline still applies, so a flag stays open
  until the data is recorded.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from models import Enterprise, YearlyFigure
from models.monitoring import ANNUAL_DATA_MISSING, HIGH, WARNING

from pool.monitoring.flags import Condition
from pool.kernel.wording import phrase

# The previous-year figures SPEC §4 asks for (revenue, R&D, staff).
ANNUAL_FIELDS = {"operating_revenue": phrase("营业收入"), "rd_expense": phrase("研发投入"),
                 "employees": phrase("职工总数"), "rd_staff": phrase("研发人员数")}
_LATE = phrase("{year} 年度数据未在截止日 {deadline} 前报送完整（缺少：{labels}）")
_OVERDUE = phrase("{late}，逾期已满 {days} 天")


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


def annual_data_missing(facts, as_of: date, p) -> list[Condition]:
    """The ``annual_data_missing`` flags on ``as_of``."""
    deadline = last_deadline_before(as_of, p["annual_data_deadline"])
    year = deadline.year - 1
    high_after = p["annual_data_high_after_days"]
    figures, on, columns = figures_of(year)
    rows = facts.session.execute(
        select(Enterprise.id, Enterprise.county_id, Enterprise.name, *columns)
        .outerjoin(figures, on)
        .where(facts.in_pool(), Enterprise.admitted_on <= deadline, missing_figures(year))
    )
    overdue = (as_of - deadline).days
    severity = HIGH if overdue >= high_after else WARNING
    found = []
    for row in rows:
        absent = absent_fields(row)
        labels = "、".join(ANNUAL_FIELDS[f] for f in absent)
        detail = _LATE.format(year=year, deadline=deadline, labels=labels)
        if severity == HIGH:
            detail = _OVERDUE.format(late=detail, days=high_after)
        evidence = {"year": year, "deadline": deadline.isoformat(), "missing": absent}
        found.append(Condition(row.id, row.county_id, row.name, ANNUAL_DATA_MISSING, severity,
                               detail, evidence))
    return found
