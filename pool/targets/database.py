"""The database mode: a programme's targets for a stored region, measured from the records.

:func:`evaluate` reads the region hierarchy and its official statistics
(:mod:`pool.targets.statistics`), measures each series the targets need from the
records of the region's counties (:mod:`pool.targets.records`) for every closed
year of their windows, and hands the result to the same engine the file mode
uses (:func:`pool.targets.engine.evaluate`) — the records are selected here, the
engine decides.  A county is measured from its own enterprises; a city or
province is the sum of its counties (the notes say which).  A county evaluated
against a city's target set reads the city's targets, for reference (the notes
say so).

A measure read per field (``matchmaking.events{field=*}``) gets one series per
field of the events recorded in the region in the targets' closed years.  A
measure the records cannot produce reads the values the city administrator
reported for the region itself (报送数值, :mod:`pool.targets.statistics`; a
city's are never summed from its counties'); a year without one stays missing,
and the target's trace says why and where to report it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models import County
from pool.kernel.wording import phrase
from pool.targets import engine, records, statistics
from pool.targets.measures import Measure
from pool.targets.results import NO_DATA, TRACKED, Evaluation, TargetResult
from pool.targets.targetset import InForce, TargetSet, TargetSetError, load

_NO_REGION = phrase("数据库中没有代码为 {region} 的地区（请在「官方统计」页导入地区）")
_COUNTY_SOURCE = phrase("本系统记录：{name!s}登记企业的记录")
_SUM_SOURCE = phrase("本系统记录：{name!s}为所辖县（市、区）之和（{parts}）")
_NO_COUNTIES = phrase("{name!s}下没有本系统的县（市、区），无法从记录计量")
_REFERENCE = phrase("本目标集的目标为 {issuer} 所定；此处以 {name!s} 的数值对照，仅供参考")
_RECORDS_ONLY = phrase("从记录计量的数值只含本系统登记的企业，不是全地区统计口径")
_REPORT_HERE = phrase("「{label}」可由市级管理员在「地区与官方统计」页按年度报送（注明来源文件）；未报送的年度缺少数据")
_REPORTED_NOTE = phrase("注明「报送数值」的数值由市级管理员按来源文件报送，是所报地区本身的数值，不由所辖县（市、区）加总")
_NO_FIELDS = phrase("{name!s} {first}—{last} 年没有登记任何「{label}」，无从分领域判断（在「专利技术供需对接活动」页登记）")


@dataclass
class Scope:
    """Who a region's records are: its counties (ids, names) and how the sum reads."""

    county_ids: list[int]
    source: str


def scope(session, region_code: str) -> Scope:
    """The counties whose records make up ``region_code`` (itself if a county; else its counties)."""
    below = statistics.descendants(session, region_code)
    if not below:
        raise TargetSetError(_NO_REGION.format(region=region_code))
    codes = [r.code for r in below if r.level == "county"]
    counties = list(session.scalars(select(County).where(County.code.in_(codes))
                                    .order_by(County.sort_order, County.id)))
    head = below[0]
    if head.level == "county":
        return Scope([c.id for c in counties], _COUNTY_SOURCE.format(name=head.name))
    if not counties:
        return Scope([], _NO_COUNTIES.format(name=head.name))
    return Scope([c.id for c in counties],
                 _SUM_SOURCE.format(name=head.name, parts="、".join(c.name for c in counties)))


def closed_years(in_force: InForce, as_of: date) -> list[int]:
    """Every year the targets read that has ended by ``as_of`` (one before each window, for growth)."""
    last = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
    first = min([min(t.start, t.base_year or t.start) for t in in_force.targets + in_force.tracked] or [last])
    return list(range(first - 1, last + 1))


def needed(in_force: InForce) -> list[Measure]:
    keys = {}
    for target in in_force.targets + in_force.tracked:
        for measure in (target.indicator.measure, target.indicator.denominator):
            if measure is not None:
                keys[measure.key] = measure
    return list(keys.values())


def targets_region(target_set: TargetSet, region_code: str) -> str:
    """Whose targets apply: the region's own if the set has them, else the set's issuer's."""
    return region_code if region_code in target_set.regions else target_set.regions[0]


def evaluate(session, code: str | TargetSet, region_code: str, as_of: date, members: records.Members) -> Evaluation:
    """The targets of ``code`` for the stored region ``region_code`` on ``as_of``, measured from the records.

    :raise TargetSetError: unknown target set or region (Chinese reason).
    """
    target_set = load(code) if isinstance(code, str) else code
    regions = statistics.regions(session)
    if region_code not in regions:
        raise TargetSetError(_NO_REGION.format(region=region_code))
    owner = targets_region(target_set, region_code)
    in_force = target_set.in_force(as_of, owner)
    place, where = regions[region_code], scope(session, region_code)
    reasons: dict[str, str] = {}
    years, reported = closed_years(in_force, as_of), False
    for measure in needed(in_force):
        reason = records.reason(measure)
        if reason is not None:  # reported values, if any, came with the region (statistics.regions)
            reasons[measure.key] = reason + "；" + _REPORT_HERE.format(label=measure.label)
            reported = reported or measure.key in place.series
        elif not where.county_ids:
            reasons[measure.key] = where.source
        elif measure.wildcard is not None:
            first = min(t.start for t in in_force.targets + in_force.tracked if t.indicator.measure == measure)
            last = years[-1] if years else first - 1
            parts = records.fields(session, where.county_ids, first, last) if first <= last else []
            for value in parts:
                _measure(session, place, measure.part(value), years, where, members)
            if not parts and first <= last:
                reasons[measure.key] = _NO_FIELDS.format(name=place.name, first=first, last=last, label=measure.label)
        else:
            _measure(session, place, measure, years, where, members)
    evaluation = engine.evaluate(target_set, region_code, as_of, regions, targets_of=owner)
    evaluation.notes.append(_RECORDS_ONLY)
    if reported:
        evaluation.notes.append(_REPORTED_NOTE)
    if owner != region_code:
        evaluation.notes.append(_REFERENCE.format(issuer=target_set.city, name=place.name))
    undated = records.undated_note(session, where.county_ids) if where.county_ids else None
    for result in evaluation.results + evaluation.tracked:
        _explain(result, reasons, undated)
    return evaluation


def _measure(session, place, measure: Measure, years: list[int], where: Scope, members) -> None:
    """``measure``'s series from the records of ``where``'s counties, for every closed year."""
    values = {}
    for year in years:
        values[year], _reason = records.value(session, measure, year, where.county_ids, members)
    place.series[measure.key] = (values, where.source)


def _explain(result: TargetResult, reasons: dict[str, str], undated: str | None) -> None:
    indicator = result.target.indicator
    keys = [m.key for m in (indicator.measure, indicator.denominator) if m is not None]
    if result.status in (NO_DATA, TRACKED):
        result.trace.extend(dict.fromkeys(reasons[k] for k in keys if k in reasons))
    if undated and any("inventions" in k for k in keys):
        result.trace.append(undated)
    for part in result.parts:
        _explain(part, reasons, None)
