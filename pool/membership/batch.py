"""Writing a whole history in one transaction (the go-live import, :mod:`pool.io.golive`).

A :class:`Batch` is handed to the lifecycle's functions (``batch=``) by a
caller that writes many events at once, and changes *how* they read and
write, never *what* they decide:

* an enterprise the batch ``created`` was inserted by this very transaction:
  no other transaction can see it, so there is no row to lock or re-read, and
  its cached state (``state``, ``state_changed_on``, ``admitted_on``, kept in
  step by every event written) is its whole history;
* events are appended without a flush each: any query flushes what is pending
  first (the session's autoflush), so every rule that counts events in SQL
  still sees them all; the caller flushes at the end (:meth:`Batch.flush`);
* the intake rounds are read once (``rounds``): the caller records the past
  rounds first, and none opens or closes while the batch writes;
* on SQLite the new rows are numbered by the batch, so that a flush inserts
  each table's rows in one statement: SQLite cannot return many generated ids
  in a known order (SQLAlchemy then inserts row by row), and the numbers are
  the ones SQLite would give — the largest id + 1, … — because the
  transaction holds the database's write lock from its first statement
  (``BEGIN IMMEDIATE``, :mod:`pool.database`).  PostgreSQL returns the ids of
  a many-row insert in order; its sequences number the rows as always;
* Python's cyclic garbage collector is paused while the batch is open: the
  session holds every row the batch writes until the end, so a collection
  frees nothing, and each full one walks all of them again (a third of the
  import's time on 10,000 members).

Use it as a context manager (``with Batch.begin(session) as batch:``), or
call :meth:`close`.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass, field

from sqlalchemy import Integer, event, func, inspect, select

from models import IntakeRound


@dataclass
class Batch:
    session: object
    rounds: list = field(default_factory=list)  # every IntakeRound, read once
    created: dict = field(default_factory=dict)  # id() -> each Enterprise this batch inserted (kept alive)
    _last: dict = field(default_factory=dict)  # table -> the last id given out (SQLite)
    _numbered: object = None  # the Session whose flushes this batch numbers
    _collecting: bool = False  # whether the garbage collector ran before the batch paused it

    @classmethod
    def begin(cls, session) -> Batch:
        """A batch over ``session``, with the intake rounds recorded so far."""
        batch = cls(session, list(session.scalars(select(IntakeRound))))
        if session.get_bind().dialect.name == "sqlite":
            batch._numbered = session() if callable(session) else session  # the scoped session's own
            event.listen(batch._numbered, "before_flush", batch._number)
        batch._collecting = gc.isenabled()
        gc.disable()
        return batch

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop numbering rows (SQLite) and let the garbage collector run again;
        the batch's writes stay the caller's."""
        if self._collecting:
            gc.enable()
            self._collecting = False
        if self._numbered is not None:
            event.remove(self._numbered, "before_flush", self._number)
            self._numbered = None

    def create(self, enterprise) -> None:
        """Mark ``enterprise`` as inserted by this batch (before its first event)."""
        self.created[id(enterprise)] = enterprise

    def fresh(self, enterprise) -> bool:
        """Whether this batch inserted ``enterprise``."""
        return self.created.get(id(enterprise)) is enterprise

    def flush(self) -> None:
        self.session.flush()

    def _number(self, session, _context, _instances) -> None:
        for row in session.new:
            mapper = inspect(row).mapper
            if len(mapper.primary_key) != 1 or not isinstance(mapper.primary_key[0].type, Integer):
                continue
            column = mapper.primary_key[0]
            key = mapper.get_property_by_column(column).key
            if getattr(row, key) is not None:
                continue
            if column.table not in self._last:
                self._last[column.table] = session.connection().scalar(select(func.max(column))) or 0
            self._last[column.table] += 1
            setattr(row, key, self._last[column.table])
