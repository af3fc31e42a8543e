"""GB/T 4754-2017 《国民经济行业分类》: the exact list of its 1,381 classes (小类).

Every industry code the project accepts is one of these classes, written as four
digits with an optional section letter ("C3921" or "3921").  The list ships as
``pool/data/gbt4754_2017_classes.csv`` (20 sections, 97 divisions, 473 groups;
provenance in the project README and ``shared/data/README.md``); it is read once
at import and checked for its official counts, so a damaged file stops the
application instead of letting a non-class through.

A code that is not a class is refused with the nearest real classes of its group
(中类), or of its division (大类) when the group does not exist either, so an
officer who typed "C3500" is shown "C3511 矿山机械制造 …" rather than a rule.
"""
from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "gbt4754_2017_classes.csv"
NAME = "GB/T 4754-2017《国民经济行业分类》"
OFFICIAL_COUNTS = {"sections": 20, "divisions": 97, "groups": 473, "classes": 1381}
_SUGGESTIONS = 5


@dataclass(frozen=True, slots=True)
class IndustryClass:
    """One class: four digits, its name and where it sits in the hierarchy."""

    code: str            # "3921"
    name: str            # "通信系统设备制造"
    section: str         # "C"
    division: str        # "39"
    group: str           # "392"
    section_name: str
    division_name: str
    group_name: str

    @property
    def lettered(self) -> str:
        """"C3921": the form shown to people."""
        return self.section + self.code

    def __str__(self) -> str:
        return f"{self.lettered} {self.name}"


def _load() -> Mapping[str, IndustryClass]:
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    classes = {}
    for row in rows:
        code = row["code"]
        if len(code) != 4 or not code.isdigit() or not (code.startswith(row["group"])
                                                       and row["group"].startswith(row["division"])):
            raise ValueError(f"{DATA_FILE.name}: 行业代码 {code!r} 与其大类、中类不一致")
        if code in classes:
            raise ValueError(f"{DATA_FILE.name}: 行业代码 {code} 重复")
        classes[code] = IndustryClass(code, row["name"], row["section"], row["division"], row["group"],
                                      row["section_name"], row["division_name"], row["group_name"])
    found = {"sections": len({c.section for c in classes.values()}),
             "divisions": len({c.division for c in classes.values()}),
             "groups": len({c.group for c in classes.values()}), "classes": len(classes)}
    if found != OFFICIAL_COUNTS:
        raise ValueError(f"{DATA_FILE.name}: 层级数量 {found} 与官方 {OFFICIAL_COUNTS} 不符")
    return MappingProxyType(classes)


CLASSES: Mapping[str, IndustryClass] = _load()
SECTION_BY_DIVISION: Mapping[str, str] = MappingProxyType(
    {c.division: c.section for c in CLASSES.values()})
DIVISIONS: frozenset[str] = frozenset(SECTION_BY_DIVISION)
GROUPS: frozenset[str] = frozenset(c.group for c in CLASSES.values())


@functools.lru_cache(maxsize=4096)  # pure, and a pool has few distinct codes
def split_code(code: str) -> tuple[str, str]:
    """Split a class code into ``(section letter, four digits)``.

    Accepts "C3921" or "3921"; a bare code and a
    lettered one mean the same class.

    :raise ValueError: (Chinese message) if the code is not four ASCII digits
        with an optional letter, is not a GB/T 4754-2017 class (the message
        names the nearest real classes), or its letter contradicts the class.
    """
    if not isinstance(code, str):
        raise ValueError("行业代码须为字符串")
    letter, digits = (code[0], code[1:]) if code[:1].isalpha() else ("", code)
    if len(digits) != 4 or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"行业代码 {code!r} 须为 4 位数字（可带门类字母），如 C3921")
    found = CLASSES.get(digits)
    if found is None:
        raise ValueError(not_a_class_message(code, digits))
    if letter and letter != found.section:
        raise ValueError(f"行业代码 {code} 的门类字母应为 {found.section}"
                         f"（{found.lettered} {found.name} 属门类 {found.section} {found.section_name}）")
    return found.section, digits


def not_a_class_message(shown: str, digits: str) -> str:
    """Why ``digits`` is refused, with the nearest real classes."""
    near = nearest(digits)
    where = "同一中类" if near and near[0].group == digits[:3] else "同一大类"
    if not near:
        return f"行业代码 {shown} 不是{NAME}的行业小类：大类 {digits[:2]} 不存在"
    listed = "、".join(str(c) for c in near)
    return f"行业代码 {shown} 不是{NAME}的行业小类；{where}的小类有：{listed}"


def nearest(digits: str) -> list[IndustryClass]:
    """Up to five real classes nearest to ``digits``: of its group if the group
    exists, else of its division; empty when the division does not exist."""
    pool = [c for c in CLASSES.values() if c.group == digits[:3]] or \
           [c for c in CLASSES.values() if c.division == digits[:2]]
    target = int(digits) if digits.isdigit() else 0
    return sorted(pool, key=lambda c: (abs(int(c.code) - target), c.code))[:_SUGGESTIONS]


def lookup(code: str) -> IndustryClass:
    """The class of a valid code ("C3921" or "3921").

    :raise ValueError: as :func:`split_code`.
    """
    return CLASSES[split_code(code)[1]]


def display_code(code: str) -> str:
    """The lettered form ("C3921") of a valid class code."""
    section, digits = split_code(code)
    return section + digits


def covers(listed: str, digits: str) -> bool:
    """Whether a code listed at division (2), group (3) or class (4 digits)
    level covers the class ``digits``."""
    return digits.startswith(listed)


def is_listed_code(listed: str) -> bool:
    """Whether ``listed`` is a real division, group or class code."""
    return (len(listed) == 2 and listed in DIVISIONS) or (len(listed) == 3 and listed in GROUPS) \
        or (len(listed) == 4 and listed in CLASSES)
