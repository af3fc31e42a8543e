"""``flask pool awards evaluate``: a thin caller of :mod:`pool.awards` (reads a file, prints, writes nothing)."""
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from models import db
from pool.awards import engine, facts, parameters, programme, report
from pool.cli.base import pool_cli, read_json, refuse

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
    document = read_json(facts_file)
    try:
        beneficiaries = facts.parse(document)
        evaluation = engine.evaluate(parameters.programme(db.session, code), beneficiaries, year)
    except facts.InvalidFacts as exc:
        refuse(f"{facts_file.name} 有 {len(exc.problems)} 处不符合奖补事实约定：", *exc.problems)
    except programme.ProgrammeError as exc:
        refuse(str(exc))
    if as_json:
        click.echo(json.dumps(report.as_json(evaluation), ensure_ascii=False, indent=1, default=str))
    else:
        for line in report.lines(evaluation, trace=not no_trace):
            click.echo(line)
