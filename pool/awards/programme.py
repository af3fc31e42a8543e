"""Award programmes as dated data, and the reference series they use.

A programme is one policy document's schedule (``pool/data/awards/<code>.json``):
its provenance (city, document number, issue date, seed file), its **parameters**
(each a list of dated values citing its clause; every reading POLICIES.md marks
[R] is one, with its default) and its **rules**, each citing its clause and
excerpt: beneficiary kinds, trigger (a fact type) and ``when`` filter,
predicates, formula, caps with their scope, conflict group, funding lines and
the date that fixes the award year.  The no-double rule's groups are one parameter
(``conflict_groups``: group → rule ids), so a rule never repeats them.  A rule may have several dated versions.
Any value of a rule may be ``{"param": "key"}``: it reads that parameter.

:func:`load` reads and checks a programme once; ``programme.in_force(year)``
gives the rules and parameter values in force on 31 December of ``year``
(a new dated value changes later years and never earlier ones).  Reference
series (the LPR) are dated data with their source: :func:`series`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pool.awards.facts import BENEFICIARY_KINDS, DERIVED_LABELS, FACT_FIELDS, FUNDING_LEVELS
from pool.kernel import dated
from pool.kernel.wording import phrase

DATA = Path(__file__).resolve().parents[1] / "data" / "awards"
FORMULA_KINDS = ("fixed", "per_unit", "percent", "min_actual_cap", "tier", "min_tier_actual", "interest",
                 "match", "discretionary")
CAP_SCOPES = ("item", "beneficiary_year", "institution_year", "one_off_beneficiary", "one_off_subject")
CAP_LABELS = {"item": phrase("单项上限"), "beneficiary_year": phrase("每个受益人年度上限"),
              "institution_year": phrase("每家机构年度上限"), "one_off_beneficiary": phrase("每个受益人一次性"),
              "one_off_subject": phrase("每个对象一次性")}
LEVEL_LABELS = {"national": phrase("中央财政"), "provincial": phrase("省财政"), "city": phrase("市财政"),
                "district": phrase("区财政")}

_UNKNOWN_PROGRAMME = phrase("未找到奖补政策 {code}（可用：{codes}）")
_NOT_IN_FORCE = phrase("奖补政策 {code} 在 {year} 年不适用（适用期 {start} 至 {end}）")


class ProgrammeError(ValueError):
    """A programme file or a reference series breaks its own format (a bug in the data, not in the facts)."""


@dataclass(frozen=True)
class Rule:
    """One award item of a programme, as in force for the year evaluated (parameters resolved)."""

    id: str
    label: str
    clause: str
    excerpt: str
    valid_from: date
    beneficiaries: tuple[str, ...]
    trigger: str
    when: dict
    predicates: tuple[dict, ...]
    formula: dict
    caps: tuple[dict, ...]
    conflict_group: str | None  # from the programme's conflict_groups parameter
    funding: tuple[tuple[str, Decimal], ...]
    aggregate: str | None  # None: one item per fact; "beneficiary_year": one per beneficiary and year
    in_region: bool  # the beneficiary must be in the issuer's area (「本市行政区域内」)
    note: str


@dataclass(frozen=True)
class InForce:
    """A programme's rules and parameter values for one award year."""

    programme: "Programme"
    year: int
    rules: tuple[Rule, ...]
    parameters: dict[str, Any]
    sources: dict[str, str]


@dataclass(frozen=True)
class Programme:
    code: str
    city: str
    title: str
    document: str
    issued: date
    source: str
    start: date
    end: date
    payment_lag: str  # parameter key
    raw_parameters: dict
    raw_rules: tuple[dict, ...]
    not_computable: tuple[dict, ...]
    conflict_groups: dict | None  # {"param": key}: group -> rule ids (the no-double rule), or None

    def in_force(self, year: int) -> InForce:
        """The rules and parameters of ``year`` (values in force on 31 December).

        :raise ProgrammeError: the programme does not apply in ``year`` (Chinese reason).
        """
        day = date(year, 12, 31)
        if day < self.start or date(year, 1, 1) > self.end:
            raise ProgrammeError(_NOT_IN_FORCE.format(code=self.code, year=year, start=self.start, end=self.end))
        values, sources = dated.values_on(self.raw_parameters, day)
        latest: dict[str, dict] = {}
        for raw in self.raw_rules:
            if date.fromisoformat(raw["valid_from"]) <= day and (
                    raw["id"] not in latest or raw["valid_from"] > latest[raw["id"]]["valid_from"]):
                latest[raw["id"]] = raw
        groups = dated.resolve(self.conflict_groups, values) or {}
        member = {rule_id: group for group, ids in groups.items() for rule_id in ids}
        rules = tuple(_rule(dated.resolve(raw, values), member.get(raw["id"])) for raw in latest.values())
        return InForce(self, year, rules, values, sources)


def _rule(raw: dict, conflict_group: str | None) -> Rule:
    return Rule(raw["id"], raw["label"], raw["clause"], raw.get("excerpt", ""), date.fromisoformat(raw["valid_from"]),
                tuple(raw["beneficiaries"]), raw["trigger"], raw.get("when", {}), tuple(raw.get("predicates", ())),
                raw["formula"], tuple(raw.get("caps", ())), conflict_group,
                tuple((line["level"], Decimal(line["share"])) for line in raw["funding"]),
                raw.get("aggregate"), raw.get("in_region", True), raw.get("note", ""))


def _check(data: dict, name: str) -> None:
    """Refuse a programme file whose rules could not be evaluated as written."""
    def fail(what: str) -> None:
        raise ProgrammeError(f"{name}: {what}")

    params = data["parameters"]
    for key, spec in params.items():
        if not spec.get("label") or not spec.get("values"):
            fail(f"parameter {key} has no label or no value")
        for value in spec["values"]:
            date.fromisoformat(value["from"])
            if not value.get("source"):
                fail(f"parameter {key} cites no source")

    def refs(obj: Any) -> None:
        for key in dated.references(obj):
            if key not in params:
                fail(f"unknown parameter {key}")

    for rule in data["rules"]:
        rid = rule.get("id")
        for key in ("label", "clause", "excerpt", "valid_from", "beneficiaries", "trigger", "formula", "funding"):
            if key not in rule:
                fail(f"rule {rid} has no {key}")
        if rule["trigger"] not in FACT_FIELDS:
            fail(f"rule {rid}: unknown trigger {rule['trigger']}")
        if set(rule["beneficiaries"]) - set(BENEFICIARY_KINDS):
            fail(f"rule {rid}: unknown beneficiary kind")
        known = {k.rstrip("*") for k in FACT_FIELDS[rule["trigger"]]} | {"subject"} | set(DERIVED_LABELS)
        if set(rule.get("when", {})) - known:
            fail(f"rule {rid}: 'when' names a field its trigger does not have")
        if rule["formula"].get("kind") not in FORMULA_KINDS:
            fail(f"rule {rid}: unknown formula kind")
        for cap in rule.get("caps", ()):
            if cap.get("scope") not in CAP_SCOPES:
                fail(f"rule {rid}: unknown cap scope")
        levels = [line["level"] for line in rule["funding"]]
        if set(levels) - set(FUNDING_LEVELS) or sum(Decimal(line["share"]) for line in rule["funding"]) != 1:
            fail(f"rule {rid}: funding lines must name known levels and share 1")
        refs(rule)
    if data["payment_lag"]["param"] not in params:
        fail("payment_lag names no parameter")
    refs(data.get("conflict_groups"))
    ids = {rule["id"] for rule in data["rules"]}
    if "conflict_groups" in data:
        for spec in params[data["conflict_groups"]["param"]]["values"]:
            if set().union(*spec["value"].values()) - ids:
                fail("a conflict group names an unknown rule")


@lru_cache(maxsize=None)
def load(code: str) -> Programme:
    """The shipped programme ``code`` (``pool/data/awards/<code>.json``), checked.

    :raise ProgrammeError: no such programme (Chinese reason), or its file is malformed.
    """
    path = DATA / f"{code}.json"
    if code not in codes():
        raise ProgrammeError(_UNKNOWN_PROGRAMME.format(code=code, codes="、".join(codes())))
    data = json.loads(path.read_text(encoding="utf-8"))
    _check(data, path.name)
    return Programme(data["code"], data["city"], data["title"], data["document"], date.fromisoformat(data["issued"]),
                     data["source"], date.fromisoformat(data["in_force"]["from"]),
                     date.fromisoformat(data["in_force"]["to"]), data["payment_lag"]["param"],
                     data["parameters"], tuple(data["rules"]), tuple(data.get("not_computable", ())),
                     data.get("conflict_groups"))


def codes() -> tuple[str, ...]:
    """The codes of the shipped programmes."""
    return tuple(sorted(p.stem for p in DATA.glob("*.json")
                        if p.stem not in ("series", "award-facts.schema")))


@dataclass(frozen=True)
class Series:
    """A dated reference series (e.g. the 1-year LPR): each value holds from its date on."""

    key: str
    label: str
    source: str
    values: tuple[tuple[date, Decimal], ...]

    def at(self, day: date) -> tuple[date, Decimal] | None:
        """The value in force on ``day`` with its publication date, or ``None`` before the first."""
        found = None
        for start, value in self.values:
            if start <= day:
                found = (start, value)
        return found


@lru_cache(maxsize=None)
def series(key: str) -> Series:
    """The shipped reference series ``key`` (``pool/data/awards/series.json``)."""
    data = json.loads((DATA / "series.json").read_text(encoding="utf-8"))
    if key not in data:
        raise ProgrammeError(f"series.json: no series {key}")
    spec = data[key]
    values = tuple(sorted((date.fromisoformat(v["from"]), Decimal(v["value"])) for v in spec["values"]))
    return Series(key, spec["label"], spec["source"], values)
