"""Evaluate one programme's award year for many beneficiaries: items with amounts and trace.

:func:`evaluate` is deterministic and writes nothing: the same facts, programme
and year give the same result.  Per beneficiary, each rule in force whose
trigger matches a fact of the award year (the fact's ``date`` is the basis date:
the approval document's issue date for 袁州 [T], grant, payment, decision or
disbursement dates elsewhere [R]) gives an item: its predicates decide the
status, its formula the gross amount (capped per item), then
:mod:`pool.awards.caps` applies the no-double rule and the aggregate caps; the
amount is split into funding lines and only the payable amounts are rounded.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from pool.awards import caps, formulas, predicates
from pool.awards.facts import Beneficiary, Fact
from pool.awards.money import ZERO, payable, split, wan
from pool.awards.programme import CAP_LABELS, LEVEL_LABELS, InForce, Programme, Rule, load
from pool.awards.results import (INELIGIBLE, MISSING, PAYABLE, REFUSED, REVIEW, BeneficiaryResult,
                                 Evaluation, Item)
from pool.kernel.wording import phrase

_RULE = phrase("{rule}（{clause}）：{label}")
_OUT_OF_AREA = phrase("受益人不在本行政区域内")
_MISSING = phrase("缺少数据：{fields}")
_ITEM_CAP = phrase("{scope} {cap} 万元：{before} → {after} 万元")
_AGGREGATE = phrase("{year} 年合计 {count} 笔")
_LINE = phrase("{level} {share}%：{amount} 万元")
_PAYMENT = phrase("{award_year} 年度奖补，{payment_year} 年兑现")


def _matches(rule: Rule, fact: Fact, year: int) -> bool:
    if fact.type != rule.trigger or fact.date.year != year:
        return False
    for name, wanted in rule.when.items():
        value = fact.subject if name == "subject" else fact.get(name)
        if isinstance(wanted, list) and value not in wanted or not isinstance(wanted, list) and value != wanted:
            return False
    return True


def _aggregate(rule: Rule, facts: list[Fact], year: int) -> Fact:
    """The beneficiary's facts of the year as one: money fields summed, the latest date."""
    values: dict = {}
    for fact in facts:
        for name, value in fact.values.items():
            if isinstance(value, Decimal):
                values[name] = values.get(name, ZERO) + value
            else:
                values.setdefault(name, value)
    return Fact("+".join(f.id for f in facts), rule.trigger, max(f.date for f in facts), f"{year}", values)


def _item(rule: Rule, beneficiary: Beneficiary, fact: Fact, facts: tuple[str, ...], year: int, lag: int) -> Item:
    item = Item(rule, beneficiary.id, beneficiary.kind, fact.subject, facts, fact.date, PAYABLE,
                award_year=year, payment_year=year + lag)
    item.trace.append(_RULE.format(rule=rule.id, clause=rule.clause, label=rule.label))
    if len(facts) > 1:
        item.trace.append(_AGGREGATE.format(year=year, count=len(facts)))
    if rule.in_region and not beneficiary.in_region:
        item.status = INELIGIBLE
        item.trace.append(_OUT_OF_AREA)
        return item
    verdicts = predicates.check(rule.predicates, fact, beneficiary, year)
    missing = [v.detail for v in verdicts if v.status == "missing"]
    item.trace.extend(v.detail for v in verdicts if v.status != "missing")
    if missing:
        item.status = MISSING
        item.trace.append(_MISSING.format(fields="、".join(missing)))
        return item
    if any(v.status == "fail" for v in verdicts):
        item.status = INELIGIBLE
        return item
    if any(v.status == "review" for v in verdicts):
        item.status = REVIEW
    try:
        gross, trace = formulas.compute(rule.formula, fact.values, rule.trigger, fact.date)
    except formulas.Missing as exc:
        item.status = MISSING
        item.trace.append(_MISSING.format(fields=exc.args[0]))
        return item
    except formulas.Refused as exc:
        item.status = REFUSED
        item.trace.append(exc.args[0])
        return item
    except LookupError as exc:
        item.status = INELIGIBLE
        item.trace.append(str(exc.args[0]))
        return item
    item.trace.extend(trace)
    item.gross = item.amount = gross
    for cap in rule.caps:
        if cap["scope"] == "item":
            limit = Decimal(cap["amount"])
            if gross > limit:
                item.cut(limit, _ITEM_CAP.format(scope=CAP_LABELS["item"], cap=wan(limit), before=wan(gross),
                                                 after=wan(limit)))
    return item


def _items(in_force: InForce, beneficiary: Beneficiary, lag: int) -> list[Item]:
    year, items = in_force.year, []
    for rule in in_force.rules:
        if beneficiary.kind not in rule.beneficiaries:
            continue
        matched = [fact for fact in beneficiary.facts if _matches(rule, fact, year)]
        if not matched:
            continue
        if rule.aggregate == "beneficiary_year":
            total = _aggregate(rule, matched, year)
            items.append(_item(rule, beneficiary, total, tuple(f.id for f in matched), year, lag))
        else:
            items.extend(_item(rule, beneficiary, fact, (fact.id,), year, lag) for fact in matched)
    return items


def _finish(item: Item) -> None:
    if item.status not in (PAYABLE, REVIEW):
        return
    item.payable = payable(item.amount)
    shares = [share for _level, share in item.rule.funding]
    item.lines = list(zip((level for level, _ in item.rule.funding), split(item.amount, shares)))
    for (level, share), (_, amount) in zip(item.rule.funding, item.lines):
        item.trace.append(_LINE.format(level=LEVEL_LABELS[level], share=wan(share * 100), amount=wan(amount)))
    item.trace.append(_PAYMENT.format(award_year=item.award_year, payment_year=item.payment_year))


def evaluate_one(in_force: InForce, beneficiary: Beneficiary) -> BeneficiaryResult:
    """One beneficiary's items for the programme year ``in_force``."""
    lag = int(in_force.parameters[in_force.programme.payment_lag])
    items = _items(in_force, beneficiary, lag)
    prior = [fact for fact in beneficiary.facts if fact.type == "prior_award"]
    caps.resolve_conflicts(items, prior)
    caps.apply_caps(items, prior)
    for item in items:
        _finish(item)
    items.sort(key=lambda i: (i.date, i.rule.id, i.facts))
    return BeneficiaryResult(beneficiary.id, beneficiary.name, beneficiary.kind, items)


def evaluate(programme: str | Programme, beneficiaries: Iterable[Beneficiary], year: int) -> Evaluation:
    """Every beneficiary's items under ``programme`` for award ``year``.

    :raise pool.awards.programme.ProgrammeError: unknown programme, or not in force in ``year``.
    """
    if isinstance(programme, str):
        programme = load(programme)
    in_force = programme.in_force(year)
    return Evaluation(in_force, year, [evaluate_one(in_force, b) for b in beneficiaries])
