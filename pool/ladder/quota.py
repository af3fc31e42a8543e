"""A configured pool's intake rounds and county replenishment quota (增补名额, issue #17).

A pool whose lifecycle sets ``replenishment_quota_multiplier`` (a number, or
``{"param": KEY}`` read on the day: :meth:`~pool.pools.definition.Pool.setting`)
has, per county, the first pool's quota rule (:mod:`pool.membership.quota`, written
once): ``replenished ≤ multiplier × graduated``, cumulative, counted here from the
pool's live (not voided) membership events of the county — graduations, and
admissions recorded as ``replenishment``.  Such a pool has intake rounds (the
definition requires it): an admission on a day one of the pool's rounds is open is
a round admission (its event names the round) and takes no place; outside every
round it is a replenishment (增补) and takes one — checked by :func:`admission`
under the county row lock, in the transaction that records it, a back-dated one
refused if it would break the quota on a later date.  Voiding a graduation a later
replenishment stands on is refused (:func:`void_refusal`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from models import IntakeRound, Membership, MembershipEvent
from models.enterprise import ADMITTED, GRADUATED
from models.ladder import MOVE
from pool.kernel.refusal import TransitionRefused
from pool.membership import quota as rule
from pool.membership.quota import IN_ROUND, REPLENISHED, Quota
from pool.pools.definition import Pool

MULTIPLIER = "replenishment_quota_multiplier"


def has_quota(pool: Pool) -> bool:
    """Whether ``pool`` limits replenishments (a configured pool whose lifecycle sets a multiplier)."""
    return not pool.code_backed and pool.lifecycle.get(MULTIPLIER) is not None


def multiplier(pool: Pool, on: date) -> int:
    """The multiplier in force on ``on`` (0 before the parameter it names has a value)."""
    return int(pool.setting(MULTIPLIER, on) or 0)


def _events(pool_code: str):
    """``SELECT (effective_on, to_state, id)`` of the pool's live graduations and replenishments."""
    void = aliased(MembershipEvent)
    return (select(MembershipEvent.effective_on, MembershipEvent.to_state, MembershipEvent.id)
            .join(Membership, Membership.id == MembershipEvent.membership_id)
            .where(Membership.pool_code == pool_code, MembershipEvent.kind == MOVE,
                   or_(MembershipEvent.to_state == GRADUATED,
                       and_(MembershipEvent.to_state == ADMITTED, MembershipEvent.replenishment.is_(True))),
                   ~exists().where(void.voids_id == MembershipEvent.id)))


def ledger(pool_code: str) -> rule.Ledger:
    """Where the quota of ``pool_code`` is counted: its memberships' events, county by county."""
    return rule.Ledger(lambda county_id: _events(pool_code).where(Membership.county_id == county_id),
                       lambda session, event_id: session.get(MembershipEvent, event_id).membership.enterprise.name)


def places(session, pool: Pool, county_id: int, as_of: date) -> Quota | None:
    """The county's quota of ``pool`` on ``as_of``; None when the pool has none."""
    if not has_quota(pool):
        return None
    return rule.count(session, ledger(pool.code), county_id, as_of, multiplier(pool, as_of))


def places_by_county(session, pool: Pool, county_ids: Iterable[int], as_of: date) -> dict[int, Quota]:
    """The quota of ``pool`` on ``as_of`` of each of ``county_ids`` (one query); empty when it has none."""
    if not has_quota(pool):
        return {}
    ids = list(county_ids)
    stmt = _events(pool.code).where(Membership.county_id.in_(ids), MembershipEvent.effective_on <= as_of)
    rows = session.execute(stmt.with_only_columns(Membership.county_id, MembershipEvent.to_state, func.count())
                           .group_by(Membership.county_id, MembershipEvent.to_state)).all()
    counts = {(county, state): n for county, state, n in rows}
    times = multiplier(pool, as_of)
    return {c: Quota.of(counts.get((c, GRADUATED), 0), counts.get((c, ADMITTED), 0), times) for c in ids}


@dataclass(frozen=True)
class Terms:
    """What an admission to a pool on a day is: in the round open then, a replenishment taking a place
    of ``quota`` (the county's quota before it), or neither (a pool without rounds or quota)."""

    intake_round: IntakeRound | None = None
    quota: Quota | None = None
    multiplier: int | None = None

    @property
    def replenishment(self) -> bool:
        return self.quota is not None

    def describe(self) -> str:
        """"增补入库（入库前累计出库 2 家 × 2 = 4 个增补名额，已增补 1 家（1/4））", the round's, or ""."""
        if self.intake_round is not None:
            return IN_ROUND.format(round=self.intake_round.name, day=self.intake_round.opened_on)
        if self.quota is not None:
            return REPLENISHED.format(places=self.quota.describe(self.multiplier))
        return ""

    def evidence(self) -> dict:
        """What the admission's event keeps of it."""
        return {"admission": self.describe(), "quota": self.quota.to_dict() if self.quota else None,
                "intake_round": {"id": self.intake_round.id, "name": self.intake_round.name}
                if self.intake_round else None}


def open_round(session, pool: Pool, on: date) -> IntakeRound | None:
    """The round of ``pool`` open on ``on``, or None (always None for a pool without intake rounds)."""
    if pool.code_backed or not pool.lifecycle.get("intake_rounds"):
        return None
    return rule.open_intake_round(session, on, pool_code=pool.code)


def terms(session, pool: Pool, county_id: int, on: date) -> Terms:
    """What an admission on ``on`` would be, for the pages (nothing locked, nothing checked)."""
    intake = open_round(session, pool, on)
    if intake is not None or not has_quota(pool):
        return Terms(intake)
    return Terms(None, places(session, pool, county_id, on), multiplier(pool, on))


def admission(session, pool: Pool, county_id: int, on: date) -> Terms:
    """The terms of an admission on ``on`` about to be recorded: outside every round of a pool with a
    quota, the county's row is locked for the rest of the transaction and the place checked.

    :raise TransitionRefused: no place left on ``on``, or on a later date a replenishment already used
        the last one (named).
    """
    intake = open_round(session, pool, on)
    if intake is not None or not has_quota(pool):
        return Terms(intake)
    county = rule.lock_county(session, county_id)
    current, refused = rule.refusal(session, ledger(pool.code), county, on, lambda day: multiplier(pool, day))
    if refused:
        raise TransitionRefused(refused)
    return Terms(None, current, multiplier(pool, on))


def void_refusal(session, pool: Pool, event: MembershipEvent) -> str | None:
    """Why ``event`` — a graduation about to be voided — may not be, or None: a replenishment recorded
    from its date on would lose its place.  Takes the county's row lock (as an admission does)."""
    if event.to_state != GRADUATED or not has_quota(pool):
        return None
    county_id = event.membership.county_id
    rule.lock_county(session, county_id)
    return rule.void_refusal(session, ledger(pool.code), county_id, event.id, event.effective_on,
                             lambda day: multiplier(pool, day))
