"""Exact ratio comparisons and the percentages that word them.

SPEC: ratios are compared exactly, never with binary floats.  :func:`at_least`
multiplies in a decimal context that refuses to round, or cross-multiplies the
integer ratios of its operands (``int``, ``Decimal`` or ``Fraction``);
:func:`percent` writes the percentage a detail quotes so that
its rounding never contradicts the comparison it illustrates.
"""
from __future__ import annotations

import functools
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow
from fractions import Fraction

from pool.eligibility.sme import format_number

Number = int | Decimal | Fraction


# Products of figures and thresholds fit easily; one that would not raises
# Inexact rather than round, and at_least compares integer ratios instead.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow])


def at_least(numerator: Number, denominator: Number, threshold: Number) -> bool:
    """Exactly ``numerator / denominator >= threshold`` (denominator > 0)."""
    try:
        return numerator >= _EXACT.multiply(denominator, threshold)
    except (Inexact, TypeError):  # too many digits, or a Fraction
        pass
    a, b = numerator.as_integer_ratio()
    c, d = denominator.as_integer_ratio()
    t, u = threshold.as_integer_ratio()
    # (a/b) / (c/d) >= t/u  <=>  a*d*u >= t*b*c, all of b, c, d, u positive.
    return a * d * u >= t * b * c


def percent(numerator: Number, denominator: Number, threshold: Decimal, passed: bool) -> str:
    """``numerator / denominator`` (denominator > 0) against ``threshold`` as
    text, e.g. ``"9.99% < 10%"``, for the outcome ``passed`` of
    :func:`at_least` on the same numbers.

    The percentage is rounded half up to two decimals ("66.67%"), with more
    decimals only when rounding would contradict the comparison (9.996 % is
    shown as "9.996% < 10%", never "10% < 10%")."""
    a, b = numerator.as_integer_ratio()
    c, d = denominator.as_integer_ratio()
    t, u = threshold.as_integer_ratio()
    top, bottom = a * d * 100, b * c  # the percentage is top / bottom, both >= 0
    for places in range(2, 30):
        scale = 10 ** places
        shown = (2 * top * scale + bottom) // (2 * bottom)  # in units of 10^-places %
        if (shown * u >= 100 * t * scale) == passed:  # shown / scale >= 100 t / u
            break
    else:  # this close to the threshold, truncation is always on the right side
        shown = top * scale // bottom
    return f"{_decimal_text(shown, places)}% {'≥' if passed else '<'} {threshold_percent(threshold)}"


def ratio(numerator: Number, denominator: Number, threshold: Decimal) -> tuple[bool, str]:
    """:func:`at_least` and its :func:`percent` text, e.g. ``(False, "9.99% < 10%")``."""
    passed = at_least(numerator, denominator, threshold)
    return passed, percent(numerator, denominator, threshold, passed)


def _decimal_text(units: int, places: int) -> str:
    """``units / 10**places`` without trailing zeros: (6667, 2) -> "66.67"."""
    whole, fraction = divmod(units, 10 ** places)
    if not fraction:
        return str(whole)
    return f"{whole}.{fraction:0{places}d}".rstrip("0")


@functools.lru_cache(maxsize=256)
def threshold_percent(threshold: Decimal) -> str:
    """A ratio threshold as a percentage: ``Decimal("0.1")`` -> ``"10%"``."""
    return f"{format_number(threshold * 100)}%"
