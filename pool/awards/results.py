"""What an evaluation returns: items with their amounts, caps, conflicts, funding lines and trace.

Plain dataclasses, ready for a later settlement step to store as ledger entries
(each item names its rule version, beneficiary, subject, facts, award and
payment year, and carries its full trace).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pool.awards.money import ZERO
from pool.awards.programme import InForce, Rule
from pool.kernel.wording import phrase

PAYABLE, REVIEW, INELIGIBLE, MISSING, REFUSED, EXCLUDED = (
    "payable", "review", "ineligible", "missing", "refused", "excluded")
STATUS_LABELS = {PAYABLE: phrase("应予奖补"), REVIEW: phrase("待审核（按上限计算）"), INELIGIBLE: phrase("不符合"),
                 MISSING: phrase("缺少数据"), REFUSED: phrase("无法计算"), EXCLUDED: phrase("不重复享受")}
COUNTED = (PAYABLE, REVIEW)  # statuses whose amount is proposed for payment


@dataclass
class Item:
    """One rule applied to one subject of one beneficiary in the award year."""

    rule: Rule
    beneficiary: str
    beneficiary_kind: str
    subject: str
    facts: tuple[str, ...]
    date: date
    status: str
    gross: Decimal = ZERO  # the formula's amount, before any cap or conflict
    amount: Decimal = ZERO  # exact, after caps and conflicts
    payable: Decimal = ZERO  # amount rounded to 0.01 元 half up
    caps: list[str] = field(default_factory=list)
    conflict: str | None = None
    lines: list[tuple[str, Decimal]] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    award_year: int = 0
    payment_year: int = 0

    @property
    def level(self) -> str:
        """The funding level the no-double rule compares at: the rule's first funding line."""
        return self.rule.funding[0][0]

    def cut(self, amount: Decimal, note: str) -> None:
        """Lower the amount (never raise it), noting why in the caps and the trace."""
        if amount < self.amount:
            self.amount = amount
        self.caps.append(note)
        self.trace.append(note)


@dataclass
class BeneficiaryResult:
    id: str
    name: str
    kind: str
    items: list[Item]

    @property
    def total(self) -> Decimal:
        """Payable total of the items proposed for payment (payable and under review)."""
        return sum((item.payable for item in self.items if item.status in COUNTED), ZERO)


@dataclass
class Evaluation:
    in_force: InForce
    year: int
    beneficiaries: list[BeneficiaryResult]

    @property
    def total(self) -> Decimal:
        return sum((b.total for b in self.beneficiaries), ZERO)
