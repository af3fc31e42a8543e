"""Indicators as data, and the operators that give an indicator's value for one region and year.

The catalogue is ``pool/data/targets/indicators.json``: per indicator code its
label, unit, the clause that defines it, its ``operator`` and what it reads:

* ``count`` / ``sum``: the year's value of one measure (whole numbers / 万元);
* ``per_population``: a measure per ``people`` inhabitants (10,000 or 1,000,000),
  over the region's 常住人口 of that year (in 万人, an official statistic);
* ``per_gdp``: a measure per ``gdp_unit`` 亿元 of the region's GDP of that year
  (10 for 「每十亿元」);
* ``share``: a measure over a ``denominator`` measure (coverage; shown in %);
* ``official``: an official statistic of the region (a value the records cannot
  produce, such as the share of IP-intensive industries in GDP).

The window operators (cumulative, growth each year, average annual growth,
comparison with a benchmark) act on these yearly values: :mod:`pool.targets.checks`.
Every value is an exact ``Fraction``; a missing measure or statistic is named,
never guessed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from pool.kernel.wording import phrase
from pool.targets.exact import show
from pool.targets.measures import Measure, parse_key

DATA = Path(__file__).resolve().parents[1] / "data" / "targets"
OPERATORS = ("count", "sum", "per_population", "per_gdp", "share", "official")
STATISTICS = {"population": phrase("年末常住人口（万人）"), "population_average": phrase("年平均常住人口（万人）"),
              "gdp": phrase("地区生产总值（亿元）")}

_VALUE = phrase("{year} 年「{label}」{value}{unit}（来源：{source!s}）")
_PER_10K = phrase("{year} 年「{label}」= {count} ÷ 常住人口 {population} 万人 = {value}{unit}")
_PER_PEOPLE = phrase("{year} 年「{label}」= {count} ÷（常住人口 {population} 万人 ÷ {scale}）= {value}{unit}")
_PER_GDP = phrase("{year} 年「{label}」= {count} ÷（地区生产总值 {gdp} 亿元 ÷ {unit_gdp} 亿元）= {value}{unit}")
_SHARE = phrase("{year} 年「{label}」= {part} ÷ {whole} = {value}")
_OFFICIAL = phrase("{year} 年「{label}」官方统计值 {value}{unit}（来源：{source!s}）")
MISSING = phrase("缺少 {year} 年「{what}」（{region!s}）")
_ZERO = phrase("{year} 年「{what}」为 0，比值无意义（{region!s}）")


class CatalogueError(ValueError):
    """The indicator catalogue breaks its own format (a bug in the data)."""


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    operator: str
    unit: str
    source: str
    measure: Measure | None = None
    denominator: Measure | None = None
    people: int = 10000
    gdp_unit: Fraction = Fraction(10)

    @property
    def percent(self) -> bool:
        return self.operator == "share" or self.unit == "%"


@dataclass
class Reading:
    """One year's value of an indicator for a region, or what is missing, with the trace."""

    year: int
    value: Fraction | None
    trace: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _indicator(code: str, raw: dict) -> Indicator:
    def measure(name: str) -> Measure | None:
        if name not in raw:
            return None
        parsed, reason = parse_key(raw[name])
        if parsed is None:
            raise CatalogueError(f"indicators.json {code}.{name}: {reason}")
        return parsed

    if raw.get("operator") not in OPERATORS or not raw.get("label") or not raw.get("source"):
        raise CatalogueError(f"indicators.json {code}: needs a known operator, a label and a source")
    built = Indicator(code, raw["label"], raw["operator"], raw.get("unit", ""), raw["source"], measure("measure"),
                      measure("denominator"), int(raw.get("people", 10000)), Fraction(str(raw.get("gdp_unit", 10))))
    if (built.operator != "official") != (built.measure is not None) or (
            built.operator == "share") != (built.denominator is not None):
        raise CatalogueError(f"indicators.json {code}: measure/denominator do not fit operator {built.operator}")
    return built


@lru_cache(maxsize=None)
def catalogue() -> dict[str, Indicator]:
    """The shipped indicators by code, checked."""
    data = json.loads((DATA / "indicators.json").read_text(encoding="utf-8"))
    return {code: _indicator(code, raw) for code, raw in data["indicators"].items()}


def _fmt(indicator: Indicator, value: Fraction) -> str:
    return show(value * 100) + "%" if indicator.percent and indicator.operator == "share" else show(value)


def reading(indicator: Indicator, region: Any, year: int, options: dict | None = None,
            measure: Measure | None = None) -> Reading:
    """The value of ``indicator`` for ``region`` (a :class:`pool.targets.series.Region`) in ``year``.

    ``options`` may replace ``population`` (the statistic read, e.g. ``population_average``),
    ``gdp_unit`` and ``people`` (target-set readings); ``measure`` replaces a wildcard measure by one
    of its series.
    """
    options = options or {}
    out = Reading(year, None)
    label, unit = indicator.label, indicator.unit
    measure = measure or indicator.measure

    def series(key: Measure) -> tuple[Fraction, str] | None:
        found = region.value(key.key, year)
        if found is None:
            out.missing.append(MISSING.format(year=year, what=key.label + " " + key.key, region=region.name))
        return found

    def statistic(key: str, what: str) -> tuple[Fraction, str] | None:
        found = region.statistic(key, year)
        if found is None:
            out.missing.append(MISSING.format(year=year, what=what, region=region.name))
        elif not found[0]:
            out.missing.append(_ZERO.format(year=year, what=what, region=region.name))
            return None
        return found

    if indicator.operator == "official":
        found = statistic(indicator.code, label)
        if found is not None:
            out.value = found[0]
            out.trace.append(_OFFICIAL.format(year=year, label=label, value=_fmt(indicator, found[0]), unit=unit,
                                              source=found[1]))
        return out
    numerator = series(measure)
    if indicator.operator in ("count", "sum"):
        if numerator is not None:
            out.value = numerator[0]
            out.trace.append(_VALUE.format(year=year, label=label, value=show(out.value), unit=unit,
                                           source=numerator[1]))
        return out
    if indicator.operator == "per_population":
        key = options.get("population", "population")
        base = statistic(key, STATISTICS[key])
        if numerator is None or base is None:
            return out
        people = int(options.get("people", indicator.people))
        scale = Fraction(people, 10000)  # population is in 万人
        out.value = numerator[0] / (base[0] / scale)
        template = _PER_10K if people == 10000 else _PER_PEOPLE
        out.trace.append(template.format(year=year, label=label, count=show(numerator[0]), population=show(base[0]),
                                         scale=show(scale), value=show(out.value), unit=unit))
        return out
    if indicator.operator == "per_gdp":
        base = statistic("gdp", STATISTICS["gdp"])
        if numerator is None or base is None:
            return out
        gdp_unit = Fraction(str(options.get("gdp_unit", indicator.gdp_unit)))
        out.value = numerator[0] / (base[0] / gdp_unit)
        out.trace.append(_PER_GDP.format(year=year, label=label, count=show(numerator[0]), gdp=show(base[0]),
                                         unit_gdp=show(gdp_unit), value=show(out.value), unit=unit))
        return out
    whole = series(indicator.denominator)
    if numerator is None or whole is None:
        return out
    if not whole[0]:
        out.missing.append(_ZERO.format(year=year, what=indicator.denominator.label, region=region.name))
        return out
    out.value = numerator[0] / whole[0]
    out.trace.append(_SHARE.format(year=year, label=label, part=show(numerator[0]), whole=show(whole[0]),
                                   value=_fmt(indicator, out.value)))
    return out


def display(indicator: Indicator, value: Fraction) -> str:
    """A value of ``indicator`` as officers read it (shares in %)."""
    return _fmt(indicator, value)
