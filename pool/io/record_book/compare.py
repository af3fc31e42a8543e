"""Reading an enterprise's record file against the stored record: the export,
the matching of rows to parts and the changes a file would make
(:mod:`pool.io.record_book` says how)."""
from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Mapping

from sqlalchemy import select

from models import Enterprise, YearlyFigure
from models.ip_assets import PATENT_ENDED

from pool.io import workbook
from pool.records import facts, parts
from pool.records.changes import FIGURE_FIELDS, IP_COLUMNS, LABELS, RecordRefused
from pool.records.fields import EARLIEST, PARTS

# One enterprise's record is a few dozen KB.  The preview carries the file back
# through a form field, which Flask caps at 500 KB (base64: 4/3 of this).
MAX_BYTES = 256 * 1024
ADD, CHANGE, KEEP = "add", "change", "keep"
SHEET = {layout.group: layout.name for layout in workbook.SHEETS}
ENTERPRISE = workbook.ENTERPRISE_SHEET

# 企业 columns (contract path) -> the enterprise's field
_BASIC = {"name": "name", "registered_region_code": "registered_region_code",
          "independent_legal_person": "independent_legal_person", "industry_code": "industry_code",
          "has_rd_leader": "has_rd_leader",
          **{f"ip_management.{key}": column for key, column in IP_COLUMNS.items()},
          **{f"integrity.{key}": key for key in ("abnormal_patent_applications", "major_accident", "violation",
                                                 "serious_dishonesty")},
          "brand_evidence": "brand_evidence"}


@dataclass(frozen=True)
class Difference:
    """One field: its record name, its label, the value stored and the value the file brings."""

    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    """What the file does to one thing: ``action`` is add, change or keep (in
    the record, not in the file: kept as it is).  ``what`` names it in Chinese
    with its sheet; ``values`` are what the domain function receives."""

    action: str
    part: str  # enterprise | figures | a part of pool.records.fields.PARTS
    sheet: str
    what: str
    row_id: int | None = None
    version: int | None = None
    year: int | None = None
    differences: tuple[Difference, ...] = ()
    values: Mapping[str, Any] | None = None

    @property
    def where(self) -> str:
        return f"「{self.sheet}」{self.what}"


@dataclass(frozen=True)
class Plan:
    """The changes a file would make to an enterprise's record, in the order
    they apply, and the parts it leaves as they are."""

    enterprise_id: int
    effective_on: date
    changes: tuple[Change, ...]
    kept: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def fingerprint(self) -> str:
        """Stands for the changes and the versions they were planned on: equal
        fingerprints, the same changes to the same record."""
        shape = [(c.action, c.part, c.row_id, c.version, c.year,
                  [(d.field, _plain(d.old), _plain(d.new)) for d in c.differences]) for c in self.changes]
        text = json.dumps([self.enterprise_id, self.effective_on.isoformat(), shape], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else str(value) if value is not None else None


# --- export ------------------------------------------------------------------------------

def export_record(enterprise: Enterprise, day: date) -> bytes:
    """The record as it stands on ``day`` in the workbook layout (one enterprise,
    with the figures of the year before ``day``'s year)."""
    buffer = io.BytesIO()
    workbook.write_applicants([facts.record_data(enterprise, day)], buffer, counties=[enterprise.county.name])
    return buffer.getvalue()


# --- planning ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Group:
    part: str
    group: str  # the contract's list
    fields: tuple[str, ...]  # compared, as the contract and the record both name them
    key: Callable[[Mapping[str, Any]], tuple]
    unique: bool = False  # the record holds a key once (pool.records.parts refuses a duplicate)

    @property
    def sheet(self) -> str:
        return SHEET[self.group]


def _qualification_key(item: Mapping[str, Any]) -> tuple:
    if item.get("certificate_no"):
        return item.get("type"), item["certificate_no"]
    return item.get("type"), None, item.get("valid_from")


# In the order they apply: a product names patents the file may add.
GROUPS = (
    _Group("qualification", "qualifications", ("type", "certificate_no", "valid_from", "valid_to"),
           _qualification_key),
    _Group("patent", "patents", ("number", "kind", "status", "origin", "core", "industrialized"),
           lambda item: (item.get("number"),), unique=True),
    _Group("product", "products", ("name", "main", "patents", "filing_no", "patent_intensive", "certified_on"),
           lambda item: (item.get("name"),)),
    _Group("trademark", "trademarks", ("reg_no", "owned", "valid_to"), lambda item: (item.get("reg_no"),),
           unique=True),
    _Group("partnership", "research_partnerships", ("partner", "partner_type", "valid_from", "valid_to"),
           lambda item: (item.get("partner"),)),
)


def plan_import(session, enterprise: Enterprise, content: bytes, *, today: date, effective_on: date) -> Plan:
    """What importing ``content`` (an .xlsx in the workbook layout holding this
    one enterprise) would change in its record; nothing is written.

    :raise RecordRefused: ``effective_on`` is not a date from 1985-04-01 to ``today``.
    :raise pool.io.workbook.WorkbookError: the file cannot be read (over
        :data:`MAX_BYTES`, not an .xlsx, a cell of the wrong kind …), holds no
        or several enterprises, another enterprise's 统一社会信用代码, figures
        without their 申报年度, or one 专利号 or 商标注册号 twice.
    """
    if type(effective_on) is not date or not EARLIEST <= effective_on <= today:
        raise RecordRefused(f"生效日期须为 {EARLIEST} 至今天 {today} 之间的日期（实为 {effective_on}）",
                            "effective_on")
    applicant = _the_applicant(enterprise, content)
    changes = [change for change in (_basic(enterprise, applicant), _figures(session, enterprise, applicant))
               if change is not None]
    kept: list[Change] = []
    for group in GROUPS:
        added, left = _group_changes(session, enterprise, group, applicant.get(group.group) or [],
                                     today, effective_on)
        changes += added
        kept += left
    return Plan(enterprise.id, effective_on, tuple(changes), tuple(kept))


def _problem(message: str, sheet: str = ENTERPRISE, column: str | None = None) -> workbook.WorkbookError:
    return workbook.WorkbookError([workbook.Problem(sheet, None, column, message)])


def _the_applicant(enterprise: Enterprise, content: bytes) -> dict[str, Any]:
    applicants = workbook.read_applicants(content, max_bytes=MAX_BYTES)
    if len(applicants) != 1:
        raise _problem(f"文件中有 {len(applicants)} 家企业：须正好一家，即{enterprise.name}（每家企业单独导出、导入）")
    applicant = applicants[0]
    uscc = str(applicant.get("uscc", "")).strip().upper()
    if uscc != enterprise.uscc:
        raise _problem(f"统一社会信用代码 {uscc} 不是{enterprise.name}的（{enterprise.uscc}）："
                       "请上传从该企业页面导出的记录文件", column="「统一社会信用代码」")
    return applicant


def _basic(enterprise: Enterprise, applicant: Mapping[str, Any]) -> Change | None:
    differences = []
    for path, field in _BASIC.items():
        outer, _, inner = path.partition(".")
        new = (applicant.get(outer) or {}).get(inner) if inner else applicant.get(outer)
        old = getattr(enterprise, field)
        if field == "brand_evidence":
            old, new = list(old or []), list(new or [])
        if old != new:
            differences.append(Difference(field, LABELS[field], old, new))
    if not differences:
        return None
    return Change(CHANGE, "enterprise", ENTERPRISE, "基本信息", enterprise.id, enterprise.version,
                  differences=tuple(differences), values={d.field: d.new for d in differences})


def _figures(session, enterprise: Enterprise, applicant: Mapping[str, Any]) -> Change | None:
    new = {field: applicant.get(field) for field in FIGURE_FIELDS}
    year = applicant.get("assessment_year")
    if year is None:
        if any(value is not None for value in new.values()):
            raise _problem("填写了年度数据但没有申报年度：无法确定是哪一年的数据", column="「申报年度」")
        return None
    year -= 1
    figure = session.scalar(select(YearlyFigure).where(YearlyFigure.enterprise_id == enterprise.id,
                                                       YearlyFigure.year == year))
    differences = tuple(Difference(f, LABELS[f], getattr(figure, f) if figure else None, new[f])
                        for f in FIGURE_FIELDS if (getattr(figure, f) if figure else None) != new[f])
    if not differences:
        return None
    return Change(CHANGE if figure else ADD, "figures", ENTERPRISE, f"{year} 年度数据",
                  figure.id if figure else None, figure.version if figure else None, year, differences, new)


def _group_changes(session, enterprise, group: _Group, items, today: date, effective_on: date):
    part = PARTS[group.part]
    rows = session.scalars(select(part.model).where(part.model.enterprise_id == enterprise.id)
                           .order_by(part.model.id)).all()
    views = {row.id: facts.part_data(group.part, row, today) for row in rows}
    if group.unique:
        twice = [key[0] for key, n in Counter(group.key(item) for item in items).items() if n > 1 and key[0]]
        if twice:
            label = part.fields[group.fields[0]].label
            raise _problem(f"{label} {'、'.join(twice)} 出现了不止一次：每件只能占一行", group.sheet)
    changes, unmatched = [], list(rows)
    for number, (item, row) in enumerate(_pairs(group, items, rows, views), start=1):
        what = _name(group, item, number)
        if row is None:
            values = _dated(group.part, {f: item[f] for f in group.fields if item.get(f) is not None},
                            item, None, effective_on)
            changes.append(Change(ADD, group.part, group.sheet, what, values=values, differences=tuple(
                Difference(f, _label(group.part, f), None, v) for f, v in values.items() if v is not None)))
            continue
        unmatched.remove(row)
        view = views[row.id]
        changed = {f: item.get(f) for f in group.fields if _differs(f, view.get(f), item.get(f))}
        if changed:
            values = _dated(group.part, changed, item, row, effective_on)
            now = parts.values_of(part, row)
            changes.append(Change(CHANGE, group.part, group.sheet, what, row.id, row.version, values=values,
                                  differences=tuple(Difference(f, _label(group.part, f), now.get(f), v)
                                                    for f, v in values.items())))
    kept = [Change(KEEP, group.part, group.sheet, part.describe(row), row.id, row.version) for row in unmatched]
    return changes, kept


def _pairs(group: _Group, items, rows, views):
    """Each item of the file with the row it updates (``None``: a new part).
    Rows sharing a key pair up in order, an identical row first."""
    free: dict[tuple, list] = {}
    for row in rows:
        free.setdefault(group.key(views[row.id]), []).append(row)
    found: dict[int, Any] = {}
    for exact in (True, False):
        for index, item in enumerate(items):
            candidates = free.get(group.key(item), [])
            if index in found or not candidates:
                continue
            row = next((r for r in candidates if not exact or not any(
                _differs(f, views[r.id].get(f), item.get(f)) for f in group.fields)), None)
            if row is not None:
                candidates.remove(row)
                found[index] = row
    return [(item, found.get(index)) for index, item in enumerate(items)]


def _differs(field: str, old: Any, new: Any) -> bool:
    if field == "patents":
        return set(old or []) != set(new or [])
    return old != new


def _name(group: _Group, item: Mapping[str, Any], number: int) -> str:
    key = group.fields[0]
    if item.get(key) is None:
        return f"第 {number} 条"
    spec = PARTS[group.part].fields[key]
    if group.part == "qualification":
        return f"{spec.choices.get(item[key], item[key])}（{item.get('certificate_no') or item.get('valid_from', '')}）"
    return f"{spec.label} {item[key]}"


def _label(part: str, field: str) -> str:
    return "所依专利" if field == "patents" else PARTS[part].fields[field].label


def _dated(part: str, values: dict[str, Any], item: Mapping[str, Any], row, day: date) -> dict[str, Any]:
    """``values`` with the dates the rules need, on ``day`` where the file gives none."""
    values = dict(values)
    if part == "patent":
        status = values.get("status")
        if status in PATENT_ENDED:
            values["status_on"] = day
        elif status == "valid" and row is not None and row.status == "pending" and row.granted_on is None:
            values["granted_on"] = day
        if values.get("industrialized") is True:
            values["industrialized_on"] = day
        elif "industrialized" in values and row is not None and row.industrialized_on is not None:
            values["industrialized_on"] = None
    elif part == "product":
        if values.get("patent_intensive") is True:
            values.setdefault("certified_on", item.get("certified_on") or day)
        elif "patent_intensive" in values and row is not None and row.certified_on is not None:
            values["certified_on"] = item.get("certified_on")
        if values.get("filing_no") and (row is None or not row.filing_no):
            values["filed_on"] = day
        elif "filing_no" in values and not values["filing_no"] and row is not None and row.filed_on is not None:
            values["filed_on"] = None
        if row is None:
            values["added_on"] = day
    return values
