"""增补名额: a county's replenishment quota (黄石 二(六)2; SPEC §3).

"各县(市、区)可在培育出库企业数量的2倍以内，增补符合条件的企业入库": per county,
``replenished ≤ quota_multiplier × graduated``, both counted cumulatively from
the county's ``state_change`` events (graduations, and admissions flagged
``replenishment``).  Expulsions free no quota; admissions inside an intake
round consume none.

Atomicity.  :func:`replenishment_refusal` must run after :func:`lock_county`
in the transaction that then records the admission: on PostgreSQL the county
row's ``FOR UPDATE`` lock makes concurrent admissions of one county wait for
each other, and under READ COMMITTED the count taken after the lock sees every
admission committed before it.  SQLite ignores ``FOR UPDATE``, but the app
begins every transaction with ``BEGIN IMMEDIATE`` (``pool/database.py``), so
writers are serialized from their first statement already.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select

from models import County, IntakeRound, PoolEvent
from models.enterprise import ADMITTED, GRADUATED
from models.event import STATE_CHANGE

from pool.kernel.wording import phrase
from pool.membership.history import not_voided, require_snapshot

_PLACES = phrase("累计出库 {graduated} 家 × {multiplier} = {limit} 个增补名额，已增补 {replenished} 家（{replenished}/{limit}）")
_USED_UP = phrase("{county}增补名额已用完：{places}，不能再增补入库")
_USED_UP_LATER = phrase("{county}在 {day} 已有增补（{name!s}）且名额届时用完（{places}），不能补记 {on} 的增补")


@dataclass(frozen=True)
class Quota:
    """A county's cumulative replenishment quota on a date."""

    graduated: int  # 累计出库
    replenished: int  # 累计增补
    limit: int  # quota_multiplier × graduated
    left: int  # limit − replenished, never below 0

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self, multiplier: int) -> str:
        """"累计出库 2 家 × 2 = 4 个增补名额，已增补 4 家（4/4）"."""
        return _PLACES.format(graduated=self.graduated, multiplier=multiplier, limit=self.limit,
                              replenished=self.replenished)


def quota(session, county_id: int, as_of: date, snapshot) -> Quota:
    """The quota of ``county_id`` counting events effective on or before ``as_of``;
    ``snapshot`` is the policy in force on ``as_of`` (``quota_multiplier``)."""
    require_snapshot(snapshot, as_of)
    # Counted in SQL: every enterprise page shows the quota, and a county's
    # event log grows without bound.
    counts = dict(session.execute(
        _quota_events_stmt(county_id).where(PoolEvent.effective_on <= as_of)
        .with_only_columns(PoolEvent.to_state, func.count()).group_by(PoolEvent.to_state)).all())
    graduated, replenished = counts.get(GRADUATED, 0), counts.get(ADMITTED, 0)
    limit = snapshot["quota_multiplier"] * graduated
    return Quota(graduated, replenished, limit, max(limit - replenished, 0))


def open_intake_round(session, on: date, rounds=None) -> IntakeRound | None:
    """The intake round open on ``on`` (``opened_on <= on <= closed_on``, an
    unset ``closed_on`` meaning still open); the latest opened if several.
    ``rounds``: every round, if the caller has read them already (a city runs
    a few a year, so they are read whole and the rule is Python)."""
    if rounds is None:
        rounds = session.scalars(select(IntakeRound))
    open_then = [r for r in rounds if r.opened_on <= on and (r.closed_on is None or r.closed_on >= on)]
    return max(open_then, key=lambda r: (r.opened_on, r.id), default=None)


def lock_county(session, county_id: int) -> County:
    """Take the county's row lock for the rest of the transaction (PostgreSQL;
    a no-op on SQLite, whose writers are serialized by ``BEGIN IMMEDIATE``)."""
    county = session.scalar(
        select(County).where(County.id == county_id).with_for_update()
    )
    if county is None:
        raise LookupError(f"县（市、区）{county_id} 不存在")
    return county


def replenishment_refusal(session, county: County, on: date, snapshot) -> tuple[Quota, str | None]:
    """The quota on ``on`` and, if one more replenishment dated ``on`` would break
    it, the Chinese reason why (else ``None``).

    A replenishment dated ``on`` also counts on every later date, so a back-dated
    one is refused when any replenishment already recorded after ``on`` used the
    last place of its own date.  Call it after :func:`lock_county`.
    """
    require_snapshot(snapshot, on)
    multiplier = snapshot["quota_multiplier"]
    events = quota_events(session, county.id)
    current = tally(events, on, multiplier)
    if current.left < 1:
        return current, _USED_UP.format(county=county.name, places=current.describe(multiplier))
    later = sorted({day for day, state, _id in events if state == ADMITTED and day > on})
    for day in later:
        then = tally(events, day, multiplier)
        if then.left < 1:
            last = max(i for d, state, i in events if state == ADMITTED and d == day)
            name = session.get(PoolEvent, last).enterprise.name
            return current, _USED_UP_LATER.format(county=county.name, day=day.isoformat(), name=name,
                                                  places=then.describe(multiplier), on=on.isoformat())
    return current, None


def _quota_events_stmt(county_id: int):
    """``SELECT (effective_on, to_state, id)`` of the county's live graduations and replenishments."""
    return select(PoolEvent.effective_on, PoolEvent.to_state, PoolEvent.id).where(
        PoolEvent.county_id == county_id,
        PoolEvent.kind == STATE_CHANGE, not_voided(),
        or_(PoolEvent.to_state == GRADUATED,
            and_(PoolEvent.to_state == ADMITTED, PoolEvent.replenishment.is_(True))),
    )


def quota_events(session, county_id: int) -> list[tuple[date, str, int]]:
    """``(effective_on, to_state, event id)`` of the county's live graduations and
    replenishments, for the checks that replay later dates."""
    return [tuple(row) for row in session.execute(_quota_events_stmt(county_id))]


def tally(events, as_of: date, multiplier: int) -> Quota:
    """The quota on ``as_of`` from ``(effective_on, to_state, …)`` events."""
    graduated = sum(1 for day, state, *_ in events if state == GRADUATED and day <= as_of)
    replenished = sum(1 for day, state, *_ in events if state == ADMITTED and day <= as_of)
    limit = multiplier * graduated
    return Quota(graduated, replenished, limit, max(limit - replenished, 0))
