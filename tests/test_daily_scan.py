"""The daily scan as the scheduler runs it (:mod:`pool.monitoring.daily`): it reads
without the write lock and writes in short transactions (issue #20: during the
scan officers' saves starved on SQLite), and an officer's change made while it
reads is not undone when it writes.
"""
import sqlite3
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Enterprise, RecordVerdict, RiskFlag, db
from pool.membership import lifecycle as lc
from pool.monitoring import daily, scan as monitoring

from . import model_factories as mf
from .test_lifecycle import dy, officer  # noqa: F401 - fixtures
from .test_monitoring import open_flags, pool_member

DAY = date(2026, 9, 1)
ADMITTED = date(2026, 6, 1)  # recently: no "no progress" flag yet


def _members(session, dy):
    """A healthy member, one whose certificate runs out soon, one with nothing recorded."""
    clear = pool_member(session, dy, admitted=ADMITTED)
    expiring = pool_member(session, dy, admitted=ADMITTED, qualified_until=DAY + timedelta(days=20))
    bare = mf.enterprise(session, dy, state="admitted", admitted_on=ADMITTED, state_changed_on=ADMITTED)
    session.commit()
    return clear, expiring, bare


def test_the_daily_run_writes_what_the_scan_finds(session, dy):
    clear, expiring, bare = _members(session, dy)
    judged, result = daily.run(session, DAY)
    assert judged == 3  # every record judged ahead of the survey, its verdict kept
    assert session.scalar(select(db.func.count()).select_from(RecordVerdict)) == 3
    expected = monitoring.assess(session, DAY)
    stored = session.execute(select(RiskFlag.enterprise_id, RiskFlag.kind, RiskFlag.severity)
                             .where(RiskFlag.closed_on.is_(None))).all()
    assert sorted(stored) == sorted((e, k, c.severity) for (e, k), c in expected.items())
    assert result.raised == len(stored) > 0
    assert open_flags(session, clear.id) == {}
    assert "qualification_expiring" in open_flags(session, expiring.id)
    assert open_flags(session, bare.id)
    again_judged, again = daily.run(session, DAY)
    assert again_judged == 0
    assert (again.raised, again.escalated, again.deescalated, again.closed, again.unchanged) == (0, 0, 0, 0, len(stored))


def test_an_earlier_day_is_refused_before_anything_is_written(session, dy):
    _members(session, dy)
    daily.run(session, DAY)
    before = session.execute(select(RiskFlag.id, RiskFlag.last_seen_on)).all()
    with pytest.raises(monitoring.ScanRefused):
        daily.run(session, DAY - timedelta(days=1))
    session.rollback()
    assert session.execute(select(RiskFlag.id, RiskFlag.last_seen_on)).all() == before


def test_the_survey_leaves_the_write_lock_to_the_officers(app, session, dy):
    """While the scan reads the pool, another connection takes the write lock
    at once (no busy wait: timeout 0) — before, the scan held it from its first read."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("SQLite's one write lock")
    _members(session, dy)
    writes = []

    def officer_saves(label):
        if label != "无实质性进展":  # the survey's first stage
            return
        other = sqlite3.connect(uri[len("sqlite:///"):], timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if the scan held the lock
            other.execute("UPDATE county SET name = name")
            other.execute("COMMIT")
            writes.append(label)
        finally:
            other.close()

    daily.run(session, DAY, progress=officer_saves)
    assert writes == ["无实质性进展"]


@pytest.mark.parametrize("resurvey_above", [1000, 0], ids=["those-changed", "many-changed-survey-again"])
def test_an_officers_change_while_the_scan_reads_is_not_undone(app, session, dy, officer, monkeypatch,
                                                               resurvey_above):
    """An integrity incident recorded (and its flag raised by the officer's
    save) after the survey read the pool: the scan's writing assesses that
    enterprise again instead of closing the flag its stale reading lacks."""
    monkeypatch.setattr(monitoring, "RESURVEY_ABOVE", resurvey_above)
    clear, _expiring, _bare = _members(session, dy)
    daily.run(session, DAY - timedelta(days=1))
    assert open_flags(session, clear.id) == {}
    clear_id, officer_id = clear.id, officer.id

    def officer_request():  # another thread, as another worker: its own app context, session, transaction
        with app.app_context():
            other = db.session
            enterprise = other.get(Enterprise, clear_id)
            lc.record_incident(other, enterprise, actor=other.get(type(officer), officer_id), on=DAY,
                               today=DAY, subtype="data_fraud", reason="申报数据造假")
            monitoring.follow(other, clear_id, DAY)
            other.commit()
            seen.append(open_flags(other, clear_id))

    def officer_records_an_incident(label):
        if label == "无实质性进展":
            worker = threading.Thread(target=officer_request)
            worker.start()
            worker.join()

    seen = []
    _judged, result = daily.run(session, DAY, progress=officer_records_an_incident)
    session.expire_all()
    assert open_flags(session, clear_id) == {"integrity_incident": "expulsion_due"}
    flag = session.scalar(select(RiskFlag).where(RiskFlag.enterprise_id == clear_id))
    assert [c.action for c in flag.changes] == ["raised"]  # not closed and raised again
    assert result.closed == 0
    assert seen == [{"integrity_incident": "expulsion_due"}]  # the officer's save had raised it


def test_an_officers_save_reads_its_own_enterprise_not_the_pool(app, session, dy):
    """scan.follow after a save reads that enterprise's kept verdict and changes only: at 100,000
    members reading the whole pool's made every save take most of a second (issue #20)."""
    from sqlalchemy import event

    clear, _expiring, _bare = _members(session, dy)
    daily.run(session, DAY)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        monitoring.follow(session, clear.id, DAY)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    session.rollback()
    pool_wide = [s for s in statements if ("FROM record_verdict" in s or "FROM change_record" in s)
                 and "enterprise_id IN" not in s]
    assert pool_wide == []
    assert any("FROM record_verdict" in s for s in statements)
