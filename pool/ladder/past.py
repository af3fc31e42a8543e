"""A pool on a past date: who was in which state that day, from the live events (issue #17).

The membership rows (and the first pool's ``Enterprise.state``) cache today's
state; the event logs are the truth.  For any pool — the first one from its
``pool_event`` log (:func:`pool.membership.history.last_state_changes`, the rule
``pool_on`` reads), a configured one from its ``pool_membership_event`` log — on a
day:

* :func:`members_stmt` — ``SELECT`` of ``(Enterprise, state, since, admitted_on)``
  that day: the state of the last move effective by then that no correction
  voids (the same day: the one recorded later), the date of that move, and the
  date of the live admission by then (none for an applicant or a rejection);
  by county, state and name or USCC, in the name's pinyin order — one statement
  whatever the pool's size, counted and paged by the database;
* :func:`counts` — how many were in each state that day (one ``GROUP BY``);
* :func:`check_day` — the day may be asked for: not after today, not before the
  pool's first day (:func:`first_day`: its first criteria-set version, or its
  first recorded event if earlier), refused with the Chinese reason.

A void is read as the correction it is: the decision it names never happened,
whatever day it was voided on (as :func:`pool.ladder.verdicts.membership_state_on`
and the first pool's corrections read them).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased, selectinload

from models import Enterprise, Membership, MembershipEvent, PoolEvent
from models.enterprise import ADMITTED, APPLIED, REJECTED
from models.event import STATE_CHANGE
from models.ladder import MOVE, VOID
from pool.kernel.refusal import DateRefused, require_not_future
from pool.kernel.wording import phrase
from pool.membership.history import last_state_changes
from pool.pools.definition import Pool

LABEL = phrase("查看日期")
_BEFORE = phrase("查看日期 {day} 早于{pool!s}的起始日期 {first}：此前该库尚无任何记录")


@dataclass(frozen=True)
class Member:
    """One enterprise in a pool on a day (the attributes a membership row has)."""

    enterprise: Enterprise
    state: str
    since: date
    admitted_on: date | None

    @property
    def enterprise_id(self) -> int:
        return self.enterprise.id


def _configured_live():
    """SQL condition: no ``void`` event names this :class:`MembershipEvent` (the voided ids selected
    once, not a lookup per event)."""
    voiding = aliased(MembershipEvent)
    return MembershipEvent.id.not_in(select(voiding.voids_id).where(voiding.kind == VOID,
                                                                     voiding.voids_id.is_not(None)))


def _configured_last(pool_code: str, on: date, county_ids: Iterable[int] | None):
    """Subquery of a configured pool on ``on``: each membership's last live move (``key`` = enterprise
    id, ``state``, ``since``) and its live admission's date (``admitted_on``), in one pass over the log."""
    ranked = select(
        Membership.enterprise_id.label("key"), MembershipEvent.to_state.label("state"),
        MembershipEvent.effective_on.label("since"),
        func.row_number().over(partition_by=MembershipEvent.membership_id,
                               order_by=(MembershipEvent.effective_on.desc(), MembershipEvent.id.desc())).label("rank"),
        func.max(case((MembershipEvent.to_state == ADMITTED, MembershipEvent.effective_on))).over(
            partition_by=MembershipEvent.membership_id).label("admitted_on"),
    ).join(Membership, Membership.id == MembershipEvent.membership_id).where(
        Membership.pool_code == pool_code, MembershipEvent.kind == MOVE, MembershipEvent.effective_on <= on,
        _configured_live())
    if county_ids is not None:
        ranked = ranked.where(Membership.county_id.in_(list(county_ids)))
    ranked = ranked.subquery()
    return select(ranked.c.key, ranked.c.state, ranked.c.since, ranked.c.admitted_on).where(
        ranked.c.rank == 1).subquery()


def _first_pool_last(on: date, county_ids: Iterable[int] | None):
    """The same subquery for the first pool, from its ``pool_event`` log."""
    changes = last_state_changes(on, county_ids, admission=True).subquery()
    return select(changes.c.enterprise_id.label("key"), changes.c.to_state.label("state"),
                  changes.c.effective_on.label("since"), changes.c.admitted_on).subquery()


def _last(pool: Pool, on: date, county_ids):
    return _first_pool_last(on, county_ids) if pool.code_backed else _configured_last(pool.code, on, county_ids)


def members_stmt(pool: Pool, on: date, county_ids: Iterable[int] | None, *, state: str | None = None,
                 search: str = ""):
    """``SELECT`` of ``(Enterprise, state, since, admitted_on)`` of every enterprise in ``pool`` on ``on``
    (in ``county_ids``; None: every county), ``state`` only if given, name or USCC containing
    ``search``, in the name's pinyin order (:class:`Member` reads a row)."""
    last = _last(pool, on, county_ids)
    stmt = select(Enterprise, last.c.state, last.c.since, last.c.admitted_on).join(last, last.c.key == Enterprise.id)
    if county_ids is not None:
        stmt = stmt.where(Enterprise.county_id.in_(list(county_ids)))
    if state:
        stmt = stmt.where(last.c.state == state)
    if search.strip():
        words = f"%{search.strip()}%"
        stmt = stmt.where(Enterprise.name.like(words) | Enterprise.uscc.like(words))
    return stmt.options(selectinload(Enterprise.county)).order_by(Enterprise.name_key, Enterprise.id)


def members(session, stmt) -> list[Member]:
    """The rows of a :func:`members_stmt` (limited by the caller) as :class:`Member` s: an applicant's
    or a rejected enterprise's admission date is none (an admission since voided is not there)."""
    return [Member(enterprise, state, since, None if state in (APPLIED, REJECTED) else admitted_on)
            for enterprise, state, since, admitted_on in session.execute(stmt)]


def counts(session, pool: Pool, on: date, county_ids: Iterable[int] | None) -> dict[str, int]:
    """State → how many enterprises were in it in ``pool`` on ``on`` (in ``county_ids``; None: every county)."""
    last = _last(pool, on, county_ids)
    stmt = select(last.c.state, func.count()).join(Enterprise, Enterprise.id == last.c.key)
    if county_ids is not None:
        stmt = stmt.where(Enterprise.county_id.in_(list(county_ids)))
    return dict(session.execute(stmt.group_by(last.c.state)).all())


def ladders(session, pools: Mapping[str, Pool], on: date, county_ids: Iterable[int] | None
            ) -> dict[int, dict[str, tuple[str, str]]]:
    """Enterprise id → {pool code: (pool name, state on ``on``)} for every pool of ``pools`` each was
    in by then (what :func:`pool.ladder.verdicts.states_on` gives one enterprise), one select a pool."""
    out: dict[int, dict[str, tuple[str, str]]] = {}
    for code, pool in pools.items():
        last = _last(pool, on, county_ids)
        for key, state in session.execute(select(last.c.key, last.c.state)):
            out.setdefault(key, {})[code] = (pool.name, state)
    return out


def first_day(session, pool: Pool) -> date:
    """The pool's first day: its first criteria-set version, or its first recorded event if earlier."""
    first = pool.criteria_set.versions[0].valid_from
    if pool.code_backed:
        earliest = session.scalar(select(func.min(PoolEvent.effective_on)).where(PoolEvent.kind == STATE_CHANGE))
    else:
        earliest = session.scalar(select(func.min(MembershipEvent.effective_on)).join(
            Membership, Membership.id == MembershipEvent.membership_id).where(Membership.pool_code == pool.code))
    return min(first, earliest) if earliest is not None else first


def check_day(session, pool: Pool, on: date, today: date) -> None:
    """``on`` may be asked for: not after ``today``, not before :func:`first_day` (read only when ``on``
    is before the pool's first criteria-set version).

    :raise DateRefused: naming the date by its label 查看日期.
    """
    require_not_future(on, today, LABEL)
    if on < pool.criteria_set.versions[0].valid_from and on < (first := first_day(session, pool)):
        raise DateRefused(_BEFORE.format(day=on.isoformat(), pool=pool.name, first=first.isoformat()))
