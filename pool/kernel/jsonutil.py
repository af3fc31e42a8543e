"""JSON that keeps money exact: ``Decimal`` in, JSON numbers out, ``Decimal`` back.

Used for the engine's JSON columns (so saved applicant data is stored exactly),
the CLI output and the test fixtures.
"""
import json
import re
from decimal import Decimal

_MARK = re.compile(r'"\\u0000D:([-0-9.E+]+)"')


def dumps(obj, **kwargs) -> str:
    """JSON text with ``Decimal`` written as exact JSON numbers (``200.2``, not a string)."""
    kwargs.setdefault("ensure_ascii", False)
    return _MARK.sub(r"\1", json.dumps(obj, default=_mark_decimal, **kwargs))


_DECODER = json.JSONDecoder(parse_float=Decimal)


def loads(text: str | bytes):
    """Parse JSON with every non-integer number as an exact ``Decimal``."""
    return _DECODER.decode(text.decode() if isinstance(text, bytes) else text)


def _mark_decimal(value):
    if isinstance(value, Decimal):
        return f"\0D:{value}"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
