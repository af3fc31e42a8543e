"""What the ladder proposes, never decides, and the members of a configured pool.

* :func:`ladder` — an enterprise's rungs: the first pool (its cached state), each
  configured pool it is in, and the pools it may go to next (``lifecycle.follows``
  a pool it graduated from, not yet applied to: 接续培育 after 培育出库);
* :func:`graduations_due` — admitted members holding, on the day, the qualification
  their pool graduates on (a 高企 or “小巨人” certificate): the scan and the pool
  page list them for an officer to confirm;
* :func:`successors_stmt` — enterprises graduated from the pool this one follows
  that have no membership of it yet;
* :func:`members_stmt` — the memberships of a pool (state, county, name search), scoped by the caller;
* :func:`counts` — how many enterprises are in each state of each pool, in the viewer's counties.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, selectinload

from models import Enterprise, Membership, Qualification
from models.enterprise import ADMITTED, GRADUATED
from pool.access.scoping import county_filter
from pool.ladder import catalogue
from pool.ladder.memberships import exit_certificate, exit_qualification
from pool.pools import definition
from pool.pools.definition import Pool


@dataclass
class Rung:
    pool: Pool
    state: str | None  # None: not (yet) in this pool
    since: date | None
    membership: Membership | None = None
    graduation_due: bool = False  # holds the qualification the pool graduates on
    proposed: bool = False  # may go here next (follows a pool it graduated from)


def ladder(session, enterprise: Enterprise, as_of: date) -> list[Rung]:
    """The enterprise's rungs, first pool first, then its configured pools and the proposed next ones."""
    pools = catalogue.pools(session)
    first = pools[definition.DEFAULT_POOL]
    rungs = [Rung(first, enterprise.state, enterprise.state_changed_on or enterprise.admitted_on)]
    held = {m.pool_code: m for m in session.scalars(
        select(Membership).where(Membership.enterprise_id == enterprise.id).order_by(Membership.id))}
    for code, m in held.items():
        if code in pools:
            due = m.state == ADMITTED and exit_qualification(pools[code], enterprise, as_of) is not None
            rungs.append(Rung(pools[code], m.state, m.since, m, graduation_due=due))
    for graduated in [r.pool.code for r in rungs if r.state == GRADUATED]:
        rungs += [Rung(pool, None, None, proposed=True) for pool in definition.follows(graduated, pools)
                  if not pool.code_backed and not pool.retired and pool.code not in held]
    return rungs


def members_stmt(pool_code: str, county_ids: Iterable[int] | None, *, state: str | None = None, search: str = ""):
    """``SELECT`` of the memberships of ``pool_code`` (in ``county_ids``; None: every county), in the
    name's pinyin order."""
    stmt = select(Membership).join(Enterprise, Enterprise.id == Membership.enterprise_id).where(
        Membership.pool_code == pool_code)
    if county_ids is not None:
        stmt = stmt.where(Membership.county_id.in_(list(county_ids)))
    if state:
        stmt = stmt.where(Membership.state == state)
    if search.strip():
        words = f"%{search.strip()}%"
        stmt = stmt.where(Enterprise.name.like(words) | Enterprise.uscc.like(words))
    return stmt.order_by(Enterprise.name_key, Enterprise.id)


def graduations_due(session, pool: Pool, as_of: date, county_ids: Iterable[int] | None,
                    first: int | None = None) -> tuple[int, list[Membership]]:
    """How many admitted members of ``pool`` hold on ``as_of`` the qualification it graduates on,
    and those members in the name's pinyin order (only the ``first`` if given): of
    :func:`due_certificates`, only the members shown are loaded."""
    due = list(due_certificates(session, pool, as_of, county_ids))
    shown = due if first is None else due[:first]
    loaded = {m.id: m for m in session.scalars(select(Membership).where(Membership.id.in_(shown)).options(
        selectinload(Membership.enterprise).selectinload(Enterprise.county)))} if shown else {}
    return len(due), [loaded[mid] for mid in shown]


def due_certificates(session, pool: Pool, as_of: date, county_ids: Iterable[int] | None = None,
                     only: Iterable[int] | None = None) -> dict[int, object]:
    """``{membership id: certificate}`` of the admitted members of ``pool`` (of the enterprises
    ``only``, if given) holding on ``as_of`` the qualification it graduates on, in the name's pinyin
    order.  Each certificate is a plain row: ``enterprise_id``, ``county_id``, ``name``, ``type``,
    ``certificate_no``, ``valid_from``, ``valid_to``.

    The select loads the certificates of those types whose dates cover ``as_of`` of the pool's
    admitted members (as the scan selects the pool on a day);
    :func:`~pool.ladder.memberships.exit_certificate` decides."""
    types = pool.lifecycle["graduation"].get("exit_on_qualification")
    if not types:
        return {}
    q = Qualification
    stmt = select(Membership.id, Membership.enterprise_id, Membership.county_id, Enterprise.name, q.type,
                  q.certificate_no, q.valid_from, q.valid_to).join(
        Enterprise, Enterprise.id == Membership.enterprise_id).join(
        q, q.enterprise_id == Membership.enterprise_id).where(
        Membership.pool_code == pool.code, Membership.state == ADMITTED, q.type.in_(types),
        q.valid_from <= as_of, q.valid_to >= as_of)
    if county_ids is not None:
        stmt = stmt.where(Membership.county_id.in_(list(county_ids)))
    if only is not None:
        stmt = stmt.where(Membership.enterprise_id.in_(list(only)))
    certificates: dict[int, list] = {}
    for row in session.execute(stmt.order_by(Enterprise.name_key, Enterprise.id, q.valid_from, q.id)):
        certificates.setdefault(row.id, []).append(row)
    due = {mid: exit_certificate(pool, rows, as_of) for mid, rows in certificates.items()}
    return {mid: row for mid, row in due.items() if row is not None}


def successors_stmt(pool: Pool, county_ids: Iterable[int] | None):
    """``SELECT`` of the enterprises graduated from the pool ``pool`` follows with no membership
    of ``pool`` yet, in the name's pinyin order (``None``: ``pool`` follows none)."""
    follows = pool.lifecycle.get("follows")
    if not follows:
        return None
    held = exists().where(Membership.enterprise_id == Enterprise.id, Membership.pool_code == pool.code)
    if follows == definition.DEFAULT_POOL:
        stmt = select(Enterprise).where(Enterprise.state == GRADUATED, ~held)
        if county_ids is not None:
            stmt = stmt.where(Enterprise.county_id.in_(list(county_ids)))
    else:
        earlier = aliased(Membership)
        stmt = select(Enterprise).join(earlier, earlier.enterprise_id == Enterprise.id).where(
            earlier.pool_code == follows, earlier.state == GRADUATED, ~held)
        if county_ids is not None:
            stmt = stmt.where(earlier.county_id.in_(list(county_ids)))
    return stmt.order_by(Enterprise.name_key, Enterprise.id)


def counts(session, viewer) -> dict[str, dict[str, int]]:
    """Pool code → state → how many enterprises ``viewer`` may see are in it (the first pool's
    from the enterprises' own state)."""
    first = select(Enterprise.state, func.count()).where(county_filter(viewer, Enterprise.county_id))
    out = {definition.DEFAULT_POOL: dict(session.execute(first.group_by(Enterprise.state)).all())}
    others = select(Membership.pool_code, Membership.state, func.count()).where(
        county_filter(viewer, Membership.county_id)).group_by(Membership.pool_code, Membership.state)
    for code, state, n in session.execute(others):
        out.setdefault(code, {})[state] = n
    return out


def count_and_first(session, stmt, first: int) -> tuple[int, list]:
    """How many rows ``stmt`` selects, and the first ``first`` of them."""
    if stmt is None:
        return 0, []
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return total, list(session.scalars(stmt.limit(first))) if total else []
