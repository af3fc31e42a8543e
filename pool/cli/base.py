"""The ``flask pool`` command group and what every command shares."""
from datetime import date

import click
from flask.cli import AppGroup

from pool.web.clock import today  # noqa: F401 - the CLI reads the clock the way the web layer does

pool_cli = AppGroup("pool", help="培育库管理命令（Incubation pool commands）.")


def parse_date(_ctx, _param, value):
    """Click callback: ``YYYY-MM-DD`` to ``date`` (default: today in the app's zone)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD，实际为 {value!r}") from None
