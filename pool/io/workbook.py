"""The project's Excel workbook (入库申报数据): template, defensive reader, writer.

County officers collect applicants' data in Excel; this module turns such a
workbook into dicts of the interchange shape (``contracts/applicant.schema.json``,
SPEC §2) and back.  It checks *types* only — whether a cell holds a number, a
date, a known drop-down label — and leaves the rules of the schema (patterns,
minimums, required fields, ``valid_from <= valid_to``) to the validator.

Layout (also written into the workbook's first sheet, 填写说明):

* 企业 — one row per applicant with its scalar fields, ``ip_management`` and
  ``integrity`` flags as 是/否 columns, ``brand_evidence`` in one cell.
* 资格证书, 专利, 产品, 商标, 产学研合作 — one row per item of the repeated
  groups ``qualifications``, ``patents``, ``products``, ``trademarks``,
  ``research_partnerships``; the first column is the enterprise's 统一社会信用代码.
* 选项 (hidden) — the drop-down lists.

Row 1 of each sheet is the header.  Columns are found by their header text, so
officers may reorder columns or add their own (a 备注 column is ignored), but
every header of the layout must be present.

Public API: :func:`write_template`, :func:`read_applicants`,
:func:`write_applicants`, :class:`WorkbookError`, :class:`Problem`, and the
label maps (``QUALIFICATION_LABELS`` …, ``FIELD_LABELS``) for the web UI.
"""
from __future__ import annotations

import io
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any, BinaryIO

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "BOOLEAN_LABELS", "ENTERPRISE_SHEET", "FIELD_LABELS", "PARTNER_TYPE_LABELS",
    "PATENT_KIND_LABELS", "PATENT_ORIGIN_LABELS", "PATENT_STATUS_LABELS",
    "QUALIFICATION_LABELS", "SHEETS", "Column", "Problem", "SheetLayout",
    "WorkbookError", "read_applicants", "write_applicants", "write_template",
]

# ---------------------------------------------------------------------------
# Labels: contract code -> the Chinese label shown in cells and drop-downs.

QUALIFICATION_LABELS = {
    "specialized_sme": "专精特新中小企业",
    "little_giant": '专精特新"小巨人"企业',
    "high_tech": "高新技术企业",
    "ip_advantage": "国家知识产权优势企业",
    "ip_demonstration": "国家知识产权示范企业",
    "ip_pilot": "工业企业知识产权运用试点单位",
    "tech_sme": "科技型中小企业",
    "other": "其他",
}
PATENT_KIND_LABELS = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}
PATENT_STATUS_LABELS = {
    "valid": "有效",
    "pending": "审查中",
    "lapsed": "失效",
    "invalidated": "无效宣告",
    "expired": "期满终止",
}
PATENT_ORIGIN_LABELS = {"self": "自研", "acquired": "受让", "licensed": "许可"}
PARTNER_TYPE_LABELS = {"university": "高校", "research_institute": "科研院所", "other": "其他"}
BOOLEAN_LABELS = {True: "是", False: "否"}

# Other spellings officers use for the same thing (the seed text itself says
# 科研机构 and 专精特新小巨人); matched after _key() normalisation.
_EXTRA_ALIASES = {
    "qualification": {"国家高新技术企业": "high_tech", "专精特新小巨人": "little_giant"},
    "patent_kind": {"发明专利": "invention", "实用新型专利": "utility_model", "外观设计专利": "design"},
    "partner_type": {"高等院校": "university", "高等学校": "university", "大学": "university",
                     "科研机构": "research_institute"},
}

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
# Excel keeps 15 significant digits; more in a float cell is binary noise.
_EXCEL_DIGITS = 15
_EXCEL_MAX_TEXT = 32767
_LAST_EXCEL_ROW = 1048576


# ---------------------------------------------------------------------------
# Layout

TEXT, INT, MONEY, BOOL, DATE, ENUM, CODES, LINES = (
    "text", "int", "money", "bool", "date", "enum", "codes", "lines")


@dataclass(frozen=True)
class Column:
    """One column of the layout.

    ``field`` is the contract key inside the sheet's object: a top-level key on
    企业 (``ip_management.rules`` for the nested flags), an item key on the
    group sheets, whose first column ``uscc`` links the row to its enterprise.
    """

    field: str
    header: str
    kind: str
    note: str = ""
    width: int = 14
    labels: Mapping[str, str] | None = None
    aliases: str | None = None       # key of _EXTRA_ALIASES
    required: bool = False           # contract-required; shown in red, not enforced here


@dataclass(frozen=True)
class SheetLayout:
    """One sheet: ``group`` is the contract list its rows fill (None for 企业)."""

    name: str
    group: str | None
    purpose: str
    columns: tuple[Column, ...]


def _flag(field: str, header: str, note: str, *, required: bool = False) -> Column:
    return Column(field, header, BOOL, note, width=12, required=required)


def _uscc_link() -> Column:
    return Column("uscc", "统一社会信用代码", TEXT, "该行所属企业的统一社会信用代码，须与「企业」表中的一致", 22,
                  required=True)


ENTERPRISE_SHEET = "企业"
SHEETS: tuple[SheetLayout, ...] = (
    SheetLayout(ENTERPRISE_SHEET, None, "每家申报企业一行", (
        Column("uscc", "统一社会信用代码", TEXT, "18 位，字母大写；请按文本填写", 22, required=True),
        Column("name", "企业名称", TEXT, "营业执照上的全称", 30, required=True),
        Column("county", "所属县市区", TEXT, "如 大冶市", 16),
        Column("assessment_year", "申报年度", INT, "四位年份，如 2025；“上年度”指申报年度的前一年", 10,
               required=True),
        Column("registered_region_code", "登记机关行政区划代码", TEXT,
               "6 位数字，如 420281；不填时取统一社会信用代码第 3–8 位", 14),
        _flag("independent_legal_person", "具有独立法人资格", "是/否"),
        Column("industry_code", "主营业务行业代码", TEXT, "GB/T 4754-2017 行业小类，如 C3562 或 3562；请按文本填写", 14),
        Column("employees", "从业人员数", INT, "从业人员（职工）总数，整数", 12),
        Column("operating_revenue", "上年度营业收入（万元）", MONEY, "单位：万元，可含小数，如 200.5", 16),
        Column("total_assets", "资产总额（万元）", MONEY, "单位：万元，可含小数", 16),
        Column("rd_expense", "上年度研发投入（万元）", MONEY, "单位：万元，可含小数", 16),
        Column("rd_staff", "研发人员数", INT, "整数，不超过从业人员数", 12),
        _flag("has_rd_leader", "有稳定的科研带头人和研发团队", "是/否"),
        _flag("uscc_checksum_override", "校验码例外",
              "仅当代码合法但不符合校验规则（早期试点地区代码）时填“是”，审查结论将附带提示"),
        _flag("ip_management.rules", "知识产权管理制度", "有知识产权管理制度：是/否"),
        _flag("ip_management.department", "知识产权管理机构", "有知识产权管理机构：是/否"),
        _flag("ip_management.staff", "知识产权管理人员", "有知识产权管理人员：是/否"),
        _flag("ip_management.budget", "知识产权经费保障", "有知识产权经费保障：是/否"),
        _flag("ip_management.certified_gbt29490", "通过GB/T 29490认证", "通过《企业知识产权管理规范》(GB/T 29490) 认证：是/否"),
        _flag("integrity.abnormal_patent_applications", "非正常申请专利行为", "存在非正常申请专利行为：是/否"),
        _flag("integrity.major_accident", "重大事故", "发生重大安全、质量、环境事故：是/否"),
        _flag("integrity.violation", "违法违规", "存在违法违规行为：是/否"),
        _flag("integrity.serious_dishonesty", "严重失信", "列入严重失信主体名单：是/否"),
        Column("brand_evidence", "品牌影响力证明", LINES,
               "获奖、驰名/著名商标、市场占有率等；多条用换行（Alt+Enter）或“；”分隔。"
               "单元格内有换行时只按换行分条", 40),
    )),
    SheetLayout("资格证书", "qualifications", "每张资格证书一行", (
        _uscc_link(),
        Column("type", "资格类型", ENUM, "从下拉列表选择", 28, QUALIFICATION_LABELS, "qualification", True),
        Column("certificate_no", "证书编号", TEXT, "", 20),
        Column("valid_from", "有效期起", DATE, "日期，如 2024-01-01", 13, required=True),
        Column("valid_to", "有效期止", DATE, "日期，如 2026-12-31", 13, required=True),
    )),
    SheetLayout("专利", "patents", "每件专利一行", (
        _uscc_link(),
        Column("number", "专利号", TEXT, "如 ZL202310012345.6；请按文本填写", 22, required=True),
        Column("kind", "专利类型", ENUM, "发明/实用新型/外观设计", 12, PATENT_KIND_LABELS, "patent_kind", True),
        Column("status", "法律状态", ENUM, "有效/审查中/失效/无效宣告/期满终止", 12, PATENT_STATUS_LABELS,
               required=True),
        Column("origin", "来源", ENUM, "自研/受让/许可", 10, PATENT_ORIGIN_LABELS),
        _flag("core", "核心专利", "是/否"),
        _flag("industrialized", "已产业化实施", "是/否"),
    )),
    SheetLayout("产品", "products", "每个产品一行", (
        _uscc_link(),
        Column("name", "产品名称", TEXT, "", 24, required=True),
        _flag("main", "主营产品", "是/否"),
        Column("patents", "关联专利号", CODES,
               "支撑该产品核心功能或制造方法的专利号，多个用“；”“,”或换行分隔；须在「专利」表中列出", 30),
        Column("filing_no", "专利产品备案号", TEXT, "", 20),
        _flag("patent_intensive", "已认定专利密集型产品", "是/否"),
        Column("certified_on", "认定日期", DATE, "认定为专利密集型产品的日期", 13),
    )),
    SheetLayout("商标", "trademarks", "每件商标一行", (
        _uscc_link(),
        Column("reg_no", "商标注册号", TEXT, "请按文本填写", 18, required=True),
        _flag("owned", "自主商标", "自有商标填“是”，被许可使用的填“否”", required=True),
        Column("valid_to", "有效期至", DATE, "注册有效期截止日期", 13),
    )),
    SheetLayout("产学研合作", "research_partnerships", "每项合作一行", (
        _uscc_link(),
        Column("partner", "合作单位", TEXT, "高校或科研院所全称", 30, required=True),
        Column("partner_type", "单位类型", ENUM, "高校/科研院所/其他", 12, PARTNER_TYPE_LABELS, "partner_type",
               True),
        Column("valid_from", "合作起始日期", DATE, "日期，如 2023-06-01", 13, required=True),
        Column("valid_to", "合作终止日期", DATE, "日期，如 2026-05-31", 13, required=True),
    )),
)
#: Contract field path -> Chinese header, for messages and forms elsewhere
#: (``ip_management.rules``; group items as ``patents.number``).
FIELD_LABELS: dict[str, str] = {
    (f"{sheet.group}.{col.field}" if sheet.group else col.field): col.header
    for sheet in SHEETS for col in sheet.columns
    if not (sheet.group and col.field == "uscc")
}

_OPTIONS_SHEET = "选项"
_GUIDE_SHEET = "填写说明"


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


class _CellError(Exception):
    """A cell whose content is not of its column's kind; the message is for the officer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# Text normalisation shared by reader and writer

# Spreadsheet software evaluates a cell that starts with one of these (OWASP
# "CSV injection"); the writer puts a ' before such text, the reader removes
# exactly one.  Leading quotes count too, so text that itself starts with
# "'=" survives the round trip ("'=x" is written "''=x").
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")
# XML 1.0 cannot carry these; openpyxl would refuse them half-way through a save.
_ILLEGAL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_QUOTE_MARKS = re.compile(r"[\s\"'“”‘’「」『』*]")


def _escape(text: str) -> str:
    return "'" + text if _NEEDS_QUOTE.match(text) else text


def _unescape(text: str) -> str:
    return text[1:] if _QUOTED.match(text) else text


def _key(text: str) -> str:
    """Matching key for headers and drop-down labels: width-, case-, space- and quote-blind."""
    return _QUOTE_MARKS.sub("", unicodedata.normalize("NFKC", text)).lower()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------
# Reading one cell: each returns the contract value, None for "absent", or
# raises _CellError.

_EXCEL_CONTEXT = Context(prec=_EXCEL_DIGITS, rounding=ROUND_HALF_EVEN)
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_DATE_TEXT = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATE_TYPES = (date, time, timedelta)  # datetime is a date
_CODE_SEPARATORS = re.compile(r"[；;,，、\r\n]+")
_LINE_BREAKS = re.compile(r"[\r\n]+")
_SEMICOLONS = re.compile(r"[；;]+")


def _shown(value: Any) -> str:
    """How a bad cell value is quoted back to the officer."""
    if isinstance(value, bool):
        return "逻辑值 " + ("TRUE" if value else "FALSE")
    if isinstance(value, (int, float)):
        return f"数字 {value}"
    if isinstance(value, (datetime, date)):
        return f"日期 {value.isoformat()}"
    if isinstance(value, str):
        text = value.strip()
        return f"“{text[:30]}…”" if len(text) > 30 else f"“{text}”"
    return "无法识别的内容"


def _decimal_from_float(value: float) -> Decimal:
    """The decimal an Excel number cell stands for.

    repr() is the shortest text that gives back the same binary float, so a cell
    typed 200.2 becomes Decimal("200.2"); rounding to Excel's 15 significant
    digits then drops the binary noise of computed cells (=0.1+0.2 → 0.3).
    """
    if not math.isfinite(value):  # only a hand-made file holds <v>1e999</v>
        raise _CellError(f"不是有效数字（{value}）")
    number = _EXCEL_CONTEXT.plus(Decimal(repr(value))).normalize()
    if not number:
        return Decimal(0)
    # normalize() writes 200 as 2E+2; keep whole numbers whole.
    return Decimal(int(number)) if number.as_tuple().exponent > 0 else number


def _text(value: Any) -> str:
    """A cell as the text the officer typed: trimmed, formula quote removed.

    Numbers in a text column (a region code typed without the text format) are
    given back as their digits; a number longer than Excel's 15 digits has
    already lost some and is refused rather than guessed.
    """
    if isinstance(value, str):
        return _unescape(value.strip())
    if isinstance(value, bool):
        raise _CellError(f"应为文本，实际为{_shown(value)}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and abs(value) >= 10 ** _EXCEL_DIGITS:
            raise _CellError(f"{_shown(value)} 位数过多，Excel 已丢失精度；请将该列设为文本格式后重新输入")
        return format(_decimal_from_float(value), "f")
    if isinstance(value, _DATE_TYPES):
        raise _CellError(f"应为文本，实际为{_shown(value)}；请将该列设为文本格式后重新输入")
    raise _CellError(f"应为文本，实际为{_shown(value)}")


def _number_text(value: Any) -> Decimal | None:
    """A number typed as text ("1,234.5", full-width digits), or None if it is not one."""
    text = unicodedata.normalize("NFKC", _text(value)).replace(" ", "")
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    # The length bound keeps a hostile "1e999…" or a 30,000-digit cell cheap.
    if len(text) > 100 or not _NUMBER_TEXT.fullmatch(text):
        return None
    return Decimal(text)


def _read_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        number = _number_text(value)
        if number is not None and number == number.to_integral_value():
            return int(number)
    raise _CellError(f"应为整数，实际为{_shown(value)}")


def _read_money(value: Any) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return _decimal_from_float(value)
    if isinstance(value, str):
        number = _number_text(value)
        if number is not None:
            return number
    raise _CellError(f"应为数字（单位：万元，如 200.5），实际为{_shown(value)}")


_BOOL_WORDS = {"是": True, "否": False, "true": True, "false": False}


def _read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        found = _BOOL_WORDS.get(_key(_text(value)))
        if found is not None:
            return found
    raise _CellError(f"应填“是”或“否”，实际为{_shown(value)}")


def _read_date(value: Any) -> str:
    if isinstance(value, datetime):
        if value.time() != time():
            raise _CellError(f"应为日期，不应包含时间（{value.isoformat(sep=' ')}）")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = _text(value)
        match = _DATE_TEXT.fullmatch(unicodedata.normalize("NFKC", text).replace(" ", ""))
        if match:
            year, month, day = (int(part) for part in match.groups() if part is not None)
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                raise _CellError(f"“{text}”不是有效日期") from None
    hint = "；请设为日期格式" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
    raise _CellError(f"应为日期（如 2024-03-01），实际为{_shown(value)}{hint}")


def _enum_reader(column: Column) -> Callable[[Any], str]:
    assert column.labels is not None
    index = {_key(code): code for code in column.labels}
    index.update({_key(label): code for code, label in column.labels.items()})
    index.update({_key(alias): code for alias, code in _EXTRA_ALIASES.get(column.aliases or "", {}).items()})
    choices = "、".join(column.labels.values())

    def read(value: Any) -> str:
        code = index.get(_key(_text(value)))
        if code is None:
            raise _CellError(f"{_shown(value)}不是可选项；应为：{choices}")
        return code
    return read


def _read_codes(value: Any) -> list[str] | None:
    items = [item.strip() for item in _CODE_SEPARATORS.split(_text(value))]
    return [item for item in items if item] or None


def _read_lines(value: Any) -> list[str] | None:
    # Line breaks, when the cell has any, are the only separator: an item may
    # then contain "；".  The writer relies on this (see _write_lines).
    raw_breaks = isinstance(value, str) and ("\n" in value or "\r" in value)
    separator = _LINE_BREAKS if raw_breaks else _SEMICOLONS
    items = [item.strip() for item in separator.split(_text(value))]
    return [item for item in items if item] or None


_READERS: dict[str, Callable[[Any], Any]] = {
    TEXT: _text, INT: _read_int, MONEY: _read_money, BOOL: _read_bool,
    DATE: _read_date, CODES: _read_codes, LINES: _read_lines,
}


def _reader_for(column: Column) -> Callable[[Any], Any]:
    return _enum_reader(column) if column.kind == ENUM else _READERS[column.kind]


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


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def _read_source(source: Any, max_bytes: int) -> bytes:
    too_big = _file_problem(f"文件超过 {_size(max_bytes)} 上限")
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
        raise _file_problem(f"文件解压后超过 {_size(MAX_UNCOMPRESSED_BYTES)}，已拒绝")


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
    return {_key(column.header), _key(bare), _key(column.field)}


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
        columns = [(positions[col.field], col, _reader_for(col)) for col in layout.columns if col.field in positions]
        link_column = next(col for col in layout.columns if col.field == "uscc")
        link = (positions["uscc"], _column_label(positions["uscc"], link_column)) if "uscc" in positions else None
        result = _SheetRows([], link)
        if not columns:
            return result
        width = max(position for position, _, _ in columns)
        for number, cells in enumerate(self._rows(sheet, layout.name, min_row=2, max_col=width), start=2):
            filled = [(position, col, read, cells[position - 1]) for position, col, read in columns
                      if not _is_blank(cells[position - 1])]
            if not filled:
                continue
            if len(result.rows) >= self.max_rows:
                raise WorkbookError([Problem(layout.name, number, None,
                                             f"数据超过 {self.max_rows} 行上限，请分批导入")])
            row = _Row(number, {}, set())
            for position, col, read, raw in filled:
                try:
                    value = read(raw)
                except _CellError as error:
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
            if _is_blank(cell):
                continue
            col = wanted.get(_key(str(cell)))
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


# ---------------------------------------------------------------------------
# Writing one cell: each takes a contract value and returns what the cell
# holds, or raises ValueError when the value cannot be stored faithfully.

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Excel's calendar starts in 1900 and wrongly has 1900-02-29; earlier dates
# are written as text, which the reader accepts just as well.
_FIRST_SAFE_DATE = date(1900, 3, 1)


def _checked(text: str) -> str:
    if _ILLEGAL_TEXT.search(text):
        raise ValueError("含有 Excel 无法保存的控制字符")
    if len(text) > _EXCEL_MAX_TEXT:
        raise ValueError(f"超过 Excel 单元格 {_EXCEL_MAX_TEXT} 个字符的上限")
    return text


def _write_text(value: Any, column: Column) -> str:
    if not isinstance(value, str):
        raise ValueError(f"应为字符串，实际为 {type(value).__name__}")
    return _checked(_escape(value))


def _write_int(value: Any, column: Column) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"应为整数，实际为 {type(value).__name__}")
    # Excel holds 15 significant digits; longer integers go in as text.
    return value if abs(value) < 10 ** _EXCEL_DIGITS else _escape(str(value))


def _fits_excel_number(number: Decimal) -> bool:
    if not number:
        return True
    significant = "".join(map(str, number.as_tuple().digits)).rstrip("0")
    return len(significant) <= _EXCEL_DIGITS and -307 < number.adjusted() < 308


def _write_money(value: Any, column: Column) -> Decimal | str:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        raise ValueError(f"应为数字，实际为 {type(value).__name__}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"不是有限数值：{value}")
    # A number cell would round a longer decimal to 15 digits; text keeps it exact.
    return number if _fits_excel_number(number) else _escape(str(number))


def _write_bool(value: Any, column: Column) -> str:
    if not isinstance(value, bool):
        raise ValueError(f"应为 true/false，实际为 {type(value).__name__}")
    return BOOLEAN_LABELS[value]


def _write_date(value: Any, column: Column) -> date | str:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None and day >= _FIRST_SAFE_DATE:
            return day
    # Not a date Excel can hold: keep the text, the reader will judge it.
    return _write_text(value, column)


def _write_enum(value: Any, column: Column) -> str:
    assert column.labels is not None
    if isinstance(value, str) and value in column.labels:
        return column.labels[value]
    return _write_text(value, column)  # an unknown code stays visible for the reader to report


def _text_items(value: Any, forbidden: re.Pattern, what: str) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ValueError(f"应为字符串列表，实际为 {type(value).__name__}")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"列表项应为字符串，实际为 {type(item).__name__}")
        if forbidden.search(item):
            raise ValueError(f"“{item[:30]}”含有{what}，读回时会被拆开")
    return list(value)


def _write_codes(value: Any, column: Column) -> str | None:
    items = _text_items(value, _CODE_SEPARATORS, "分隔符（；;,，、或换行）")
    return _checked(_escape("；".join(items))) if items else None


def _write_lines(value: Any, column: Column) -> str | None:
    items = _text_items(value, _LINE_BREAKS, "换行")
    if not items:
        return None
    text = "\n".join(items)
    if len(items) == 1 and _SEMICOLONS.search(text):
        # A line break makes the reader split on line breaks only, keeping
        # this single item's "；" (see _read_lines).
        text += "\n"
    return _checked(_escape(text))


_WRITERS: dict[str, Callable[[Any, Column], Any]] = {
    TEXT: _write_text, INT: _write_int, MONEY: _write_money, BOOL: _write_bool,
    DATE: _write_date, ENUM: _write_enum, CODES: _write_codes, LINES: _write_lines,
}


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
            cells.append(None if value is None else _WRITERS[col.kind](value, col))
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
                lists[col.header] = tuple(_checked(_escape(name)) for name in counties)
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
    f"文件不超过 {_size(MAX_BYTES)}，每个工作表不超过 {MAX_ROWS} 行数据。",
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
