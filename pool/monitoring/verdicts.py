"""Record verdicts (issue #13): the ten criteria on each member's stored record, kept between scans.

criteria_drift asks for every member's record judged as of the scan's date
by the engine of 资格自检 (:func:`pool.records.facts.record_verdict`).
Judging a whole city's pool costs seconds, and on most days almost no record
changed, so each verdict is kept (:class:`~models.RecordVerdict`) and judged
again only when it may no longer hold:

* **the record changed** — the enterprise's latest
  :class:`~models.ChangeRecord` is not the one the verdict saw (every change to
  a record writes one, naming the enterprise: :mod:`pool.records.changes`);
* **the rules changed** — the parameter values and the classification in
  force on the date, or the code that judges, fingerprint differently;
* **a date was crossed** — the date is past ``valid_through``: the day before
  the next date in the record on which a fact starts or ends (a certificate
  running out, a partnership starting), and at the latest 31 December (上年度
  moves on with the year);
* **it is due** — every :data:`~pool.records.validity.REJUDGE_DAYS` days, staggered over the pool, a
  verdict is judged afresh anyway, so a record changed outside the application
  (a database repair) is seen within that time;
* **the date is before** the day it was judged (looking at a past date).

:func:`refresh` judges what no longer holds ahead of the scan, in batches
each committed by the caller (the daily job); :func:`current` answers for
the members asked, judging what still does not hold — and stores it with
``keep`` (the scan), or writes nothing (:func:`~pool.monitoring.scan.assess`).
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from contextlib import AbstractContextManager, nullcontext
from typing import Callable, Iterable

from sqlalchemy import Text, cast, select

from models import RecordVerdict

from pool.eligibility.applicant import InvalidApplicant
from pool.eligibility.rulebook import Rulebook
from pool.records import bulk
from pool.records.facts import record_verdict
from pool.records.validity import holds, holds_through, in_batches, last_changes, replace_kept

INVALID = "invalid"  # the record on the date is not a valid applicant (its problems are kept)
INELIGIBLE = "ineligible"  # the criteria's verdict when one fails (pool.eligibility.outcome.aggregate)


@dataclass(frozen=True)
class Verdict:
    """A record's verdict: the criteria's, or :data:`INVALID`; ``failing``
    holds ``{"id", "title", "detail"}`` of each criterion definitely failed
    (for an invalid record, ``{"field", "message"}`` of each problem);
    ``year`` is the year of the figures judged (上年度), when recorded."""

    as_of: date
    verdict: str
    failing: tuple
    year: int | None


def current(session, as_of: date, rulebook: Rulebook, members: Iterable[int], *,
            keep: bool = False) -> dict[int, Verdict]:
    """``{enterprise id: Verdict}`` of ``members`` on ``as_of``: kept verdicts
    that still hold, the others judged now (and stored when ``keep``)."""
    members = list(members)
    # A few members (an officer's save: scan.follow) read only their own rows, not the pool's.
    state = _State(session, as_of, rulebook, only=members if len(members) <= bulk.CHUNK else None)
    failing = state.failing()
    found, stale = {}, []
    for eid in members:
        row = state.holding(eid)
        if row is None:
            stale.append(eid)
        else:
            found[eid] = Verdict(row[1], row[5], failing.get(eid, ()), row[6])
    judged = state.judge(stale)
    if keep:
        state.keep(judged)
    found.update({eid: verdict for eid, (verdict, _) in judged.items()})
    return found


def refresh(session, as_of: date, rulebook: Rulebook, members: Iterable[int], *,
            commit: Callable[[], None], batch: int = 2000,
            reading: Callable[[], AbstractContextManager] = nullcontext) -> int:
    """Judge and keep the verdicts of ``members`` that no longer hold on
    ``as_of``, ``batch`` records at a time, calling ``commit`` after each (so
    a whole pool judged afresh — 1 January, a rule change — never holds one
    long write transaction).  Returns how many were judged.

    Everything is read, and each batch judged, inside ``reading()`` and its
    transaction ended by ``commit`` before the batch is written: the daily
    job reads in read-only transactions (:func:`pool.database.read_only`), so
    on SQLite it holds the write lock only while it writes.  A record changed
    between the reading and the writing is judged again next time (its
    verdict is stored with the last change the reading saw)."""
    with reading():
        state = _State(session, as_of, rulebook)
        stale = [eid for eid in members if state.holding(eid) is None]
        commit()
    in_batches(stale, state.judge, state.keep, commit=commit, reading=reading, batch=batch)
    return len(stale)


class _State:
    """What decides whether a kept verdict holds on ``as_of``, read once."""

    def __init__(self, session, as_of: date, rulebook: Rulebook, only: list[int] | None = None):
        self.session, self.as_of, self.rulebook = session, as_of, rulebook
        self.only = only  # these enterprises' rows only (None: the whole pool's)
        connection = session.connection()
        self.rules = rules_stamp(rulebook, as_of)
        self.last_change = last_changes(connection, only)
        v = RecordVerdict
        self.stored = {row[0]: row for row in connection.execute(
            select(v.enterprise_id, v.as_of, v.valid_through, v.change_id, v.rules, v.verdict, v.year)
            .where(*self._mine(v.enterprise_id))).all()}

    def _mine(self, column) -> tuple:
        return () if self.only is None else (column.in_(self.only),)

    def failing(self) -> dict[int, tuple]:
        """The kept ``failing`` lists that are not empty (a definite fail, or an
        invalid record's problems): read as text and parsed here, since a pool's
        verdicts are mostly without any."""
        v = RecordVerdict
        rows = self.session.connection().execute(
            select(v.enterprise_id, cast(v.failing, Text)).where(v.verdict.in_((INELIGIBLE, INVALID)),
                                                                 *self._mine(v.enterprise_id))).all()
        return {eid: tuple(json.loads(text)) for eid, text in rows}

    def holding(self, eid: int):
        """The kept verdict's row if it holds on ``as_of``, else ``None``."""
        row = self.stored.get(eid)
        if row is not None and holds(self.as_of, row[1], row[2], row[3], self.last_change.get(eid, 0)) \
                and row[4] == self.rules:
            return row
        return None

    def judge(self, ids: list[int]) -> dict[int, tuple[Verdict, date]]:
        """The records of ``ids`` judged now: ``{id: (verdict, valid through)}``."""
        return {eid: judge(record, self.as_of, self.rulebook) for eid, record in bulk.records(self.session, ids)}

    def keep(self, judged: dict[int, tuple[Verdict, date]]) -> None:
        """Store ``judged`` in place of the verdicts kept for those records."""
        replace_kept(self.session.connection(), RecordVerdict, [
            {"enterprise_id": eid, "as_of": self.as_of, "valid_through": valid_through, "rules": self.rules,
             "change_id": self.last_change.get(eid, 0), "verdict": verdict.verdict,
             "failing": list(verdict.failing), "year": verdict.year}
            for eid, (verdict, valid_through) in judged.items()])


def judge(record, as_of: date, rulebook: Rulebook) -> tuple[Verdict, date]:
    """The verdict on ``record`` (an :class:`~models.Enterprise` or a
    :func:`pool.records.bulk.records` record) as of ``as_of``, and the last
    day it holds if nothing changes."""
    try:
        evaluation = record_verdict(record, as_of, rulebook)
    except InvalidApplicant as exc:
        verdict = Verdict(as_of, INVALID, tuple({"field": p.path, "message": p.message} for p in exc.problems),
                          None)
    else:
        failing = tuple({"id": c.id, "title": c.title, "detail": c.detail}
                        for c in evaluation.criteria if c.status == "fail")
        year = as_of.year - 1
        verdict = Verdict(as_of, evaluation.verdict, failing,
                          year if any(f.year == year for f in record.figures) else None)
    return verdict, holds_through(record, as_of)


def rules_stamp(rulebook: Rulebook, as_of: date) -> str:
    """A fingerprint of everything besides the record that a verdict on
    ``as_of`` reads: the parameter values in force, the classification's
    state on that date and the source of the code that judges."""
    state = {"parameters": rulebook.policy.in_force(as_of).used(),
             "industries": rulebook.industries.state_on(as_of), "code": _code_digest()}
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


@functools.cache
def _code_digest() -> str:
    """The judging code's own fingerprint (read once a process): a deployment
    that changes a criterion judges every record again."""
    root = Path(__file__).resolve().parents[1]
    files = sorted([*(root / "eligibility").glob("*.py"), *(root / "reference").glob("*.py"),
                    root / "records" / "facts.py"])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()
