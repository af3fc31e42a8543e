"""``flask pool targets evaluate``: a thin caller of :mod:`pool.targets` (reads a file, prints, writes nothing)."""
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from pool.cli.base import parse_date, pool_cli, read_json, refuse
from models import db
from pool.membership.history import members_on
from pool.targets import database, engine, report, series, targetset

targets_cli = AppGroup("targets", help="目标与指标评估（Targets and indicators）.")
pool_cli.add_command(targets_cli)


@targets_cli.command("evaluate")
@click.option("--programme", "code", required=True, type=click.Choice(targetset.codes()), help="目标集（政策）代码")
@click.option("--region", required=True, help="地区代码（6 位行政区划代码）")
@click.option("--as-of", "as_of", required=True, callback=parse_date, help="评估日期 YYYY-MM-DD")
@click.option("--series", "series_file", metavar="SERIES.json",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="各年序列与官方统计（pool/data/targets/target-series.schema.json）；不给则读数据库（记录计量 + 已登记的官方统计）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--no-trace", is_flag=True, help="不打印计算过程")
def evaluate(code, region, as_of, series_file, as_json, no_trace):
    """Evaluate a programme's targets for REGION on AS_OF, from SERIES.json or the database.

    With --series the yearly series and official statistics come from the file;
    without it, from the database: the series measured from the records of the
    region's counties and the official statistics the administrator entered.
    Prints each target's value series, comparator, status and trace (the same
    output either way).  Exits 2 naming every bad field of the series file, or an
    unknown region.
    """
    if series_file is None:
        try:
            evaluation = database.evaluate(db.session, code, region, as_of, members_on)
        except targetset.TargetSetError as exc:
            refuse(str(exc))
        _print(evaluation, as_json, no_trace)
        return
    document = read_json(series_file)
    try:
        regions = series.parse(document)
        evaluation = engine.evaluate(code, region, as_of, regions)
    except series.InvalidSeries as exc:
        refuse(f"{series_file.name} 有 {len(exc.problems)} 处不符合目标序列约定：", *exc.problems)
    except targetset.TargetSetError as exc:
        refuse(str(exc))
    _print(evaluation, as_json, no_trace)


def _print(evaluation, as_json: bool, no_trace: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_json(evaluation), ensure_ascii=False, indent=1, default=str))
    else:
        for line in report.lines(evaluation, trace=not no_trace):
            click.echo(line)
