"""Intake rounds (首批 / 批次): opened and closed by the city administrator.

While a round is open, admissions are unlimited and consume no replenishment
quota (SPEC §3); outside every round an admission is a replenishment (增补).
A round is the first pool's (``pool_code`` NULL, as every round before there
were other pools) or a configured pool's whose lifecycle has intake rounds
(``pool``: its definition, given by the caller); one pool's rounds never
overlap, so "which round of the pool was open on a date" has one answer.
A round opens and closes on the day it is done (``today``, passed in): not
later, like every effective date, and not back-dated, like the policy values —
either would change, after the fact, which past admissions used a quota place.
Only the go-live import records rounds of the past (:func:`record_past_round`, the
first pool's), checked against every admission already recorded.
"""
from datetime import date

from sqlalchemy import exists, or_, select

from models import CITY_ADMIN, IntakeRound, MembershipEvent, PoolEvent
from models.enterprise import ADMITTED
from models.event import STATE_CHANGE

from pool.kernel import text
from pool.membership.quota import open_intake_round as open_round_on, rounds_of  # noqa: F401 - part of this module's API
from pool.kernel.refusal import TransitionRefused, require_not_future, require_not_past
from pool.kernel.wording import phrase

_CITY_ONLY = phrase("只有市级管理员可以开启或关闭入库批次")
_NAME_NEEDED = phrase("请填写批次名称")
_OPEN = phrase("未关闭")
_OVERLAPS_NEW = phrase("批次“{name!s}”（{opened} 至 {until}）与 {day} 起的新批次重叠")
_OVERLAPS = phrase("批次“{name!s}”（{opened} 至 {until}）与批次“{other!s}”重叠")
_REPLENISHED_INSIDE = phrase("{enterprise!s}于 {day} 已按增补入库，落在批次“{name!s}”期间，不能补记该批次")
_ENDS_BEFORE = phrase("结束日期 {end} 早于开始日期 {start}")
_CLOSED = phrase("批次“{name!s}”已于 {day} 关闭")
_ADMITTED_AFTER = phrase("批次“{name!s}”在 {day} 之后仍有入库记录，不能提前关闭")
_NO_ROUNDS = phrase("{pool!s}不设入库批次")
_RETIRED = phrase("{pool!s}已于 {day} 停用")


def _require_admin(actor) -> None:
    if getattr(actor, "role", None) != CITY_ADMIN:
        raise TransitionRefused(_CITY_ONLY)


def _round_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise TransitionRefused(_NAME_NEEDED)
    if (unclean := text.refusal("批次名称", name)) is not None:
        raise TransitionRefused(unclean)
    return name


def _pool_code(pool) -> str | None:
    """The ``pool_code`` of ``pool``'s rounds: None for the first pool (or no pool given).

    :raise TransitionRefused: a configured pool whose lifecycle has no intake rounds.
    """
    if pool is None or pool.code_backed:
        return None
    if not pool.lifecycle.get("intake_rounds"):
        raise TransitionRefused(_NO_ROUNDS.format(pool=pool.name))
    return pool.code


def open_round(session, *, name: str, on: date, today: date, actor, pool=None) -> IntakeRound:
    """Open a round of ``pool`` (a :class:`~pool.pools.definition.Pool`; default the first pool)
    from ``on`` (inclusive), which must be ``today``.

    :raise TransitionRefused: not the administrator, no name, ``on`` not
        ``today`` (:class:`~pool.kernel.refusal.DateRefused`), a pool without
        intake rounds or retired by ``on``, or another round of the pool is
        open on ``on`` or starts later (rounds must not overlap).
    """
    _require_admin(actor)
    code = _pool_code(pool)
    name = _round_name(name)
    require_not_future(on, today, "开始日期")
    require_not_past(on, today, "开始日期", "入库批次不能追溯开启")
    if code is not None and pool.retired and on >= pool.retired[0]:
        raise TransitionRefused(_RETIRED.format(pool=pool.name, day=pool.retired[0]))
    clash = session.scalar(select(IntakeRound).where(
        rounds_of(code), or_(IntakeRound.closed_on.is_(None), IntakeRound.closed_on >= on)).limit(1))
    if clash is not None:
        until = clash.closed_on.isoformat() if clash.closed_on else _OPEN
        raise TransitionRefused(_OVERLAPS_NEW.format(name=clash.name, opened=clash.opened_on.isoformat(), until=until,
                                                     day=on.isoformat()))
    intake = IntakeRound(name=name, opened_on=on, opened_by_id=actor.id, pool_code=code)
    session.add(intake)
    session.flush()
    return intake


def record_past_round(session, *, name: str, opened_on: date, closed_on: date | None, today: date,
                      actor) -> IntakeRound:
    """Record a round of the first pool the city ran before it used this system (the go-live
    import): its dates are in the past (``closed_on`` may be unset: still
    open).  It may not overlap another round, and no admission already
    recorded as a replenishment may fall inside it (it would then have been a
    round admission, and the quota would change after the fact).

    :raise TransitionRefused: not the administrator, no or an unclean name,
        a date after today or an end before the start, an overlap, or a
        replenishment inside it (named).
    """
    _require_admin(actor)
    name = _round_name(name)
    require_not_future(opened_on, today, "开始日期")
    if closed_on is not None:
        require_not_future(closed_on, today, "结束日期")
        if closed_on < opened_on:
            raise TransitionRefused(_ENDS_BEFORE.format(end=closed_on.isoformat(), start=opened_on.isoformat()))
    end = closed_on or date.max
    clash = session.scalar(select(IntakeRound).where(
        rounds_of(None), IntakeRound.opened_on <= end,
        or_(IntakeRound.closed_on.is_(None), IntakeRound.closed_on >= opened_on))
        .limit(1))
    if clash is not None:
        until = clash.closed_on.isoformat() if clash.closed_on else _OPEN
        raise TransitionRefused(_OVERLAPS.format(name=clash.name, opened=clash.opened_on.isoformat(), until=until,
                                                 other=name))
    inside = session.scalar(select(PoolEvent).where(
        PoolEvent.kind == STATE_CHANGE, PoolEvent.to_state == ADMITTED, PoolEvent.replenishment.is_(True),
        PoolEvent.effective_on >= opened_on, PoolEvent.effective_on <= end).limit(1))
    if inside is not None:
        raise TransitionRefused(_REPLENISHED_INSIDE.format(enterprise=inside.enterprise.name,
                                                           day=inside.effective_on.isoformat(), name=name))
    intake = IntakeRound(name=name, opened_on=opened_on, closed_on=closed_on, opened_by_id=actor.id,
                         closed_by_id=actor.id if closed_on else None)
    session.add(intake)
    session.flush()
    return intake


def close_round(session, intake: IntakeRound, *, on: date, today: date, actor) -> IntakeRound:
    """Close ``intake`` with ``on`` (which must be ``today``) as its last day.

    :raise TransitionRefused: not the administrator, ``on`` not ``today``
        (:class:`~pool.kernel.refusal.DateRefused`), already closed, ``on`` before the
        opening day, or admissions of this round dated after ``on`` (closing
        earlier would turn them into replenishments after the fact).
    """
    _require_admin(actor)
    require_not_future(on, today, "结束日期")
    require_not_past(on, today, "结束日期", "入库批次不能追溯关闭")
    if intake.closed_on is not None:
        raise TransitionRefused(_CLOSED.format(name=intake.name, day=intake.closed_on.isoformat()))
    if on < intake.opened_on:
        raise TransitionRefused(_ENDS_BEFORE.format(end=on.isoformat(), start=intake.opened_on.isoformat()))
    events = PoolEvent if intake.pool_code is None else MembershipEvent
    later = session.scalar(select(exists().where(
        events.intake_round_id == intake.id, events.effective_on > on)))
    if later:
        raise TransitionRefused(_ADMITTED_AFTER.format(name=intake.name, day=on.isoformat()))
    intake.closed_on = on
    intake.closed_by_id = actor.id
    session.flush()
    return intake


def rounds(session, pool_code: str | None = None) -> list[IntakeRound]:
    """The rounds of the pool ``pool_code`` (default: the first pool), newest first."""
    return list(session.scalars(select(IntakeRound).where(rounds_of(pool_code))
                                .order_by(IntakeRound.opened_on.desc())))

