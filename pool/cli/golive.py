"""``flask pool history-template`` and ``import-history``: the go-live import from the command line."""
from pathlib import Path

import click
from sqlalchemy import select

from models import County, User, db

from pool.cli.base import parse_date, pool_cli, today
from pool.eligibility import rulebook
from pool.io import golive
from pool.io.workbook import WorkbookError


@pool_cli.command("history-template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def history_template(out):
    """Write the empty go-live workbook (the applicant sheets, 入库批次, 历史事件) to OUT."""
    counties = db.session.scalars(select(County.name).order_by(County.sort_order)).all()
    golive.write_template(out, counties=counties)
    click.echo(f"已写出上线导入模板：{out}")


@pool_cli.command("import-history")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "username", required=True, help="导入人（市级管理员用户名）")
@click.option("--today", "on", callback=parse_date, help="导入日期 YYYY-MM-DD（默认今天）")
@click.option("--yes", is_flag=True, help="不询问，直接导入")
def import_history(file, username, on, yes):
    """Import an existing pool with its history from a go-live workbook: check
    the whole history, show what it will create, then write all of it or nothing."""
    actor = db.session.scalar(select(User).where(User.username == username))
    if actor is None or not actor.is_city_admin:
        raise click.UsageError(f"{username!r} 不是市级管理员")
    on, rules = on or today(), rulebook.load(db.session)
    try:
        history = golive.read_history(file.read_bytes())
        outcome = golive.preview(db.session, history, actor=actor, today=on, rulebook=rules)
    except (WorkbookError, golive.HistoryRefused) as exc:
        raise click.ClickException(str(exc)) from None
    for line in golive.describe(outcome):
        click.echo(line)
    if not outcome.registered and not outcome.rounds:
        click.echo("文件中的历史已全部在系统中，无需导入")
        return
    if not yes and not click.confirm("导入后历史事件不可删除（只能更正）。确认导入？"):
        raise click.Abort()
    golive.replay(db.session, history, actor=actor, today=on, rulebook=rules)
    db.session.commit()
    click.echo("已导入")
