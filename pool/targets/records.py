"""Measures from the records: a measure's yearly value for a set of counties, and the rows counted.

Each measure the records can produce is **one** select of the rows it counts
(:func:`rows`): the value is their number (or the sum of their amounts), and the
drill-down lists the same rows — so a figure and the records behind it can never
disagree.  A year is measured at its end (31 December; the engine uses closed
years only).  What the records count:

* ``grants.count{kind,office}``: patents granted in the year (``granted_on``);
* ``valid_inventions``: invention patents valid on 31 December — granted by then,
  not yet lapsed, invalidated, expired or transferred out, not acquired later;
  a patent whose grant date the record lacks is not counted (the trace says how many);
* ``new_valid_inventions``: that stock less the year before's;
* ``high_maintenance_inventions`` / ``high_value_inventions``: valid inventions
  meeting the configured definition (``pool/data/targets/record-measures.json``;
  unset: no data — the documents leave the thresholds open);
* ``designations.count`` / ``.cumulative``: designations approved in the year
  (``approved_on``, else ``valid_from``; renewals are not new) / enterprises
  designated by year end;
* ``pledge.count`` / ``pledge.amount``: loans on pledged patents (``object=ip``:
  patents or trademarks) stored as award facts, not withdrawn, dated in the year;
* ``transactions.count`` (transfer or licence, in or out, without recipient filters);
* ``pool.members``: the enterprises in the pool on 31 December (the membership
  context's rule, passed in by the caller: this context sits below it);
* ``matchmaking.events{field}``: the 专利技术供需对接活动 officers recorded
  (:mod:`pool.targets.events`), held in the year in the counties, not withdrawn;
  :func:`fields` names the fields a wildcard ``{field=*}`` reads one series each.

Everything else (centres, enforcement cases, …) is not in the records: no data,
with the reason (:func:`reason`) — never a made-up number; the city administrator
may report a yearly value for it instead (:mod:`pool.targets.statistics`).  The
counted rows are those of the enterprises registered in this system (and the
events recorded in it), in the given counties.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import Callable

from sqlalchemy import func, or_, select

from models import AwardFact, Enterprise, MatchmakingEvent, Patent, Qualification
from models.ip_assets import PATENT_ENDED
from pool.kernel.wording import phrase
from pool.targets.indicators import DATA
from pool.targets.measures import Measure

Members = Callable[..., list]  # (session, on, county_ids) -> enterprise ids in the pool on that day

NOT_IN_RECORDS = phrase("本系统记录不含「{label}」，须由外部来源提供，此处缺少数据")
_FILTER = phrase("本系统记录无法按筛选条件 {name}={value} 区分「{label}」，此处缺少数据")
_NOT_DEFINED = phrase("「{label}」的认定标准未配置（record-measures.json 的 {setting}；政策文件未给出阈值），此处缺少数据")
_UNDATED = phrase("另有 {n} 件发明专利的记录缺少授权日，未计入（补录授权日后计入）")


@lru_cache(maxsize=None)
def settings() -> dict:
    """The configurable definitions (``pool/data/targets/record-measures.json``)."""
    return json.loads((DATA / "record-measures.json").read_text(encoding="utf-8"))


def _values(measure: Measure, name: str) -> list[str] | None:
    value = dict(measure.filters).get(name)
    return None if value is None else value.split("|")


@dataclass
class Query:
    """The rows a measure counts in one year, or why the records cannot say (``reason``)."""

    stmt: object = None
    kind: str = "rows"  # rows | distinct_enterprises | amount | members | difference
    reason: str | None = None


def _refuse(measure: Measure, name: str | None = None) -> Query:
    if name is None:
        return Query(reason=NOT_IN_RECORDS.format(label=measure.label))
    return Query(reason=_FILTER.format(name=name, value=dict(measure.filters)[name], label=measure.label))


def _patents(county_ids):
    return (select(Patent).join(Enterprise, Enterprise.id == Patent.enterprise_id)
            .where(Enterprise.county_id.in_(list(county_ids))))


def _valid_inventions(county_ids, end: date):
    return _patents(county_ids).where(
        Patent.kind == "invention", Patent.granted_on.is_not(None), Patent.granted_on <= end,
        or_(Patent.acquired_on.is_(None), Patent.acquired_on <= end),
        or_(Patent.status.not_in(PATENT_ENDED), Patent.status_on > end))


def _shift(day: date, years: int) -> date:
    return day.replace(year=day.year - years)


def query(measure: Measure, year: int, county_ids) -> Query:
    """The select behind ``measure`` in ``year`` for ``county_ids``."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    base, filters = measure.base, dict(measure.filters)
    if base == "grants.count":
        stmt = _patents(county_ids).where(Patent.granted_on >= start, Patent.granted_on <= end)
        if "kind" in filters:
            stmt = stmt.where(Patent.kind.in_(_values(measure, "kind")))
        if "office" in filters:
            stmt = stmt.where(Patent.office.in_(_values(measure, "office")))
        return Query(stmt)
    if base == "valid_inventions":
        return Query(_valid_inventions(county_ids, end))
    if base == "new_valid_inventions":
        return Query(_valid_inventions(county_ids, end), kind="difference")
    if base in ("high_maintenance_inventions", "high_value_inventions"):
        return _defined(measure, county_ids, end)
    if base in ("designations.count", "designations.cumulative"):
        return _designations(measure, county_ids, start, end)
    if base in ("pledge.count", "pledge.amount"):
        objects = {"patent": ("patent",), "ip": ("patent", "trademark")}.get(filters.get("object", "ip"))
        if objects is None:
            return _refuse(measure, "object")
        stmt = (select(AwardFact).where(AwardFact.type == "loan", AwardFact.withdrawn_at.is_(None),
                                        AwardFact.date >= start, AwardFact.date <= end,
                                        AwardFact.county_id.in_(list(county_ids)))
                .order_by(AwardFact.date, AwardFact.id))
        return Query(stmt, kind="amount" if base == "pledge.amount" else "rows")
    if base == "transactions.count":
        return _transactions(measure, county_ids, start, end)
    if base == "pool.members":
        return Query(end, kind="members")
    if base == "matchmaking.events":
        stmt = _events(county_ids, start, end)
        if "field" in filters:
            stmt = stmt.where(MatchmakingEvent.field.in_(_values(measure, "field")))
        return Query(stmt)
    return _refuse(measure)


def _events(county_ids, start: date, end: date):
    return select(MatchmakingEvent).where(MatchmakingEvent.county_id.in_(list(county_ids)),
                                          MatchmakingEvent.held_on >= start, MatchmakingEvent.held_on <= end,
                                          ~MatchmakingEvent.withdrawal.has())


def reason(measure: Measure) -> str | None:
    """Why the records cannot produce ``measure`` (Chinese), or ``None`` when they can."""
    return query(measure, 2000, []).reason


def fields(session, county_ids, first: int, last: int) -> list[str]:
    """The fields of the events (not withdrawn) held in these counties from ``first`` to ``last``: the parts
    of a target read per field (「分领域」; the policy lists none, so the fields are those recorded)."""
    stmt = _events(county_ids, date(first, 1, 1), date(last, 12, 31)).with_only_columns(MatchmakingEvent.field)
    return sorted(set(session.scalars(stmt)))


def _defined(measure: Measure, county_ids, end: date) -> Query:
    setting = "high_maintenance_years" if measure.base == "high_maintenance_inventions" else "high_value"
    rule = settings().get(setting)
    if not rule:
        return Query(reason=_NOT_DEFINED.format(label=measure.label, setting=setting))
    stmt = _valid_inventions(county_ids, end)
    if setting == "high_maintenance_years":
        return Query(stmt.where(Patent.application_date <= _shift(end, int(rule))))
    criteria = []
    if rule.get("maintenance_years"):
        criteria.append(Patent.application_date <= _shift(end, int(rule["maintenance_years"])))
    if rule.get("foreign_office"):
        criteria.append(Patent.office.is_not(None) & (Patent.office != "CN"))
    if not criteria:
        return Query(reason=_NOT_DEFINED.format(label=measure.label, setting=setting))
    return Query(stmt.where(or_(*criteria)))


def _designations(measure: Measure, county_ids, start: date, end: date) -> Query:
    kinds = settings()["designation_kinds"]
    wanted = _values(measure, "kind")
    if wanted is not None and any(k not in kinds for k in wanted):
        return _refuse(measure, "kind")
    on = func.coalesce(Qualification.approved_on, Qualification.valid_from)
    stmt = (select(Qualification).join(Enterprise, Enterprise.id == Qualification.enterprise_id)
            .where(Enterprise.county_id.in_(list(county_ids)), on <= end))
    if wanted is not None:
        stmt = stmt.where(Qualification.type.in_([t for k in wanted for t in kinds[k]]))
    if _values(measure, "level") is not None:
        stmt = stmt.where(Qualification.level.in_(_values(measure, "level")))
    if measure.base == "designations.count":
        return Query(stmt.where(on >= start, Qualification.renews_id.is_(None)))
    return Query(stmt, kind="distinct_enterprises")


def _transactions(measure: Measure, county_ids, start: date, end: date) -> Query:
    for name in ("recipient", "transferor"):
        if name in dict(measure.filters):
            return _refuse(measure, name)
    types, direction = _values(measure, "type") or ["transfer", "licence"], dict(measure.filters).get("direction")
    if direction not in ("in", "out") or any(t not in ("transfer", "licence") for t in types) or (
            direction == "out" and "licence" in types):
        return _refuse(measure, "type" if direction in ("in", "out") else "direction")
    if direction == "out":
        return Query(_patents(county_ids).where(Patent.status == "transferred_out", Patent.status_on >= start,
                                                Patent.status_on <= end))
    origins = [{"transfer": "acquired", "licence": "licensed"}[t] for t in types]
    return Query(_patents(county_ids).where(Patent.origin.in_(origins), Patent.acquired_on >= start,
                                            Patent.acquired_on <= end))


def _loans(session, measure: Measure, stmt) -> list:
    objects = {"patent": ("patent",), "ip": ("patent", "trademark")}[dict(measure.filters).get("object", "ip")]
    return [fact for fact in session.scalars(stmt) if (fact.data or {}).get("collateral") in objects]


def loan_amount(fact) -> Fraction:
    """A loan fact's amount (万元), exactly; 0 when the fact lacks a readable one."""
    try:
        return Fraction(Decimal(str((fact.data or {}).get("amount", "0"))))
    except (InvalidOperation, ValueError):
        return Fraction(0)


def listable(measure: Measure) -> bool:
    """Whether the records behind ``measure``'s figures can be listed: the records hold it and the figure
    is a count or sum of rows (not a difference of two stocks)."""
    found = query(measure, 2000, [])
    return found.reason is None and found.kind != "difference"


def rows(session, measure: Measure, year: int, county_ids, members: Members) -> list | None:
    """The records counted by ``measure`` in ``year`` (``None``: the records cannot list them)."""
    found = query(measure, year, county_ids)
    if found.reason is not None or found.kind == "difference":
        return None
    if found.kind == "members":
        ids = members(session, found.stmt, list(county_ids))
        return list(session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)).order_by(Enterprise.name)))
    if measure.base.startswith("pledge."):
        return _loans(session, measure, found.stmt)
    return list(session.scalars(found.stmt.order_by(None).order_by(*_order(found.stmt))))


def _order(stmt):
    entity = stmt.column_descriptions[0]["entity"]
    return (entity.held_on, entity.id) if entity is MatchmakingEvent else (entity.id,)


def value(session, measure: Measure, year: int, county_ids, members: Members) -> tuple[Fraction | None, str | None]:
    """``(value, None)`` or ``(None, reason)``; the note on undated patents is added by the caller."""
    found = query(measure, year, county_ids)
    if found.reason is not None:
        return None, found.reason
    if found.kind == "difference":
        before = query(measure, year - 1, county_ids)
        now_n = session.scalar(select(func.count()).select_from(found.stmt.subquery()))
        then_n = session.scalar(select(func.count()).select_from(before.stmt.subquery()))
        return Fraction(now_n - then_n), None
    counted = rows(session, measure, year, county_ids, members) or []
    if found.kind == "amount":
        return sum((loan_amount(f) for f in counted), Fraction(0)), None
    if found.kind == "distinct_enterprises":
        return Fraction(len({q.enterprise_id for q in counted})), None
    return Fraction(len(counted)), None


def undated_inventions(session, county_ids) -> int:
    """Invention patents of these counties whose record has no grant date (not counted in the stock)."""
    return session.scalar(select(func.count()).select_from(
        _patents(county_ids).where(Patent.kind == "invention", Patent.granted_on.is_(None),
                                   Patent.status != "pending").subquery()))


def undated_note(session, county_ids) -> str | None:
    n = undated_inventions(session, county_ids)
    return _UNDATED.format(n=n) if n else None
