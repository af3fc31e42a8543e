"""The formula kinds of an award rule, each written once (POLICIES §2.3 step 3).

:func:`compute` takes a rule's ``formula`` (parameters already resolved), the
fact (or the beneficiary-year aggregate of facts) and returns the gross amount
in exact 万元 with its trace, or raises :class:`Missing` (the fact lacks a field
the formula reads) or :class:`Refused` (the rule cannot be computed from its
text, e.g. a tier table the document does not print — never a guess).

Kinds: ``fixed``; ``per_unit`` × units; ``percent`` of a base; ``min_actual_cap``
= min(actual, cap); ``tier`` lookup with each edge's inclusivity; ``min_tier_actual``
= min(tier, actual); ``interest`` = principal part × reference rate × share ×
min(months, max)/12; ``match`` another award × factor; ``discretionary`` up to a cap.
Any amount, rate or table may be keyed by a fact field (``"by"``).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pool.awards.facts import COST_LABELS
from pool.awards.money import ZERO, wan
from pool.awards.predicates import label_of
from pool.awards.programme import series
from pool.kernel.wording import phrase

_FIXED = phrase("定额 {amount} 万元")
_PER_UNIT = phrase("每件 {amount} 万元 × {units} = {total} 万元")
_PERCENT = phrase("{base_label} {base} 万元 × {rate}% = {total} 万元")
_MIN_CAP = phrase("{base_label} {base} 万元，不超过 {cap} 万元：{total} 万元")
_TIER = phrase("{base_label} {base} 万元 落在档次 {band}：{amount} 万元")
_MIN_TIER = phrase("取档次金额 {tier} 万元与{actual_label} {actual} 万元中较低者：{total} 万元")
_INTEREST = phrase("{principal} 万元 × {series} {rate}%（{published} 公布）× {share}% × {months}/12 = {total} 万元")
_MATCH = phrase("等额配套：{base_label} {base} 万元 × {factor} = {total} 万元")
_DISCRETIONARY = phrase("核定金额 {requested} 万元，上限 {cap} 万元：{total} 万元")
_NO_BAND = phrase("{base_label} {base} 万元不在任何档次内")
_NOT_LISTED = phrase("{label}“{value}”不在本条的金额表中")
_NO_SERIES = phrase("{day} 尚无 {series} 数据")


class Missing(Exception):
    """The fact lacks a field the formula reads; ``args[0]`` is its Chinese label."""


class Refused(Exception):
    """The rule cannot be computed as written; ``args[0]`` is the Chinese reason."""


def band_text(tier: dict) -> str:
    """A tier's band as officers write it: ``300<x≤600``."""
    low = tier.get("from")
    high = tier.get("to")
    left = "" if low is None else f"{low}{'≤' if tier.get('from_inclusive', True) else '<'}"
    right = "" if high is None else f"{'≤' if tier.get('to_inclusive', False) else '<'}{high}"
    return f"{left}x{right}"


def in_band(value: Decimal, tier: dict) -> bool:
    """Whether ``value`` lies in ``tier``: each edge says whether it includes its own number."""
    low, high = tier.get("from"), tier.get("to")
    if low is not None:
        low = Decimal(low)
        if value < low or (value == low and not tier.get("from_inclusive", True)):
            return False
    if high is not None:
        high = Decimal(high)
        if value > high or (value == high and not tier.get("to_inclusive", False)):
            return False
    return True


def _field(fact_values: dict, trigger: str, name: str) -> Any:
    value = fact_values.get(name)
    if value is None:
        raise Missing(label_of(trigger, name))
    return value


def _keyed(formula: dict, key: str, values: dict, trigger: str) -> Any:
    """``formula[key]``, or, where the formula has ``by``, the entry of ``formula[key + 's']`` for the fact's
    value of that field (``true``/``false`` written as JSON keys)."""
    if "by" not in formula:
        return formula[key]
    fields = formula["by"] if isinstance(formula["by"], list) else [formula["by"]]
    names = []
    for name in fields:
        value = values.get(name)
        if value is None:
            raise Missing(label_of(trigger, name))
        names.append(str(value).lower() if isinstance(value, bool) else str(value))
    table = formula[key + "s"]
    if "/".join(names) not in table:
        raise LookupError(_NOT_LISTED.format(label="/".join(label_of(trigger, n) for n in fields),
                                             value="/".join(names)))
    return table["/".join(names)]


def _base(formula: dict, values: dict, trigger: str) -> tuple[Decimal, str]:
    base = formula["base"]
    if base == "costs":
        costs = _field(values, trigger, "costs")
        include = formula.get("include") or list(COST_LABELS)
        return sum((costs.get(k, ZERO) for k in include), ZERO), "、".join(COST_LABELS[k] for k in include)
    return Decimal(_field(values, trigger, base)), label_of(trigger, base)


def _tier(tiers: list, base: Decimal, base_label: str) -> tuple[Decimal, str]:
    for tier in tiers:
        if in_band(base, tier):
            return Decimal(tier["amount"]), band_text(tier)
    raise LookupError(_NO_BAND.format(base_label=base_label, base=wan(base)))


def compute(formula: dict, values: dict, trigger: str, day: date) -> tuple[Decimal, list[str]]:
    """Gross amount (exact 万元) and trace of one formula on one fact's ``values``.

    :raise Missing: a field the formula reads is absent.
    :raise Refused: the formula's data is not in the text (``formula["refusal"]`` says why).
    :raise LookupError: the fact is outside every band or key of the table (a detail for the trace).
    """
    kind = formula["kind"]
    if kind == "fixed":
        amount = Decimal(_keyed(formula, "amount", values, trigger))
        return amount, [_FIXED.format(amount=wan(amount))]
    if kind == "per_unit":
        amount = Decimal(_keyed(formula, "amount", values, trigger))
        units = int(_field(values, trigger, formula["units"])) if "units" in formula else 1
        total = amount * units
        return total, [_PER_UNIT.format(amount=wan(amount), units=units, total=wan(total))]
    if kind == "percent":
        base, base_label = _base(formula, values, trigger)
        rate = Decimal(_keyed(formula, "rate", values, trigger))
        total = base * rate
        return total, [_PERCENT.format(base_label=base_label, base=wan(base), rate=wan(rate * 100), total=wan(total))]
    if kind == "min_actual_cap":
        base, base_label = _base(formula, values, trigger)
        cap = Decimal(formula["cap"])
        total = min(base, cap)
        return total, [_MIN_CAP.format(base_label=base_label, base=wan(base), cap=wan(cap), total=wan(total))]
    if kind in ("tier", "min_tier_actual"):
        if formula.get("tiers") is None:
            raise Refused(formula["refusal"])
        base, base_label = _base(formula, values, trigger)
        amount, band = _tier(formula["tiers"], base, base_label)
        trace = [_TIER.format(base_label=base_label, base=wan(base), band=band, amount=wan(amount))]
        if kind == "tier":
            return amount, trace
        actual = Decimal(_field(values, trigger, formula["actual"]))
        total = min(amount, actual)
        return total, trace + [_MIN_TIER.format(tier=wan(amount), actual_label=label_of(trigger, formula["actual"]),
                                                actual=wan(actual), total=wan(total))]
    if kind == "interest":
        principal = next((values[name] for name in formula["principal"] if values.get(name) is not None), None)
        if principal is None:
            raise Missing(label_of(trigger, formula["principal"][-1]))
        months = min(int(_field(values, trigger, formula["months"])), formula["max_months"])
        ref = series(formula["series"])
        found = ref.at(day)
        if found is None:
            raise Refused(_NO_SERIES.format(day=day, series=ref.label))
        published, rate = found
        share = Decimal(formula["share"])
        total = principal * rate * share * months / 12
        return total, [_INTEREST.format(principal=wan(principal), series=ref.label, rate=wan(rate * 100),
                                        published=published, share=wan(share * 100), months=months, total=wan(total))]
    if kind == "match":
        base, base_label = _base(formula, values, trigger)
        factor = Decimal(formula["factor"])
        total = base * factor
        return total, [_MATCH.format(base_label=base_label, base=wan(base), factor=wan(factor), total=wan(total))]
    if kind == "discretionary":
        requested = Decimal(_field(values, trigger, formula["requested"]))
        cap = Decimal(formula["cap"])
        total = min(requested, cap)
        return total, [_DISCRETIONARY.format(requested=wan(requested), cap=wan(cap), total=wan(total))]
    raise AssertionError(kind)
