"""SME size class per 《中小企业划型标准规定》(工信部联企业〔2011〕300号).

附件2 第1条 requires "符合《中小企业划型标准规定》的中小企业"; SPEC §2.1 fixes how.
The standard is *data* (``pool/data/sme_size_2011.json``), held by the policy as
the dated parameter ``sme_size_table``: a revised standard is a new dated value
of that parameter, not a code change.  The data carries

* the 16 industry groups of 第四条 with their indicators (从业人员 / 营业收入 /
  资产总额, each group uses one or two of them) and the lower bounds of the
  large, medium and small classes;
* which GB/T 4754-2017 codes belong to which group, by section letter,
  two-digit division, three-digit group or four-digit class, as the statistics
  bureau's 《统计上大中小微型企业划分办法（2017）》 assigns them, plus the codes
  that standard leaves out (铁路运输业, 金融业, 教育, ...).

The rule (划分办法附表说明): large, medium and small must meet *every* lower
bound of their class, otherwise the enterprise drops a class; micro needs only
one indicator below the small bound.  Hence 工业 is an SME when employees < 1000
**or** revenue < 40000 万元.

This module also holds the money formatting shared by every Chinese detail.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from pool.kernel.wording import phrase
from pool.reference.gbt4754 import split_code

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "sme_size_2011.json"

SIZES = ("large", "medium", "small", "micro")
SIZE_LABELS = {"large": phrase("大型企业"), "medium": phrase("中型企业"), "small": phrase("小型企业"),
               "micro": phrase("微型企业")}
# The three indicators of the standard and the applicant fields that carry them.
INDICATOR_FIELDS = {"employees": "employees", "revenue": "operating_revenue", "assets": "total_assets"}
_TIERS = ("large", "medium", "small")

# Wide enough that quantize/normalize are exact for any amount the input accepts.
_WIDE = Context(prec=200)
_CENT = Decimal("0.01")


def format_money(value: Decimal | int) -> str:
    """万元 amount for a detail: two decimals ("520.00"), more when the exact
    value has them ("499.995") — never rounded, so a detail can not read
    "500.00 万元 < 500 万元"."""
    text = str(value)
    dot = text.find(".")
    if dot >= 0 and len(text) - dot == 3 and "E" not in text:
        return text  # already written with two decimals, the usual case
    value = Decimal(value)
    cents = value.quantize(_CENT, context=_WIDE)
    if cents == value:
        return f"{cents:f}"
    return f"{value.normalize(_WIDE):f}"


@functools.lru_cache(maxsize=1024)  # thresholds: few values, formatted often
def format_number(value: Decimal | int) -> str:
    """A threshold as written in the rule: "500", "0.5", never "5E+2"."""
    return f"{Decimal(value).normalize(_WIDE):f}"


@dataclass(frozen=True)
class SizeGroup:
    """One industry group of 第四条: its indicators and class lower bounds."""

    id: str
    name: str
    clause: str
    indicators: tuple[str, ...]
    # For "large", "medium", "small": ((indicator, lower bound), ...).
    bounds: Mapping[str, tuple[tuple[str, Decimal], ...]]
    # The same bounds as detail text, e.g. "从业人员 ≥ 300 人且营业收入 ≥ 2000 万元".
    bound_texts: Mapping[str, str]


@dataclass(frozen=True)
class SizeResult:
    """Outcome of :func:`classify`.

    ``size`` is None when it can not be decided: then ``missing`` names the
    absent applicant fields, or is empty when the industry is outside the
    standard's list (an officer decides by analogy, as the standard says).
    """

    size: str | None
    group: str | None
    detail: str
    missing: list[str] = field(default_factory=list)

    @property
    def is_sme(self) -> bool | None:
        """True for medium/small/micro, False for large, None if undecided."""
        return None if self.size is None else self.size != "large"


class SizeTable:
    """A validated SME size standard (the value of ``sme_size_table``).

    Build it with :meth:`from_json`; :meth:`to_json` gives back the JSON form.
    """

    def __init__(self, raw: dict, groups: dict[str, SizeGroup],
                 prefixes: dict[str, str | None], notes: dict[str, str]):
        self._raw = raw
        self._text = json.dumps(raw)  # to_json's source: every verdict recorded copies the table
        self.groups = MappingProxyType(groups)
        self._prefixes = prefixes  # code prefix -> group id, None = not covered
        self._notes = notes  # code prefix (not covered) -> why
        self._by_code: dict[str, tuple[SizeGroup | None, str]] = {}
        self.name = raw["name"]
        self.document = raw.get("document", "")

    @classmethod
    def from_json(cls, obj: Any) -> "SizeTable":
        """Validate a JSON table (shape of ``sme_size_2011.json``).

        :raise ValueError: (Chinese message) naming what is wrong.
        """
        if isinstance(obj, SizeTable):
            return obj
        if not isinstance(obj, Mapping):
            raise ValueError("中小企业划型标准须为 JSON 对象")
        raw = json.loads(json.dumps(obj, default=_json_default))  # deep, detached copy
        for key in ("name", "groups"):
            if key not in raw:
                raise ValueError(f"中小企业划型标准缺少 {key}")
        groups = {}
        prefixes: dict[str, str | None] = {}
        notes: dict[str, str] = {}
        for item in raw["groups"]:
            group = _group_from_json(item)
            if group.id in groups:
                raise ValueError(f"行业组 {group.id} 重复")
            groups[group.id] = group
            _add_scope(prefixes, item.get("scope", []), group.id)
        for item in raw.get("not_covered", []):
            _add_scope(prefixes, item.get("scope", []), None)
            for prefix in item.get("scope", []):
                notes[prefix] = item.get("note", "")
        return cls(raw, groups, prefixes, notes)

    def to_json(self) -> dict:
        """The JSON form (a fresh copy)."""
        return json.loads(self._text)

    def group_for(self, industry_code: str) -> tuple[SizeGroup | None, str]:
        """The group of a class code ("C3562" or "3562") and, when there is none,
        why.  The most specific rule wins: class, group, division, section.

        :raise ValueError: if the code is malformed.
        """
        found = self._by_code.get(industry_code)
        if found is None:
            found = self._by_code[industry_code] = self._find_group(industry_code)
        return found

    def _find_group(self, industry_code: str) -> tuple[SizeGroup | None, str]:
        section, digits = split_code(industry_code)
        for prefix in (digits, digits[:3], digits[:2], section):
            if prefix in self._prefixes:
                group_id = self._prefixes[prefix]
                if group_id is None:
                    return None, self._notes.get(prefix, "")
                return self.groups[group_id], ""
        return None, _NO_GROUP

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SizeTable) and self._raw == other._raw

    def __hash__(self) -> int:
        return hash(json.dumps(self._raw, sort_keys=True))

    def __repr__(self) -> str:
        return f"SizeTable({self.name!r}, {len(self.groups)} groups)"


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    raise TypeError(f"不能转为 JSON 的值：{value!r}")


def _bound(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"{where} 须为非负数")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{where} 须为非负数") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{where} 须为非负数")
    return number


def _group_from_json(item: Mapping) -> SizeGroup:
    try:
        gid, name, indicators = item["id"], item["name"], tuple(item["indicators"])
    except (KeyError, TypeError):
        raise ValueError("行业组须有 id、name、indicators") from None
    if not indicators or any(i not in INDICATOR_FIELDS for i in indicators):
        raise ValueError(f"行业组 {gid} 的指标须取自 {', '.join(INDICATOR_FIELDS)}")
    bounds = {}
    for tier in _TIERS:
        given = item.get(tier)
        if not isinstance(given, Mapping) or set(given) != set(indicators):
            raise ValueError(f"行业组 {gid} 的 {tier} 标准须恰好给出指标 {', '.join(indicators)}")
        bounds[tier] = tuple((i, _bound(given[i], f"行业组 {gid} 的 {tier}.{i}")) for i in indicators)
    for upper, lower in zip(_TIERS, _TIERS[1:]):
        # A higher class must not have a lower bound below the next class's.
        if any(u < l for (_, u), (_, l) in zip(bounds[upper], bounds[lower])):
            raise ValueError(f"行业组 {gid} 的 {upper} 下限不得低于 {lower} 下限")
    texts = {tier: _describe_bounds(bounds[tier]) for tier in _TIERS}
    return SizeGroup(gid, name, item.get("clause", ""), indicators, MappingProxyType(bounds),
                     MappingProxyType(texts))


def _add_scope(prefixes: dict, scope: Any, group_id: str | None) -> None:
    if not isinstance(scope, list):
        raise ValueError("scope 须为代码列表")
    for prefix in scope:
        valid = isinstance(prefix, str) and (
            (len(prefix) == 1 and "A" <= prefix <= "T")
            or (2 <= len(prefix) <= 4 and prefix.isascii() and prefix.isdigit())
        )
        if not valid:
            raise ValueError(f"行业范围 {prefix!r} 须为门类字母或 2-4 位行业代码")
        if prefix in prefixes:
            raise ValueError(f"行业范围 {prefix} 重复出现")
        prefixes[prefix] = group_id


_NO_GROUP = phrase("该行业代码未对应到划型标准所列的任何行业")
# An indicator as a detail writes it, e.g. "从业人员 120 人", and its lower bound "从业人员 ≥ 300 人".
_INDICATOR = {"employees": phrase("从业人员 {value} 人"), "revenue": phrase("营业收入 {value} 万元"),
              "assets": phrase("资产总额 {value} 万元")}
_BOUND = {"employees": phrase("从业人员 ≥ {value} 人"), "revenue": phrase("营业收入 ≥ {value} 万元"),
          "assets": phrase("资产总额 ≥ {value} 万元")}
_BOTH_BOUNDS = phrase("{first}且{second}")
_LABELS = {"employees": phrase("从业人员"), "revenue": phrase("营业收入"), "assets": phrase("资产总额")}
_NO_CODE = phrase("缺少行业代码（industry_code），无法按行业划型")
_OUTSIDE = phrase("行业代码 {code} 不在《{table!s}》所列行业范围内（{why!s}），按规定参照划型，需人工判断")
_LACKING = phrase("按{group}标准划型，缺少{names}")
_NAMED_FIELD = phrase("{label}（{path}）")
_LARGE = phrase("{group}（{facts}）：达到大型企业标准（{large}），不属于中小企业")
_MICRO = phrase("{group}（{facts}）：微型企业（未达到小型企业标准 {small}）")
_SIZED = phrase("{group}（{facts}）：{size}（标准 {bound}；大型企业须 {large}）")


def _describe(indicator: str, value: Any) -> str:
    shown = str(value) if indicator == "employees" else format_money(value)
    return _INDICATOR[indicator].format(value=shown)


def _describe_bounds(bounds: tuple[tuple[str, Decimal], ...]) -> str:
    parts = [_BOUND[indicator].format(value=format_number(bound)) for indicator, bound in bounds]
    return parts[0] if len(parts) == 1 else _BOTH_BOUNDS.format(first=parts[0], second="且".join(parts[1:]))


def classify(industry_code: str | None, employees: int | None, revenue: Decimal | None,
             assets: Decimal | None, table: SizeTable | Mapping) -> SizeResult:
    """Size class of an enterprise under ``table`` (a :class:`SizeTable` or its JSON).

    Only the indicators of the enterprise's industry group are needed; an absent
    one makes the size undecidable (``missing`` names it by applicant field).

    :raise ValueError: if ``industry_code`` is malformed.
    """
    if not isinstance(table, SizeTable):
        table = SizeTable.from_json(table)
    if industry_code is None:
        return SizeResult(None, None, _NO_CODE, ["industry_code"])
    group, why = table.group_for(industry_code)
    if group is None:
        return SizeResult(None, None, _OUTSIDE.format(code=industry_code, table=table.name, why=why), [])
    values = {"employees": employees, "revenue": revenue, "assets": assets}
    missing = [i for i in group.indicators if values[i] is None]
    if missing:
        names = "、".join(_NAMED_FIELD.format(label=_LABELS[i], path=INDICATOR_FIELDS[i]) for i in missing)
        return SizeResult(None, group.name, _LACKING.format(group=group.name, names=names),
                          [INDICATOR_FIELDS[i] for i in missing])
    facts = "，".join([_describe(i, values[i]) for i in group.indicators])
    size = _size(group, values)
    return SizeResult(size, group.name, _size_detail(group, facts, size), [])


def _size(group: SizeGroup, values: Mapping[str, Any]) -> str:
    """The highest class whose every lower bound is met; micro otherwise."""
    for tier in _TIERS:
        for indicator, bound in group.bounds[tier]:
            if values[indicator] < bound:
                break
        else:
            return tier
    return "micro"


def _size_detail(group: SizeGroup, facts: str, size: str) -> str:
    texts = group.bound_texts
    if size == "large":
        return _LARGE.format(group=group.name, facts=facts, large=texts["large"])
    if size == "micro":
        return _MICRO.format(group=group.name, facts=facts, small=texts["small"])
    return _SIZED.format(group=group.name, facts=facts, size=SIZE_LABELS[size], bound=texts[size],
                         large=texts["large"])


def load_default_table() -> SizeTable:
    """The shipped 2011 standard."""
    with DATA_FILE.open(encoding="utf-8") as fh:
        return SizeTable.from_json(json.load(fh))


DEFAULT_TABLE = load_default_table()
