"""Regions and their official statistics in the database: entered, imported, read back for the engine.

The administrator enters one value at a time (:func:`record`) or imports a
document in the series contract's shape (:func:`import_document`: regions with
their ``statistics``).  **Reported values** (报送数值) sit beside them: for a
measure the records cannot produce (:func:`pool.targets.records.reason`: 运营中心项目,
执法案件, 集聚区, 质押贷款户数 …) the administrator enters a yearly value per region
citing its source document, keyed by the measure's key (:func:`reportable`), or
imports it as a ``series`` of the document; a series the records measure
themselves is refused.  A reported value is the figure of the region it names:
a city's is never summed from its counties' (their sum would silently leave out
what no county reported).  Statistics are append-only: an entry that
differs from the current value of its region, key and year is a correction,
added with who entered it and when; an identical one is skipped, so importing
the same file twice records nothing new.  :func:`regions` gives the
hierarchy with the current values as :class:`pool.targets.series.Region`
records — what :func:`pool.targets.engine.evaluate` reads.
"""
from __future__ import annotations

from fractions import Fraction

from sqlalchemy import select

from models import Region, RegionStatistic
from pool.kernel.wording import phrase
from pool.targets import records, series
from pool.targets.exact import exact, number
from pool.targets.indicators import catalogue
from pool.targets.measures import COUNT, Measure, parse_key

_NO_SERIES = phrase("第{n}个地区（{code}）：计量 {measure} 由本系统记录计量，不在此导入；只导入官方统计和记录无法计量的报送数值")
_CHANGED = phrase("第{n}个地区（{code}）：与已登记的地区「{name!s}」（{level}，上级 {parent}）不一致；地区不经导入修改")
_UNKNOWN_REGION = phrase("没有代码为 {code} 的地区；请先导入该地区")
_UNKNOWN_KEY = phrase("统计项 {key} 不是约定的统计项")
_BAD_YEAR = phrase("统计年度须在 1949 至 2100 之间")
_BAD_VALUE = phrase("官方统计数值须为不小于 0 的数（可带小数）")
_NO_SOURCE = phrase("请写明官方统计的来源文件")
_SAME = phrase("与当前登记的官方统计数值相同，未重复登记")
_WHOLE = phrase("「数值」：「{label}」是计数，须为不小于 0 的整数")
_LATER_YEAR = phrase("「统计年度」：{year} 年尚未开始，不能报送该年度的数值")
_REPORTED = phrase("报送数值：{source!s}")
_LATER_SERIES = phrase("第{n}个地区（{code}）：计量 {measure} 的 {year} 年尚未开始，不能报送该年度的数值")


class StatisticsRefused(series.InvalidSeries):
    """Nothing was written; ``problems`` says why, in Chinese (a bad document's fields among them)."""


def reported_measure(key: object) -> Measure | None:
    """The measure ``key`` names when a value may be reported for it: a valid measure key, not a wildcard,
    that the records cannot produce; else ``None``."""
    measure, _reason = parse_key(key)
    if measure is None or measure.wildcard is not None or records.reason(measure) is None:
        return None
    return measure


def reportable() -> dict[str, str]:
    """Measure key -> Chinese label, for every measure of the indicator catalogue the records cannot
    produce (what the administrator's form offers)."""
    out = {}
    for indicator in catalogue().values():
        for measure in (indicator.measure, indicator.denominator):
            if measure is not None and reported_measure(measure.key) is not None:
                out.setdefault(measure.key, measure.label)
    return dict(sorted(out.items(), key=lambda item: item[0]))


def label(key: str) -> str:
    """What a stored key is, in Chinese: a statistic's label, or a reported measure's."""
    measure = reported_measure(key)
    return measure.label if measure is not None else series.statistic_keys().get(key, key)


def current(session) -> dict[tuple[int, str, int], RegionStatistic]:
    """The value in force of each (region id, key, year): the latest entry."""
    out: dict[tuple[int, str, int], RegionStatistic] = {}
    for row in session.scalars(select(RegionStatistic).order_by(RegionStatistic.id)):
        out[(row.region_id, row.key, row.year)] = row
    return out


def history(session, limit: int = 200) -> list[RegionStatistic]:
    """The latest entries first, corrections and the values they replaced alike."""
    return list(session.scalars(select(RegionStatistic).order_by(RegionStatistic.id.desc()).limit(limit)))


def all_regions(session) -> list[Region]:
    """Every region, province first, then cities, then counties (each in display order)."""
    rows = list(session.scalars(select(Region).order_by(Region.sort_order, Region.code)))
    return sorted(rows, key=lambda r: series.LEVELS.index(r.level))


def regions(session) -> dict[str, series.Region]:
    """The hierarchy with each region's current statistics and reported values (as series of their measures,
    each year citing 报送数值 and its source), as the engine's input; the records' series are added by
    :mod:`pool.targets.database`."""
    rows = all_regions(session)
    by_id = {row.id: row for row in rows}
    out = {row.code: series.Region(row.code, row.name, row.level,
                                   by_id[row.parent_id].code if row.parent_id in by_id else None) for row in rows}
    for region in out.values():
        region.parent = out.get(region.parent_code) if region.parent_code else None
    for (region_id, key, year), row in current(session).items():
        if region_id not in by_id:
            continue
        region = out[by_id[region_id].code]
        if reported_measure(key) is None:
            region.statistics[(key, year)] = (Fraction(row.value), row.source)
        else:  # a reported value: one year of the measure's series, each year citing its own source
            values, sources = region.series.setdefault(key, ({}, {}))
            values[year], sources[year] = Fraction(row.value), _REPORTED.format(source=row.source)
    return out


def descendants(session, code: str) -> list[Region]:
    """The region ``code`` and every region below it."""
    rows = all_regions(session)
    found = [r for r in rows if r.code == code]
    ids = {r.id for r in found}
    for row in rows:  # parents come before children (level order)
        if row.parent_id in ids and row.id not in ids:
            found.append(row)
            ids.add(row.id)
    return found


def record(session, region_code: str, key: str, year: int, value: object, source: str, *, actor, now,
           note: str = "", as_of=None) -> RegionStatistic:
    """Enter one official value, or one reported value when ``key`` is a measure the records cannot
    produce (:func:`reported_measure`); a correction when the region, key and year already have one.
    ``as_of`` (today): a reported value is for a year that has begun.

    :raise StatisticsRefused: unknown region or key, a bad year or value (a count not whole), no source,
        or the same value again.
    """
    region = session.scalar(select(Region).where(Region.code == region_code))
    measure = reported_measure(key)
    problems = []
    if region is None:
        problems.append(_UNKNOWN_REGION.format(code=region_code))
    if key not in series.statistic_keys() and measure is None:
        problems.append(_UNKNOWN_KEY.format(key=key))
    if not isinstance(year, int) or not series.FIRST_YEAR <= year <= series.LAST_YEAR:
        problems.append(_BAD_YEAR)
    elif measure is not None and as_of is not None and year > as_of.year:
        problems.append(_LATER_YEAR.format(year=year))
    amount = number(value)
    if amount is None:
        problems.append(_BAD_VALUE)
    elif measure is not None and measure.kind == COUNT and (amount.denominator != 1 or "." in str(value)):
        problems.append(_WHOLE.format(label=measure.label))
    if not (source or "").strip():
        problems.append(_NO_SOURCE)
    if problems:
        raise StatisticsRefused(problems)
    row = _append(session, current(session), region, key, year, amount, source.strip(), actor, now, note)
    if row is None:
        raise StatisticsRefused([_SAME])
    return row


def _append(session, known, region, key, year, amount: Fraction, source, actor, now, note=""):
    before = known.get((region.id, key, year))
    if before is not None and Fraction(before.value) == amount and before.source == source:
        return None
    row = RegionStatistic(region=region, key=key, year=year, value=exact(amount), source=source,
                          note=(note or "").strip(), entered_by_id=actor.id if actor else None, entered_at=now)
    session.add(row)
    known[(region.id, key, year)] = row
    return row


def import_document(session, document, *, actor, now, as_of=None) -> tuple[list[Region], list[RegionStatistic], int]:
    """Regions, statistics and reported values (the ``series`` of measures the records cannot produce) of a
    series document: (regions created, values added, entries skipped).

    Checked as a whole first (:func:`pool.targets.series.parse`, then against the regions stored and
    :func:`record`'s rules for reported values): every problem is listed and nothing is written.

    :raise StatisticsRefused: the problems, in Chinese.
    """
    try:
        parsed = series.parse(document)
    except series.InvalidSeries as exc:
        raise StatisticsRefused(exc.problems) from None  # the caller catches one kind of refusal
    stored = {row.code: row for row in all_regions(session)}
    problems = []
    for n, raw in enumerate(document["regions"], start=1):
        for key, (values, _source) in parsed[raw["code"]].series.items():
            if reported_measure(key) is None:
                problems.append(_NO_SERIES.format(n=n, code=raw["code"], measure=key))
            problems += [_LATER_SERIES.format(n=n, code=raw["code"], measure=key, year=y)
                         for y in sorted(values) if as_of is not None and y > as_of.year]
        row = stored.get(raw["code"])
        if row is not None:
            parent = row.parent.code if row.parent else None
            if (row.name, row.level, parent) != (raw["name"], raw["level"], raw.get("parent")):
                problems.append(_CHANGED.format(n=n, code=row.code, name=row.name, level=row.level,
                                                parent=parent or "—"))
    if problems:
        raise StatisticsRefused(problems)
    created = []
    for region in sorted(parsed.values(), key=lambda r: series.LEVELS.index(r.level)):  # parents first
        if region.code not in stored:
            row = Region(code=region.code, name=region.name, level=region.level,
                         parent=stored.get(region.parent_code) if region.parent_code else None,
                         sort_order=len(stored), entered_by_id=actor.id if actor else None, entered_at=now)
            session.add(row)
            stored[region.code] = row
            created.append(row)
    session.flush()
    known, added, skipped = current(session), [], 0
    for region in parsed.values():
        reported = {(key, year): (value, source) for key, (values, source) in region.series.items()
                    for year, value in values.items()}
        for (key, year), (value, source) in sorted({**region.statistics, **reported}.items()):
            row = _append(session, known, stored[region.code], key, year, value, source, actor, now)
            if row is None:
                skipped += 1
            else:
                added.append(row)
    session.flush()
    return created, added, skipped
