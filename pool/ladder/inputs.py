"""The configured pools' members' records as their criteria read them, kept between scans (issue #17).

A draft criteria-set version is judged against the pool as it stands (the
what-if, :mod:`pool.ladder.previews`).  Reading and validating every member's
record costs about half a millisecond each — a minute for 100,000 members —
while the criteria themselves read little of it
(:class:`pool.pools.inputs.Inputs`).  So the daily job keeps each applied or
admitted member's inputs (:class:`~models.RecordInputs`, :func:`refresh`) as
the first pool keeps its verdicts (:mod:`pool.monitoring.verdicts`), and they
are read again only when they may no longer hold:

* **the record changed** — the enterprise's latest change record is not the one the inputs saw;
* **a date was crossed** — past ``valid_through`` (:func:`pool.records.validity.holds_through`:
  a date in the record, the year's end, or the staggered day it is due anyway);
* **the reading code changed** — :func:`code_stamp`;
* **the date is before** the day they were read.

:func:`on` answers for the members asked: the kept inputs that hold, the others
read now (nothing is written: the what-if writes nothing).
"""
from __future__ import annotations

import functools
import hashlib
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select

from models import Membership, RecordInputs
from models.enterprise import ADMITTED, APPLIED
from pool.eligibility.applicant import InvalidApplicant, parse
from pool.kernel import jsonutil
from pool.pools import inputs as projection
from pool.pools.inputs import Inputs
from pool.records import bulk
from pool.records.facts import record_data
from pool.records.validity import holds, holds_through, in_batches, last_changes, replace_kept

FEW = bulk.CHUNK  # up to this many enterprises asked: their own rows read, not the whole table


@dataclass(frozen=True)
class Read:
    """A record read on a day: its inputs, or why it is not a valid applicant then."""

    inputs: Inputs | None
    problems: tuple[str, ...] = ()


def members(session) -> list[int]:
    """The enterprises applied to or admitted in any configured pool, ascending."""
    return list(session.scalars(select(Membership.enterprise_id).distinct().where(
        Membership.state.in_((APPLIED, ADMITTED))).order_by(Membership.enterprise_id)))


def on(session, as_of: date, enterprise_ids: Iterable[int]) -> dict[int, Read]:
    """``{enterprise id: Read}`` on ``as_of`` for each of ``enterprise_ids`` that exists: kept inputs
    that hold, the others read from the record now.  Writes nothing."""
    ids = list(enterprise_ids)
    state = _State(session, as_of, ids if len(ids) <= FEW else None, texts=True)
    found, stale, invalid = {}, [], []
    for eid in ids:
        row = state.holding(eid)
        if row is None:
            stale.append(eid)
        elif row[5] is None:
            invalid.append(eid)
        else:
            found[eid] = Read(projection.from_row(jsonutil.loads(row[5])))
    found.update({eid: Read(None, tuple(problems)) for eid, problems in state.problems(invalid).items()})
    found.update({eid: read for eid, (read, _through) in state.read(stale).items()})
    return found


def refresh(session, as_of: date, *, commit: Callable[[], None], batch: int = 2000,
            reading: Callable[[], AbstractContextManager] = nullcontext) -> int:
    """Read again and keep the inputs of the configured pools' members that no longer hold on
    ``as_of``, ``batch`` records at a time: each read inside ``reading()`` (the daily job's read-only
    transactions) and written in a short transaction, ``commit`` after each.  Returns how many."""
    with reading():
        wanted = members(session)
        state = _State(session, as_of, None)
        stale = [eid for eid in wanted if state.holding(eid) is None]
        commit()
    in_batches(stale, state.read, state.keep, commit=commit, reading=reading, batch=batch)
    return len(stale)


class _State:
    """What decides whether kept inputs hold on ``as_of``, read once (``only``: those enterprises' rows)."""

    def __init__(self, session, as_of: date, only: list[int] | None, *, texts: bool = False):
        self.session, self.as_of, self.code = session, as_of, code_stamp()
        mine = (lambda column: ()) if only is None else (lambda column: (column.in_(only),))
        connection = session.connection()
        self.last_change = last_changes(connection, only)
        k = RecordInputs
        kept = (k.inputs,) if texts else ()  # what was read, only when it is wanted
        self.stored = {row[0]: row for row in connection.execute(
            select(k.enterprise_id, k.as_of, k.valid_through, k.change_id, k.code, *kept)
            .where(*mine(k.enterprise_id))).all()}

    def holding(self, eid: int):
        row = self.stored.get(eid)
        if row is not None and holds(self.as_of, row[1], row[2], row[3], self.last_change.get(eid, 0)) \
                and row[4] == self.code:
            return row
        return None

    def problems(self, ids: list[int]) -> dict[int, list[str]]:
        """The kept problems of the records of ``ids`` that were not valid applicants."""
        found = {}
        for start in range(0, len(ids), bulk.CHUNK):
            found.update(self.session.connection().execute(select(
                RecordInputs.enterprise_id, RecordInputs.problems).where(
                RecordInputs.enterprise_id.in_(ids[start:start + bulk.CHUNK]))).all())
        return found

    def read(self, ids: list[int]) -> dict[int, tuple[Read, date]]:
        """The records of ``ids`` read now: ``{id: (Read, valid through)}``."""
        out = {}
        if not ids:
            return out
        for eid, record in bulk.records(self.session, ids):
            try:
                read = Read(projection.of(parse(record_data(record, self.as_of)), self.as_of))
            except InvalidApplicant as exc:
                read = Read(None, tuple(str(p) for p in exc.problems))
            out[eid] = read, holds_through(record, self.as_of)
        return out

    def keep(self, read: dict[int, tuple[Read, date]]) -> None:
        """Store ``read`` in place of what was kept for those enterprises."""
        replace_kept(self.session.connection(), RecordInputs, [
            {"enterprise_id": eid, "as_of": self.as_of, "valid_through": through, "code": self.code,
             "change_id": self.last_change.get(eid, 0), "problems": list(r.problems),
             "inputs": None if r.inputs is None else jsonutil.dumps(projection.to_row(r.inputs))}
            for eid, (r, through) in read.items()])


def code_stamp() -> str:
    """The reading code's fingerprint: a deployment that changes how a record is read or projected
    reads every member's record again."""
    return _code_digest()


@functools.cache
def _code_digest() -> str:
    root = Path(__file__).resolve().parents[1]
    files = sorted([*(root / "eligibility").glob("*.py"), root / "records" / "facts.py",
                    root / "pools" / "inputs.py", root / "pools" / "fields.py"])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()
