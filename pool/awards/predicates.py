"""The conditions of a rule, as data: each predicate kind once.

A rule's ``predicates`` is a list of dicts with a ``test`` kind; :func:`check`
returns one :class:`Verdict` per predicate — ``pass``, ``fail``, ``review``
(a judgement the text leaves to an officer, such as 「管理规范、资料完备」) or
``missing`` (the fact lacks a field the test reads) — with a Chinese detail
that quotes the numbers.  Comparison words follow POLICIES §0: the data says
``>=`` for 以上/达到 and ``>`` for 超过.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pool.awards.facts import DERIVED_LABELS, FACT_FIELDS, Beneficiary, Fact
from pool.kernel.wording import phrase

_OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
        "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
_OP_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}

_COMPARE = phrase("{label}：{value} {op} {target}")
_ANNIVERSARY_AT_LEAST = phrase("{label}：{start} 起满 {years} 年为 {due}，{day} {verdict}")
_WITHIN = phrase("{label}：{start} 起 {years} 年内（至 {due}），{day} {verdict}")
_ABSENT = phrase("{label}：无")
_AWARD_YEAR = phrase("{label}：{value} 年，须为 {target} 年")
_NEW = phrase("新认定：首次获得该级别的该项资格")
_RENEWAL = phrase("重新认定：此前已获得同类资格（{basis}）")
_JUDGEMENT = phrase("须经审核认定：{label}")
_COMMON_LABELS = (phrase("发生日期"), phrase("对象（专利号、贷款合同号、案号等）"))
_YES, _NO = phrase("符合"), phrase("不符合")


@dataclass(frozen=True)
class Verdict:
    status: str  # pass | fail | review | missing
    detail: str


def label_of(trigger: str, name: str) -> str:
    """A fact field's Chinese label."""
    spec = FACT_FIELDS.get(trigger, {})
    for key, (_kind, label) in spec.items():
        if key.rstrip("*") == name:
            return label
    return DERIVED_LABELS.get(name) or {"date": _COMMON_LABELS[0], "subject": _COMMON_LABELS[1]}.get(name, name)


def _value(fact: Fact, name: str) -> Any:
    if name == "date":
        return fact.date
    if name == "subject":
        return fact.subject
    return fact.get(name)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_one(test: dict, fact: Fact, beneficiary: Beneficiary, year: int) -> Verdict:
    kind = test["test"]
    label = test.get("label") or label_of(fact.type, test.get("field", ""))
    if kind == "judgement":
        return Verdict("review", _JUDGEMENT.format(label=test["label"]))
    if kind == "new":
        if fact.get("renewal"):
            return Verdict("fail", _RENEWAL.format(basis=fact.get("renewal_basis") or label_of(fact.type, "renewal")))
        return Verdict("pass", _NEW)
    if kind == "compare":
        value = _value(fact, test["field"])
        if value is None:
            if "default" not in test:
                return Verdict("missing", label)
            value = test["default"]
        target = test["value"]
        if isinstance(value, Decimal):
            target = Decimal(str(target))
        ok = _OPS[test["op"]](value, target)
        shown = {True: "是", False: "否"}.get(value, value) if isinstance(value, bool) else value
        shown_target = {True: "是", False: "否"}.get(target, target) if isinstance(target, bool) else target
        return Verdict("pass" if ok else "fail",
                       _COMPARE.format(label=label, value=shown, op=_OP_WORDS[test["op"]], target=shown_target))
    if kind == "anniversary":
        start, day = _value(fact, test["from"]), _value(fact, test["to"])
        if day is None and test.get("absent") == "fail":
            return Verdict("fail", _ABSENT.format(label=label_of(fact.type, test["to"])))
        if start is None or day is None:
            return Verdict("missing", label_of(fact.type, test["from"] if start is None else test["to"]))
        due = add_years(start, test["years"])
        if test["op"] == "at_least":
            ok = day >= due
            text = _ANNIVERSARY_AT_LEAST
        else:
            ok = start <= day <= due
            text = _WITHIN
        return Verdict("pass" if ok else "fail", text.format(label=label, start=start, years=test["years"], due=due,
                                                             day=day, verdict=_YES if ok else _NO))
    if kind == "award_year":
        value = _value(fact, test["field"])
        if value is None:
            return Verdict("missing", label)
        target = year + test.get("offset", 0)
        return Verdict("pass" if value == target else "fail",
                       _AWARD_YEAR.format(label=label, value=value, target=target))
    if kind == "calendar_year_of":
        value = _value(fact, test["field"])
        if value is None:
            return Verdict("missing", label)
        ordinal = year - value.year + 1  # the registration year is the 1st
        ok = 1 <= ordinal <= test["first_years"]
        return Verdict("pass" if ok else "fail",
                       _COMPARE.format(label=label, value=f"第{ordinal}年", op="≤", target=f"第{test['first_years']}年"))
    raise AssertionError(kind)


def check(tests: tuple[dict, ...], fact: Fact, beneficiary: Beneficiary, year: int) -> list[Verdict]:
    """Every predicate's verdict, in the rule's order."""
    return [check_one(test, fact, beneficiary, year) for test in tests]
