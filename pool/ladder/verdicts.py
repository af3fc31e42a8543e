"""A stored enterprise under a configured pool on a date, and its ladder.

:func:`evaluate` judges the record as it stood on a day
(:func:`pool.records.facts.record_data`) with the pool's criteria version in
force that day (:func:`pool.pools.evaluate.evaluate`), reading the membership's
supplementary facts and the enterprise's states in every pool on that day (for
``member_of``).  :func:`states_on` is that ladder: pool code → (pool name,
state), the first pool's state from its event log.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Enterprise, Membership
from models.event import STATE_CHANGE
from models.ladder import MOVE, VOID
from pool.eligibility.applicant import parse
from pool.membership.history import live_events
from pool.ladder import catalogue
from pool.pools import definition
from pool.pools.evaluate import PoolEvaluation, evaluate as evaluate_pool
from pool.records.facts import record_data


def first_pool_state(session, enterprise_id: int, on: date) -> str | None:
    """The first pool's state of the enterprise on ``on`` (its last live state change), or None."""
    events = session.scalars(live_events(enterprise_id, STATE_CHANGE, on)).all()
    return events[-1].to_state if events else None


def membership_state_on(membership: Membership, on: date) -> str | None:
    """The membership's state on ``on``: the last move effective by then that no void names."""
    voided = {e.voids_id for e in membership.events if e.kind == VOID}
    moves = sorted((e for e in membership.events if e.kind == MOVE and e.id not in voided
                    and e.effective_on <= on), key=lambda e: (e.effective_on, e.id))
    return moves[-1].to_state if moves else None


def states_on(session, enterprise: Enterprise, on: date) -> dict[str, tuple[str, str]]:
    """Pool code → (pool name, state on ``on``) for every pool the enterprise was in by then."""
    first = first_pool_state(session, enterprise.id, on)
    return states_for(session, [enterprise.id], on, {enterprise.id: first} if first else {})[enterprise.id]


def states_for(session, enterprise_ids: list[int], on: date, first: dict[int, str]
               ) -> dict[int, dict[str, tuple[str, str]]]:
    """:func:`states_on` for many enterprises at once: ``first`` is the first pool's state of each
    on ``on`` (:func:`pool.membership.history.pool_on`); the configured pools' are read here, in one select."""
    pools = catalogue.pools(session)
    out: dict[int, dict[str, tuple[str, str]]] = {
        eid: ({definition.DEFAULT_POOL: (pools[definition.DEFAULT_POOL].name, first[eid])} if first.get(eid) else {})
        for eid in enterprise_ids}
    held = session.scalars(select(Membership).where(Membership.enterprise_id.in_(enterprise_ids))
                           .options(selectinload(Membership.events)))
    for membership in held:
        state = membership_state_on(membership, on)
        if state is not None and membership.pool_code in pools:
            out[membership.enterprise_id][membership.pool_code] = (pools[membership.pool_code].name, state)
    return out


def evaluate(session, enterprise: Enterprise, pool_code: str, on: date, facts: dict) -> PoolEvaluation:
    """The verdict of the stored record on ``on`` under configured pool ``pool_code``, with the
    membership's supplementary ``facts`` (``{}`` for an enterprise not yet applied).

    :raise KeyError: no such pool.
    :raise InvalidApplicant: the record on that day is not a valid applicant.
    :raise pool.pools.definition.NoCriteriaInForce: no criteria version on ``on``.
    """
    pool = catalogue.pools(session)[pool_code]
    applicant = parse(record_data(enterprise, on))
    return evaluate_pool(pool, applicant, on, facts, memberships=states_on(session, enterprise, on))
