"""The domain's wording in both languages: Chinese as written, English read back from it.

The domain writes Chinese: criterion details, flag texts, refusals and labels are
stored, mailed and returned by the API as written.  Each wording is declared
once, as a :func:`phrase` — a template such as ``"研发投入 {amount} 万元"`` that
the code fills with ``.format`` like any string, and that the message
catalogue extracts (keyword ``phrase``) and translates.

:func:`translate` reads a Chinese text back into English for a reader who chose
English: it finds the phrase the text was written from (the most specific
template whose literal parts match), renders the phrase's translation with the
same values, and translates each value in turn (a value may itself be a phrase
or any text of the message catalogue, such as a field's label,
or a list of them joined by ``；``, ``，`` or ``、``) — except a field written
``{name!s}``: that one is data (a product's name, a document's title) and stays
as written.  Texts stored before a phrase existed are read the same way.  What
no phrase explains — an enterprise's name, a class name of GB/T 4754 — stays
as written.
"""
from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Callable

_REGISTRY: dict[str, "Phrase"] = {}
_FIELD = string.Formatter()
# Joiners the domain writes between phrases, and how English writes them (the last, a space, joins
# words such as a field's path: "资格证书 第1行 有效期止").
_JOINERS = (("；", "; "), ("，", ", "), ("、", ", "), ("且", " and "), (" ", " "))


class Phrase(str):
    """A Chinese wording template (a ``str``: ``.format`` fills it), registered for translation."""

    __slots__ = ()


def phrase(template: str) -> Phrase:
    """Declare a wording (once, at import): returns it as a :class:`Phrase`."""
    declared = _REGISTRY.get(template)
    if declared is None:
        declared = _REGISTRY[template] = Phrase(template)
        _matchers.cache_clear()
    return declared


def phrases() -> tuple[Phrase, ...]:
    """Every declared phrase (for the catalogue's completeness test)."""
    return tuple(_REGISTRY.values())


@lru_cache(maxsize=None)
def _fields(template: str) -> list[tuple[str, str | None]]:
    """``(literal, field name or None)`` pieces of a template."""
    return [(literal, name) for literal, name, _spec, _conv in _FIELD.parse(template)]


@lru_cache(maxsize=None)
def _data_fields(template: str) -> frozenset[str]:
    """The fields written ``{name!s}``: data, never translated."""
    return frozenset(name for _, name, _spec, conv in _FIELD.parse(template) if name and conv == "s")


# A field's value is balanced text: brackets and quotes closed inside it (two levels of （）).
_PLAIN = "（）()“”《》"
_BALANCED = (r"（(?:[^（）]|（[^（）]*）)*）|\([^()]*\)|“[^“”]*”|《[^《》]*》")
_VALUE = rf"(?:[^{_PLAIN}]|{_BALANCED})+?"
# Where a field may hold a list of phrases joined by "；": in brackets ("（{reasons}）"), or closing a
# template that opens with words or closes after a colon ("缺少数据：{fields}").  A field that opens the
# template holds no list and no colon; any other holds no "；" (texts joined by "；" are read part by part).
_LEADING = rf"(?:[^{_PLAIN}；、：]|{_BALANCED})+?"
_INNER = rf"(?:[^{_PLAIN}；]|{_BALANCED})+?"


def _pattern(template: str) -> re.Pattern:
    pieces = _fields(template)
    seen: set[str] = set()
    out = []
    for i, (literal, name) in enumerate(pieces):
        out.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            out.append(f"(?P={name})")
            continue
        seen.add(name)
        after = pieces[i + 1][0] if i + 1 < len(pieces) else ""
        if i == 0 and not literal:
            value = _LEADING
        elif (not after and (literal.endswith("：") or pieces[0][0])) or (literal.endswith("（")
                                                                          and after.startswith("）")):
            value = _VALUE
        else:
            value = _INNER
        out.append(f"(?P<{name}>{value})")
    return re.compile("".join(out), re.DOTALL)


def _split(text: str, joiner: str) -> list[str]:
    """``text`` cut at each ``joiner`` outside brackets and quotes."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "（(“《":
            depth += 1
        elif char in "）)”》":
            depth = max(depth - 1, 0)
        elif char == joiner and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


@lru_cache(maxsize=1)
def _matchers() -> tuple[tuple[str, str, re.Pattern], ...]:
    """Templates with fields, most literal text first, each with the longest literal it must contain."""
    found = []
    for template in _REGISTRY:
        pieces = _fields(template)
        literals = [literal for literal, _ in pieces if literal]
        if not any(name for _, name in pieces) or not literals:
            continue
        found.append((sum(map(len, literals)), max(literals, key=len), template, _pattern(template)))
    found.sort(key=lambda m: -m[0])
    return tuple((key, template, pattern) for _, key, template, pattern in found)


def _render(template: str, values: dict[str, str]) -> str:
    """``template`` filled with already-formatted values (format specs are the Chinese side's)."""
    return "".join(literal + (values[name] if name is not None else "")
                   for literal, name in _fields(template))


def translate(text: str, gettext: Callable[[str], str]) -> str:
    """``text`` (written from phrases) in the language of ``gettext``; unexplained parts as written."""
    return _translate(text, gettext) if text else text


def _translate(text: str, gettext: Callable[[str], str]) -> str:
    whole = gettext(text)  # a phrase, or any text the catalogue holds (a field's label)
    if whole != text or text in _REGISTRY:
        return whole
    for key, template, pattern in _matchers():
        if key not in text:
            continue
        match = pattern.fullmatch(text)
        if match is None:
            continue
        data = _data_fields(template)
        values = {name: value if name in data else _translate(value, gettext)
                  for name, value in match.groupdict().items()}
        return _render(gettext(template), values)
    for joiner, english in _JOINERS:
        parts = _split(text, joiner)
        if len(parts) > 1:
            translated = [_translate(part, gettext) for part in parts]
            if translated != parts:
                return english.join(translated)
    return text
