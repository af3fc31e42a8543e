"""The applicant facts a configured evaluator may read, by name, with their kind and label.

Names are the applicant contract's (``rd_expense``, ``ip_management.rules`` …),
a few counts derived from its lists (``valid_patents`` …), and a pool's
supplementary facts ``facts.NAME`` (declared in the pool file with a kind and
a label).  A list the contract leaves out counts as empty (SPEC §2); a number
or yes/no fact left out reads as ``None`` and makes the evaluator ``missing``.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Mapping

from pool.eligibility.applicant import Applicant
from pool.eligibility.contract import FIELD_LABELS
from pool.kernel.wording import phrase

FACT_KINDS = ("number", "bool", "code", "document")
_Getter = Callable[[Applicant, date], Any]


def _attr(name: str) -> _Getter:
    return lambda a, _as_of: getattr(a, name)


def _part(group: str, name: str) -> _Getter:
    return lambda a, _as_of: getattr(getattr(a, group), name)


_FIELDS: dict[str, tuple[str, _Getter]] = {
    **{name: ("number", _attr(name)) for name in ("employees", "operating_revenue", "total_assets",
                                                   "rd_expense", "rd_staff")},
    **{name: ("bool", _attr(name)) for name in ("independent_legal_person", "has_rd_leader")},
    "industry_code": ("code", _attr("industry_code")),
    "county": ("code", _attr("county")),
    "region_code": ("code", lambda a, _as_of: a.region_code),
    **{f"ip_management.{n}": ("bool", _part("ip_management", n))
       for n in ("rules", "department", "staff", "budget", "certified_gbt29490")},
    **{f"integrity.{n}": ("bool", _part("integrity", n))
       for n in ("abnormal_patent_applications", "major_accident", "violation", "serious_dishonesty")},
    "valid_patents": ("number", lambda a, _as_of: sum(p.status == "valid" for p in a.patents)),
    "valid_invention_patents": ("number", lambda a, _as_of: sum(p.status == "valid" and p.kind == "invention"
                                                                 for p in a.patents)),
    "owned_trademarks_in_force": ("number", lambda a, as_of: sum(
        t.owned and (t.valid_to is None or t.valid_to >= as_of) for t in a.trademarks)),
}
_DERIVED_LABELS = {
    "region_code": phrase("登记地行政区划代码"), "valid_patents": phrase("有效专利件数"),
    "valid_invention_patents": phrase("有效发明专利件数"), "owned_trademarks_in_force": phrase("有效自主商标件数"),
}


def kind_of(path: str, fact_kinds: Mapping[str, str]) -> str | None:
    """The kind of field ``path`` (``number``, ``bool``, ``code``, ``document``), or None if unknown."""
    if path.startswith("facts."):
        return fact_kinds.get(path[len("facts."):])
    known = _FIELDS.get(path)
    return known[0] if known else None


def field_values(applicant: Applicant, as_of: date) -> dict[str, Any]:
    """Every named field's value for ``applicant`` on ``as_of`` (:func:`known_fields`; ``None``: not given)."""
    return {name: getter(applicant, as_of) for name, (_kind, getter) in _FIELDS.items()}


def read_field(path: str, ctx) -> Any:
    """The value of ``path`` in the context (its applicant's :class:`~pool.pools.inputs.Inputs`, or the
    supplementary facts for ``facts.NAME``; ``None``: not given)."""
    if path.startswith("facts."):
        return ctx.facts.get(path[len("facts."):])
    return ctx.applicant.fields[path]


def field_label(path: str, fact_labels: Mapping[str, str]) -> str:
    """The field's Chinese name: the contract's label, a derived count's, or the pool's for a fact."""
    if path.startswith("facts."):
        return fact_labels.get(path[len("facts."):], path)
    return _DERIVED_LABELS.get(path) or FIELD_LABELS.get(path.rsplit(".", 1)[-1], path)


def known_fields() -> tuple[str, ...]:
    return _KNOWN


_KNOWN = tuple(_FIELDS)


_UNKNOWN_FACT = phrase("该培育库未声明补充事实 {name}（已声明：{names}）")
_FACT_WRONG_TYPE = phrase("补充事实 {name} 须为{kind}")
_KIND_WORDS = {"number": phrase("非负数值"), "bool": phrase("true 或 false"), "code": phrase("文本编号"),
               "document": phrase("材料名称文本")}


def fact_problems(declared: Mapping[str, str], facts: Any) -> list[tuple[str, str]]:
    """``(name, message)`` for each supplied fact the pool does not declare or of the wrong
    type (``declared``: name → kind).  Numbers must be exact (``int`` or ``Decimal``)."""
    from decimal import Decimal

    if not isinstance(facts, Mapping):
        return [("(root)", _FACT_WRONG_TYPE.format(name="(root)", kind="{…}"))]
    problems = []
    for name, value in facts.items():
        kind = declared.get(name)
        if kind is None:
            problems.append((name, _UNKNOWN_FACT.format(name=name, names="、".join(declared))))
            continue
        ok = value is None or {
            "number": lambda v: type(v) in (int, Decimal) and v >= 0,
            "bool": lambda v: type(v) is bool,
            "code": lambda v: type(v) is str and v.strip() != "",
            "document": lambda v: type(v) is str,
        }[kind](value)
        if not ok:
            problems.append((name, _FACT_WRONG_TYPE.format(name=name, kind=_KIND_WORDS[kind])))
    return problems


_BAD_FACT_KIND = phrase("事实 {name} 的类型 {kind} 无效（可用：{kinds}）")


def declared_facts(raw: Any, problems: list[str]) -> dict[str, tuple[str, str]]:
    """The declared supplementary facts: name → (kind, label)."""
    facts = {}
    for i, fact in enumerate(raw):
        fact = fact if isinstance(fact, Mapping) else {}
        name, kind = fact.get("name"), fact.get("kind")
        if not isinstance(name, str) or kind not in FACT_KINDS:
            problems.append(f"facts[{i}]: " + _BAD_FACT_KIND.format(name=name, kind=kind, kinds="、".join(FACT_KINDS)))
            continue
        facts[name] = (kind, fact.get("label", ""))
    return facts
