"""The daily scan as the scheduler runs it: read without the write lock, write in short transactions.

On SQLite a write transaction holds the database's one write lock from its
``BEGIN`` (:mod:`pool.database`), and every officer's save waits for it.  So
the daily job never reads inside a write transaction:

1. the records whose kept verdicts no longer hold are judged batch by batch,
   each batch read and judged in a read-only transaction and then written in
   a short one (:func:`pool.monitoring.scan.judge_records`), and so are the
   configured pools' members' records whose kept inputs no longer hold
   (:func:`pool.ladder.inputs.refresh`, what the what-if reads);
2. the whole pool is surveyed in a read-only transaction
   (:func:`pool.monitoring.scan.survey`);
3. only then the lock is taken to reconcile the flags and queue the mails
   (:func:`pool.monitoring.scan.settle`), assessing again there the few
   enterprises an officer changed since the survey read.

On PostgreSQL the same keeps the scan's row locks short.  Commits on the
session it is given; the result is what one :func:`pool.monitoring.scan.scan`
of the same day would have written.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from pool.database import read_only
from pool.eligibility import rulebook as rulebooks
from pool.ladder import inputs
from pool.monitoring import scan


def run(session, as_of: date, *, base_url: str = "",
        progress: Callable[[str], None] | None = None) -> tuple[int, scan.ScanResult]:
    """Judge the stale records, then scan ``as_of``; returns how many records
    were judged and the scan's result.

    :raise scan.ScanRefused: if ``as_of`` is before the last scan recorded
        (nothing is written).
    """
    session.commit()  # whatever the caller began ends: the reading below begins read-only
    with read_only():
        rulebook = rulebooks.load(session)
        session.commit()
    judged = scan.judge_records(session, as_of, rulebook, commit=session.commit, reading=read_only)
    if progress:
        progress(f"复核企业记录（{judged:,} 家）")
    read = inputs.refresh(session, as_of, commit=session.commit, reading=read_only)
    if progress:
        progress(f"更新可配置培育库成员的核验数据（{read:,} 家）")
    with read_only():
        found = scan.survey(session, as_of, rulebook, progress=progress)
        session.commit()
    result = scan.settle(session, found, progress=progress, base_url=base_url)
    session.commit()
    return judged, result
