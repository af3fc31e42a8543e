"""``flask pool scan``, ``send-mail`` and ``scheduler``: thin callers of the monitoring jobs.

``scan`` and ``send-mail`` run one job of :mod:`jobs.scheduler` now, under
the same database lease as the scheduler (so they never overlap a scheduled
run); ``scheduler`` is the dedicated process that runs them on time.
"""
import logging
import time

import click
from flask import current_app

from jobs import scheduler as jobs

from pool.monitoring import scan as monitoring
from pool.cli.base import parse_date, pool_cli, today


@pool_cli.command("scan")
@click.option("--as-of", callback=parse_date, help="扫描日期 YYYY-MM-DD（默认今天）")
def scan(as_of):
    """Run the daily risk scan for AS_OF and queue its mails (SPEC §4).

    Prints each step with the time taken, then the flags raised, escalated,
    de-escalated, closed and unchanged.  Exits 1 if another scan is running or
    AS_OF is before the last scan recorded.
    """
    as_of = as_of or today()
    started = time.perf_counter()

    def progress(label: str) -> None:
        click.echo(f"  {label}…… {time.perf_counter() - started:.2f} 秒")

    click.echo(f"风险扫描 {as_of}：")
    try:
        summary = jobs.run_job(current_app._get_current_object(), "daily_scan", as_of=as_of,
                               progress=progress)
    except monitoring.ScanRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    if summary is None:
        raise click.ClickException("另一个风险扫描正在运行，请稍后再试")
    click.echo(summary)


@pool_cli.command("send-mail")
def send_mail():
    """Send every due mail of the outbox now (as the scheduler's relay does)."""
    summary = jobs.run_job(current_app._get_current_object(), "mail_relay")
    if summary is None:
        raise click.ClickException("邮件中继正在运行，请稍后再试")
    click.echo(summary)


@pool_cli.command("scheduler")
def scheduler():
    """Run the scheduled jobs in this process until interrupted (Ctrl-C).

    The one process that runs the daily scan (06:00), the Monday digest
    (07:30), the annual-data reminders (08:00) and the mail relay (every
    minute), in SCHEDULER_TIMEZONE.  Run exactly one per deployment, beside
    the web workers (e.g. a systemd service); a second one by mistake only
    skips the jobs the first is running (database leases).
    """
    app = current_app._get_current_object()
    # Each run's summary (pool.jobs) and APScheduler's own notes go to stderr.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runner = jobs.build_scheduler(app)
    click.echo(f"调度进程已启动（时区 {app.config['SCHEDULER_TIMEZONE']}），按 Ctrl-C 停止：")
    for job in runner.get_jobs():
        click.echo(f"  {job.name}（{job.id}）：{job.trigger}")
    try:
        runner.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("调度进程已停止")
