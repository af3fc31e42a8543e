"""The window operators and the status of one target on an explicit date.

Closed years: a year counts once it has ended (31 December ≤ ``as_of``); the
values of a year still running are not used.  When the target's last year has
closed the verdict is final (met / not met); before that it is a projection:

* ``level``: **linear** — the average yearly change from the first year of the
  trend (the base year, else the window's first year) to the last closed year,
  carried to the target year (flat if only one year has closed);
* ``cumulative``: the sum so far plus the mean of the closed years for each
  year left; a sum that can only grow and already holds is **met** early;
* ``each_year`` and ``growth_each_year``: every closed year must hold; one that
  fails makes the target **not met** (it cannot be repaired); if all hold, on track;
* ``growth_average``: the **required growth path** — the growth from the base
  year to the last closed year against ``(1 + r) ** years`` (CAGR), or the mean
  of the yearly rates so far (the alternative reading);
* ``benchmark``: the latest closed year against the ancestor's official value.

Growth is compared exactly: ``V_t / V_{t-1}`` against ``1 + r``, and
``V_n / V_0`` against ``(1 + r) ** n`` (integer power of a ``Fraction``: no root,
no float).  Growth from a zero value is undefined: no data, named.
"""
from __future__ import annotations

from datetime import date
from fractions import Fraction

from pool.kernel.wording import phrase
from pool.targets.exact import ONE, percent, show
from pool.targets.indicators import MISSING, display, reading
from pool.targets.measures import Measure
from pool.targets.results import MET, NO_DATA, NOT_MET, ON_TRACK, SEVERITY, STATUS_LABELS, TRACKED, Point, TargetResult
from pool.targets.series import LEVEL_LABELS, Region
from pool.targets.targetset import Target

HOLDS, FAILS = phrase("成立"), phrase("不成立")
_NO_YEAR = phrase("截至 {as_of} 没有已结束的年度可供判断（目标期 {start}—{end} 年）")
_RUNNING = phrase("截至 {as_of} 目标期 {start}—{end} 年尚未结束，按趋势判断")
_COMPARE = phrase("判断：{left} {op} {right}，{verdict}")
_CUMULATIVE = phrase("{start}—{end} 年累计「{label}」{total}{unit}")
_EARLY = phrase("累计值只增不减，已提前达到")
_LINEAR = phrase("按 {first}—{last} 年平均每年变化 {slope}{unit} 线性外推，{end} 年预计 {value}{unit}")
_FLAT = phrase("只有 {last} 年一个已结束年度，按持平外推，{end} 年预计 {value}{unit}")
_SUM_AHEAD = phrase("已结束 {count} 个年度，年均 {mean}{unit}，按此外推 {start}—{end} 年累计预计 {value}{unit}")
_EACH = phrase("逐年判断：{year} 年 {value}{unit} {op} {target}{unit}，{verdict}")
_GROWTH = phrase("逐年增幅：{year} 年 {value} ÷ {prev_year} 年 {before} = {ratio}，增长 {rate}；要求增长 {op} {target}，{verdict}")
_CAGR = phrase("年均增幅（复合）：{end} 年 {value} ÷ {base} 年 {before} = {ratio}；(1 + {rate})^{n} = {power}；"
               "{ratio} {op} {power}，{verdict}")
_MEAN = phrase("年均增幅（各年增幅的算术平均）：{rates} 的平均值为 {mean}；要求 {op} {rate}，{verdict}")
_PATH = phrase("目标期未结束：按所需增长路径对照 {base}—{year} 年的实际增幅")
_SO_FAR = phrase("已结束的年度均符合要求，其余年度尚未结束")
_BROKEN = phrase("已结束的年度中有不符合要求的，目标期结束时已不可能达到")
_ZERO_BASE = phrase("{year} 年「{label}」为 0，无法计算增幅")
_BENCH = phrase("对照{level}「{region!s}」{year} 年官方统计值 {value}{unit}（来源：{source!s}）")
_NO_BENCH = phrase("输入中没有本地区的上级{level}，无法对照")
_NO_PART = phrase("输入中没有「{label}」的任何分项序列（{measure!s}）")
_PART = phrase("分项 {name!s}：{status}")


def last_closed(as_of: date) -> int:
    """The last year that has ended on ``as_of``."""
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def check(target: Target, region: Region, as_of: date) -> TargetResult:
    """The status of ``target`` for ``region`` on ``as_of`` (per part for a wildcard indicator)."""
    wildcard = target.indicator.measure.wildcard if target.indicator.measure else None
    if wildcard is None:
        return _one(target, region, as_of)
    parts = []
    for key in sorted(region.series):
        name = target.indicator.measure.matches(_parse(key))
        if name is not None:
            part = _one(target, region, as_of, _parse(key))
            part.part = name
            parts.append(part)
    final = target.end <= last_closed(as_of)
    if not parts:
        return TargetResult(target, NO_DATA, final, trace=[_NO_PART.format(label=target.indicator.label,
                                                                             measure=target.indicator.measure.key)])
    status = min((p.status for p in parts), key=SEVERITY.index)
    trace = [_PART.format(name=p.part, status=STATUS_LABELS[p.status]) for p in parts]
    return TargetResult(target, status, final, trace=trace, parts=parts)


def _parse(key: str) -> Measure:
    base, _, inner = key.partition("{")
    pairs = [tuple(p.split("=", 1)) for p in inner.rstrip("}").split(",") if p]
    return Measure(base, tuple(sorted(pairs)))


def _one(target: Target, region: Region, as_of: date, measure: Measure | None = None) -> TargetResult:
    test, comparator, indicator = target.test, target.comparator, target.indicator
    last = last_closed(as_of)
    final, upto = target.end <= last, min(target.end, last)
    if test.startswith("growth"):
        first, earliest = target.base_year, target.base_year + 1
    elif test == "level" and target.base_year is not None:
        first = earliest = target.base_year
    else:
        first = earliest = target.start
    result = TargetResult(target, NO_DATA, final)
    if upto < earliest:
        result.trace.append(_NO_YEAR.format(as_of=as_of, start=target.start, end=target.end))
        return result
    if not final and target.comparator is not None:
        result.trace.append(_RUNNING.format(as_of=as_of, start=target.start, end=target.end))
    readings = {y: reading(indicator, region, y, target.options, measure) for y in range(first, upto + 1)}
    values = {y: r.value for y, r in readings.items()}
    result.series = [Point(y, v) for y, v in values.items()]
    if test == "level":
        needed = [upto] if final or first == upto else [first, upto]
    elif test == "benchmark" or test == "growth_average" and target.growth_reading == "cagr":
        needed = [upto] if test == "benchmark" else [first, upto]
    else:
        needed = list(values)
    missing = [text for y in needed for text in readings[y].missing]
    for y in needed:
        result.trace.extend(readings[y].trace)
    if missing:
        result.trace.extend(missing)
        return result
    if comparator is None:
        result.status = TRACKED
        return result
    unit = indicator.unit if indicator.operator != "share" else ""
    verdict = {"level": _level, "cumulative": _cumulative, "each_year": _each_year,
               "growth_each_year": _growth_each_year, "growth_average": _growth_average,
               "benchmark": _benchmark}[test]
    result.status = verdict(result, values, first, upto, unit, region)
    return result


def _compare(result: TargetResult, x: Fraction, unit: str, bound: Fraction | None = None) -> bool:
    comparator, indicator = result.target.comparator, result.target.indicator
    bound = comparator.value if bound is None else bound
    ok = comparator.holds(x, bound)
    right = display(indicator, bound) + unit
    if comparator.op == "range":
        right = f"{display(indicator, comparator.value)}—{display(indicator, comparator.upper)}{unit}"
    result.trace.append(_COMPARE.format(left=display(indicator, x) + unit, op=comparator.symbol, right=right,
                                        verdict=HOLDS if ok else FAILS))
    return ok


def _settle(result: TargetResult, ok: bool) -> str:
    if result.final:
        return MET if ok else NOT_MET
    return ON_TRACK if ok else NOT_MET


def _level(result, values, first, upto, unit, region) -> str:
    target = result.target
    value = values[upto]
    result.figure = value
    if result.final:
        return _settle(result, _compare(result, value, unit))
    show_ = lambda v: display(target.indicator, v)  # noqa: E731
    if first == upto:
        projected = value
        result.trace.append(_FLAT.format(last=upto, end=target.end, value=show_(value), unit=unit))
    else:
        slope = (value - values[first]) / (upto - first)
        projected = max(value + slope * (target.end - upto), Fraction(0))
        result.trace.append(_LINEAR.format(first=first, last=upto, slope=("+" if slope >= 0 else "-") + show_(abs(slope)),
                                           end=target.end, value=show_(projected), unit=unit))
    result.projected = projected
    return _settle(result, _compare(result, projected, unit))


def _cumulative(result, values, first, upto, unit, region) -> str:
    target = result.target
    total = sum(values.values(), Fraction(0))
    result.figure = total
    result.trace.append(_CUMULATIVE.format(start=target.start, end=upto, label=target.indicator.label,
                                           total=show(total), unit=unit))
    if result.final:
        return _settle(result, _compare(result, total, unit))
    if target.comparator.upward and target.comparator.holds(total):
        _compare(result, total, unit)
        result.trace.append(_EARLY)
        return MET
    mean = total / len(values)
    projected = total + mean * (target.end - upto)
    result.projected = projected
    result.trace.append(_SUM_AHEAD.format(count=len(values), mean=show(mean), unit=unit, start=target.start,
                                          end=target.end, value=show(projected)))
    return _settle(result, _compare(result, projected, unit))


def _each_year(result, values, first, upto, unit, region) -> str:
    target, ok = result.target, True
    for year, value in values.items():
        holds = target.comparator.holds(value)
        ok = ok and holds
        result.trace.append(_EACH.format(year=year, value=display(target.indicator, value), unit=unit,
                                         op=target.comparator.symbol, target=display(target.indicator,
                                                                                     target.comparator.value),
                                         verdict=HOLDS if holds else FAILS))
    result.figure = min(values.values())
    if not result.final:
        result.trace.append(_SO_FAR if ok else _BROKEN)
    return _settle(result, ok)


def _rate(target: Target) -> Fraction:
    return target.comparator.value / 100


def _zero(result: TargetResult, year: int) -> str:
    result.trace.append(_ZERO_BASE.format(year=year, label=result.target.indicator.label))
    return NO_DATA


def _growth_each_year(result, values, first, upto, unit, region) -> str:
    target, rate, ok = result.target, _rate(result.target), True
    show_ = lambda v: display(target.indicator, v)  # noqa: E731
    for point in result.series[1:]:
        before = values[point.year - 1]
        if not before:
            return _zero(result, point.year - 1)
        ratio = point.value / before
        point.growth = ratio - 1
        holds = target.comparator.holds(ratio, ONE + rate)
        ok = ok and holds
        result.trace.append(_GROWTH.format(year=point.year, value=show_(point.value), prev_year=point.year - 1,
                                           before=show_(before), ratio=show(ratio), rate=percent(ratio - 1),
                                           op=target.comparator.symbol, target=percent(rate),
                                           verdict=HOLDS if holds else FAILS))
    result.figure = min(p.growth for p in result.series[1:])
    if not result.final:
        result.trace.append(_SO_FAR if ok else _BROKEN)
    return _settle(result, ok)


def _growth_average(result, values, first, upto, unit, region) -> str:
    target, rate = result.target, _rate(result.target)
    show_ = lambda v: display(target.indicator, v)  # noqa: E731
    if not result.final:
        result.trace.append(_PATH.format(base=first, year=upto))
    if target.growth_reading == "mean":
        rates = []
        for point in result.series[1:]:
            before = values[point.year - 1]
            if not before:
                return _zero(result, point.year - 1)
            point.growth = point.value / before - 1
            rates.append(point.growth)
        mean = sum(rates, Fraction(0)) / len(rates)
        result.figure = mean
        holds = target.comparator.holds(mean, rate)
        result.trace.append(_MEAN.format(rates="、".join(percent(r) for r in rates), mean=percent(mean),
                                         op=target.comparator.symbol, rate=percent(rate),
                                         verdict=HOLDS if holds else FAILS))
        return _settle(result, holds)
    before, value, n = values[first], values[upto], upto - first
    if not before:
        return _zero(result, first)
    ratio, power = value / before, (ONE + rate) ** n
    result.figure = ratio
    holds = target.comparator.holds(ratio, power)
    result.trace.append(_CAGR.format(end=upto, value=show_(value), base=first, before=show_(before), ratio=show(ratio),
                                     rate=percent(rate), n=n, power=show(power), op=target.comparator.symbol,
                                     verdict=HOLDS if holds else FAILS))
    return _settle(result, holds)


def _benchmark(result, values, first, upto, unit, region) -> str:
    target = result.target
    level = target.benchmark_level or "province"
    above = region.parent.ancestor(level) if region.parent else None
    if above is None:
        result.trace.append(_NO_BENCH.format(level=LEVEL_LABELS[level]))
        return NO_DATA
    found = above.statistic(target.indicator.code, upto)
    if found is None:
        result.trace.append(MISSING.format(year=upto, what=target.indicator.label, region=above.name))
        return NO_DATA
    result.trace.append(_BENCH.format(level=LEVEL_LABELS[level], region=above.name, year=upto,
                                      value=display(target.indicator, found[0]), unit=unit, source=found[1]))
    result.figure = values[upto]
    return _settle(result, _compare(result, values[upto], unit, found[0]))
