"""The series contract: regions with their official statistics and measured yearly series.

The contract is ``pool/data/targets/target-series.schema.json`` (JSON Schema
2020-12, built by :mod:`pool.targets.schema`, a test keeps them equal):
``{"regions": [{"code", "name", "level", "parent", "statistics": [...], "series": [...]}]}``.
Regions form a small hierarchy (province › city › county, each naming its
``parent`` by code).  A **statistic** is an official value for a year, with its
source: ``population`` (年末常住人口, 万人), ``population_average`` (年平均常住人口),
``gdp`` (地区生产总值, 亿元) or the code of an ``official`` indicator (e.g. a
province's share of IP-intensive industries).  A **series** is a measure's
yearly values (``{"2021": 7, …}``; counts whole, amounts in 万元), with its source.

:func:`parse` names **every** bad field by its Chinese label and JSON path and
returns typed :class:`Region` records (values as exact ``Fraction``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pool.kernel.wording import phrase
from pool.targets.exact import number
from pool.targets.indicators import STATISTICS, catalogue
from pool.targets.measures import COUNT, parse_key

LEVELS = ("province", "city", "county")
LEVEL_LABELS = {"province": phrase("省"), "city": phrase("市"), "county": phrase("县（市、区）")}
_YEAR = re.compile(r"^[0-9]{4}$")
FIRST_YEAR, LAST_YEAR = 1949, 2100

_BAD = phrase("{where}「{label}」（{path}）：{reason}")
_REASONS = {
    "required": phrase("必填"), "str": phrase("须为非空文本"), "list": phrase("须为列表"), "object": phrase("须为对象"),
    "unknown": phrase("不是约定的字段"), "enum": phrase("须为以下之一：{values}"),
    "code": phrase("须为 6 位数字的行政区划代码"), "year": phrase("须为 1949 至 2100 之间的年度"),
    "year_key": phrase("年度须写作 1949 至 2100 之间的四位数字"),
    "number": phrase("须为不小于 0 的数值（数值或数字文本）"), "int": phrase("须为不小于 0 的整数"),
    "duplicate_region": phrase("与另一地区的代码重复"), "no_parent": phrase("不是本文件中另一地区的代码"),
    "parent_level": phrase("上级地区的级别须高于本地区"),
    "duplicate_statistic": phrase("同一地区同一统计项同一年度重复"), "duplicate_series": phrase("同一地区同一计量重复"),
    "statistic": phrase("不是约定的统计项（{values}，或官方统计指标的代码）"),
}
_LABELS = {"regions": phrase("地区列表"), "region": phrase("地区"), "code": phrase("地区代码"),
           "name": phrase("地区名称"), "level": phrase("地区级别"), "parent": phrase("上级地区代码"),
           "statistics": phrase("官方统计"), "series": phrase("计量序列"), "key": phrase("统计项"),
           "year": phrase("年度"), "value": phrase("数值"), "source": phrase("来源"), "measure": phrase("计量名称"),
           "values": phrase("各年数值")}
_YEAR_VALUE = phrase("{year} 年的数值")
_WHERE_R = phrase("第{n}个地区")
_WHERE_S = phrase("第{n}个地区 第{m}项官方统计")
_WHERE_M = phrase("第{n}个地区 第{m}个计量序列")


class InvalidSeries(ValueError):
    """The document breaks the contract; ``problems`` lists every bad field, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Region:
    code: str
    name: str
    level: str
    parent_code: str | None
    statistics: dict[tuple[str, int], tuple[Fraction, str]] = field(default_factory=dict)
    # measure key -> (year -> value, the series' source, or each year's: reported values cite their own)
    series: dict[str, tuple[dict[int, Fraction], str | dict[int, str]]] = field(default_factory=dict)
    parent: "Region | None" = None

    def statistic(self, key: str, year: int) -> tuple[Fraction, str] | None:
        """An official value and its source, or ``None``."""
        return self.statistics.get((key, year))

    def value(self, measure: str, year: int) -> tuple[Fraction, str] | None:
        """A measure's value for ``year`` and the series' source, or ``None``."""
        found = self.series.get(measure)
        if found is None or year not in found[0]:
            return None
        return found[0][year], found[1] if isinstance(found[1], str) else found[1][year]

    def ancestor(self, level: str) -> "Region | None":
        """The region itself or the nearest above it at ``level``."""
        region: Region | None = self
        while region is not None and region.level != level:
            region = region.parent
        return region


def statistic_keys() -> dict[str, str]:
    """Statistic key -> Chinese label: the fixed ones and every ``official`` indicator."""
    official = {code: ind.label for code, ind in catalogue().items() if ind.operator == "official"}
    return {**STATISTICS, **official}


def _text(obj: Any) -> str | None:
    return obj.strip() if isinstance(obj, str) and obj.strip() else None


def _object(raw: dict, fields: tuple[str, ...], where: str, path: str, bad) -> None:
    for name in raw:
        if name not in fields:
            bad(where, name, f"{path}.{name}", _REASONS["unknown"])


def _statistic(raw: Any, where: str, path: str, bad, region: Region, known: dict[str, str]) -> None:
    if not isinstance(raw, dict):
        bad(where, _LABELS["statistics"], path, _REASONS["object"])
        return
    _object(raw, ("key", "year", "value", "source"), where, path, bad)
    values = {}
    for name in ("key", "year", "value", "source"):
        obj = raw.get(name)
        if name not in raw:
            bad(where, _LABELS[name], f"{path}.{name}", _REASONS["required"])
            continue
        if name == "key":
            ok = obj if isinstance(obj, str) and obj in known else None
            reason = _REASONS["statistic"].format(values="、".join(STATISTICS))
        elif name == "year":
            ok = obj if isinstance(obj, int) and not isinstance(obj, bool) and FIRST_YEAR <= obj <= LAST_YEAR else None
            reason = _REASONS["year"]
        elif name == "value":
            ok, reason = number(obj), _REASONS["number"]
        else:
            ok, reason = _text(obj), _REASONS["str"]
        if ok is None:
            bad(where, _LABELS[name], f"{path}.{name}", reason)
        values[name] = ok
    if None in values.values() or len(values) < 4:
        return
    if (values["key"], values["year"]) in region.statistics:
        bad(where, _LABELS["key"], f"{path}.key", _REASONS["duplicate_statistic"])
    region.statistics[(values["key"], values["year"])] = (values["value"], values["source"])


def _series(raw: Any, where: str, path: str, bad, region: Region) -> None:
    if not isinstance(raw, dict):
        bad(where, _LABELS["series"], path, _REASONS["object"])
        return
    _object(raw, ("measure", "source", "values"), where, path, bad)
    measure, reason = parse_key(raw.get("measure")) if "measure" in raw else (None, _REASONS["required"])
    if measure is None:
        bad(where, _LABELS["measure"], f"{path}.measure", reason)
    source = _text(raw.get("source"))
    if source is None:
        bad(where, _LABELS["source"], f"{path}.source", _REASONS["str" if "source" in raw else "required"])
    values = raw.get("values")
    if not isinstance(values, dict):
        bad(where, _LABELS["values"], f"{path}.values", _REASONS["object" if "values" in raw else "required"])
        return
    years: dict[int, Fraction] = {}
    for key, obj in values.items():
        if not _YEAR.match(str(key)) or not FIRST_YEAR <= int(key) <= LAST_YEAR:
            bad(where, _LABELS["values"], f"{path}.values.{key}", _REASONS["year_key"])
            continue
        whole = measure is None or measure.kind == COUNT
        value = number(obj)
        if value is None or whole and (value.denominator != 1 or isinstance(obj, str) and "." in obj):
            bad(where, _YEAR_VALUE.format(year=key), f"{path}.values.{key}",
                _REASONS["int" if whole else "number"])
            continue
        years[int(key)] = value
    if measure is None or source is None:
        return
    if measure.key in region.series:
        bad(where, _LABELS["measure"], f"{path}.measure", _REASONS["duplicate_series"])
    region.series[measure.key] = (years, source)


def parse(document: Any) -> dict[str, Region]:
    """The regions of a series document by code, linked to their parents.

    :raise InvalidSeries: listing every bad field (label, path and reason), never only the first.
    """
    problems: list[str] = []

    def bad(where: str, label: str, path: str, reason: str) -> None:
        problems.append(_BAD.format(where=where, label=label, path=path, reason=reason))

    if not isinstance(document, dict) or not isinstance(document.get("regions"), list):
        raise InvalidSeries([_BAD.format(where="", label=_LABELS["regions"], path="regions", reason=_REASONS["list"])])
    _object(document, ("regions", "$schema", "note"), "", "$", bad)
    known = statistic_keys()
    regions: dict[str, Region] = {}
    parents: list[tuple[Region, str, str]] = []
    for i, raw in enumerate(document["regions"]):
        where, path = _WHERE_R.format(n=i + 1), f"regions[{i}]"
        if not isinstance(raw, dict):
            bad(where, _LABELS["region"], path, _REASONS["object"])
            continue
        _object(raw, ("code", "name", "level", "parent", "statistics", "series"), where, path, bad)
        code = raw.get("code")
        if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
            bad(where, _LABELS["code"], f"{path}.code", _REASONS["code" if "code" in raw else "required"])
            code = None
        name = _text(raw.get("name"))
        if name is None:
            bad(where, _LABELS["name"], f"{path}.name", _REASONS["str" if "name" in raw else "required"])
        level = raw.get("level")
        if level not in LEVELS:
            bad(where, _LABELS["level"], f"{path}.level", _REASONS["enum"].format(values="、".join(LEVELS)))
        region = Region(code or "", name or "", level, raw.get("parent"))
        if "parent" in raw:
            parents.append((region, where, f"{path}.parent"))
        for name_, fill in (("statistics", _statistic), ("series", _series)):
            items = raw.get(name_, [])
            if not isinstance(items, list):
                bad(where, _LABELS[name_], f"{path}.{name_}", _REASONS["list"])
                continue
            for j, item in enumerate(items):
                inner = (_WHERE_S if name_ == "statistics" else _WHERE_M).format(n=i + 1, m=j + 1)
                args = (known,) if name_ == "statistics" else ()
                fill(item, inner, f"{path}.{name_}[{j}]", bad, region, *args)
        if code is not None:
            if code in regions:
                bad(where, _LABELS["code"], f"{path}.code", _REASONS["duplicate_region"])
            regions[code] = region
    for region, where, path in parents:
        parent = regions.get(region.parent_code) if isinstance(region.parent_code, str) else None
        if parent is None or parent is region:
            bad(where, _LABELS["parent"], path, _REASONS["no_parent"])
        elif region.level in LEVELS and parent.level in LEVELS and (
                LEVELS.index(parent.level) >= LEVELS.index(region.level)):
            bad(where, _LABELS["parent"], path, _REASONS["parent_level"])
        else:
            region.parent = parent
    if problems:
        raise InvalidSeries(problems)
    return regions
