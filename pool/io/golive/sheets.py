"""The go-live workbook: the applicant workbook plus 入库批次 and 历史事件.

Records of the enterprises are on the applicant workbook's sheets
(:mod:`pool.io.workbook`: 企业 with 所属县市区, 资格证书, 专利, 产品, 商标,
产学研合作).  Two more sheets carry the history:

* **入库批次** — 批次名称, 开始日期, 结束日期 (blank: still open);
* **历史事件** — one row per event, in any order: 统一社会信用代码, 日期,
  事项 (申报, 入库, 不予入库, 培育出库, 退库, 实质性进展, 诚信事件), 类型
  (出库条件 a/b; 退库依据 无实质性进展/诚信事件; the kind of a progress or an
  incident), 依据文件 (the decision's 文号), 说明.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import openpyxl
from openpyxl.worksheet.datavalidation import DataValidation

from pool.io.workbook import WorkbookError, open_workbook, read_applicants, write_applicants
from pool.io.workbook.reader import Problem as SheetProblem
from pool.kernel import text
from pool.membership.history import INCIDENT_TYPES, PROGRESS_TYPES

ROUNDS, EVENTS = "入库批次", "历史事件"
ROUND_COLUMNS = ("批次名称", "开始日期", "结束日期")
EVENT_COLUMNS = ("统一社会信用代码", "日期", "事项", "类型", "依据文件", "说明")
ACTIONS = ("申报", "入库", "不予入库", "培育出库", "退库", "实质性进展", "诚信事件")
EXPULSION_BASES = {"无实质性进展": "no_progress", "诚信事件": "incident"}
GRADUATION_RULES = {"a": "a", "b": "b", "(a)": "a", "(b)": "b", "条件a": "a", "条件b": "b"}
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000


@dataclass(frozen=True)
class PastRound:
    row: int
    name: str
    opened_on: date
    closed_on: date | None


@dataclass(frozen=True)
class PastEvent:
    row: int
    uscc: str
    on: date
    action: str  # one of ACTIONS
    kind: str | None  # a code: graduation rule, expulsion basis, progress or incident type
    document: str | None
    reason: str


@dataclass(frozen=True)
class History:
    applicants: list[dict]
    rounds: list[PastRound]
    events: list[PastEvent]


def write_template(target, *, counties=(), applicants=(), rounds=(), events=()) -> None:
    """The go-live workbook: the applicant workbook (with ``applicants``) and
    the two history sheets (with ``rounds`` and ``events`` as rows of cells)."""
    buffer = io.BytesIO()
    write_applicants(applicants, buffer, counties=counties)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    for title, columns, rows in ((ROUNDS, ROUND_COLUMNS, rounds), (EVENTS, EVENT_COLUMNS, events)):
        sheet = book.create_sheet(title)
        sheet.append(list(columns))
        for row in rows:
            sheet.append(list(row))
        for letter in "ABCDEF"[:len(columns)]:
            sheet.column_dimensions[letter].width = 22
    actions = DataValidation(type="list", formula1='"' + ",".join(ACTIONS) + '"', allow_blank=False)
    book[EVENTS].add_data_validation(actions)
    actions.add(f"C2:C{MAX_ROWS}")
    book.save(target)


def read_history(source) -> History:
    """Every applicant, round and event of a go-live workbook.

    :raise WorkbookError: with every problem found (a cell of the wrong kind,
        an unknown 事项 or 类型, a missing sheet or header), each naming its
        sheet, row and column.
    """
    applicants = read_applicants(source, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    book = open_workbook(source, MAX_BYTES)
    problems: list[SheetProblem] = []
    try:
        rounds = [PastRound(n, *values) for n, values in _rows(book, ROUNDS, ROUND_COLUMNS, _round, problems)]
        events = [PastEvent(n, *values) for n, values in _rows(book, EVENTS, EVENT_COLUMNS, _event, problems)]
    finally:
        book.close()
    if problems:
        raise WorkbookError(problems)
    return History(applicants, rounds, events)


def _rows(book, title: str, columns: tuple[str, ...], convert, problems: list) -> list[tuple[int, tuple]]:
    if title not in book.sheetnames:
        problems.append(SheetProblem(title, None, None, f"缺少工作表“{title}”"))
        return []
    sheet = book[title]
    rows = sheet.iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
    missing = [c for c in columns if c not in header]
    if missing:
        problems.append(SheetProblem(title, 1, "".join(f"「{c}」" for c in missing), "缺少该列"))
        return []
    at = [header.index(c) for c in columns]
    found = []
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            problems.append(SheetProblem(title, number, None, f"超过 {MAX_ROWS:,} 行"))
            break
        cells = dict(zip(columns, (row[i] if i < len(row) else None for i in at)))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        try:
            found.append((number, convert(cells)))
        except _CellError as exc:
            problems.append(SheetProblem(title, number, f"「{exc.column}」", str(exc)))
    return found


class _CellError(ValueError):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column


def _round(cells: dict) -> tuple:
    name = _text(cells, "批次名称", required=True)
    return name, _date(cells, "开始日期", required=True), _date(cells, "结束日期")


def _event(cells: dict) -> tuple:
    uscc = _text(cells, "统一社会信用代码", required=True).upper()
    on = _date(cells, "日期", required=True)
    action = _text(cells, "事项", required=True)
    if action not in ACTIONS:
        raise _CellError("事项", f"事项须为：{'、'.join(ACTIONS)}")
    kind = _kind(action, _text(cells, "类型"))
    return uscc, on, action, kind, _text(cells, "依据文件"), _text(cells, "说明") or ""


def _kind(action: str, value: str | None) -> str | None:
    choices = {"培育出库": GRADUATION_RULES, "退库": EXPULSION_BASES,
               "实质性进展": {**{v: k for k, v in PROGRESS_TYPES.items()}, **{k: k for k in PROGRESS_TYPES}},
               "诚信事件": {**{v: k for k, v in INCIDENT_TYPES.items()}, **{k: k for k in INCIDENT_TYPES}}}
    if action not in choices:
        return None
    options = choices[action]
    if value is None or value.replace(" ", "") not in options:
        shown = ("a、b" if action == "培育出库" else
                 "、".join(dict.fromkeys(v for v in options if not v.isascii())))
        raise _CellError("类型", f"{action}的类型须为：{shown}")
    return options[value.replace(" ", "")]


def _text(cells: dict, column: str, *, required: bool = False) -> str | None:
    value = cells[column]
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _CellError(column, f"{column}不能为空")
        return None
    value = str(value).strip()
    unclean = text.refusal(column, value)
    if unclean is not None:
        raise _CellError(column, unclean)
    return value


def _date(cells: dict, column: str, *, required: bool = False) -> date | None:
    value: Any = cells[column]
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _CellError(column, f"{column}不能为空")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _CellError(column, f"{column}须为日期（YYYY-MM-DD）") from None
