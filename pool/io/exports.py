"""Reports and exports: the pool, the event log and the pool on a date, as rows.

Each ``*_rows`` function checks its arguments and builds its query at once (so
bad arguments fail before anything is sent) and returns a generator of tuples
in its header's order that runs the query when first iterated and streams it
``yield_per`` :data:`BATCH` rows: memory stays flat whatever the size of the
pool, and the number of queries does not grow with it.  Pass a session that is
valid where the rows are read: in a streamed Flask response that is after the
view's application context was torn down and pushed again, so the web layer
passes ``db.session`` (the scoped proxy), not the session object of the view.

The writers turn such rows into CSV (UTF-8 with BOM, so that Excel reads the
Chinese; a text starting with ``= + - @``, tab or CR gets a leading ``'``
against "CSV injection", exactly as :mod:`pool.io.workbook` does) or an .xlsx
workbook (:mod:`pool.io.xlsx`, streamed), where every text is a text cell and
so never a formula.

County scoping is :mod:`pool.access.scoping`'s: a county officer's export holds only
their county's rows; the city administrator's holds every county's.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import aliased

from models import STATES, County, Enterprise, PoolEvent, User, YearlyFigure
from models.enterprise import ADMITTED
from models.event import (
    CORRECTION, INCIDENT, NOTE, OUTCOME, PROGRESS, REVIEW, STATE_CHANGE,
)

from pool.records import directory
from pool.membership import admission, lifecycle
from pool.access import scoping
from pool.records.directory import STATE_LABELS
from pool.io import xlsx
from pool.io.workbook.cells import escape

BATCH = 1000
SHANGHAI = ZoneInfo("Asia/Shanghai")

POOL_HEADER = (
    "企业名称", "统一社会信用代码", "县（市、区）", "状态", "入库日期", "状态变更日期", "行业代码",
    "数据年度", "营业收入（万元）", "研发投入（万元）", "职工人数", "研发人员数",
)
EVENT_HEADER = (
    "日期", "企业", "统一社会信用代码", "县（市、区）", "类型", "子类型", "原状态", "新状态",
    "增补", "操作人", "记录时间", "原因",
)
MEMBER_HEADER = ("企业名称", "统一社会信用代码", "县（市、区）", "入库日期", "当前状态")

# The event log's vocabulary in Chinese (SPEC §3; subtypes from pool.membership.history).
KIND_LABELS = {
    STATE_CHANGE: "状态变更", PROGRESS: "实质性进展", INCIDENT: "诚信事件",
    REVIEW: "复核决定", OUTCOME: "出库后标记", CORRECTION: "更正", NOTE: "备注",
}
SUBTYPE_LABELS = {
    PROGRESS: lifecycle.PROGRESS_TYPES, INCIDENT: lifecycle.INCIDENT_TYPES,
    OUTCOME: lifecycle.OUTCOME_TYPES, REVIEW: admission.REVIEW_DECISIONS,
    CORRECTION: KIND_LABELS,  # a correction's subtype is the kind it voids
}
YES_NO = {True: "是", False: "否"}


# --- rows ---------------------------------------------------------------------

def pool_rows(session, viewer, *, county_id: int | None = None, state: str | None = None,
              q: str | None = None, sort: str = "name", descending: bool = False) -> Iterator[tuple]:
    """The enterprises ``viewer`` may see, filtered as the enterprise list
    (:func:`pool.records.directory.search`) and in its order, with the latest year's
    figures: rows of :data:`POOL_HEADER`.  One query."""
    latest = (select(YearlyFigure.enterprise_id, func.max(YearlyFigure.year).label("year"))
              .group_by(YearlyFigure.enterprise_id).subquery())
    stmt = (
        directory.search(viewer, q=q, county_id=county_id, state=state, sort=sort, descending=descending)
        .with_only_columns(
            Enterprise.name, Enterprise.uscc, County.name, Enterprise.state,
            Enterprise.admitted_on, Enterprise.state_changed_on, Enterprise.industry_code,
            YearlyFigure.year, YearlyFigure.operating_revenue, YearlyFigure.rd_expense,
            YearlyFigure.employees, YearlyFigure.rd_staff,
            maintain_column_froms=True,
        )
        .join(County, County.id == Enterprise.county_id)
        .outerjoin(latest, latest.c.enterprise_id == Enterprise.id)
        .outerjoin(YearlyFigure, and_(YearlyFigure.enterprise_id == latest.c.enterprise_id,
                                      YearlyFigure.year == latest.c.year))
    )
    return (row[:3] + (_state_label(row[3]),) + row[4:] for row in _stream(session, stmt))


def event_rows(session, viewer, *, start: date | None = None, end: date | None = None,
               zone: ZoneInfo = SHANGHAI) -> Iterator[tuple]:
    """The events of the counties ``viewer`` may see, effective from ``start``
    to ``end`` (both inclusive, either open), oldest first: rows of
    :data:`EVENT_HEADER`, the recording time in ``zone``.  One query.

    :raise ValueError: if ``start`` is after ``end``.
    """
    if start is not None and end is not None and start > end:
        raise ValueError(f"起始日期 {start} 晚于截止日期 {end}")
    actor = aliased(User)
    stmt = (
        select(PoolEvent.effective_on, Enterprise.name, Enterprise.uscc, County.name,
               PoolEvent.kind, PoolEvent.subtype, PoolEvent.from_state, PoolEvent.to_state,
               PoolEvent.replenishment, actor.display_name, PoolEvent.recorded_at,
               PoolEvent.reason)
        .join(Enterprise, Enterprise.id == PoolEvent.enterprise_id)
        .join(County, County.id == PoolEvent.county_id)
        .outerjoin(actor, actor.id == PoolEvent.actor_id)
        .where(scoping.county_filter(viewer, PoolEvent.county_id))
        .order_by(PoolEvent.effective_on, PoolEvent.id)
    )
    if start is not None:
        stmt = stmt.where(PoolEvent.effective_on >= start)
    if end is not None:
        stmt = stmt.where(PoolEvent.effective_on <= end)
    return (_event_row(row, zone) for row in _stream(session, stmt))


def members(session, viewer, on: date):
    """``SELECT`` of the enterprises ``viewer`` may see that were in the pool
    (``admitted``) on ``on`` according to the event log, by county then name
    (:func:`on_date` with ``state=ADMITTED``)."""
    return on_date(session, viewer, on, state=ADMITTED)[0]


def on_date(session, viewer, on: date, *, county_id: int | None = None,
            state: str | None = None) -> tuple[Any, dict[int, str]]:
    """``(SELECT, states)``: the enterprises ``viewer`` may see (of ``county_id``
    if given) that had a state on ``on`` according to the event log
    (:func:`pool.membership.lifecycle.pool_on`) — that state if ``state`` is
    given — by county then name; and ``{enterprise id: its state on on}`` of
    all of them, whatever ``state``.

    Runs two queries now (the viewer's counties, the log), the returned one a
    third.  The ids are inlined as integer literals, so no bound-parameter
    limit applies however many there are.
    """
    county_ids = [c.id for c in scoping.counties(session, viewer) if county_id in (None, c.id)]
    states = lifecycle.pool_on(session, on, county_ids) if county_ids else {}
    ids = sorted(e for e, s in states.items() if state in (None, s))
    stmt = (
        select(Enterprise)
        .join(County, County.id == Enterprise.county_id)
        .where(Enterprise.id.in_(bindparam("member_ids", ids, expanding=True,
                                           literal_execute=True)),
               scoping.county_filter(viewer, Enterprise.county_id))
        .order_by(County.sort_order, County.id, Enterprise.name, Enterprise.id)
    )
    return stmt, states


def member_rows(session, viewer, on: date) -> Iterator[tuple]:
    """Rows of :data:`MEMBER_HEADER` for :func:`members`."""
    stmt = members(session, viewer, on).with_only_columns(
        Enterprise.name, Enterprise.uscc, County.name, Enterprise.admitted_on, Enterprise.state,
        maintain_column_froms=True,
    )
    return (row[:4] + (_state_label(row[4]),) for row in _stream(session, stmt))


def count_by_county(session, stmt) -> dict[int, int]:
    """``{county_id: number of rows}`` of an enterprise ``SELECT`` such as
    :func:`members` (counties without rows absent).  One query."""
    counted = stmt.with_only_columns(Enterprise.county_id, func.count(Enterprise.id),
                                     maintain_column_froms=True)
    return dict(session.execute(counted.group_by(Enterprise.county_id).order_by(None)).all())


# --- the city overview ----------------------------------------------------------

@dataclass(frozen=True)
class CountyOverview:
    """One county's line of the overview: enterprises by current state and its quota."""

    county: County
    states: dict[str, int]  # every state of STATES, zeros included
    quota: lifecycle.Quota

    @property
    def total(self) -> int:
        return sum(self.states.values())


def overview(session, viewer, as_of: date, snapshot) -> list[CountyOverview]:
    """For each county ``viewer`` may see, in display order: its enterprises by
    current state and its replenishment quota on ``as_of`` (``snapshot``: the
    policy in force on ``as_of``).  One query for the states, one per county
    for the quota."""
    counts = Counter({
        (county_id, state): n for county_id, state, n in session.execute(
            select(Enterprise.county_id, Enterprise.state, func.count())
            .where(scoping.county_filter(viewer, Enterprise.county_id))
            .group_by(Enterprise.county_id, Enterprise.state))
    })
    return [CountyOverview(county, {s: counts[(county.id, s)] for s in STATES},
                           lifecycle.quota(session, county.id, as_of, snapshot))
            for county in scoping.counties(session, viewer)]


# --- writers ------------------------------------------------------------------

def iter_csv(rows: Iterable[Sequence], header: Sequence[str], *,
             chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """CSV as UTF-8 byte chunks of about ``chunk_size``, the first starting with
    the BOM; formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(h) for h in header])
    first = True
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        if buffer.tell() >= chunk_size:
            yield _drain(buffer, first)
            first = False
    if buffer.tell() or first:
        yield _drain(buffer, first)


def write_csv(rows: Iterable[Sequence], header: Sequence[str], stream: BinaryIO) -> None:
    """Write :func:`iter_csv` to the binary ``stream``."""
    for chunk in iter_csv(rows, header):
        stream.write(chunk)


def write_xlsx(rows: Iterable[Sequence], header: Sequence[str], stream: BinaryIO, *,
               title: str = "导出", about: Sequence[tuple[str, str]] = ()) -> None:
    """Write an .xlsx to the binary ``stream`` (:func:`pool.io.xlsx.write`): sheet
    ``title`` with a bold, frozen, filtered header row, dates as dates, amounts
    as numbers with two decimals, texts as text cells (a text starting with
    ``=`` stays text: no formula, no visible quote), columns fitted to their
    content; and, if given, a sheet 说明 with ``about`` (what, which filters,
    who, when), also the printed page's header.  Streamed: memory stays flat."""
    xlsx.write(rows, header, stream, title=title, about=about)


# --- helpers ------------------------------------------------------------------

def _stream(session, stmt) -> Iterator[tuple]:
    """The statement's rows as tuples, fetched :data:`BATCH` at a time.  It
    runs on the first ``next()``: a streamed response reads it inside its own
    application context, after the view's session is gone."""
    for row in session.execute(stmt.execution_options(yield_per=BATCH)):
        yield tuple(row)


def _event_row(row: tuple, zone: ZoneInfo) -> tuple:
    (on, name, uscc, county, kind, subtype, from_state, to_state, replenishment,
     actor_name, recorded_at, reason) = row
    return (on, name, uscc, county, KIND_LABELS.get(kind, kind),
            SUBTYPE_LABELS.get(kind, {}).get(subtype, subtype),
            _state_label(from_state), _state_label(to_state),
            # 增补 is a property of an admission only
            YES_NO[bool(replenishment)] if to_state == ADMITTED and kind == STATE_CHANGE else None,
            actor_name, _local(recorded_at, zone), reason)


def _state_label(state: str | None) -> str | None:
    return STATE_LABELS.get(state, state) if state else None


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored aware time as naive wall-clock time in ``zone`` (Excel has no zones)."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment is not None else None


def _drain(buffer: io.StringIO, first: bool) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return (codecs.BOM_UTF8 if first else b"") + text.encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return escape(value)
    return str(value)
