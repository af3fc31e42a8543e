"""Industry codes (GB/T 4754-2017) and the patent-intensive classification.

附件2 第3条 asks that the main business "原则上属于专利密集型产业"; SPEC §2.2 names
the classification: 《知识产权（专利）密集型产业统计分类（2019）》(国家统计局令第25号),
seven groups covering 188 GB/T 4754-2017 classes (小类).

The shipped data (``pool/data/patent_intensive_2019.json``) holds what could be
established from sources available to the project: the seven group names and the
size of the official list.  The class-by-class list itself could not be obtained
offline, so it ships **without entries**; an administrator adds them as dated
entries (each naming its source).  A code the table does not know gives
criterion 3 the status ``review`` (SPEC §2.2: "never a silent fail").

This module also owns the GB/T 4754-2017 code shape shared with :mod:`pool.sme`:
a class code is four digits, optionally prefixed by its section letter
("C3562" or "3562"); the section follows from the two-digit division.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping

DATA_FILE = Path(__file__).with_name("data") / "patent_intensive_2019.json"

# GB/T 4754-2017 sections (门类) by their first and last division (大类).
_SECTION_RANGES = (
    ("A", 1, 5), ("B", 6, 12), ("C", 13, 43), ("D", 44, 46), ("E", 47, 50),
    ("F", 51, 52), ("G", 53, 60), ("H", 61, 62), ("I", 63, 65), ("J", 66, 69),
    ("K", 70, 70), ("L", 71, 72), ("M", 73, 75), ("N", 76, 79), ("O", 80, 82),
    ("P", 83, 83), ("Q", 84, 85), ("R", 86, 90), ("S", 91, 96), ("T", 97, 97),
)
SECTION_BY_DIVISION: Mapping[str, str] = {
    f"{division:02d}": letter
    for letter, first, last in _SECTION_RANGES
    for division in range(first, last + 1)
}


@functools.lru_cache(maxsize=4096)  # pure, and a pool has few distinct codes
def split_code(code: str) -> tuple[str, str]:
    """Split an industry class code into ``(section letter, four digits)``.

    Accepts "C3562" or "3562".  The section is derived from the division
    (first two digits), so a bare code and a lettered code mean the same class.

    :raise ValueError: (Chinese message) if the code is not four ASCII digits
        with an optional letter, the division does not exist in GB/T 4754-2017,
        or the letter contradicts the division.
    """
    if not isinstance(code, str):
        raise ValueError("行业代码须为字符串")
    letter, digits = (code[0], code[1:]) if code[:1].isalpha() else ("", code)
    if len(digits) != 4 or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"行业代码 {code!r} 须为 4 位数字（可带门类字母），如 C3562")
    section = SECTION_BY_DIVISION.get(digits[:2])
    if section is None:
        raise ValueError(f"行业代码 {code} 的大类 {digits[:2]} 不存在于 GB/T 4754-2017")
    if letter and letter != section:
        raise ValueError(f"行业代码 {code} 的门类字母应为 {section}（大类 {digits[:2]} 属门类 {section}）")
    return section, digits


def display_code(code: str) -> str:
    """The lettered form ("C3562") of a valid class code, for details."""
    section, digits = split_code(code)
    return section + digits


@dataclass(frozen=True)
class IndustryEntry:
    """One GB/T 4754-2017 class in (or, with ``included=False``, ruled out of)
    the patent-intensive classification, with where that fact comes from."""

    code: str  # four digits, no letter
    group: str  # one of GROUPS
    name: str  # the class name in GB/T 4754-2017
    source: str
    valid_from: date
    recorded_by: str
    included: bool = True


class IndustryTable:
    """Look-up of patent-intensive classes.

    Entries are applied in order: a later entry for the same code overrides an
    earlier one (an administrator's dated correction).  With ``as_of``, entries
    whose ``valid_from`` is after that date are ignored.
    """

    def __init__(self, entries: Iterable[IndustryEntry] = ()):
        self._by_code: dict[str, list[IndustryEntry]] = {}
        self._counts: dict[date | None, int] = {}
        for entry in entries:
            _, digits = split_code(entry.code)
            if entry.group not in GROUPS:
                raise ValueError(f"专利密集型产业分组 {entry.group!r} 不在分类的七个大类中")
            self._by_code.setdefault(digits, []).append(entry)

    def lookup(self, code: str, as_of: date | None = None) -> IndustryEntry | None:
        """The entry in force for ``code`` ("C3562" or "3562"), or None when the
        table says nothing about it.  An entry with ``included=False`` is returned
        too: the caller tells "known not to be" from "not known"."""
        _, digits = split_code(code)
        found = None
        for entry in self._by_code.get(digits, ()):
            if as_of is None or entry.valid_from <= as_of:
                found = entry
        return found

    def included_count(self, as_of: date | None = None) -> int:
        """How many classes the table currently counts as patent-intensive."""
        if as_of not in self._counts:
            self._counts[as_of] = sum(
                1 for code in self._by_code
                if (entry := self.lookup(code, as_of)) is not None and entry.included
            )
        return self._counts[as_of]

    def __len__(self) -> int:
        return len(self._by_code)


def entries_from_json(rows: Iterable[Mapping]) -> tuple[IndustryEntry, ...]:
    """Build entries from JSON objects (``valid_from`` as ISO date).

    :raise ValueError: on a missing key or a bad code/date.
    """
    out = []
    for row in rows:
        try:
            out.append(IndustryEntry(
                code=split_code(row["code"])[1],
                group=row["group"],
                name=row["name"],
                source=row["source"],
                valid_from=date.fromisoformat(row["valid_from"]),
                recorded_by=row.get("recorded_by", "系统默认"),
                included=bool(row.get("included", True)),
            ))
        except KeyError as exc:
            raise ValueError(f"专利密集型产业条目缺少字段 {exc.args[0]}") from None
    return tuple(out)


def _load() -> dict:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


_DATA = _load()
GROUPS: tuple[str, ...] = tuple(g["name"] for g in _DATA["groups"])
OFFICIAL_CLASS_COUNT: int = _DATA["official_class_count"]
CLASSIFICATION_NAME: str = _DATA["classification"]
DEFAULT_ENTRIES: tuple[IndustryEntry, ...] = entries_from_json(_DATA["entries"])
