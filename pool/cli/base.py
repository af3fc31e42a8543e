"""The ``flask pool`` command group and what every command shares."""
import json
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


def refuse(*lines: str) -> None:
    """Print ``lines`` on stderr (the first as the heading, the rest indented) and exit 2."""
    click.echo(lines[0], err=True)
    for line in lines[1:]:
        click.echo("  " + line, err=True)
    raise SystemExit(2)


def read_json(path) -> object:
    """The JSON document in the UTF-8 file ``path``; exits 2 saying why it is not one."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        refuse(f"{path.name} 不是有效的 JSON：{exc}")
