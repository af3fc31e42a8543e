"""The patent-intensive classification (附件2 第3条, SPEC §2.2), as dated versions.

附件2 第3条 asks that the main business "原则上属于专利密集型产业"; the
classification is 《知识产权（专利）密集型产业统计分类（2019）》(国家统计局令第25号,
in force from 2019-04-01): 7 groups, 31 categories, 188 GB/T 4754-2017 classes.
It ships complete as ``pool/data/patent_intensive_2019.csv`` (provenance in the
README) and is the table in force from that date.

The table is history, never edited:

* a **version** is a whole official table with its own effective date and
  source document; the city administrator imports a revised one
  (:mod:`pool.io.reference_import`), which may be dated in the past, since an
  official table is in force from the date its document says;
* a **correction** (``included`` true or false) changes one class from its
  date; a later version supersedes every correction dated before it.

On a date, the version in force is the latest with ``valid_from`` on or before
it; the corrections dated from that version's date up to the date apply on top,
the latest winning.  Before the first version there is no table: every code is
unknown, and criterion 3 answers ``review`` (never a silent ``fail``).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from pool.reference import gbt4754
from pool.kernel import text
from pool.kernel.wording import phrase

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "patent_intensive_2019.csv"
CLASSIFICATION_NAME = phrase("知识产权（专利）密集型产业统计分类（2019）")
DOCUMENT = "国家统计局令第25号《知识产权（专利）密集型产业统计分类（2019）》，2019年4月1日起施行"
OFFICIAL_DATE = date(2019, 4, 1)
OFFICIAL_CLASS_COUNT = 188
COLUMNS = ("group_code", "group_name", "category_code", "category_name", "gbt4754_code",
           "gbt4754_name", "partial")
COLUMN_LABELS = {"group_code": "大类代码", "group_name": "大类名称", "category_code": "中类代码",
                 "category_name": "中类名称", "gbt4754_code": "行业小类代码",
                 "gbt4754_name": "行业小类名称", "partial": "部分属于"}
GROUPS: tuple[str, ...] = ("信息通信技术制造业", "信息通信技术服务业", "新装备制造业", "新材料制造业",
                           "医药医疗产业", "环保产业", "研发、设计和技术服务业")
_TRUE, _FALSE = {"true", "1", "是", "yes", "*"}, {"false", "0", "否", "no", ""}


@dataclass(frozen=True, slots=True)
class IndustryEntry:
    """What the table says of one GB/T 4754-2017 class on a date, and why.

    ``included=False`` is an administrator's correction ruling a class out.
    """

    code: str  # four digits, no letter
    group: str  # one of GROUPS
    name: str  # the class name in GB/T 4754-2017
    source: str
    valid_from: date
    recorded_by: str
    included: bool = True
    category: str = ""  # e.g. "通信设备、雷达及配套设备制造"; empty for corrections
    category_code: str = ""  # e.g. "101"
    partial: bool = False  # the classification stars the class: only part of it belongs


@dataclass(frozen=True)
class Version:
    """One whole official table in force from ``valid_from``."""

    valid_from: date
    source: str
    recorded_by: str
    entries: Mapping[str, IndustryEntry] = field(repr=False)

    @property
    def included_count(self) -> int:
        return len(self.entries)


class TableProblems(ValueError):
    """A classification table that cannot be used: every problem, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems[:5]) + (f"……共 {len(problems)} 处" if len(problems) > 5 else ""))
        self.problems = problems


def parse_rows(rows: Iterable[Mapping[str, object]], *, valid_from: date, source: str,
               recorded_by: str) -> Version:
    """Validate a whole table (rows with :data:`COLUMNS`) into a :class:`Version`.

    Every code must be a GB/T 4754-2017 class, listed once, in one of the seven
    groups; its category code must sit under its group code.  All problems are
    collected, naming the row (the header is row 1) and the column label.

    :raise TableProblems: with every problem; nothing is returned half-way.
    """
    problems: list[str] = []
    entries: dict[str, IndustryEntry] = {}
    for number, row in enumerate(rows, start=2):
        values = {key: str(row.get(key) if row.get(key) is not None else "").strip() for key in COLUMNS}
        if not any(values.values()):
            continue
        where = f"第{number}行"
        unclean = [f"{where}「{COLUMN_LABELS[key]}」：{message}" for key, value in values.items()
                   if (message := text.refusal(COLUMN_LABELS[key], value)) is not None]
        if unclean:
            problems += unclean
            continue
        try:
            _, digits = gbt4754.split_code(values["gbt4754_code"])
        except ValueError as exc:
            problems.append(f"{where}「{COLUMN_LABELS['gbt4754_code']}」：{exc}")
            continue
        if digits in entries:
            problems.append(f"{where}「{COLUMN_LABELS['gbt4754_code']}」：行业小类 {digits} 重复")
            continue
        if values["group_name"] not in GROUPS:
            problems.append(f"{where}「{COLUMN_LABELS['group_name']}」：{values['group_name'] or '（空）'} "
                            f"不是七个大类之一（{'、'.join(GROUPS)}）")
            continue
        group_code = str(GROUPS.index(values["group_name"]) + 1)
        if values["group_code"].lstrip("0") != group_code:
            problems.append(f"{where}「{COLUMN_LABELS['group_code']}」：{values['group_name']} 的大类代码应为 "
                            f"{group_code}，表中为 {values['group_code'] or '（空）'}")
            continue
        if not values["category_code"].startswith(group_code) or not values["category_name"]:
            problems.append(f"{where}「{COLUMN_LABELS['category_code']}」：中类 {values['category_code']} "
                            f"{values['category_name']} 不在大类 {values['group_code']} 之下")
            continue
        partial = values["partial"].lower()
        if partial not in _TRUE | _FALSE:
            problems.append(f"{where}「{COLUMN_LABELS['partial']}」：须为 true/false（是/否）")
            continue
        entries[digits] = IndustryEntry(
            code=digits, group=values["group_name"], name=gbt4754.CLASSES[digits].name, source=source,
            valid_from=valid_from, recorded_by=recorded_by, category=values["category_name"],
            category_code=values["category_code"], partial=partial in _TRUE)
    if not entries and not problems:
        problems.append("表中没有任何行业小类")
    if problems:
        raise TableProblems(problems)
    return Version(valid_from, source, recorded_by, MappingProxyType(entries))


def rows_from_csv(text: str) -> list[dict]:
    """The rows of a CSV text with the shipped file's header.

    :raise TableProblems: when a column is missing.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [COLUMN_LABELS[c] + f"（{c}）" for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise TableProblems([f"缺少列：{'、'.join(missing)}（须与系统提供的分类表列名一致）"])
    return list(reader)


def version_rows(version: Version) -> list[dict]:
    """A version as rows of :data:`COLUMNS` (for export and for a stored import)."""
    codes = {name: f"{i}" for i, name in enumerate(GROUPS, start=1)}
    return [{"group_code": codes[e.group], "group_name": e.group, "category_code": e.category_code,
             "category_name": e.category, "gbt4754_code": e.code, "gbt4754_name": e.name,
             "partial": "true" if e.partial else "false"}
            for e in sorted(version.entries.values(), key=lambda e: e.code)]


class IndustryTable:
    """Look-up of patent-intensive classes on any date: versions plus corrections."""

    def __init__(self, corrections: Iterable[IndustryEntry] = (), versions: Iterable[Version] = ()):
        self.versions: tuple[Version, ...] = tuple(sorted(versions, key=lambda v: v.valid_from))
        self._corrections: dict[str, list[IndustryEntry]] = {}
        for entry in corrections:
            _, digits = gbt4754.split_code(entry.code)
            if entry.group not in GROUPS:
                raise ValueError(f"专利密集型产业分组 {entry.group!r} 不在分类的七个大类中")
            self._corrections.setdefault(digits, []).append(replace(entry, code=digits))
        self._counts: dict[date | None, int] = {}

    def version_on(self, as_of: date | None) -> Version | None:
        """The whole table in force on ``as_of`` (None: the latest version)."""
        found = None
        for version in self.versions:
            if as_of is None or version.valid_from <= as_of:
                found = version
        return found

    def lookup(self, code: str, as_of: date | None = None) -> IndustryEntry | None:
        """What the table says of ``code`` ("C3921" or "3921") on ``as_of``
        (None: latest known), or None when it says nothing.  An entry with
        ``included=False`` is returned too: "known not to be" is not "not known"."""
        _, digits = gbt4754.split_code(code)
        version = self.version_on(as_of)
        found = version.entries.get(digits) if version else None
        since = version.valid_from if version else date.min
        for entry in self._corrections.get(digits, ()):
            if since <= entry.valid_from and (as_of is None or entry.valid_from <= as_of):
                if found is None or entry.valid_from >= found.valid_from:
                    found = entry
        return found

    def state_on(self, as_of: date) -> tuple:
        """What decides every look-up on ``as_of``: the version in force (its
        date and source) and the corrections in force on top of it.  Equal
        states answer every code alike (a verdict kept from one day holds on
        another)."""
        version = self.version_on(as_of)
        since = version.valid_from if version else date.min
        corrections = sorted((entry.code, entry.valid_from.isoformat(), entry.group, entry.included)
                             for entries in self._corrections.values() for entry in entries
                             if since <= entry.valid_from <= as_of)
        head = (version.valid_from.isoformat(), version.source) if version else None
        return head, tuple(corrections)

    def codes(self) -> list[str]:
        """Every class any version or correction mentions, in code order."""
        known = set(self._corrections)
        for version in self.versions:
            known.update(version.entries)
        return sorted(known)

    def included_count(self, as_of: date | None = None) -> int:
        """How many classes count as patent-intensive on ``as_of``."""
        if as_of not in self._counts:
            self._counts[as_of] = sum(
                1 for code in self.codes()
                if (entry := self.lookup(code, as_of)) is not None and entry.included)
        return self._counts[as_of]

    def __len__(self) -> int:
        return len(self.codes())


def _load_default() -> Version:
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        version = parse_rows(rows_from_csv(fh.read()), valid_from=OFFICIAL_DATE, source=DOCUMENT,
                             recorded_by="系统默认")
    groups = {e.group for e in version.entries.values()}
    categories = {(e.group, e.category) for e in version.entries.values()}
    if (len(version.entries), len(groups), len(categories)) != (OFFICIAL_CLASS_COUNT, 7, 31):
        raise ValueError(f"{DATA_FILE.name}: 应为 7 个大类、31 个中类、188 个小类")
    return version


DEFAULT_VERSION: Version = _load_default()
