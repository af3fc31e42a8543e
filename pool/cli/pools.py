"""``flask pool pools``: the pools; the ``--pool``/``--facts`` part of ``flask pool check``; and
:func:`pool_named`, how every command finds a pool — through the catalogue (the shipped pools with the
administrator's changes: created pools, their criteria versions and parameter values)."""
from datetime import date
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from models import db
from pool.io import batch
from pool.ladder import catalogue
from pool.kernel import jsonutil
from pool.pools import definition
from pool.pools import evaluate as pool_evaluate
from pool.pools.fields import fact_problems
from pool.cli.base import parse_date, pool_cli, today


def checker(code: str | None, facts_file: Path | None, as_of: date):
    """How ``flask pool check`` evaluates one entry under pool ``code``: ``None``
    for the default (code-backed) pool, so today's check runs exactly as before.

    :raise click.UsageError: on an unknown pool.
    :raise batch.InvalidInput: on a facts file with problems, or no criteria in force.
    """
    if code is None and facts_file is None:
        return None  # today's invocation: the ten criteria, not even the pool files are read
    pool = pool_named(code)
    if pool.code_backed:
        if facts_file is not None:
            raise click.UsageError(f"培育库 {pool.code} 的标准不使用补充事实（--facts）")
        return None
    try:
        pool.criteria_set.in_force(as_of)
    except definition.NoCriteriaInForce as exc:
        raise batch.InvalidInput([batch.InputProblem("as_of", str(exc))]) from None
    facts = _facts(pool, facts_file) if facts_file else {}

    def check_one(item):
        uscc = item.get("uscc") if isinstance(item, dict) else None
        return pool_evaluate.check(pool, item, as_of, None, facts.get(uscc))
    return check_one


def pools_now() -> dict[str, definition.Pool]:
    """Every pool as the administrator's changes left it; the shipped ones on a database not set up
    (``check`` evaluates files without one)."""
    try:
        return catalogue.pools(db.session)
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        return definition.load()


def pool_named(code: str | None) -> definition.Pool:
    """The pool ``code`` (default Huangshi's) from :func:`pools_now`.

    :raise click.UsageError: no such pool, naming the codes there are (exit 2).
    """
    known = pools_now()
    code = code or definition.DEFAULT_POOL
    if code not in known:
        raise click.UsageError(definition.UNKNOWN_POOL.format(code=code, codes="、".join(known)))
    return known[code]


def _facts(pool, path: Path) -> dict:
    data = batch.parse_json(path.read_bytes())
    if not isinstance(data, dict):
        raise batch.InvalidInput([batch.InputProblem("facts", "补充事实须为对象：统一社会信用代码 → {事实名: 值}")])
    declared = {name: kind for name, (kind, _label) in pool.facts.items()}
    problems = [batch.InputProblem(f"facts.{uscc}.{name}", message)
                for uscc, facts in data.items() for name, message in fact_problems(declared, facts)]
    if problems:
        raise batch.InvalidInput(problems)
    return data


@pool_cli.command("pools")
@click.option("--as-of", callback=parse_date, help="列出该日生效的标准集版本（默认今天）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def pools(as_of, as_json):
    """List the pools (shipped and created by the administrator): programme, criteria-set version in
    force, lifecycle."""
    as_of = as_of or today()
    rows = [_summary(pool, as_of) for pool in pools_now().values()]
    if as_json:
        click.echo(jsonutil.dumps(rows, indent=2))
        return
    for row in rows:
        version = row["criteria_version"] or "（尚无生效版本）"
        click.echo(f"{row['code']}  {row['name']}  {row['programme']}（{row['window']}）")
        click.echo(f"    标准集 {row['criteria_set']}：{version}；{row['criteria']}")
        click.echo(f"    出库：{row['graduation']}；增补倍数：{row['quota']}；进展期限：{row['progress']}；"
                   f"集中入库批次：{'有' if row['intake_rounds'] else '无'}")


def _summary(pool, as_of: date) -> dict:
    try:
        version = pool.criteria_set.in_force(as_of)
    except definition.NoCriteriaInForce:
        version = None
    life = pool.lifecycle
    exits = life["graduation"].get("exit_on_qualification")

    def setting(value):
        return "无" if value is None else f"参数 {value['param']}" if isinstance(value, dict) else str(value)
    return {
        "code": pool.code, "name": pool.name, "programme": pool.programme["document"],
        "window": f"{pool.programme['valid_from']} 至 {pool.programme['valid_to']}",
        "criteria_set": pool.criteria_set.code,
        "criteria_version": f"{version.valid_from.isoformat()} 起，{version.source}" if version else None,
        "criteria": "十项标准（代码实现）" if pool.code_backed else
                    f"{len(version.criteria) if version else 0} 项可配置标准",
        "graduation": f"取得资格即出库：{'、'.join(exits)}" if exits else "按出库规则（代码实现）",
        "quota": setting(life["replenishment_quota_multiplier"]),
        "progress": setting(life["progress_window_months"]),
        "intake_rounds": life["intake_rounds"],
    }
