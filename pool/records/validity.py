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

from pool.records.fields import PARTS

REJUDGE_DAYS = 91  # a quarter: about 1 % of the pool a day


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
