"""Leases on scheduled jobs: two schedulers never run the same job at once.

A job holds its ``job_lock`` row while ``locked_until`` is in the future.
:func:`acquire` takes it with one atomic statement — an insert when the row
does not exist (``ON CONFLICT DO NOTHING``), otherwise ``UPDATE … WHERE
locked_until < now`` — so of any number of processes or threads contending
at the same moment exactly one gets it, on SQLite and PostgreSQL alike.  The
lease expires by itself (``ttl``) if its holder dies.

These functions **commit** on the session they are given: a lock that is not
committed locks nothing.  Call them outside the job's own transaction.

A lock prevents overlapping runs, not repeated ones: a second scheduler may
run the same daily job right after the first released it.  The jobs are made
for that — the scan is idempotent, mails are keyed, the relay claims rows.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import or_, update

from models import JobLock

from pool.monitoring.outbox import insert_unless_exists


def acquire(session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the lock ``name`` for ``holder`` until ``now + ttl``; ``True`` if taken.

    Commits (or rolls back) before returning.
    """
    if now.tzinfo is None:
        raise TypeError("now 须为带时区的 datetime")
    until = now + ttl
    table = JobLock.__table__
    with _committed(session):
        created = session.execute(
            insert_unless_exists(session, table, table.c.name)
            .values(name=name, holder=holder, locked_until=until).returning(table.c.name)
        ).first() is not None
        return created or _changed(session, update(JobLock).where(
            JobLock.name == name, or_(JobLock.locked_until.is_(None), JobLock.locked_until < now),
        ).values(holder=holder, locked_until=until))


def release(session, name: str, holder: str, now: datetime, result: str = "") -> bool:
    """Give the lock back and record the run; ``False`` if ``holder`` no longer
    held it (its lease had expired and another took it).  Commits."""
    with _committed(session):
        return _changed(session, update(JobLock).where(JobLock.name == name, JobLock.holder == holder)
                        .values(holder=None, locked_until=None, last_run_at=now, last_result=result[:2000]))


@contextmanager
def _committed(session):
    """Commit what the block did, or roll it back and re-raise."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _changed(session, statement) -> bool:
    return session.execute(statement.execution_options(synchronize_session=False)).rowcount == 1
