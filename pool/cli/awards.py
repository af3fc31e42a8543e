"""``flask pool awards evaluate``: a thin caller of :mod:`pool.awards` (reads a file, prints, writes nothing)."""
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from models import db
from pool.awards import engine, facts, parameters, programme, report
from pool.cli.base import pool_cli

awards_cli = AppGroup("awards", help="奖补试算（Awards and subsidies）.")
pool_cli.add_command(awards_cli)


@awards_cli.command("evaluate")
@click.argument("facts_file", metavar="FACTS.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", "code", required=True, type=click.Choice(programme.codes()), help="奖补政策代码")
@click.option("--year", required=True, type=int, help="奖补年度")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--no-trace", is_flag=True, help="不打印计算过程")
def evaluate(facts_file, code, year, as_json, no_trace):
    """Evaluate FACTS.json (pool/data/awards/award-facts.schema.json) under a programme for YEAR.

    Prints each beneficiary's items (amount, caps, conflicts, funding lines,
    trace), with the parameter values the administrator entered (as the
    settlement computes).  Exits 2 naming every bad field of the facts.
    """
    try:
        document = json.loads(facts_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        click.echo(f"{facts_file.name} 不是有效的 JSON：{exc}", err=True)
        raise SystemExit(2) from None
    try:
        beneficiaries = facts.parse(document)
        evaluation = engine.evaluate(parameters.programme(db.session, code), beneficiaries, year)
    except facts.InvalidFacts as exc:
        click.echo(f"{facts_file.name} 有 {len(exc.problems)} 处不符合奖补事实约定：", err=True)
        for problem in exc.problems:
            click.echo("  " + problem, err=True)
        raise SystemExit(2) from None
    except programme.ProgrammeError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps(report.as_json(evaluation), ensure_ascii=False, indent=1, default=str))
    else:
        for line in report.lines(evaluation, trace=not no_trace):
            click.echo(line)
