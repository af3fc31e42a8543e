"""One cell and one contract value, both ways.

The text normalisation the reader and the writer share (a formula's leading
quote, the matching key of headers and labels); reading a cell as its
column's kind — the contract value, None for "absent", or :class:`CellError`
with a message for the officer; and writing a contract value as what a cell
holds, or ``ValueError`` when a cell cannot hold it faithfully.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from pool.io.workbook.layout import (
    BOOL, BOOLEAN_LABELS, CODES, DATE, ENUM, EXTRA_ALIASES, INT, LINES, MONEY, TEXT, Column,
)

# Excel keeps 15 significant digits; more in a float cell is binary noise.
_EXCEL_DIGITS = 15
EXCEL_MAX_TEXT = 32767


class CellError(Exception):
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
ILLEGAL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_QUOTE_MARKS = re.compile(r"[\s\"'“”‘’「」『』*]")


def escape(text: str) -> str:
    return "'" + text if _NEEDS_QUOTE.match(text) else text


def _unescape(text: str) -> str:
    return text[1:] if _QUOTED.match(text) else text


def match_key(text: str) -> str:
    """Matching key for headers and drop-down labels: width-, case-, space- and quote-blind."""
    return _QUOTE_MARKS.sub("", unicodedata.normalize("NFKC", text)).lower()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------
# Reading one cell: each returns the contract value, None for "absent", or
# raises CellError.

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
        raise CellError(f"不是有效数字（{value}）")
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
        raise CellError(f"应为文本，实际为{_shown(value)}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and abs(value) >= 10 ** _EXCEL_DIGITS:
            raise CellError(f"{_shown(value)} 位数过多，Excel 已丢失精度；请将该列设为文本格式后重新输入")
        return format(_decimal_from_float(value), "f")
    if isinstance(value, _DATE_TYPES):
        raise CellError(f"应为文本，实际为{_shown(value)}；请将该列设为文本格式后重新输入")
    raise CellError(f"应为文本，实际为{_shown(value)}")


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
    raise CellError(f"应为整数，实际为{_shown(value)}")


def _read_money(value: Any) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return _decimal_from_float(value)
    if isinstance(value, str):
        number = _number_text(value)
        if number is not None:
            return number
    raise CellError(f"应为数字（单位：万元，如 200.5），实际为{_shown(value)}")


_BOOL_WORDS = {"是": True, "否": False, "true": True, "false": False}


def _read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        found = _BOOL_WORDS.get(match_key(_text(value)))
        if found is not None:
            return found
    raise CellError(f"应填“是”或“否”，实际为{_shown(value)}")


def _read_date(value: Any) -> str:
    if isinstance(value, datetime):
        if value.time() != time():
            raise CellError(f"应为日期，不应包含时间（{value.isoformat(sep=' ')}）")
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
                raise CellError(f"“{text}”不是有效日期") from None
    hint = "；请设为日期格式" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
    raise CellError(f"应为日期（如 2024-03-01），实际为{_shown(value)}{hint}")


def _enum_reader(column: Column) -> Callable[[Any], str]:
    assert column.labels is not None
    index = {match_key(code): code for code in column.labels}
    index.update({match_key(label): code for code, label in column.labels.items()})
    index.update({match_key(alias): code for alias, code in EXTRA_ALIASES.get(column.aliases or "", {}).items()})
    choices = "、".join(column.labels.values())

    def read(value: Any) -> str:
        code = index.get(match_key(_text(value)))
        if code is None:
            raise CellError(f"{_shown(value)}不是可选项；应为：{choices}")
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


def reader_for(column: Column) -> Callable[[Any], Any]:
    return _enum_reader(column) if column.kind == ENUM else _READERS[column.kind]


# ---------------------------------------------------------------------------
# Writing one cell: each takes a contract value and returns what the cell
# holds, or raises ValueError when the value cannot be stored faithfully.

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Excel's calendar starts in 1900 and wrongly has 1900-02-29; earlier dates
# are written as text, which the reader accepts just as well.
_FIRST_SAFE_DATE = date(1900, 3, 1)


def checked_text(text: str) -> str:
    if ILLEGAL_TEXT.search(text):
        raise ValueError("含有 Excel 无法保存的控制字符")
    if len(text) > EXCEL_MAX_TEXT:
        raise ValueError(f"超过 Excel 单元格 {EXCEL_MAX_TEXT} 个字符的上限")
    return text


def _write_text(value: Any, column: Column) -> str:
    if not isinstance(value, str):
        raise ValueError(f"应为字符串，实际为 {type(value).__name__}")
    return checked_text(escape(value))


def _write_int(value: Any, column: Column) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"应为整数，实际为 {type(value).__name__}")
    # Excel holds 15 significant digits; longer integers go in as text.
    return value if abs(value) < 10 ** _EXCEL_DIGITS else escape(str(value))


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
    return number if _fits_excel_number(number) else escape(str(number))


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
    return checked_text(escape("；".join(items))) if items else None


def _write_lines(value: Any, column: Column) -> str | None:
    items = _text_items(value, _LINE_BREAKS, "换行")
    if not items:
        return None
    text = "\n".join(items)
    if len(items) == 1 and _SEMICOLONS.search(text):
        # A line break makes the reader split on line breaks only, keeping
        # this single item's "；" (see _read_lines).
        text += "\n"
    return checked_text(escape(text))


WRITERS: dict[str, Callable[[Any, Column], Any]] = {
    TEXT: _write_text, INT: _write_int, MONEY: _write_money, BOOL: _write_bool,
    DATE: _write_date, ENUM: _write_enum, CODES: _write_codes, LINES: _write_lines,
}
