"""The scheduler process: APScheduler jobs, thin callers of ``pool``.

Run it as one dedicated process, ``flask --app app pool scheduler`` (never
inside the web workers: creating the app starts nothing).  Times are in
``SCHEDULER_TIMEZONE`` (Asia/Shanghai):

| job | when | calls |
|---|---|---|
| ``daily_scan`` | daily 06:00 | :func:`pool.monitoring.daily.run` for today (``judge_records``, then the scan) |
| ``weekly_digest`` | Monday 07:30 | :func:`pool.monitoring.outbox.weekly_digest` |
| ``annual_reminders`` | daily 08:00 | :func:`pool.monitoring.outbox.annual_data_reminders` |
| ``mail_relay`` | every minute | :func:`pool.monitoring.mailer.send_pending` until nothing is due |

Every job coalesces missed runs into one (``coalesce``), never overlaps
itself in this process (``max_instances=1``), still runs when the process
was down at its time for less than its ``misfire_grace_time`` (6 hours for the
daily and weekly jobs), and first takes its database lease
(:mod:`pool.monitoring.joblock`), so a second scheduler started by mistake — or
``flask pool scan`` at the same moment — skips instead of running it twice at
once.  ``as_of`` is today in ``SCHEDULER_TIMEZONE``.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from models import db
from pool.monitoring import daily, joblock, mailer, outbox

log = logging.getLogger("pool.jobs")

SIX_HOURS = 6 * 3600
RELAY_BATCH = 100


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    trigger: Callable  # (timezone) -> APScheduler trigger
    run: Callable  # (session, *, now, as_of, config, **options) -> Chinese summary
    ttl: timedelta  # the lease; longer than any run
    misfire_grace_time: int  # seconds


def _scan(session, *, now, as_of, config, progress=None) -> str:
    _judged, result = daily.run(session, as_of, base_url=config["PUBLIC_URL"], progress=progress)
    return result.summary()


def _digest(session, *, now, as_of, config) -> str:
    queued = outbox.weekly_digest(session, as_of, base_url=config["PUBLIC_URL"])
    session.commit()
    return f"{as_of} 每周风险汇总：新排队 {queued} 封"


def _reminders(session, *, now, as_of, config) -> str:
    queued = outbox.annual_data_reminders(session, as_of, base_url=config["PUBLIC_URL"])
    session.commit()
    return f"{as_of} 年度数据报送提醒：新排队 {queued} 封"


def _relay(session, *, now, as_of, config) -> str:
    """Send batches until one is not full (everything due has been tried)."""
    total = mailer.SendResult()
    while True:
        result = mailer.send_pending(session, now=now, smtp_config=config, batch=RELAY_BATCH)
        for name in ("sent", "deferred", "failed", "interrupted"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        if result.sent + result.deferred + result.failed < RELAY_BATCH:
            return total.summary()


JOBS: dict[str, Job] = {job.name: job for job in (
    Job("daily_scan", "每日风险扫描", lambda tz: CronTrigger(hour=6, minute=0, timezone=tz),
        _scan, timedelta(hours=2), SIX_HOURS),
    Job("weekly_digest", "每周风险汇总邮件",
        lambda tz: CronTrigger(day_of_week="mon", hour=7, minute=30, timezone=tz),
        _digest, timedelta(minutes=30), SIX_HOURS),
    Job("annual_reminders", "年度数据报送提醒", lambda tz: CronTrigger(hour=8, minute=0, timezone=tz),
        _reminders, timedelta(minutes=30), SIX_HOURS),
    Job("mail_relay", "发送待发邮件", lambda tz: IntervalTrigger(minutes=1, timezone=tz),
        _relay, timedelta(minutes=30), 60),
)}


def zone(app) -> ZoneInfo:
    return ZoneInfo(app.config["SCHEDULER_TIMEZONE"])


def holder_name() -> str:
    """Who holds a lease: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def run_job(app, name: str, *, now: datetime | None = None, as_of: date | None = None,
            holder: str | None = None, **options) -> str | None:
    """Run job ``name`` once in its own app context, if its lease is free.

    Returns the job's Chinese summary, or ``None`` when another runner holds
    the lease (the job is skipped, not queued).  ``now`` defaults to the
    clock, ``as_of`` to ``now``'s date in ``SCHEDULER_TIMEZONE``; ``options``
    go to the job (``progress`` for the scan).  A job's exception is recorded
    on its lease and raised again.
    """
    job = JOBS[name]
    now = now or datetime.now(timezone.utc)
    as_of = as_of or now.astimezone(zone(app)).date()
    holder = holder or holder_name()
    with app.app_context():
        session = db.session
        try:
            if not joblock.acquire(session, name, holder, now, job.ttl):
                log.info("%s：另一个进程正在运行，本次跳过", job.label)
                return None
            try:
                summary = job.run(session, now=now, as_of=as_of, config=app.config, **options)
            except BaseException as exc:
                session.rollback()
                joblock.release(session, name, holder, now, f"失败：{type(exc).__name__}: {exc}")
                raise
            joblock.release(session, name, holder, now, summary)
            log.info("%s：%s", job.label, summary)
            return summary
        finally:
            session.remove()


def build_scheduler(app) -> BlockingScheduler:
    """The blocking scheduler with every job of :data:`JOBS` added (not started)."""
    tz = zone(app)
    scheduler = BlockingScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1})
    for job in JOBS.values():
        scheduler.add_job(run_job, trigger=job.trigger(tz), args=(app, job.name), id=job.name,
                          name=job.label, misfire_grace_time=job.misfire_grace_time,
                          coalesce=True, max_instances=1, replace_existing=True)
    return scheduler
