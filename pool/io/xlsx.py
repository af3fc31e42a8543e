"""A streaming .xlsx writer for the exports: one table of typed cells, and an about sheet.

The exports are long tables of plain values; general writers spend 7-12 µs
a cell on objects and checks they do not need here.  This writes the Office
Open XML parts as text straight into the zip, a row at a time (memory stays
flat): strings as inline text cells (so a text starting with ``=`` is text,
never a formula), numbers with their exact decimal text, dates and times as
Excel serial numbers with a date format, ``None`` as no cell.  The header row
is bold, frozen and filtered; column widths are fitted to the header and the
first :data:`WIDTH_SAMPLE` rows (read ahead); the about lines become a second
sheet 说明 and the printed page's header.  The parts are the minimum Excel,
LibreOffice and openpyxl read (ECMA-376): content types, relationships,
workbook, styles and the sheets.
"""
from __future__ import annotations

import itertools
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from pool.io.workbook.cells import EXCEL_MAX_TEXT, ILLEGAL_TEXT

WIDTH_SAMPLE = 1000
_EPOCH = date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk, right from March 1900)
# style indexes in styles.xml's cellXfs
_HEADER, _DATE, _DATETIME, _MONEY = 1, 2, 3, 4


def write(rows: Iterable[Sequence], header: Sequence[str], stream: BinaryIO, *, title: str = "导出",
          about: Sequence[tuple[str, str]] = ()) -> int:
    """Write the workbook to ``stream``; returns the number of data rows."""
    rows = iter(rows)
    ahead = list(itertools.islice(rows, WIDTH_SAMPLE))
    widths = [_width(h) for h in header]
    for row in ahead:
        for i, value in enumerate(row[:len(widths)]):
            if value is not None:
                widths[i] = max(widths[i], _width(value))
    letters = [_letter(i) for i in range(max(len(header), max((len(r) for r in ahead), default=0)))]
    sheets = [title[:31] or "导出"] + (["说明"] if about else [])
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _content_types(len(sheets)))
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _workbook(sheets))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        book.writestr("xl/styles.xml", _STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            caption = "；".join(f"{k}：{v}" for k, v in about)
            count = _table(part, header, itertools.chain(ahead, rows), widths, letters, caption)
        if about:
            book.writestr("xl/worksheets/sheet2.xml", _about(about))
    return count


def _table(part, header, rows, widths, letters, caption: str) -> int:
    cols = "".join(f'<col min="{i}" max="{i}" width="{min(max(w + 2, 8), 60)}" customWidth="1"/>'
                   for i, w in enumerate(widths, start=1))
    part.write((_SHEET_HEAD + "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" "
                "activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>"
                f"<sheetFormatPr defaultRowHeight=\"15\"/><cols>{cols}</cols><sheetData>"
                + _row(1, header, letters, _HEADER)).encode())
    count, chunk = 0, []
    for count, row in enumerate(rows, start=1):
        chunk.append(_row(count + 1, row, letters))
        if len(chunk) == 500:
            part.write("".join(chunk).encode())
            chunk.clear()
    part.write("".join(chunk).encode())
    last = f"{letters[max(len(header) - 1, 0)]}{count + 1}"
    footer = f"<headerFooter><oddHeader>{_xml('&C' + caption.replace('&', '&&'))[:1000]}</oddHeader></headerFooter>" \
        if caption else ""
    part.write(f'</sheetData><autoFilter ref="A1:{last}"/>{footer}</worksheet>'.encode())
    return count


def _row(number: int, values, letters, style: int = 0) -> str:
    cells = []
    for letter, value in zip(letters, values):
        if value is None:
            continue
        ref = f"{letter}{number}"
        kind = type(value)
        if kind is str:
            s = f' s="{style}"' if style else ""
            cells.append(f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_text(value)}</t></is></c>')
        elif kind is Decimal:
            cells.append(f'<c r="{ref}" s="{_MONEY}"><v>{format(value, "f")}</v></c>')
        elif kind is bool:
            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
        elif kind is int or kind is float:
            cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
        elif kind is datetime:
            serial = (value.date() - _EPOCH).days + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
            cells.append(f'<c r="{ref}" s="{_DATETIME}"><v>{serial!r}</v></c>')
        elif kind is date:
            cells.append(f'<c r="{ref}" s="{_DATE}"><v>{(value - _EPOCH).days}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _text(value: str) -> str:
    """Text for a cell: what XML cannot carry replaced, at most 32,767 characters, escaped."""
    if ILLEGAL_TEXT.search(value):
        value = ILLEGAL_TEXT.sub("\ufffd", value)
    return _xml(value[:EXCEL_MAX_TEXT]).replace("\r", "&#13;")


def _xml(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _width(value) -> int:
    """Characters a value takes in a cell (a CJK character counts two)."""
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = value if isinstance(value, str) else str(value)
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _about(about) -> str:
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr" s="{_HEADER}"><is><t>{_text(str(key))}</t></is></c>'
                   f'<c r="B{n}" t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c></row>'
                   for n, (key, value) in enumerate(about, start=1))
    return (_SHEET_HEAD + '<cols><col min="1" max="1" width="16" customWidth="1"/>'
            '<col min="2" max="2" width="60" customWidth="1"/></cols>'
            f"<sheetData>{rows}</sheetData></worksheet>")


_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
           '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
           '</fill><fill><patternFill patternType="solid"><fgColor rgb="FFF1F3F5"/></patternFill></fill></fills>'
           '<borders count="2"><border/><border><left style="thin"/><right style="thin"/><top style="thin"/>'
           '<bottom style="thin"/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>')


def _content_types(sheets: int) -> str:
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                        for i in range(1, sheets + 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>')


def _workbook(sheets: list[str]) -> str:
    entries = "".join(f'<sheet name="{_xml(name)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(sheets, start=1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets>{entries}</sheets></workbook>')


def _workbook_rels(sheets: int) -> str:
    rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, sheets + 1))
    styles = (f'<Relationship Id="rId{sheets + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/styles" Target="styles.xml"/>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{rels}{styles}</Relationships>')
