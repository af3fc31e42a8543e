"""Exact numbers for indicators: parsing, powers and the way officers read them.

Every value is a ``Fraction``; a value is shown exactly when it is a finite
decimal (``7.12``, ``20%``) and otherwise rounded half up to four decimals and
marked ``≈`` (``≈7.1183``).  Rounding is for display only: every comparison
uses the exact value.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

ONE = Fraction(1)
_PLACES = 4


def number(obj: Any) -> Fraction | None:
    """A non-negative finite number (int, or decimal text/number) as a ``Fraction``; ``None`` otherwise.

    A JSON number arrives as a ``float`` from ``json.loads`` (the CLI) or as an exact ``Decimal``
    (the API, :func:`pool.io.batch.parse_json`): both are taken, the ``Decimal`` without loss."""
    if isinstance(obj, bool) or not isinstance(obj, (int, float, str, Decimal)):
        return None
    try:
        value = Decimal(str(obj).strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    return Fraction(value)


def _terminates(value: Fraction) -> bool:
    q = value.denominator
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


def exact(value: Fraction) -> str:
    """The exact value as text: a decimal when it terminates, else ``p/q`` (for programs)."""
    if _terminates(value):
        return _decimal(value)
    return f"{value.numerator}/{value.denominator}"


def _decimal(value: Fraction) -> str:
    text = format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")
    return text


def show(value: Fraction) -> str:
    """The value as officers read it: exact if a finite decimal, else ``≈`` and four decimals (half up)."""
    if _terminates(value) and len(_decimal(value).partition(".")[2]) <= _PLACES + 2:
        return _decimal(value)
    scaled = value * 10 ** _PLACES
    rounded = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)  # half up (value ≥ 0)
    text = format(Decimal(rounded).scaleb(-_PLACES).normalize(), "f")
    return "≈" + text


def percent(rate: Fraction) -> str:
    """A rate (0.2) as a percentage (``20%``), exact or ``≈``; a fall keeps its minus sign (``-50%``)."""
    text = show(abs(rate) * 100)
    approx = "≈" if text.startswith("≈") else ""
    return approx + ("-" if rate < 0 else "") + text.lstrip("≈") + "%"
