"""Writing a whole history in one transaction (the go-live import, :mod:`pool.io.golive`).

A :class:`Batch` is handed to the lifecycle's functions (``batch=``) by a
caller that writes many events at once, and changes *how* they read and
write, never *what* they decide:

* an enterprise the batch ``created`` was inserted by this very transaction:
  no other transaction can see it, so there is no row to lock or re-read, and
  its cached state (``state``, ``state_changed_on``, ``admitted_on``, kept in
  step by every event written) is its whole history;
* events are not ORM objects in a batch: :meth:`Batch.add_event` keeps each
  as a plain row, and the batch inserts the rows held so far in one
  statement (SQLAlchemy Core, no unit of work: the event log is append-only,
  nothing is ever updated in the rows) before any query of the session runs
  — exactly when the session's autoflush would have flushed them, and not
  when it would not (``session.no_autoflush``) — and at :meth:`flush` and
  :meth:`close`; so every rule that counts events in SQL still sees them
  all.  Building and flushing each event through the ORM was most of the
  go-live import's time;
* the intake rounds are read once (``rounds``): the caller records the past
  rounds first, and none opens or closes while the batch writes;
* on SQLite the new rows are numbered by the batch, so that a flush inserts
  each table's rows in one statement: SQLite cannot return many generated ids
  in a known order (SQLAlchemy then inserts row by row), and the numbers are
  the ones SQLite would give — the largest id + 1, … — because the
  transaction holds the database's write lock from its first statement
  (``BEGIN IMMEDIATE``, :mod:`pool.database`).  PostgreSQL returns the ids of
  a many-row insert in order; its sequences number the rows as always;
* new rows of other kinds that a caller creates wholesale (the go-live
  import's enterprise records, :mod:`pool.records.registration`) are built as
  ORM objects, which the rules read, but inserted by :meth:`insert` — one
  statement a table, each row what the ORM would insert (an unset or
  ``None`` value takes the column's default) — and attached (:meth:`attach`) to the
  session as rows it has loaded: the unit of work then only updates them;
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
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from models import IntakeRound, PoolEvent
from pool.membership.quota import rounds_of

_EVENTS = PoolEvent.__table__


@dataclass
class Batch:
    session: object
    rounds: list = field(default_factory=list)  # every IntakeRound of the first pool, read once
    created: dict = field(default_factory=dict)  # id() -> each Enterprise this batch inserted (kept alive)
    _last: dict = field(default_factory=dict)  # table -> the last id given out (SQLite)
    _numbered: object = None  # the Session whose flushes this batch numbers
    _collecting: bool = False  # whether the garbage collector ran before the batch paused it
    _events: list = field(default_factory=list)  # (enterprise, row) of each event not inserted yet
    _session: object = None  # the Session whose queries first insert the events held

    @classmethod
    def begin(cls, session) -> Batch:
        """A batch over ``session``, with the intake rounds recorded so far."""
        batch = cls(session, list(session.scalars(select(IntakeRound).where(rounds_of(None)))))
        batch._session = session() if callable(session) else session  # the scoped session's own
        event.listen(batch._session, "do_orm_execute", batch._before_query)
        if session.get_bind().dialect.name == "sqlite":
            batch._numbered = batch._session
            event.listen(batch._numbered, "before_flush", batch._number)
        batch._collecting = gc.isenabled()
        gc.disable()
        return batch

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind, *_exc) -> None:
        self.close(write=kind is None)

    def close(self, write: bool = True) -> None:
        """Insert the events still held (unless ``write`` is false: the caller
        rolls back), stop numbering rows (SQLite) and let the garbage collector
        run again; the batch's writes stay the caller's."""
        if write:
            self._write_events()
        self._events = []
        if self._session is not None:
            event.remove(self._session, "do_orm_execute", self._before_query)
            self._session = None
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
        """Flush the session and insert the events held."""
        self.session.flush()
        self._write_events()

    def add_event(self, enterprise, row: dict) -> None:
        """Hold the event ``row`` (the ``pool_event`` columns but the
        enterprise's id, which a fresh enterprise gets when it is flushed)
        until the batch inserts the events it holds."""
        self._events.append((enterprise, row))

    def insert(self, objects: list) -> None:
        """Insert the new ORM ``objects`` (all of one class with one integer
        primary key, not in the session) in one statement, each row as the
        ORM would insert it: a column left unset or ``None`` takes its default.
        The values written, the id among them, are set on each object as if
        it had been loaded; the ids are the ones the ORM would give
        (:meth:`_insert`)."""
        if not objects:
            return
        mapper = inspect(objects[0]).mapper
        rows = [_row(mapper, obj) for obj in objects]
        for row in rows:
            del row[mapper.primary_key[0].key]  # given by _insert
        self._insert(mapper.primary_key[0], rows)
        columns = [(prop.key, prop.columns[0].key) for prop in mapper.column_attrs]
        for obj, row in zip(objects, rows):
            values = obj.__dict__
            for key, column in columns:
                if key not in values or values[key] is not row[column]:  # the id, a default
                    set_committed_value(obj, key, row[column])

    def attach(self, objects: list, roots: list) -> None:
        """Put the inserted ``objects`` (:meth:`insert`) in the session as
        rows it has loaded, through ``roots`` (the objects the others hang
        from; the session's cascade reaches the rest)."""
        for obj in objects:
            make_transient_to_detached(obj)
        self.session.add_all(roots)

    def _before_query(self, _state) -> None:
        if self._events and self._session.autoflush:  # where the autoflush would flush them
            self._write_events()

    def _write_events(self) -> None:
        """Insert the events held, in the order they were added, in one
        statement (the enterprises they name flushed first if they are new)."""
        if not self._events:
            return
        held, self._events = self._events, []
        if any(enterprise.id is None for enterprise, _row in held):
            self.session.flush()
        self._insert(_EVENTS.c.id, [{**row, "enterprise_id": enterprise.id} for enterprise, row in held])

    def _insert(self, key, rows: list[dict]) -> None:
        """Insert ``rows`` (without their primary ``key``) into its table in
        one statement, and set each row's ``key``: numbered as the ORM's rows
        are on SQLite (see :meth:`_number`), from the sequence on PostgreSQL,
        read back in the rows' order."""
        if self._numbered is not None:
            for row in rows:
                row[key.key] = self._next_id(key)
            self.session.connection().execute(key.table.insert(), rows)
        else:
            ids = self.session.connection().execute(
                key.table.insert().returning(key, sort_by_parameter_order=True), rows).scalars()
            for row, new_id in zip(rows, ids):
                row[key.key] = new_id

    def _next_id(self, column) -> int:
        if column.table not in self._last:
            self._last[column.table] = self._numbered.connection().scalar(select(func.max(column))) or 0
        self._last[column.table] += 1
        return self._last[column.table]

    def _number(self, session, _context, _instances) -> None:
        for row in session.new:
            mapper = inspect(row).mapper
            if len(mapper.primary_key) != 1 or not isinstance(mapper.primary_key[0].type, Integer):
                continue
            column = mapper.primary_key[0]
            key = mapper.get_property_by_column(column).key
            if getattr(row, key) is None:
                setattr(row, key, self._next_id(column))


def _row(mapper, obj) -> dict:
    """The row the ORM inserts for the new ``obj``: a value unset or ``None``
    is the column's default, if it has one (JSON keeps an explicit ``None``)."""
    values, row = obj.__dict__, {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        value = values.get(prop.key)
        if value is None and column.default is not None and not (
                prop.key in values and column.type.should_evaluate_none):
            value = column.default.arg(None) if column.default.is_callable else column.default.arg
        row[column.key] = value
    return row
