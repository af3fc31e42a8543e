"""Importing a revised official reference table as a new dated version.

Official tables are imported, not keyed in: the city administrator uploads the
whole table (the shipped file's columns) with its official effective date and
source document; it is validated as a whole, compared with the table in force
on that date, confirmed, and recorded as a :class:`models.ReferenceTableVersion`
with who imported it.  Two tables are importable:

* ``patent_intensive`` — 专利密集型产业分类 (CSV or Excel, :mod:`pool.reference.industries`);
* ``sme_size`` — 中小企业划型标准 (JSON in the shape of ``sme_size_2011.json``),
  which becomes a dated value of the policy parameter ``sme_size_table``.

Unlike policy parameters (never back-dated), an official table carries the date
its document gives, which may be in the past: verdicts on dates from then on
use it; saved checks keep the values they were given.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from models import ChangeRecord, ReferenceTableVersion
from pool.reference import gbt4754, industries
from pool.eligibility import sme
from pool.kernel import text
from pool.reference.industries import TableProblems
from pool.io.workbook import WorkbookError, open_workbook

KINDS = {"patent_intensive": "专利密集型产业分类表", "sme_size": "中小企业划型标准"}
FORMATS = {"patent_intensive": (".csv", ".xlsx"), "sme_size": (".json",)}
EARLIEST = date(2000, 1, 1)


@dataclass
class Preview:
    """A validated upload and what it would change, before it is recorded."""

    kind: str
    valid_from: date
    source: str
    note: str
    content: dict
    digest: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    compared_with: str = ""

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def read_upload(kind: str, filename: str, data: bytes) -> dict:
    """The table in an upload, in its stored shape.

    :raise TableProblems: unknown kind or file type, unreadable file, or any
        problem of the table itself (all of them).
    """
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if kind not in KINDS:
        raise TableProblems([f"未知的参考表 {kind}"])
    if suffix not in FORMATS[kind]:
        raise TableProblems([f"{KINDS[kind]} 须上传 {' 或 '.join(FORMATS[kind])} 文件"])
    if kind == "sme_size":
        return _sme_content(data)
    rows = _xlsx_rows(data) if suffix == ".xlsx" else industries.rows_from_csv(_decode(data))
    return _pi_content(rows)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableProblems(["文件不是 UTF-8 或 GB18030 编码的 CSV 文本"])


def _xlsx_rows(data: bytes) -> list[dict]:
    try:
        book = open_workbook(data)
    except WorkbookError as exc:
        raise TableProblems([str(p) for p in exc.problems]) from None
    try:
        values = list(book.worksheets[0].iter_rows(values_only=True, max_row=5000, max_col=30))
    finally:
        book.close()
    if not values:
        raise TableProblems(["工作表为空"])
    labels = {label: key for key, label in industries.COLUMN_LABELS.items()}
    header = [labels.get(str(h or "").strip(), str(h or "").strip()) for h in values[0]]
    missing = [industries.COLUMN_LABELS[c] for c in industries.COLUMNS if c not in header]
    if missing:
        raise TableProblems([f"第一行缺少列：{'、'.join(missing)}（须与系统提供的分类表列名一致）"])
    return [{key: ("" if value is None else str(value)) for key, value in zip(header, row)}
            for row in values[1:]]


def _pi_content(rows: list[dict]) -> dict:
    version = industries.parse_rows(rows, valid_from=EARLIEST, source="", recorded_by="")
    return {"rows": industries.version_rows(version)}


def _sme_content(data: bytes) -> dict:
    try:
        raw = json.loads(_decode(data), parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise TableProblems([f"不是有效的 JSON：{exc}"]) from None
    try:
        return sme.SizeTable.from_json(raw).to_json()
    except (ValueError, TypeError, KeyError) as exc:
        raise TableProblems([f"划型标准无效：{exc}"]) from None


def digest(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def preview(book, kind: str, content: dict, *, valid_from: date, source: str, note: str = "") -> Preview:
    """Validate ``content`` again and compare it with the table in force on
    ``valid_from`` in ``book`` (a :class:`pool.eligibility.rulebook.Rulebook`).

    :raise TableProblems: on a bad table, date or source.
    """
    problems = [f"「{label}」：{message}" for label, value in (("依据文件", source), ("说明", note))
                if (message := text.refusal(label, value)) is not None]
    if not (source or "").strip():
        problems.append("「依据文件」：请注明发布该表的官方文件（名称及文号）")
    if valid_from < EARLIEST:
        problems.append(f"「生效日期」：不能早于 {EARLIEST.isoformat()}")
    if problems:
        raise TableProblems(problems)
    result = Preview(kind, valid_from, source.strip(), (note or "").strip(), content, digest(content))
    if kind == "patent_intensive":
        _diff_classes(result, book.industries, content)
    else:
        _diff_sme(result, book.policy.in_force(valid_from).get("sme_size_table"), content)
    return result


def _diff_classes(result: Preview, table, content: dict) -> None:
    new = industries.parse_rows(content["rows"], valid_from=result.valid_from, source=result.source,
                                recorded_by="").entries
    old = {code: table.lookup(code, result.valid_from) for code in table.codes()}
    old = {code: e for code, e in old.items() if e is not None and e.included}
    version = table.version_on(result.valid_from)
    result.compared_with = (f"{version.valid_from.isoformat()} 起施行的版本（{version.source}）"
                            if version else "（该日期尚无分类表）")
    shown = gbt4754.display_code
    result.added = [f"{shown(code)} {e.name}（{e.group} › {e.category}）"
                    for code, e in sorted(new.items()) if code not in old]
    result.removed = [f"{shown(code)} {e.name}（{e.group}）" for code, e in sorted(old.items()) if code not in new]
    result.changed = [f"{shown(code)} {e.name}：{old[code].group} › {old[code].category} → {e.group} › {e.category}"
                      for code, e in sorted(new.items())
                      if code in old and (old[code].group, old[code].category) != (e.group, e.category)]


def _diff_sme(result: Preview, current, content: dict) -> None:
    old = {g["id"]: g for g in current.to_json()["groups"]} if current else {}
    new = {g["id"]: g for g in content["groups"]}
    result.compared_with = f"{current.name}（{current.document}）" if current else "（该日期尚无划型标准）"
    result.added = [f"{gid} {g.get('name', '')}" for gid, g in new.items() if gid not in old]
    result.removed = [f"{gid} {g.get('name', '')}" for gid, g in old.items() if gid not in new]
    result.changed = [f"{gid} {g.get('name', '')}：门槛或行业范围有变化" for gid, g in new.items()
                      if gid in old and old[gid] != g]
    if (current and current.to_json().get("not_covered") != content.get("not_covered")):
        result.changed.append("不适用行业（not_covered）有变化")


def record(session, book, kind: str, content: dict, *, valid_from: date, source: str, note: str,
           actor) -> ReferenceTableVersion:
    """Validate, compare and record a new version (the confirmed import),
    with an audit record of who imported what.

    Importing the same table for the same date twice records nothing new.

    :raise TableProblems: as :func:`preview`, or when the same content is
        already recorded for that date.
    """
    if kind == "patent_intensive":
        content = _pi_content(content.get("rows", []) if isinstance(content, dict) else [])
    else:
        try:
            content = sme.SizeTable.from_json(content).to_json()
        except (ValueError, TypeError, KeyError) as exc:
            raise TableProblems([f"划型标准无效：{exc}"]) from None
    checked = preview(book, kind, content, valid_from=valid_from, source=source, note=note)
    same = session.scalar(select(ReferenceTableVersion.id).where(
        ReferenceTableVersion.kind == kind, ReferenceTableVersion.valid_from == valid_from,
        ReferenceTableVersion.digest == checked.digest))
    if same is not None:
        raise TableProblems([f"同一{KINDS[kind]}已按 {valid_from.isoformat()} 导入过，无需重复导入"])
    row = ReferenceTableVersion(kind=kind, valid_from=valid_from, source=checked.source,
                                note=checked.note, content=content, digest=checked.digest,
                                recorded_by_id=actor.id)
    session.add(row)
    session.flush()
    session.add(ChangeRecord(actor_id=actor.id, entity="reference_table_version", entity_id=row.id,
                             action="import", changes={
                                 "kind": [None, kind], "valid_from": [None, valid_from.isoformat()],
                                 "source": [None, row.source], "digest": [None, row.digest],
                                 "added": [None, len(checked.added)], "removed": [None, len(checked.removed)],
                                 "changed": [None, len(checked.changed)]}))
    return row


def versions(session, kind: str) -> list[ReferenceTableVersion]:
    """Imported versions of ``kind``, oldest first (for the rules and audit pages)."""
    return list(session.scalars(select(ReferenceTableVersion).where(ReferenceTableVersion.kind == kind)
                                .order_by(ReferenceTableVersion.valid_from, ReferenceTableVersion.id)))


def export_csv(version: industries.Version) -> bytes:
    """A version of the patent-intensive table as the importable CSV (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=industries.COLUMNS)
    writer.writeheader()
    writer.writerows(industries.version_rows(version))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
