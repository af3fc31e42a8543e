"""An evaluation written out: text lines for people, a JSON-ready dict for programs.

Both show, per target, its comparator, window, status, the value series and the
trace; exact values are written as decimals when finite, else as ``p/q``.
"""
from __future__ import annotations

from fractions import Fraction

from pool.kernel.wording import phrase
from pool.targets.exact import exact, percent
from pool.targets.indicators import display
from pool.targets.results import STATUS_LABELS, Evaluation, TargetResult
from pool.targets.targetset import Target

_HEAD = phrase("{city}《{title}》（{document}）目标评估：{region!s}（{code}），截至 {as_of}")
_COUNTS = phrase("目标 {total} 项：达到 {met}，按趋势可达到 {on_track}，未达到 {not_met}，缺少数据 {no_data}")
_TARGET = phrase("{id} {label}（{clause}）｜{test}｜{window}｜{status}")
_SERIES = phrase("序列：{values}")
_WINDOW = phrase("{start}—{end} 年")
_TRACKED = phrase("跟踪指标（不作判断）：")
_NOT_EVALUATED = phrase("本目标集不判断的条目：{id}（{clause}）{reason}")
_READ_ONLY = phrase("仅为试算，未写入任何记录")
TEST_LABELS = {"level": phrase("期末值"), "cumulative": phrase("期内累计"), "each_year": phrase("每年"),
               "growth_each_year": phrase("每年增长"), "growth_average": phrase("年均增长"),
               "benchmark": phrase("对照上级官方值")}


def comparator_text(result: TargetResult) -> str:
    """The target's threshold as officers read it: ``≥ 2.75件/万人``, ``≥ 20%`` for growth, ``—`` if tracked."""
    target, comparator = result.target, result.target.comparator
    if comparator is None:
        return "—"
    if target.test.startswith("growth"):  # the rate is written in percent (20 for 20 %)
        return f"{comparator.symbol} {percent(comparator.value / 100)}"
    value = display(target.indicator, comparator.value)
    if comparator.op == "range" and comparator.upper is not None:
        value += "–" + display(target.indicator, comparator.upper)
    return f"{comparator.symbol} {value}{'' if target.indicator.operator == 'share' else target.indicator.unit}"


def series_text(result: TargetResult) -> str:
    """The value series on one line (``2024: 3，2025: 5``)."""
    return _series(result)


def _series(result: TargetResult) -> str:
    indicator = result.target.indicator
    parts = []
    for point in result.series:
        text = "—" if point.value is None else display(indicator, point.value)
        if point.growth is not None:
            text += f"（{percent(point.growth)}）"
        parts.append(f"{point.year}: {text}")
    return "，".join(parts)


def _lines(result: TargetResult, indent: str, trace: bool) -> list[str]:
    target = result.target
    out = [indent + _TARGET.format(id=target.id, label=target.label, clause=target.clause,
                                   test=TEST_LABELS[target.test],
                                   window=_WINDOW.format(start=target.start, end=target.end),
                                   status=STATUS_LABELS[result.status] + (f" · {result.part}" if result.part else ""))]
    if result.series:
        out.append(indent + "    " + _SERIES.format(values=_series(result)))
    if trace:
        out.extend(indent + "    " + step for step in result.trace)
    for part in result.parts:
        out.extend(_lines(part, indent + "  ", trace))
    return out


def lines(evaluation: Evaluation, trace: bool = True) -> list[str]:
    target_set = evaluation.in_force.target_set
    out = [_HEAD.format(city=target_set.city, title=target_set.title, document=target_set.document,
                        region=evaluation.region.name, code=evaluation.region.code, as_of=evaluation.as_of),
           _COUNTS.format(total=len(evaluation.results), met=evaluation.count("met"),
                          on_track=evaluation.count("on_track"), not_met=evaluation.count("not_met"),
                          no_data=evaluation.count("no_data"))]
    out.extend(evaluation.notes)
    for result in evaluation.results:
        out.extend(_lines(result, "  ", trace))
    if evaluation.tracked:
        out.append(_TRACKED)
        for result in evaluation.tracked:
            out.extend(_lines(result, "  ", trace))
    out.extend(_NOT_EVALUATED.format(**entry) for entry in target_set.not_evaluated)
    out.append(_READ_ONLY)
    return out


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else exact(value)


def target_json(target: Target) -> dict:
    """A target as in force (its parameters put in), JSON-ready: what it compares, how, over which years."""
    comparator = target.comparator
    return {"id": target.id, "label": target.label, "clause": target.clause, "excerpt": target.excerpt,
            "indicator": target.indicator.code, "unit": target.indicator.unit, "test": target.test,
            "comparator": None if comparator is None else {
                "op": comparator.op, "value": exact(comparator.value),
                "upper": _fraction(comparator.upper), "words": comparator.words,
                "reading": comparator.reading if comparator.op == "range" else None},
            "window": {"from": target.start, "to": target.end}, "base_year": target.base_year,
            "growth_reading": target.growth_reading if target.test == "growth_average" else None}


def _result(result: TargetResult) -> dict:
    return {**target_json(result.target), "status": result.status, "status_label": STATUS_LABELS[result.status],
            "final": result.final,
            "series": [{"year": p.year, "value": _fraction(p.value), "growth": _fraction(p.growth)}
                       for p in result.series],
            "figure": _fraction(result.figure), "projected": _fraction(result.projected),
            "part": result.part, "parts": [_result(p) for p in result.parts], "trace": result.trace}


def as_json(evaluation: Evaluation) -> dict:
    target_set = evaluation.in_force.target_set
    return {"programme": target_set.code, "document": target_set.document,
            "region": {"code": evaluation.region.code, "name": evaluation.region.name,
                       "level": evaluation.region.level},
            "as_of": evaluation.as_of.isoformat(), "parameters": evaluation.in_force.parameters,
            "targets": [_result(r) for r in evaluation.results],
            "tracked": [_result(r) for r in evaluation.tracked],
            "not_evaluated": list(target_set.not_evaluated), "notes": list(evaluation.notes)}
