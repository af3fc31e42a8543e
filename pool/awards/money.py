"""Exact money in 万元 and the one rounding rule (POLICIES §0).

Every amount is a ``Decimal`` in 万元, computed exactly; only the amount payable
is rounded, to 0.01 元 (= 0.000001 万元), half up.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE_FEN_IN_WAN = Decimal("0.000001")  # 0.01 元 in 万元


def payable(amount: Decimal) -> Decimal:
    """``amount`` (万元) rounded to 0.01 元, half up."""
    return amount.quantize(ONE_FEN_IN_WAN, rounding=ROUND_HALF_UP)


def wan(amount: Decimal) -> str:
    """An amount in 万元 as officers read it: no trailing zeros, never exponent notation."""
    text = format(amount.normalize(), "f") if amount else "0"
    return text


def yuan(amount: Decimal) -> str:
    """A payable amount (万元) written in 元 with two decimals."""
    return f"{(amount * 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def split(amount: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """``amount`` cut by ``shares`` (summing to 1), each part payable, the last taking the remainder
    so the parts add up to ``payable(amount)`` exactly."""
    total = payable(amount)
    parts = [payable(amount * share) for share in shares[:-1]]
    return parts + [total - sum(parts, ZERO)]
