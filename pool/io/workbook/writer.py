"""Writing the workbook: the empty template officers fill in, and applicants.

Contract-shape dicts go into the layout of :mod:`.layout`, one cell at a time
through :mod:`.cells`; every sheet gets its header notes, drop-downs and input
rules, and the 填写说明 sheet comes first.  What :func:`write_applicants`
writes, :func:`~.reader.read_applicants` reads back equal.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, BinaryIO

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pool.io.workbook.cells import WRITERS, checked_text, escape
from pool.io.workbook.layout import (
    BOOL, BOOLEAN_LABELS, CODES, DATE, ENTERPRISE_SHEET, ENUM, INT, LINES, MONEY, SHEETS, TEXT, Column,
    SheetLayout,
)
from pool.io.workbook.reader import MAX_BYTES, MAX_ROWS, format_size

_OPTIONS_SHEET = "选项"
_GUIDE_SHEET = "填写说明"
_LAST_EXCEL_ROW = 1048576


# ---------------------------------------------------------------------------
# Writing a workbook

def write_template(target: str | os.PathLike | BinaryIO, *, counties: Sequence[str] = ()) -> None:
    """Write the empty workbook officers fill in: :data:`SHEETS` with headers,
    header comments, drop-downs, and the 填写说明 sheet first.

    ``counties`` (the county names kept in the database) become a drop-down
    suggestion on 所属县市区; other names can still be typed.
    """
    write_applicants([], target, counties=counties)


def write_applicants(applicants: Iterable[Mapping[str, Any]], target: str | os.PathLike | BinaryIO, *,
                     counties: Sequence[str] = ()) -> None:
    """Write contract-shape applicants into the template layout (for export and tests).

    ``read_applicants`` gives back equal dicts for every valid applicant, up
    to the reader's normalisations: surrounding whitespace trimmed; blank
    texts, empty lists and an empty ``ip_management``/``integrity`` read back
    as absent.  Text that spreadsheet software would evaluate (starting with
    = + - @, tab or CR) is written behind a ``'``.

    :raise ValueError: naming the applicant and field, for what a cell cannot
        hold faithfully: an unknown field or a value of the wrong type, a
        missing or duplicate 统一社会信用代码 (rows are linked by it), control
        characters, text over 32,767 characters, a product's patent number
        containing a list separator, an evidence item containing a line break.
    """
    book = _new_book(counties)
    seen: set[str] = set()
    for number, applicant in enumerate(applicants, start=1):
        where = f"第 {number} 家企业"
        if not isinstance(applicant, Mapping):
            raise ValueError(f"{where}：应为 dict，实际为 {type(applicant).__name__}")
        uscc = applicant.get("uscc")
        if not isinstance(uscc, str) or not uscc.strip():
            raise ValueError(f"{where}：缺少统一社会信用代码")
        if uscc.strip() in seen:  # compared as the reader will see them
            raise ValueError(f"{where}：统一社会信用代码 {uscc} 重复")
        seen.add(uscc.strip())
        where = f"{where}（{uscc}）"
        _append(book[ENTERPRISE_SHEET], SHEETS[0], _flatten(applicant, where), where)
        for layout in SHEETS[1:]:
            items = applicant.get(layout.group) or ()
            if not isinstance(items, Sequence) or isinstance(items, str):
                raise ValueError(f"{where} {layout.group}：应为列表")
            for item in items:
                if not isinstance(item, Mapping):
                    raise ValueError(f"{where} {layout.group}：列表项应为 dict")
                if "uscc" in item:
                    raise ValueError(f"{where} {layout.group}：未知字段 uscc")
                _append(book[layout.name], layout, {"uscc": uscc, **item}, where)
    book.save(target)


_GROUPS = {layout.group for layout in SHEETS[1:]}
_NESTED = {col.field.partition(".")[0] for col in SHEETS[0].columns if "." in col.field}


def _flatten(applicant: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The 企业 row of an applicant: scalar fields, nested flags as ``outer.inner``."""
    flat: dict[str, Any] = {}
    for key, value in applicant.items():
        if key in _GROUPS:
            continue
        if key in _NESTED:
            if not isinstance(value, Mapping):
                raise ValueError(f"{where} {key}：应为 dict")
            flat.update({f"{key}.{inner}": flag for inner, flag in value.items()})
        else:
            flat[key] = value
    return flat


_WRAP = Alignment(wrap_text=True, vertical="top")


def _append(sheet: Worksheet, layout: SheetLayout, values: Mapping[str, Any], where: str) -> None:
    known = {col.field for col in layout.columns}
    unknown = [field for field in values if field not in known]
    if unknown:
        raise ValueError(f"{where}「{layout.name}」：未知字段 {', '.join(unknown)}")
    cells = []
    for col in layout.columns:
        value = values.get(col.field)
        try:
            cells.append(None if value is None else WRITERS[col.kind](value, col))
        except ValueError as error:
            raise ValueError(f"{where}「{layout.name}」{col.header}（{col.field}）：{error}") from None
    sheet.append([_wrapped(sheet, cell) if isinstance(cell, str) and "\n" in cell else cell for cell in cells])


def _wrapped(sheet: Worksheet, text: str) -> Cell:
    cell = Cell(sheet, value=text)
    cell.alignment = _WRAP  # show every line of a multi-line cell
    return cell


_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="C00000")
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TITLE_FONT = Font(bold=True, size=14)
_KIND_FORMATS = {
    TEXT: "文本", INT: "整数", MONEY: "数字，单位万元，可含小数", BOOL: "是 / 否（下拉选择）",
    DATE: "日期，YYYY-MM-DD", CODES: "专利号，多个用“；”“,”或换行分隔", LINES: "多条文字，用换行或“；”分隔",
}


def _kind_format(column: Column) -> str:
    if column.kind == ENUM:
        assert column.labels is not None
        return "下拉选择：" + " / ".join(column.labels.values())
    return _KIND_FORMATS[column.kind]


def _new_book(counties: Sequence[str]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = _GUIDE_SHEET
    sheets = [book.create_sheet(layout.name) for layout in SHEETS]
    options = book.create_sheet(_OPTIONS_SHEET)
    options.sheet_state = "hidden"
    ranges = _write_options(options, counties)
    for sheet, layout in zip(sheets, SHEETS):
        _format_sheet(sheet, layout, ranges)
    _write_guide(guide)
    return book


_BOOL_LIST = "是/否"
_COUNTY_FIELD = "county"


def _option_lists(counties: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Drop-down lists by title: 是/否, each enumeration by its header, the counties."""
    lists = {_BOOL_LIST: tuple(BOOLEAN_LABELS.values())}
    for layout in SHEETS:
        for col in layout.columns:
            if col.labels is not None:
                lists[col.header] = tuple(col.labels.values())
            elif col.field == _COUNTY_FIELD and counties:
                lists[col.header] = tuple(checked_text(escape(name)) for name in counties)
    return lists


def _write_options(sheet: Worksheet, counties: Sequence[str]) -> dict[str, str]:
    """The drop-down lists, one column each; returns list title → range formula.

    Lists live on a sheet rather than in the validation formula because an
    inline list cannot hold the quote marks of 专精特新"小巨人"企业.
    """
    ranges = {}
    for position, (title, values) in enumerate(_option_lists(counties).items(), start=1):
        letter = get_column_letter(position)
        sheet.cell(1, position, title).font = _HEADER_FONT
        for row, value in enumerate(values, start=2):
            sheet.cell(row, position, value)
        sheet.column_dimensions[letter].width = 30
        ranges[title] = f"'{_OPTIONS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _validation(column: Column, ranges: Mapping[str, str]) -> DataValidation | None:
    """The input rule Excel enforces while an officer types (the reader re-checks anyway)."""
    if column.kind == BOOL:
        return DataValidation(type="list", formula1=ranges[_BOOL_LIST], allow_blank=True,
                              showErrorMessage=True, errorTitle="请选择", error="请从下拉列表选择“是”或“否”")
    if column.kind == ENUM:
        return DataValidation(type="list", formula1=ranges[column.header], allow_blank=True,
                              showErrorMessage=True, errorTitle="请选择", error="请从下拉列表中选择")
    if column.kind == INT:
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="应为整数", error="请填写不小于 0 的整数")
    if column.kind == MONEY:
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="应为数字",
                              error="请填写不小于 0 的数字，单位万元，不要填写文字")
    if column.field == _COUNTY_FIELD and column.header in ranges:
        # A suggestion only: a county missing from the list can still be typed.
        return DataValidation(type="list", formula1=ranges[column.header], allow_blank=True,
                              showErrorMessage=False)
    return None


def _format_sheet(sheet: Worksheet, layout: SheetLayout, ranges: Mapping[str, str]) -> None:
    for position, col in enumerate(layout.columns, start=1):
        letter = get_column_letter(position)
        cell = sheet.cell(1, position, col.header)
        cell.font = _REQUIRED_FONT if col.required else _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGNMENT
        note = "；".join(part for part in (
            "必填" if col.required else "", _kind_format(col), col.note) if part)
        cell.comment = Comment(f"{col.header}\n{note}", "培育库", width=260, height=110)
        dimension = sheet.column_dimensions[letter]
        dimension.width = col.width
        # Text format keeps codes such as 420281 or 0111 from becoming numbers.
        if col.kind in (TEXT, CODES, LINES):
            dimension.number_format = "@"
        elif col.kind == DATE:
            dimension.number_format = "yyyy-mm-dd"
        validation = _validation(col, ranges)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{_LAST_EXCEL_ROW}")
            sheet.add_data_validation(validation)
    sheet.row_dimensions[1].height = 36
    # Keep the header, and the columns that say whose row it is, in view.
    sheet.freeze_panes = "C2" if layout.group is None else "B2"


_GUIDE_RULES = (
    "「企业」工作表每家企业填一行；资格证书、专利、产品、商标、产学研合作各占一个工作表，"
    "每行第一列填所属企业的统一社会信用代码，一家企业可以填多行。",
    "红色表头为必填项。不填的单元格表示“未提供”，空行会被忽略。",
    "金额单位为万元，可含小数（如 200.5），不要在单元格中写“万元”“元”等文字。",
    "日期用日期格式或文本 YYYY-MM-DD（如 2024-03-01）。",
    "是/否和分类项请从下拉列表选择（也可识别英文代码，如 invention、true）。",
    "统一社会信用代码、行政区划代码、行业代码、专利号等请按文本填写，以免被 Excel 改成数字。",
    "请勿修改工作表名称和表头；可以调整列的顺序，或增加“备注”等自己的列（导入时忽略）。",
    "以 = + - @ 开头的文字在导出时前面会加一个单引号 '，防止被当作公式执行；导入时自动去掉。",
    f"文件不超过 {format_size(MAX_BYTES)}，每个工作表不超过 {MAX_ROWS} 行数据。",
)


def _write_guide(sheet: Worksheet) -> None:
    sheet.append(["黄石市专利产业化样板企业培育库 · 入库申报数据填写说明"])
    sheet["A1"].font = _TITLE_FONT
    sheet.append([])
    for number, rule in enumerate(_GUIDE_RULES, start=1):
        sheet.append([f"{number}. {rule}"])
    sheet.append([])
    sheet.append(["工作表", "列", "表头", "必填", "填写格式", "说明"])
    for cell in sheet[sheet.max_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for layout in SHEETS:
        for position, col in enumerate(layout.columns, start=1):
            sheet.append([layout.name, get_column_letter(position), col.header,
                          "是" if col.required else "", _kind_format(col), col.note])
    for letter, width in zip("ABCDEF", (12, 6, 28, 6, 40, 60)):
        sheet.column_dimensions[letter].width = width
