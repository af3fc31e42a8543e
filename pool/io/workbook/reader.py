"""Reading an uploaded workbook, defensively.

Size and zip checks come before openpyxl parses any XML; then one pass over the
sheets of :data:`~.layout.SHEETS` finds columns by their header text, reads
every filled cell (:mod:`.cells`) and links the group sheets' rows to their
enterprise, collecting every :class:`Problem` before raising
:class:`WorkbookError`.  Types only: the rules of the schema are the
validator's.
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO

import openpyxl
from openpyxl.utils import get_column_letter

from pool.io.workbook.cells import CellError, is_blank, match_key, reader_for
from pool.io.workbook.layout import ENTERPRISE_SHEET, SHEETS, Column, SheetLayout

# ---------------------------------------------------------------------------
# Limits of the defensive reader.

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20000
# An .xlsx of MAX_BYTES holding ordinary data unpacks to well under this.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
# Spreadsheet XML compresses about 5–20:1; deflated zeros reach ~1000:1.  Only
# members big enough to hurt are judged, as tiny parts compress freakishly well.
MAX_COMPRESSION_RATIO = 100
_RATIO_MIN_MEMBER_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 1000
# Header cells beyond this column are not looked at.
_MAX_HEADER_COLUMNS = 200


# ---------------------------------------------------------------------------
# Problems

@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded workbook, located for the officer.

    ``sheet`` is the sheet name, ``row`` the 1-based Excel row and ``column``
    the Excel column letter with its header (``C「所属县市区」``, or just
    ``「所属县市区」`` for a missing header); each is None where the problem
    has no such place (an unreadable file has none).  ``message`` is Chinese.
    """

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = " ".join(part for part in (
            f"「{self.sheet}」" if self.sheet else "",
            f"第 {self.row} 行" if self.row else "",
            self.column or "",
        ) if part)
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class WorkbookError(ValueError):
    """The workbook cannot be read as applicants; ``problems`` lists every reason found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(f"工作簿有 {len(self.problems)} 处问题：\n" + "\n".join(map(str, self.problems)))


def _file_problem(message: str) -> WorkbookError:
    return WorkbookError([Problem(None, None, None, message)])


# ---------------------------------------------------------------------------
# Reading a workbook

def read_applicants(source: str | os.PathLike | bytes | BinaryIO, *,
                    max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> list[dict]:
    """Read the applicants of a workbook in the project's layout.

    ``source`` is a path, the file's bytes, or a binary stream (an upload).
    Returns one dict per data row of 企业, in sheet order, in the contract's
    shape: a key only where the cell is filled; ``int`` counts and years,
    ``Decimal`` money (万元), ``"YYYY-MM-DD"`` dates, ``bool`` flags, contract
    codes for drop-down labels; ``ip_management``/``integrity`` only when one
    of their flags is filled; a group list only when it has rows.  Texts are
    trimmed and fully empty rows skipped.  The result is not validated against
    the schema: that is the caller's next step.

    :raise WorkbookError: with every problem found — a file over ``max_bytes``,
        not an .xlsx, a suspicious zip (checked before any XML is parsed), a
        sheet with more than ``max_rows`` data rows (these three stop reading
        at once); a missing sheet or header, a cell of the wrong kind, a group
        row whose 统一社会信用代码 is blank or not on 企业, a duplicate code
        on 企业 (these are all collected first).
    :raise RuntimeError: if defusedxml is not installed, as openpyxl would
        then parse untrusted XML unguarded.
    """
    book = open_workbook(source, max_bytes)
    try:
        return _BookReader(book, max_rows).applicants()
    finally:
        book.close()  # read-only books keep the archive open


def open_workbook(source: Any, max_bytes: int = MAX_BYTES):
    """An uploaded .xlsx opened read-only, after the size and zip checks.

    The caller closes it.  :raise WorkbookError: as :func:`read_applicants`.
    """
    data = _read_source(source, max_bytes)
    _check_zip(data)
    if not openpyxl.DEFUSEDXML:
        raise RuntimeError("defusedxml 未安装：拒绝解析上传的 Excel 文件")
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl fails on bad parts with anything from KeyError to XML errors
        raise _file_problem("文件无法作为 Excel 工作簿打开，可能已损坏") from exc


def format_size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def _read_source(source: Any, max_bytes: int) -> bytes:
    too_big = _file_problem(f"文件超过 {format_size(max_bytes)} 上限")
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = source if isinstance(source, bytes) else bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            if os.path.getsize(source) > max_bytes:
                raise too_big
            with open(source, "rb") as stream:
                data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise _file_problem("无法打开文件") from exc
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        if not isinstance(data, bytes):
            raise TypeError("read_applicants 需要以二进制方式打开的文件")
    else:
        raise TypeError(f"read_applicants 不接受 {type(source).__name__}")
    if len(data) > max_bytes:
        raise too_big
    if not data:
        raise _file_problem("文件为空")
    return data


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_zip(data: bytes) -> None:
    """Refuse what is not an .xlsx or would unpack to far more than it weighs.

    Judged on the sizes the zip declares: Python's zipfile (which openpyxl
    uses) never inflates a member past its declared size, so these bound the
    work openpyxl can be made to do.
    """
    if data.startswith(_OLE2_MAGIC):
        raise _file_problem("这是旧版 .xls 文件或加密的工作簿：请在 Excel 中取消密码并“另存为” .xlsx 后再上传")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as exc:  # BadZipFile, OSError, struct.error… on arbitrary bytes
        raise _file_problem("不是 .xlsx 文件（Excel 工作簿）") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise _file_problem("文件结构异常（压缩包成员过多），已拒绝")
    if "[Content_Types].xml" not in {member.filename for member in members}:
        raise _file_problem("不是 .xlsx 文件（Excel 工作簿）")
    for member in members:
        if member.file_size > _RATIO_MIN_MEMBER_BYTES and (
                member.compress_size <= 0 or member.file_size / member.compress_size > MAX_COMPRESSION_RATIO):
            raise _file_problem("文件压缩比异常（疑似“压缩炸弹”），已拒绝")
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise _file_problem(f"文件解压后超过 {format_size(MAX_UNCOMPRESSED_BYTES)}，已拒绝")


@dataclass
class _Row:
    number: int                      # Excel row
    values: dict[str, Any]           # field -> contract value, in column order
    failed: set[str]                 # fields whose cell was refused


@dataclass
class _SheetRows:
    rows: list[_Row]
    link: tuple[int, str] | None     # position and label of the uscc column, if found


def _column_label(position: int, column: Column) -> str:
    return f"{get_column_letter(position)}「{column.header}」"


def _header_keys(column: Column) -> set[str]:
    # The header as printed, without its unit suffix, or the contract key.
    bare = re.sub(r"[（(][^（()）]*[)）]$", "", column.header)
    return {match_key(column.header), match_key(bare), match_key(column.field)}


class _BookReader:
    """One pass over an open read-only workbook, collecting problems as it goes."""

    def __init__(self, book: Any, max_rows: int):
        self.book = book
        self.max_rows = max_rows
        self.sheet_names = {name.strip(): name for name in book.sheetnames}
        # (sheet index, row, column position) keeps the report in reading order.
        self.problems: list[tuple[tuple[int, int, int], Problem]] = []

    def applicants(self) -> list[dict]:
        enterprise_rows = self._read_sheet(0, SHEETS[0])
        applicants = self._enterprises(enterprise_rows)
        for index, layout in enumerate(SHEETS[1:], start=1):
            self._attach(index, layout, self._read_sheet(index, layout), applicants)
        if self.problems:
            raise WorkbookError(problem for _, problem in sorted(self.problems, key=lambda item: item[0]))
        return list(applicants.values()) if applicants else []

    def _report(self, index: int, row: int, position: int, problem: Problem) -> None:
        self.problems.append(((index, row, position), problem))

    def _rows(self, sheet: Any, name: str, **bounds: int) -> Iterator[tuple]:
        # openpyxl parses a read-only sheet lazily, so a corrupt part fails here.
        rows = sheet.iter_rows(values_only=True, **bounds)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise WorkbookError([Problem(name, None, None, "工作表内容已损坏，无法读取")]) from exc
            yield row

    def _read_sheet(self, index: int, layout: SheetLayout) -> _SheetRows | None:
        name = self.sheet_names.get(layout.name)
        if name is None:
            self._report(index, 0, 0, Problem(layout.name, None, None, f"缺少工作表「{layout.name}」"))
            return None
        sheet = self.book[name]
        if not hasattr(sheet, "reset_dimensions"):
            self._report(index, 0, 0, Problem(layout.name, None, None, "不是普通工作表（可能是图表）"))
            return None
        # The <dimension> a file declares may be wrong, and openpyxl would stop
        # at it silently; read to the real end instead.
        sheet.reset_dimensions()
        header = next(self._rows(sheet, layout.name, min_row=1, max_row=1, max_col=_MAX_HEADER_COLUMNS), ())
        positions = self._match_header(index, layout, header)
        columns = [(positions[col.field], col, reader_for(col)) for col in layout.columns if col.field in positions]
        link_column = next(col for col in layout.columns if col.field == "uscc")
        link = (positions["uscc"], _column_label(positions["uscc"], link_column)) if "uscc" in positions else None
        result = _SheetRows([], link)
        if not columns:
            return result
        width = max(position for position, _, _ in columns)
        for number, cells in enumerate(self._rows(sheet, layout.name, min_row=2, max_col=width), start=2):
            filled = [(position, col, read, cells[position - 1]) for position, col, read in columns
                      if not is_blank(cells[position - 1])]
            if not filled:
                continue
            if len(result.rows) >= self.max_rows:
                raise WorkbookError([Problem(layout.name, number, None,
                                             f"数据超过 {self.max_rows} 行上限，请分批导入")])
            row = _Row(number, {}, set())
            for position, col, read, raw in filled:
                try:
                    value = read(raw)
                except CellError as error:
                    row.failed.add(col.field)
                    self._report(index, number, position,
                                 Problem(layout.name, number, _column_label(position, col), error.message))
                    continue
                if value is not None:
                    row.values[col.field] = value
            result.rows.append(row)
        return result

    def _match_header(self, index: int, layout: SheetLayout, header: tuple) -> dict[str, int]:
        wanted = {key: col for col in layout.columns for key in _header_keys(col)}
        positions: dict[str, int] = {}
        for position, cell in enumerate(header, start=1):
            if is_blank(cell):
                continue
            col = wanted.get(match_key(str(cell)))
            if col is None:
                continue  # an officer's own column, such as 备注
            if col.field in positions:
                first = get_column_letter(positions[col.field])
                self._report(index, 1, position, Problem(layout.name, 1, _column_label(position, col),
                                                         f"表头「{col.header}」重复（已在 {first} 列）"))
                continue
            positions[col.field] = position
        for order, col in enumerate(layout.columns):
            if col.field not in positions:
                self._report(index, 1, _MAX_HEADER_COLUMNS + order, Problem(
                    layout.name, 1, f"「{col.header}」", f"缺少表头「{col.header}」（请使用本系统的模板）"))
        return positions

    def _enterprises(self, sheet: _SheetRows | None) -> dict[str, dict] | None:
        """Applicants by code, in row order; None when 企业 cannot be linked to."""
        if sheet is None or sheet.link is None:
            return None
        position, label = sheet.link
        applicants: dict[str, dict] = {}
        first_row: dict[str, int] = {}
        for row in sheet.rows:
            uscc = row.values.get("uscc")
            if uscc is None:
                if "uscc" not in row.failed:
                    self._report(0, row.number, position,
                                 Problem(ENTERPRISE_SHEET, row.number, label, "缺少统一社会信用代码"))
                continue
            if uscc in first_row:
                self._report(0, row.number, position, Problem(
                    ENTERPRISE_SHEET, row.number, label,
                    f"统一社会信用代码 {uscc} 与第 {first_row[uscc]} 行重复"))
                continue
            first_row[uscc] = row.number
            applicants[uscc] = _nest(row.values)
        return applicants

    def _attach(self, index: int, layout: SheetLayout, sheet: _SheetRows | None,
                applicants: dict[str, dict] | None) -> None:
        if sheet is None or sheet.link is None:
            return
        position, label = sheet.link
        for row in sheet.rows:
            uscc = row.values.pop("uscc", None)
            if uscc is None:
                if "uscc" not in row.failed:
                    self._report(index, row.number, position, Problem(
                        layout.name, row.number, label, "缺少统一社会信用代码，无法对应到企业"))
                continue
            if applicants is None:
                continue  # 企业 itself is unusable, and already reported
            owner = applicants.get(uscc)
            if owner is None:
                self._report(index, row.number, position, Problem(
                    layout.name, row.number, label, f"统一社会信用代码 {uscc} 不在「{ENTERPRISE_SHEET}」工作表中"))
                continue
            owner.setdefault(layout.group, []).append(row.values)


def _nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"ip_management.rules": True}`` → ``{"ip_management": {"rules": True}}``."""
    nested: dict[str, Any] = {}
    for field, value in values.items():
        outer, _, inner = field.partition(".")
        if inner:
            nested.setdefault(outer, {})[inner] = value
        else:
            nested[field] = value
    return nested
