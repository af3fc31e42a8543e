"""Conflicts and caps across a beneficiary's items (POLICIES §2.3 steps 4–5).

Order: the per-item cap is the formula's (applied by the engine); then the
**no-double rule** — items of one conflict group for the same subject and the
same funding level keep the highest, the others are excluded, and an award
already received (a ``prior_award`` fact) counts: the new item pays only what
exceeds it [R, 袁州 奖励认定1 「不重复享受，就高不就低」]; lines at different levels
never conflict (「同一级财政」); then the **aggregate caps** in date order
(then rule, then fact): per beneficiary-year, per institution-year, one-off per
beneficiary and one-off per subject (once ever, prior awards included: a second item gets nothing).  A
single aggregate cap gives the same total in any order; the order only decides
which item absorbs the cut.
"""
from __future__ import annotations

from decimal import Decimal

from pool.awards.facts import Fact
from pool.awards.money import ZERO, wan
from pool.awards.programme import CAP_LABELS
from pool.awards.results import COUNTED, EXCLUDED, Item
from pool.kernel.wording import phrase

_LOST = phrase("与 {winner}（{amount} 万元）同属“{group}”，同一级财政只享受一次，就高不就低")
_PRIOR_HIGHER = phrase("已享受 {rule} {amount} 万元（同属“{group}”），就高不就低，不再重复享受")
_PRIOR_TOP_UP = phrase("已享受 {rule} {amount} 万元（同属“{group}”），只补足差额")
_ONCE = phrase("{scope}：此前已享受 {used} 万元，不再享受")
_CAPPED = phrase("{scope} {cap} 万元（此前已计 {used} 万元）：{before} → {after} 万元")


def resolve_conflicts(items: list[Item], prior: list[Fact]) -> None:
    """Apply the no-double rule to one beneficiary's ``items`` (in place)."""
    groups: dict[tuple, list[Item]] = {}
    for item in items:
        if item.rule.conflict_group and item.status in COUNTED:
            groups.setdefault((item.rule.conflict_group, item.subject, item.level), []).append(item)
    for (group, subject, level), members in groups.items():
        members.sort(key=lambda i: (-i.amount, i.date, i.rule.id))
        winner = members[0]
        for loser in members[1:]:
            loser.status, loser.amount = EXCLUDED, ZERO
            loser.conflict = _LOST.format(winner=winner.rule.id, amount=wan(winner.amount), group=group)
            loser.trace.append(loser.conflict)
        for award in prior:
            if (award.get("conflict_group") == group and award.subject == subject
                    and award.get("funding_level") == level):
                text = dict(rule=award.get("rule"), amount=wan(award.get("amount")), group=group)
                if award.get("amount") >= winner.amount:
                    winner.status, winner.amount = EXCLUDED, ZERO
                    winner.conflict = _PRIOR_HIGHER.format(**text)
                else:
                    winner.amount -= award.get("amount")
                    winner.conflict = _PRIOR_TOP_UP.format(**text)
                winner.trace.append(winner.conflict)


def apply_caps(items: list[Item], prior: list[Fact]) -> None:
    """Apply every aggregate cap to one beneficiary's ``items`` in date order (in place)."""
    used: dict[tuple, Decimal] = {}
    for award in prior:
        rule = award.get("rule")
        used[("one_off_beneficiary", rule)] = used.get(("one_off_beneficiary", rule), ZERO) + award.get("amount")
        key = ("one_off_subject", rule, award.subject)
        used[key] = used.get(key, ZERO) + award.get("amount")
    for item in sorted(items, key=lambda i: (i.date, i.rule.id, i.facts)):
        if item.status not in COUNTED:
            continue
        for cap in item.rule.caps:
            scope = cap["scope"]
            if scope == "item" or ("applies_to" in cap and item.beneficiary_kind not in cap["applies_to"]):
                continue
            name = cap.get("key", item.rule.id)
            key = (scope, name, item.subject) if scope == "one_off_subject" else (scope, name)
            limit, spent = Decimal(cap["amount"]), used.get(key)
            if scope.startswith("one_off") and spent is not None:
                item.status = EXCLUDED
                item.cut(ZERO, _ONCE.format(scope=CAP_LABELS[scope], used=wan(spent)))
                continue
            spent = spent or ZERO
            after = max(ZERO, min(item.amount, limit - spent))
            if after < item.amount or spent:
                item.cut(after, _CAPPED.format(scope=CAP_LABELS[scope], cap=wan(limit), used=wan(spent),
                                               before=wan(item.amount), after=wan(after)))
            used[key] = spent + after
