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
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Enterprise, Membership
from models.event import STATE_CHANGE
from models.ladder import MOVE, VOID
from pool.eligibility import rulebook as rulebooks
from pool.eligibility.applicant import InvalidApplicant, parse
from pool.membership.history import live_events
from pool.ladder import catalogue
from pool.pools import definition
from pool.pools.definition import Pool
from pool.pools.evaluate import PoolEvaluation, evaluate as evaluate_pool
from pool.records.bulk import records
from pool.records.facts import record_data, record_verdict


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


_FEW = 1000


def record_verdicts(session, pool: Pool, on: date, enterprise_ids: Iterable[int],
                    rulebook: rulebooks.Rulebook | None = None) -> Iterator[tuple[object, object, list]]:
    """``(record, evaluation or None, problems)`` for each of ``enterprise_ids`` that exists, in id order
    (records loaded in bulk, :func:`pool.records.bulk.records`): the stored record on ``on`` judged under
    ``pool`` — the ten criteria with ``rulebook`` for the first pool (:func:`pool.records.facts.record_verdict`,
    as the enterprise page), the pool's own criteria with the membership's supplementary facts
    (:func:`evaluate`, as the membership page) for a configured one.  ``problems`` say why a record
    on that day is not a valid applicant (no evaluation then).

    :raise NoCriteriaInForce: a configured pool has no criteria version on ``on`` (at once, nothing judged).
    :raise pool.eligibility.rulebook.NoPolicyInForce: the first pool's policy is not in force on ``on``.
    """
    ids = list(enterprise_ids)
    if pool.code_backed:
        rulebooks.complete_snapshot(rulebook.policy, on)
        facts = {}
    else:
        pool.criteria_set.in_force(on)
        held = select(Membership.enterprise_id, Membership.facts).where(Membership.pool_code == pool.code)
        if len(ids) <= _FEW:  # else the whole pool's: no parameter list beyond any backend's limit
            held = held.where(Membership.enterprise_id.in_(ids))
        facts = dict(session.execute(held).all())
    return _judged(session, pool, on, ids, rulebook, facts)


def _judged(session, pool: Pool, on: date, ids: list[int], rulebook, facts: dict):
    for _id, record in records(session, ids):
        try:
            yield record, (record_verdict(record, on, rulebook) if pool.code_backed else
                           evaluate(session, record, pool.code, on, facts.get(record.id) or {})), []
        except InvalidApplicant as exc:
            yield record, None, [str(p) for p in exc.problems]
