"""Regions and their official statistics in the database: entered, imported, read back for the engine.

The administrator enters one value at a time (:func:`record`) or imports a
document in the series contract's shape (:func:`import_document`: regions with
their ``statistics``; measured ``series`` are not imported — the database mode
measures them from the records).  Statistics are append-only: an entry that
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
from pool.targets import series
from pool.targets.exact import exact, number

_NO_SERIES = phrase("第{n}个地区（{code}）：计量序列不在此导入，数据库模式从记录中计量；请只导入官方统计")
_CHANGED = phrase("第{n}个地区（{code}）：与已登记的地区「{name!s}」（{level}，上级 {parent}）不一致；地区不经导入修改")
_UNKNOWN_REGION = phrase("没有代码为 {code} 的地区；请先导入该地区")
_UNKNOWN_KEY = phrase("统计项 {key} 不是约定的统计项")
_BAD_YEAR = phrase("统计年度须在 1949 至 2100 之间")
_BAD_VALUE = phrase("官方统计数值须为不小于 0 的数（可带小数）")
_NO_SOURCE = phrase("请写明官方统计的来源文件")
_SAME = phrase("与当前登记的官方统计数值相同，未重复登记")


class StatisticsRefused(series.InvalidSeries):
    """Nothing was written; ``problems`` says why, in Chinese (a bad document's fields among them)."""


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
    """The hierarchy with each region's current statistics, as the engine's input (no measured series yet)."""
    rows = all_regions(session)
    by_id = {row.id: row for row in rows}
    out = {row.code: series.Region(row.code, row.name, row.level,
                                   by_id[row.parent_id].code if row.parent_id in by_id else None) for row in rows}
    for region in out.values():
        region.parent = out.get(region.parent_code) if region.parent_code else None
    for (region_id, key, year), row in current(session).items():
        if region_id in by_id:
            out[by_id[region_id].code].statistics[(key, year)] = (Fraction(row.value), row.source)
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
           note: str = "") -> RegionStatistic:
    """Enter one official value (a correction when the region, key and year already have one).

    :raise StatisticsRefused: unknown region or key, a bad year or value, no source, or the same value again.
    """
    region = session.scalar(select(Region).where(Region.code == region_code))
    problems = []
    if region is None:
        problems.append(_UNKNOWN_REGION.format(code=region_code))
    if key not in series.statistic_keys():
        problems.append(_UNKNOWN_KEY.format(key=key))
    if not isinstance(year, int) or not series.FIRST_YEAR <= year <= series.LAST_YEAR:
        problems.append(_BAD_YEAR)
    amount = number(value)
    if amount is None:
        problems.append(_BAD_VALUE)
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


def import_document(session, document, *, actor, now) -> tuple[list[Region], list[RegionStatistic], int]:
    """Regions and statistics of a series document: (regions created, statistics added, entries skipped).

    Checked as a whole first (:func:`pool.targets.series.parse`, then against the regions stored):
    every problem is listed and nothing is written.

    :raise StatisticsRefused: the problems, in Chinese.
    """
    try:
        parsed = series.parse(document)
    except series.InvalidSeries as exc:
        raise StatisticsRefused(exc.problems) from None  # the caller catches one kind of refusal
    stored = {row.code: row for row in all_regions(session)}
    problems = []
    for n, raw in enumerate(document["regions"], start=1):
        if raw.get("series"):
            problems.append(_NO_SERIES.format(n=n, code=raw["code"]))
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
        for (key, year), (value, source) in sorted(region.statistics.items()):
            row = _append(session, known, stored[region.code], key, year, value, source, actor, now)
            if row is None:
                skipped += 1
            else:
                added.append(row)
    session.flush()
    return created, added, skipped
