"""The scheduler's jobs and their database leases (two schedulers never run a job at once).

The scheduler is built but never started: its job definitions are read from
it.  The races use real threads, each with its own app context and session,
released together by a barrier, on SQLite and on PostgreSQL.
"""
import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from jobs import scheduler as jobs
from models import JobLock, OutboxMail, RiskFlag, db
from pool.monitoring import joblock

from .concurrency import all_at_once
from .test_outbox_mail import free_port

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 9, 1, 0, 0, tzinfo=timezone.utc)


# --- job definitions ---------------------------------------------------------------------

def test_job_definitions(app):
    scheduler = jobs.build_scheduler(app)
    assert not scheduler.running
    assert scheduler.timezone == SHANGHAI
    defined = {job.id: job for job in scheduler.get_jobs()}
    assert set(defined) == {"daily_scan", "weekly_digest", "annual_reminders", "mail_relay"}
    for job in defined.values():
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert job.args == (app, job.id)
        assert job.func is jobs.run_job
    assert {i: defined[i].misfire_grace_time for i in defined} == {
        "daily_scan": 6 * 3600, "weekly_digest": 6 * 3600, "annual_reminders": 6 * 3600, "mail_relay": 60}

    def next_fire(job_id, after):
        return defined[job_id].trigger.get_next_fire_time(None, after.replace(tzinfo=SHANGHAI))

    # Shanghai wall-clock times, whatever the server's zone.
    assert next_fire("daily_scan", datetime(2026, 6, 1, 6, 0, 1)) == datetime(2026, 6, 2, 6, 0, tzinfo=SHANGHAI)
    assert next_fire("daily_scan", datetime(2026, 6, 1, 5, 59)) == datetime(2026, 6, 1, 6, 0, tzinfo=SHANGHAI)
    assert next_fire("weekly_digest", datetime(2026, 6, 3, 12, 0)) == datetime(2026, 6, 8, 7, 30, tzinfo=SHANGHAI)
    assert next_fire("annual_reminders", datetime(2026, 6, 1, 9, 0)) == datetime(2026, 6, 2, 8, 0, tzinfo=SHANGHAI)
    assert defined["mail_relay"].trigger.interval == timedelta(minutes=1)
    for job_id in ("daily_scan", "weekly_digest", "annual_reminders"):
        assert defined[job_id].trigger.timezone == SHANGHAI


def test_creating_the_app_starts_no_scheduler(app):
    assert app.extensions["pool.jobs"] == {"enabled": False, "timezone": "Asia/Shanghai"}
    assert not [t for t in threading.enumerate() if "APScheduler" in t.name or "apscheduler" in t.name]


# --- leases ---------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["app", "pg_app"])
@pytest.mark.parametrize("existing", [False, True], ids=["first-run", "lease-row-exists"])
def test_exactly_one_of_many_takes_a_lease(request, backend, existing):
    app = request.getfixturevalue(backend)
    if existing:
        with app.app_context():
            assert joblock.acquire(db.session, "daily_scan", "yesterday", T0 - timedelta(days=1), timedelta(hours=1))
    outcomes = all_at_once(app, 8, lambda i: joblock.acquire(db.session, "daily_scan", f"runner-{i}", T0,
                                                              timedelta(hours=2)))
    assert sorted(outcomes, key=str) == [False] * 7 + [True], outcomes
    with app.app_context():
        lock = db.session.get(JobLock, "daily_scan")
        assert lock.holder == f"runner-{outcomes.index(True)}"
        assert lock.locked_until == T0 + timedelta(hours=2)


def test_a_lease_expires_and_only_its_holder_releases_it(session):
    ttl = timedelta(minutes=10)
    assert joblock.acquire(session, "mail_relay", "a", T0, ttl)
    assert not joblock.acquire(session, "mail_relay", "b", T0 + timedelta(minutes=5), ttl)
    assert not joblock.acquire(session, "mail_relay", "b", T0 + ttl, ttl), "still held at its last instant"
    assert joblock.acquire(session, "mail_relay", "b", T0 + ttl + timedelta(seconds=1), ttl), "a died"
    assert not joblock.release(session, "mail_relay", "a", T0 + ttl + timedelta(seconds=2))
    assert joblock.release(session, "mail_relay", "b", T0 + timedelta(minutes=11), "已发送 0 封")
    lock = session.get(JobLock, "mail_relay")
    session.refresh(lock)
    assert (lock.holder, lock.locked_until, lock.last_run_at, lock.last_result) == (
        None, None, T0 + timedelta(minutes=11), "已发送 0 封")
    assert joblock.acquire(session, "mail_relay", "c", T0 + timedelta(minutes=11), ttl)


# --- running jobs ----------------------------------------------------------------------------

@pytest.fixture
def probe(monkeypatch):
    """A job ``probe`` that records its runs and can be held inside its run."""
    state = type("Probe", (), {})()
    state.runs, state.entered, state.release = [], threading.Event(), threading.Event()
    state.release.set()
    state.fail = False

    def run(session, *, now, as_of, config):
        state.runs.append(as_of)
        state.entered.set()
        assert state.release.wait(timeout=30)
        if state.fail:
            raise RuntimeError("模拟失败")
        return f"已运行 {as_of}"

    monkeypatch.setitem(jobs.JOBS, "probe", jobs.Job("probe", "测试任务", None, run, timedelta(hours=1), 60))
    return state


@pytest.mark.parametrize("backend", ["app", "pg_app"])
def test_two_schedulers_at_once_run_a_job_once(request, backend, probe):
    app = request.getfixturevalue(backend)
    probe.release.clear()
    skipped = threading.Event()

    def scheduler_fires(i):
        summary = jobs.run_job(app, "probe", now=T0, holder=f"scheduler-{i}")
        if summary is None:
            skipped.set()  # the other one holds the lease: let it finish
            probe.release.set()
        return summary

    outcomes = all_at_once(app, 2, scheduler_fires)
    assert skipped.is_set()
    assert sorted(outcomes, key=str) == [None, "已运行 2026-09-01"], outcomes
    assert probe.runs == [date(2026, 9, 1)]
    with app.app_context():
        lock = db.session.get(JobLock, "probe")
        assert (lock.holder, lock.last_result, lock.last_run_at) == (None, "已运行 2026-09-01", T0)
    # Released: the next firing runs again.
    assert jobs.run_job(app, "probe", now=T0 + timedelta(days=1)) == "已运行 2026-09-02"


def test_a_failed_job_releases_its_lease_and_says_why(app, probe):
    probe.fail = True
    with pytest.raises(RuntimeError, match="模拟失败"):
        jobs.run_job(app, "probe", now=T0)
    with app.app_context():
        lock = db.session.get(JobLock, "probe")
        assert lock.holder is None and lock.last_result == "失败：RuntimeError: 模拟失败"
    probe.fail = False
    assert jobs.run_job(app, "probe", now=T0) is not None


@pytest.mark.parametrize("now, today", [
    (datetime(2026, 5, 31, 15, 59, tzinfo=timezone.utc), date(2026, 5, 31)),  # 23:59 in Shanghai
    (datetime(2026, 5, 31, 16, 0, tzinfo=timezone.utc), date(2026, 6, 1)),  # midnight in Shanghai
])
def test_jobs_run_for_today_in_shanghai(app, probe, now, today):
    jobs.run_job(app, "probe", now=now)
    assert probe.runs == [today]


def test_the_real_jobs_call_the_domain(app, world):
    """Scan, digest, reminders and relay through ``run_job`` (no SMTP server: deferred)."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    monday = datetime(2026, 9, 7, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
    assert jobs.run_job(app, "daily_scan", now=monday).startswith("2026-09-07 风险扫描：新增 3")
    assert jobs.run_job(app, "weekly_digest", now=monday) == "2026-09-07 每周风险汇总：新排队 1 封"
    assert jobs.run_job(app, "annual_reminders", now=monday) == "2026-09-07 年度数据报送提醒：新排队 0 封"
    assert jobs.run_job(app, "mail_relay", now=monday) == "已发送 0 封，稍后重试 2 封，失败 0 封"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RiskFlag)) == 3
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)
                                 .where(OutboxMail.state == "pending", OutboxMail.attempts == 1)) == 2
