"""Text that is safe to store, show and mail: the one rule for every text input.

Refused in every text field — web forms, the JSON API, Excel/JSON applicant
data: the C0 and C1 control characters (CR/LF in a name broke the reminder
mail's subject), and the invisible format characters — bidi overrides such as
U+202E that make a name read differently from what it is, zero-width
characters, unpaired surrogates, line and paragraph separators.  A multi-line
field (a reason, a note) keeps its line breaks and tabs.

The class below is exactly Unicode's categories Cc, Cf, Cs, Zl and Zp
(Unicode 14.0, Python 3.11; a test compares it with ``unicodedata``), written
out because computing it at import takes a second.
"""
import re

from pool.kernel.wording import phrase

_FORBIDDEN = (
    "\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_FORBIDDEN_IN = phrase("{label}不能含有换行等控制字符或不可见的格式字符（{found}）")
_SINGLE_LINE = re.compile(f"[{_FORBIDDEN}]")
# The same without TAB, LF and CR (browsers send a textarea's line breaks as CR LF).
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f" + _FORBIDDEN[len("\x00-\x1f"):] + "]")


def forbidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character ``value`` may not hold, as ``U+000D``; ``None`` if clean."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def refusal(label: str, value, *, multiline: bool = False) -> str | None:
    """The Chinese message refusing ``value`` in the field ``label``, or ``None``
    (also for a non-string: its type is someone else's check)."""
    if not isinstance(value, str):
        return None
    found = forbidden_character(value, multiline=multiline)
    if found is None:
        return None
    return _FORBIDDEN_IN.format(label=label, found=found)


def refusals_in(value, path: str = "", *, labels=None, multiline=frozenset()) -> list[tuple[str, str]]:
    """``(path, message)`` for every string inside the JSON-like ``value`` that
    :func:`refusal` refuses; paths as ``patents[0].number``.  A string is
    labelled by its key through ``labels`` (default: the key itself) and may
    hold line breaks if its key, or an enclosing key, is in ``multiline``."""
    found: list[tuple[str, str]] = []
    stack = [(value, path, "", False)]
    while stack:
        item, where, key, lines = stack.pop()
        if type(item) is dict:
            stack += [(v, f"{where}.{k}" if where else str(k), str(k), lines or k in multiline)
                      for k, v in reversed(item.items())]
        elif type(item) is list:
            stack += [(v, f"{where}[{i}]", key, lines) for i, v in reversed(list(enumerate(item)))]
        elif type(item) is str:
            message = refusal((labels or {}).get(key, key), item, multiline=lines)
            if message is not None:
                found.append((where, message))
    return found


def sort_key(name: str | None) -> str:
    """The order a Chinese reader expects of a name: its pinyin, syllable by
    syllable (digits and Latin letters as they are, lower-cased), so 阳新 comes
    after 大冶 — not the order of the characters' code points."""
    from pypinyin import lazy_pinyin  # imported on first use: a large table

    return " ".join(lazy_pinyin((name or "").strip())).lower()[:400]


def like_pattern(text: str) -> str:
    """A ``LIKE … ESCAPE '\\'`` pattern matching ``text`` anywhere, its ``%`` and ``_`` taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
