"""``flask pool members|judge``: a pool on a date, and the verdicts of stored records under a pool.

Thin callers of :mod:`pool.ladder.past` (who was in which state that day, from the live events)
and :func:`pool.ladder.verdicts.record_verdicts` (the stored record on a day judged as the
enterprise page and the membership page judge it).  Any pool the catalogue knows — the first
(Huangshi's), the shipped configured ones and those the administrator created — by its code.
Read-only; a refusal is exit 2 with the Chinese reason on stderr.
"""
import click
from sqlalchemy import select

from models import STATES, County, Enterprise, db
from pool.eligibility import rulebook
from pool.io import exports
from pool.kernel import jsonutil
from pool.kernel.refusal import DateRefused, require_not_future
from pool.ladder import past, verdicts
from pool.membership.history import STATE_LABELS
from pool.pools.definition import NoCriteriaInForce
from pool.cli.base import parse_date, pool_cli, refuse, today
from pool.cli.pools import pool_named

POOL = click.option("--pool", "pool_code", required=True, help="培育库代码（见 flask pool pools，含市级管理员新建的）")
AS_OF = click.option("--as-of", callback=parse_date, help="日期 YYYY-MM-DD（默认今天，不能晚于今天）")
COUNTY = click.option("--county", "county_name", help="只列该县（市、区）：名称或行政区划代码")
STATE = click.option("--state", type=click.Choice(STATES), help="只列当日处于该状态的企业")


@pool_cli.command("members")
@POOL
@AS_OF
@COUNTY
@STATE
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="csv：与页面导出相同的列（UTF-8 带 BOM）；json：对象，含名单日期与各企业")
def members(pool_code, as_of, county_name, state, fmt):
    """The enterprises in a pool on a date (default today) and their state that day, from the
    event log (decisions voided by a correction do not count), in the name's pinyin order."""
    try:
        pool, day = pool_named(pool_code), as_of or today()
        county_ids = _county_ids(county_name)
        try:
            past.check_day(db.session, pool, day, today())
        except DateRefused as exc:
            refuse(str(exc))
        rows = past.members(db.session, past.members_stmt(pool, day, county_ids, state=state))
    finally:
        db.session.rollback()  # read-only
    if fmt == "json":
        click.echo(jsonutil.dumps({"pool": pool.code, "name": pool.name, "as_of": day.isoformat(), "count": len(rows),
                                   "members": [_member(m) for m in rows]}, indent=2))
        return
    header = ["企业名称", "统一社会信用代码", "县（市、区）", f"{day.isoformat()} 的状态", "状态日期", "入库日期"]
    data = [(m.enterprise.name, m.enterprise.uscc, m.enterprise.county.name, STATE_LABELS[m.state], m.since,
             m.admitted_on) for m in rows]
    for chunk in exports.iter_csv(data, header):
        click.echo(chunk, nl=False)  # bytes: written as they are


@pool_cli.command("judge")
@click.argument("usccs", nargs=-1)
@POOL
@AS_OF
@COUNTY
@STATE
def judge(usccs, pool_code, as_of, county_name, state):
    """The verdict of each enterprise's stored record on a date (default today) under a pool: the
    enterprises USCC…, or without them the pool's members that day (--county, --state).

    The first pool (huangshi-2024) judges the ten criteria as the enterprise page does; a configured
    pool its criteria version in force that day with the membership's supplementary facts, as the
    membership page does.  Prints a JSON array (the shape of ``flask pool check`` with the pool, the
    date and the state in the pool that day) and exits 0 whatever the verdicts.
    """
    try:
        pool, day = pool_named(pool_code), as_of or today()
        try:
            require_not_future(day, today(), "评估日期")
        except DateRefused as exc:
            refuse(str(exc))
        if usccs:
            if county_name or state:
                refuse("列出统一社会信用代码时不再按县（市、区）或状态筛选：请去掉 --county、--state")
            ids, states = _enterprises(usccs), {}
        else:
            try:
                past.check_day(db.session, pool, day, today())
            except DateRefused as exc:
                refuse(str(exc))
            stmt = past.members_stmt(pool, day, _county_ids(county_name), state=state)
            states = {m.enterprise.id: m.state for m in past.members(db.session, stmt)}
            ids = list(states)
        try:
            judged = verdicts.record_verdicts(db.session, pool, day, ids,
                                              rulebook.load(db.session) if pool.code_backed else None)
            results = {record.id: _verdict(pool, day, record, evaluation, problems,
                                           states.get(record.id) if not usccs else _state(pool, record, day))
                       for record, evaluation, problems in judged}
        except (NoCriteriaInForce, rulebook.NoPolicyInForce) as exc:
            refuse(str(exc))
    finally:
        db.session.rollback()  # read-only: nothing judged here is stored
    click.echo(jsonutil.dumps([results[i] for i in ids if i in results], indent=2))


def _member(m) -> dict:
    return {"uscc": m.enterprise.uscc, "name": m.enterprise.name, "county": m.enterprise.county.name,
            "state": m.state, "state_label": STATE_LABELS[m.state], "since": m.since.isoformat(),
            "admitted_on": m.admitted_on.isoformat() if m.admitted_on else None}


def _verdict(pool, day, record, evaluation, problems, state) -> dict:
    head = {"uscc": record.uscc, "name": record.name, "county": record.county.name, "pool": pool.code,
            "as_of": day.isoformat(), "state": state}
    if evaluation is None:
        return {**head, "verdict": None, "problems": problems}
    return {**head, **evaluation.to_dict()}


def _state(pool, record, day):
    """The enterprise's state in ``pool`` on ``day`` (None: not in it then)."""
    return verdicts.states_on(db.session, record, day).get(pool.code, (None, None))[1]


def _county_ids(name: str | None) -> list[int] | None:
    """``[the county's id]`` for a name or division code; None without one; exit 2 for an unknown one."""
    if not name:
        return None
    county = db.session.scalar(select(County).where((County.name == name) | (County.code == name)))
    if county is None:
        known = "、".join(db.session.scalars(select(County.name).order_by(County.sort_order, County.id)))
        refuse(f"未找到县（市、区）{name}（可用：{known}）")
    return [county.id]


def _enterprises(usccs) -> list[int]:
    """The enterprises' ids in the order given; exit 2 naming every USCC not on record."""
    wanted = [u.strip().upper() for u in usccs]
    found = dict(db.session.execute(select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(wanted))).all())
    unknown = [u for u in wanted if u not in found]
    if unknown:
        refuse(f"未找到统一社会信用代码为 {'、'.join(unknown)} 的企业", "已登记的企业才能按其登记记录评估")
    return list(dict.fromkeys(found[u] for u in wanted))
