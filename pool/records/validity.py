"""How long a judgement of a stored record holds if the record does not change.

A verdict (:mod:`pool.monitoring.verdicts`) or a configured pool's kept inputs
(:mod:`pool.ladder.inputs`) read the record as it stood on a day.  The same
reading holds on the following days until a date in the record is crossed (a
certificate running out, a partnership starting), the year turns (上年度 moves
on) or the judgement is due again anyway (:data:`REJUDGE_DAYS`, staggered, so
that a record changed outside the application is seen within that time).
"""
from __future__ import annotations

from datetime import date, timedelta
from contextlib import AbstractContextManager
from typing import Callable, Iterable

from sqlalchemy import delete, func, insert, select

from models import ChangeRecord
from pool.kernel.collector import no_cycle_collection
from pool.records.bulk import CHUNK
from pool.records.fields import PARTS

REJUDGE_DAYS = 91  # a quarter: about 1 % of the pool a day


def last_changes(connection, only: Iterable[int] | None = None) -> dict[int, int]:
    """Each enterprise's latest change record id (of ``only``'s; None: every enterprise's): what a
    judgement kept with the id it saw compares, to know the record has not changed since."""
    stmt = select(ChangeRecord.enterprise_id, func.max(ChangeRecord.id)).where(ChangeRecord.enterprise_id.is_not(None))
    if only is not None:
        stmt = stmt.where(ChangeRecord.enterprise_id.in_(list(only)))
    return dict(connection.execute(stmt.group_by(ChangeRecord.enterprise_id)).all())


def holds(as_of: date, kept_on: date, through: date, change_id: int, last_change: int) -> bool:
    """A judgement kept on ``kept_on`` of a record whose last change was then ``change_id`` still holds
    on ``as_of``: not before the day it was made, not past ``through`` (:func:`holds_through`), and
    no change since (``last_change``: the record's latest now, 0 for none)."""
    return kept_on <= as_of <= through and change_id == last_change


def in_batches(stale: list[int], judge: Callable[[list[int]], dict], keep: Callable[[dict], None], *,
               commit: Callable[[], None], reading: Callable[[], AbstractContextManager], batch: int) -> None:
    """Judge ``stale`` ``batch`` records at a time, each batch read and judged inside ``reading()``
    (the daily job's read-only transaction) ended by ``commit``, then kept in a short transaction of
    its own — so a whole pool judged afresh never holds one long write transaction."""
    for start in range(0, len(stale), batch):
        with reading(), no_cycle_collection():
            judged = judge(stale[start:start + batch])
            commit()
        keep(judged)
        commit()


def replace_kept(connection, model, rows: list[dict]) -> None:
    """Store ``rows`` (each with ``enterprise_id``) in ``model``'s table in place of what was kept for
    those enterprises, :data:`~pool.records.bulk.CHUNK` ids a delete."""
    if not rows:
        return
    ids = [row["enterprise_id"] for row in rows]
    for start in range(0, len(ids), CHUNK):
        connection.execute(delete(model).where(model.enterprise_id.in_(ids[start:start + CHUNK])))
    connection.execute(insert(model), rows)


def holds_through(record, as_of: date) -> date:
    """The last day a verdict on ``record`` judged on ``as_of`` holds if the
    record does not change: the day before the next date in the record that
    something takes effect on (the day after a validity's last day), the due
    day of :data:`REJUDGE_DAYS` and 1 January, whichever comes first."""
    turns = [date(as_of.year + 1, 1, 1), as_of + timedelta(days=_due_in(record.id, as_of))]
    for rows, starts, ends in _DATES:
        for row in getattr(record, rows):
            turns += [day for day in (getattr(row, name) for name in starts) if day is not None and day > as_of]
            turns += [day + _DAY for day in (getattr(row, name) for name in ends)
                      if day is not None and day >= as_of]
    return min(turns) - _DAY


_DAY = timedelta(days=1)
# Each part's dates (pool.records.fields.PARTS): the record's list, the dates a
# fact takes effect on, the last days of a validity.
_DATES = tuple(
    (rows, tuple(name for name, field in PARTS[part].fields.items() if field.kind == "day" and name != "valid_to"),
     tuple(name for name in PARTS[part].fields if name == "valid_to"))
    for part, rows in (("qualification", "qualifications"), ("patent", "patents"), ("product", "products"),
                       ("trademark", "trademarks"), ("partnership", "partnerships")))


def _due_in(enterprise_id: int, as_of: date) -> int:
    """Days from ``as_of`` to the enterprise's next due day: one day in every
    :data:`REJUDGE_DAYS`, a different one for each enterprise."""
    return (-(as_of.toordinal() + enterprise_id)) % REJUDGE_DAYS or REJUDGE_DAYS
