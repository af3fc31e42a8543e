"""Target sets as dated data: one programme's targets for its region, with their readings.

A target set is ``pool/data/targets/<code>.json``: the programme's provenance
(city, document number, issue date, seed file), its ``region`` (the issuer's
code), its **parameters** (each a list of dated values citing its source; every
reading POLICIES.md marks [R] is one, flagged ``reading``, with its default),
its **targets**, each citing its clause and excerpt — indicator, ``test``,
comparator, window, base year, growth reading — its **tracked** indicators
(shown with their series, no verdict: the assessment indicators without a
threshold) and what it does **not evaluate**, with the reason.

Tests: ``level`` (the value of the last year of the window), ``cumulative``
(the sum over the window), ``each_year`` (every year of the window),
``growth_each_year`` (every year against the one before), ``growth_average``
(from the base year to the last year: CAGR, or the mean of the yearly rates as
the alternative reading), ``benchmark`` (against the same official statistic of
an ancestor region, e.g. the provincial average).  Comparators carry their
strictness: ``>`` (超过), ``>=`` (以上, 达到), ``<=``, ``<`` and ``range``
(8—10: met at its lower bound, [R]).  Any value may be ``{"param": key}``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import Any

from pool.kernel import dated
from pool.kernel.wording import phrase
from pool.targets.indicators import DATA, Indicator, catalogue

TESTS = ("level", "cumulative", "each_year", "growth_each_year", "growth_average", "benchmark")
OPS = (">", ">=", "<", "<=", "range")
GROWTH_READINGS = ("cagr", "mean")
RANGE_READINGS = ("lower_bound", "within")
_NOT_TARGET_FILES = ("indicators", "target-series.schema", "record-measures")

_UNKNOWN = phrase("未找到目标集 {code}（可用：{codes}）")
_NO_REGION = phrase("目标集 {code} 没有地区 {region} 的目标（有：{regions}）")


class TargetSetError(ValueError):
    """An unknown target set or region (Chinese reason), or a target file that breaks its own format."""


@dataclass(frozen=True)
class Comparator:
    op: str
    value: Fraction
    upper: Fraction | None = None
    words: str = ""
    reading: str = "lower_bound"  # for ranges

    def holds(self, x: Fraction, against: Fraction | None = None) -> bool:
        """Whether ``x`` satisfies the comparator (against ``against`` instead of ``value`` if given)."""
        bound = self.value if against is None else against
        if self.op == ">":
            return x > bound
        if self.op == ">=":
            return x >= bound
        if self.op == "<":
            return x < bound
        if self.op == "<=":
            return x <= bound
        if self.reading == "within" and self.upper is not None:
            return bound <= x <= self.upper
        return x >= bound

    @property
    def symbol(self) -> str:
        return {">": ">", ">=": "≥", "<": "<", "<=": "≤", "range": "≥"}[self.op]

    @property
    def upward(self) -> bool:
        """True when a larger value never hurts (>, ≥, a range read at its lower bound)."""
        return self.op in (">", ">=") or self.op == "range" and self.reading == "lower_bound"


@dataclass(frozen=True)
class Target:
    id: str
    label: str
    clause: str
    excerpt: str
    indicator: Indicator
    test: str
    comparator: Comparator | None  # None: tracked, no verdict
    start: int
    end: int
    base_year: int | None
    growth_reading: str
    benchmark_level: str | None
    options: dict
    parameters: tuple[str, ...] = ()  # the dated parameters it reads ({"param": KEY}), in document order


@dataclass(frozen=True)
class InForce:
    target_set: "TargetSet"
    as_of: date
    targets: tuple[Target, ...]
    tracked: tuple[Target, ...]
    parameters: dict[str, Any]
    sources: dict[str, str]


@dataclass(frozen=True)
class TargetSet:
    code: str
    city: str
    title: str
    document: str
    issued: date
    source: str
    regions: tuple[str, ...]
    raw_parameters: dict
    raw_targets: tuple[dict, ...]
    raw_tracked: tuple[dict, ...]
    not_evaluated: tuple[dict, ...]

    def in_force(self, as_of: date, region: str) -> InForce:
        """The targets of ``region`` with the parameter values in force on ``as_of``.

        :raise TargetSetError: the set has no targets for ``region`` (Chinese reason).
        """
        if region not in self.regions:
            raise TargetSetError(_NO_REGION.format(code=self.code, region=region, regions="、".join(self.regions)))
        values, sources = dated.values_on(self.raw_parameters, as_of)
        mine = [t for t in self.raw_targets if t.get("region", self.regions[0]) == region]
        tracked = [t for t in self.raw_tracked if t.get("region", self.regions[0]) == region]
        return InForce(self, as_of, tuple(_target(t, values) for t in mine),
                       tuple(_target(t, values) for t in tracked), values, sources)


def _target(written: dict, values: dict) -> Target:
    """The target as written, with the parameter ``values`` in force put in."""
    raw = dated.resolve(written, values)
    comparator = None
    if "comparator" in raw:
        spec = raw["comparator"]
        comparator = Comparator(spec["op"], Fraction(str(spec["value"])),
                                Fraction(str(spec["upper"])) if "upper" in spec else None, spec.get("words", ""),
                                spec.get("reading", "lower_bound"))
    window = raw["window"]
    return Target(raw.get("id") or raw["indicator"], raw.get("label") or catalogue()[raw["indicator"]].label,
                  raw["clause"], raw.get("excerpt", ""), catalogue()[raw["indicator"]], raw.get("test", "level"),
                  comparator, int(window["from"]), int(window["to"]),
                  int(raw["base_year"]) if raw.get("base_year") is not None else None,
                  raw.get("reading", "cagr"), raw.get("benchmark"), raw.get("options", {}),
                  tuple(dict.fromkeys(dated.references(written))))


def _check(data: dict, name: str) -> None:
    """Refuse a target file whose targets could not be evaluated as written."""
    def fail(what: str) -> None:
        raise TargetSetError(f"{name}: {what}")

    params = data["parameters"]
    for key, spec in params.items():
        if not spec.get("label") or not spec.get("values"):
            fail(f"parameter {key} has no label or no value")
        for value in spec["values"]:
            date.fromisoformat(value["from"])
            if not value.get("source"):
                fail(f"parameter {key} cites no source")
            if spec.get("reading") and "[R]" not in value["source"]:
                fail(f"parameter {key} is a reading but its source has no [R]")

    def check_refs(obj: Any) -> None:
        for key in dated.references(obj):
            if key not in params:
                fail(f"unknown parameter {key}")

    defaults = {key: spec["values"][0]["value"] for key, spec in params.items()}
    for raw in data["targets"] + data.get("tracked", []):
        tid = raw.get("id", raw.get("indicator"))
        check_refs(raw)
        if raw.get("indicator") not in catalogue():
            fail(f"target {tid}: unknown indicator {raw.get('indicator')}")
        if not raw.get("clause"):
            fail(f"target {tid} cites no clause")
        resolved = dated.resolve(raw, defaults)
        if resolved.get("test", "level") not in TESTS:
            fail(f"target {tid}: unknown test")
        if resolved.get("test", "").startswith("growth") and resolved.get("base_year") is None:
            fail(f"target {tid}: a growth test needs a base year")
        if resolved.get("reading", "cagr") not in GROWTH_READINGS:
            fail(f"target {tid}: unknown growth reading")
        spec = resolved.get("comparator")
        if spec is not None and (spec.get("op") not in OPS or spec.get("reading", "lower_bound") not in RANGE_READINGS
                                 or (spec["op"] == "range") != ("upper" in spec)):
            fail(f"target {tid}: bad comparator")
    for raw in data["targets"]:
        if "comparator" not in raw or not raw.get("excerpt") or not raw.get("id"):
            fail(f"target {raw.get('id')} needs an id, an excerpt and a comparator")


@lru_cache(maxsize=None)
def load(code: str) -> TargetSet:
    """The shipped target set ``code`` (``pool/data/targets/<code>.json``), checked.

    :raise TargetSetError: no such target set (Chinese reason), or its file is malformed.
    """
    if code not in codes():
        raise TargetSetError(_UNKNOWN.format(code=code, codes="、".join(codes())))
    path = DATA / f"{code}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    _check(data, path.name)
    regions = tuple(dict.fromkeys([data["region"]] + [t["region"] for t in data["targets"] if "region" in t]))
    return TargetSet(data["code"], data["city"], data["title"], data["document"], date.fromisoformat(data["issued"]),
                     data["source"], regions, data["parameters"], tuple(data["targets"]),
                     tuple(data.get("tracked", ())), tuple(data.get("not_evaluated", ())))


def codes() -> tuple[str, ...]:
    """The codes of the shipped target sets."""
    return tuple(sorted(p.stem for p in DATA.glob("*.json") if p.stem not in _NOT_TARGET_FILES))
