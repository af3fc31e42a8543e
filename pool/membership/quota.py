"""增补名额: a county's replenishment quota (黄石 二(六)2; SPEC §3), for every pool that has one.

"各县(市、区)可在培育出库企业数量的2倍以内，增补符合条件的企业入库": per county,
``replenished ≤ multiplier × graduated``, both counted cumulatively from the
county's live (not voided) events of the pool (graduations, and admissions
flagged ``replenishment``).  Expulsions free no quota; admissions inside an
intake round consume none.  On each date the multiplier in force that day
applies.

One rule for every pool: what differs is only where a pool's events are — a
:class:`Ledger`.  The first pool's (:data:`FIRST_POOL`) is the ``state_change``
events of ``pool_event``; a configured pool's (``pool.ladder.quota``) its
memberships' events.  :func:`count` counts a county's quota on a date,
:func:`refusal` says why one more replenishment dated ``on`` would break it
(on that date, or on a later date already used to the last place), and
:func:`void_refusal` why voiding a graduation would leave a replenishment
recorded after it without a place.  :func:`quota` and
:func:`replenishment_refusal` are the first pool's, with its policy snapshot.

Atomicity.  :func:`refusal` must run after :func:`lock_county` in the
transaction that then records the admission: on PostgreSQL the county row's
``FOR UPDATE`` lock makes concurrent admissions of one county (whatever the
pool) wait for each other, and under READ COMMITTED the count taken after the
lock sees every admission committed before it.  SQLite ignores ``FOR
UPDATE``, but the app begins every transaction with ``BEGIN IMMEDIATE``
(``pool/database.py``), so writers are serialized from their first statement
already.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Callable

from sqlalchemy import and_, func, or_, select

from models import County, IntakeRound, PoolEvent
from models.enterprise import ADMITTED, GRADUATED
from models.event import STATE_CHANGE

from pool.kernel.wording import phrase
from pool.membership.history import not_voided, require_snapshot

_PLACES = phrase("累计出库 {graduated} 家 × {multiplier} = {limit} 个增补名额，已增补 {replenished} 家（{replenished}/{limit}）")
_USED_UP = phrase("{county}增补名额已用完：{places}，不能再增补入库")
_USED_UP_LATER = phrase("{county}在 {day} 已有增补（{name!s}）且名额届时用完（{places}），不能补记 {on} 的增补")
REPLENISHED = phrase("增补入库（入库前{places}）")
IN_ROUND = phrase("{round!s}入库（批次 {day} 起，不占增补名额）")
_PLACE_USED = phrase("撤销该出库后，{name!s} 于 {day} 的增补将没有名额（{places}），不能更正；如增补也有误，请先更正该增补")


@dataclass(frozen=True)
class Quota:
    """A county's cumulative replenishment quota on a date."""

    graduated: int  # 累计出库
    replenished: int  # 累计增补
    limit: int  # quota_multiplier × graduated
    left: int  # limit − replenished, never below 0

    @classmethod
    def of(cls, graduated: int, replenished: int, multiplier: int) -> Quota:
        """The rule: ``multiplier × graduated`` places, ``replenished`` of them taken."""
        limit = multiplier * graduated
        return cls(graduated, replenished, limit, max(limit - replenished, 0))

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self, multiplier: int) -> str:
        """"累计出库 2 家 × 2 = 4 个增补名额，已增补 4 家（4/4）"."""
        return _PLACES.format(graduated=self.graduated, multiplier=multiplier, limit=self.limit,
                              replenished=self.replenished)


@dataclass(frozen=True)
class Ledger:
    """Where one pool's graduations and replenishments are: the only part of the rule that differs by pool.

    ``events(county_id)``: ``SELECT (effective_on, to_state, id)`` of the county's live graduations
    (``to_state`` GRADUATED) and replenishments (ADMITTED); ``name_of(session, event_id)``: the name of
    the enterprise an event is about (for a refusal that names it)."""

    events: Callable[[int], Any]
    name_of: Callable[[Any, int], str]


def count(session, ledger: Ledger, county_id: int, as_of: date, multiplier: int) -> Quota:
    """The county's quota counting the ledger's events effective on or before ``as_of`` — in SQL: pages
    show the quota, and a county's event log grows without bound."""
    stmt = ledger.events(county_id)
    day, state = stmt.selected_columns.effective_on, stmt.selected_columns.to_state
    counts = dict(session.execute(stmt.where(day <= as_of).with_only_columns(state, func.count())
                                  .group_by(state)).all())
    return Quota.of(counts.get(GRADUATED, 0), counts.get(ADMITTED, 0), multiplier)


def events_of(session, ledger: Ledger, county_id: int) -> list[tuple[date, str, int]]:
    """``(effective_on, to_state, event id)`` of the county's live graduations and replenishments,
    for the checks that replay later dates."""
    return [tuple(row) for row in session.execute(ledger.events(county_id))]


def refusal(session, ledger: Ledger, county: County, on: date,
            multiplier_on: Callable[[date], int]) -> tuple[Quota, str | None]:
    """The quota on ``on`` and, if one more replenishment dated ``on`` would break it, the Chinese
    reason why (else ``None``).  ``multiplier_on(day)``: the multiplier in force on ``day``.

    A replenishment dated ``on`` also counts on every later date, so a back-dated
    one is refused when any replenishment already recorded after ``on`` used the
    last place of its own date.  Call it after :func:`lock_county`.
    """
    events = events_of(session, ledger, county.id)
    multiplier = multiplier_on(on)
    current = tally(events, on, multiplier)
    if current.left < 1:
        return current, _USED_UP.format(county=county.name, places=current.describe(multiplier))
    for day in sorted({day for day, state, _id in events if state == ADMITTED and day > on}):
        then_multiplier = multiplier_on(day)
        then = tally(events, day, then_multiplier)
        if then.left < 1:
            last = max(i for d, state, i in events if state == ADMITTED and d == day)
            return current, _USED_UP_LATER.format(county=county.name, day=day.isoformat(),
                                                  name=ledger.name_of(session, last),
                                                  places=then.describe(then_multiplier), on=on.isoformat())
    return current, None


def void_refusal(session, ledger: Ledger, county_id: int, graduation_id: int, graduated_on: date,
                 multiplier_on: Callable[[date], int]) -> str | None:
    """Why voiding the graduation ``graduation_id`` (dated ``graduated_on``) may not be done, or None:
    it takes back its places, and every live replenishment of the county from its date on must
    still have had one (the first that would not is named)."""
    events = [e for e in events_of(session, ledger, county_id) if e[2] != graduation_id]
    for day, _state, event_id in sorted(e for e in events if e[1] == ADMITTED and e[0] >= graduated_on):
        multiplier = multiplier_on(day)
        then = tally(events, day, multiplier)
        if then.replenished > then.limit:
            return _PLACE_USED.format(name=ledger.name_of(session, event_id), day=day,
                                      places=then.describe(multiplier))
    return None


def tally(events, as_of: date, multiplier: int) -> Quota:
    """The quota on ``as_of`` from ``(effective_on, to_state, …)`` events."""
    graduated = sum(1 for day, state, *_ in events if state == GRADUATED and day <= as_of)
    replenished = sum(1 for day, state, *_ in events if state == ADMITTED and day <= as_of)
    return Quota.of(graduated, replenished, multiplier)


def lock_county(session, county_id: int) -> County:
    """Take the county's row lock for the rest of the transaction (PostgreSQL;
    a no-op on SQLite, whose writers are serialized by ``BEGIN IMMEDIATE``)."""
    county = session.scalar(
        select(County).where(County.id == county_id).with_for_update()
    )
    if county is None:
        raise LookupError(f"县（市、区）{county_id} 不存在")
    return county


# --- intake rounds ---------------------------------------------------------------------------------------

def rounds_of(pool_code: str | None):
    """The condition selecting one pool's rounds (``None``: the first pool's, whose ``pool_code`` is NULL)."""
    return IntakeRound.pool_code.is_(None) if pool_code is None else IntakeRound.pool_code == pool_code


def open_intake_round(session, on: date, rounds=None, pool_code: str | None = None) -> IntakeRound | None:
    """The intake round of the pool ``pool_code`` (default: the first pool) open on ``on``
    (``opened_on <= on <= closed_on``, an unset ``closed_on`` meaning still open); the latest
    opened if several.  ``rounds``: every round of that pool, if the caller has read them already
    (a city runs a few a year, so they are read whole and the rule is Python)."""
    if rounds is None:
        rounds = session.scalars(select(IntakeRound).where(rounds_of(pool_code)))
    open_then = [r for r in rounds if r.opened_on <= on and (r.closed_on is None or r.closed_on >= on)]
    return max(open_then, key=lambda r: (r.opened_on, r.id), default=None)


# --- the first pool --------------------------------------------------------------------------------------

def _quota_events_stmt(county_id: int):
    """``SELECT (effective_on, to_state, id)`` of the county's live graduations and replenishments."""
    return select(PoolEvent.effective_on, PoolEvent.to_state, PoolEvent.id).where(
        PoolEvent.county_id == county_id,
        PoolEvent.kind == STATE_CHANGE, not_voided(),
        or_(PoolEvent.to_state == GRADUATED,
            and_(PoolEvent.to_state == ADMITTED, PoolEvent.replenishment.is_(True))),
    )


FIRST_POOL = Ledger(_quota_events_stmt, lambda session, event_id: session.get(PoolEvent, event_id).enterprise.name)


def quota(session, county_id: int, as_of: date, snapshot) -> Quota:
    """The first pool's quota of ``county_id`` counting events effective on or before ``as_of``;
    ``snapshot`` is the policy in force on ``as_of`` (``quota_multiplier``)."""
    require_snapshot(snapshot, as_of)
    return count(session, FIRST_POOL, county_id, as_of, snapshot["quota_multiplier"])


def replenishment_refusal(session, county: County, on: date, snapshot) -> tuple[Quota, str | None]:
    """:func:`refusal` for the first pool, with ``snapshot`` the policy in force on ``on`` (its
    ``quota_multiplier`` also stands for the later dates replayed, as it always has)."""
    require_snapshot(snapshot, on)
    multiplier = snapshot["quota_multiplier"]
    return refusal(session, FIRST_POOL, county, on, lambda _day: multiplier)

