"""Intake rounds (首批 / 批次): opened and closed by the city administrator.

While a round is open, admissions are unlimited and consume no replenishment
quota (SPEC §3); outside every round an admission is a replenishment (增补).
Rounds never overlap, so "which round was open on a date" has one answer.
A round opens and closes on the day it is done (``today``, passed in): not
later, like every effective date, and not back-dated, like the policy values —
either would change, after the fact, which past admissions used a quota place.
Only the go-live import records rounds of the past (:func:`record_past_round`),
checked against every admission already recorded.
"""
from datetime import date

from sqlalchemy import exists, or_, select

from models import CITY_ADMIN, IntakeRound, PoolEvent
from models.enterprise import ADMITTED
from models.event import STATE_CHANGE

from pool.kernel import text
from pool.membership.quota import open_intake_round as open_round_on  # noqa: F401 - part of this module's API
from pool.kernel.refusal import TransitionRefused, require_not_future, require_not_past


def _require_admin(actor) -> None:
    if getattr(actor, "role", None) != CITY_ADMIN:
        raise TransitionRefused("只有市级管理员可以开启或关闭入库批次")


def _round_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise TransitionRefused("请填写批次名称")
    if (unclean := text.refusal("批次名称", name)) is not None:
        raise TransitionRefused(unclean)
    return name


def open_round(session, *, name: str, on: date, today: date, actor) -> IntakeRound:
    """Open a round from ``on`` (inclusive), which must be ``today``.

    :raise TransitionRefused: not the administrator, no name, ``on`` not
        ``today`` (:class:`~pool.kernel.refusal.DateRefused`), or another round is
        open on ``on`` or starts later (rounds must not overlap).
    """
    _require_admin(actor)
    name = _round_name(name)
    require_not_future(on, today, "开始日期")
    require_not_past(on, today, "开始日期", "入库批次不能追溯开启")
    clash = session.scalar(select(IntakeRound).where(
        or_(IntakeRound.closed_on.is_(None), IntakeRound.closed_on >= on)).limit(1))
    if clash is not None:
        until = clash.closed_on.isoformat() if clash.closed_on else "未关闭"
        raise TransitionRefused(
            f"批次“{clash.name}”（{clash.opened_on.isoformat()} 至 {until}）与 {on.isoformat()} 起的新批次重叠")
    intake = IntakeRound(name=name, opened_on=on, opened_by_id=actor.id)
    session.add(intake)
    session.flush()
    return intake


def record_past_round(session, *, name: str, opened_on: date, closed_on: date | None, today: date,
                      actor) -> IntakeRound:
    """Record a round the city ran before it used this system (the go-live
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
            raise TransitionRefused(f"结束日期 {closed_on.isoformat()} 早于开始日期 {opened_on.isoformat()}")
    end = closed_on or date.max
    clash = session.scalar(select(IntakeRound).where(
        IntakeRound.opened_on <= end, or_(IntakeRound.closed_on.is_(None), IntakeRound.closed_on >= opened_on))
        .limit(1))
    if clash is not None:
        until = clash.closed_on.isoformat() if clash.closed_on else "未关闭"
        raise TransitionRefused(f"批次“{clash.name}”（{clash.opened_on.isoformat()} 至 {until}）与批次“{name}”重叠")
    inside = session.scalar(select(PoolEvent).where(
        PoolEvent.kind == STATE_CHANGE, PoolEvent.to_state == ADMITTED, PoolEvent.replenishment.is_(True),
        PoolEvent.effective_on >= opened_on, PoolEvent.effective_on <= end).limit(1))
    if inside is not None:
        raise TransitionRefused(f"{inside.enterprise.name}于 {inside.effective_on.isoformat()} 已按增补入库，"
                                f"落在批次“{name}”期间，不能补记该批次")
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
        raise TransitionRefused(f"批次“{intake.name}”已于 {intake.closed_on.isoformat()} 关闭")
    if on < intake.opened_on:
        raise TransitionRefused(f"结束日期 {on.isoformat()} 早于开始日期 {intake.opened_on.isoformat()}")
    later = session.scalar(select(exists().where(
        PoolEvent.intake_round_id == intake.id, PoolEvent.effective_on > on)))
    if later:
        raise TransitionRefused(f"批次“{intake.name}”在 {on.isoformat()} 之后仍有入库记录，不能提前关闭")
    intake.closed_on = on
    intake.closed_by_id = actor.id
    session.flush()
    return intake


def rounds(session) -> list[IntakeRound]:
    return list(session.scalars(select(IntakeRound).order_by(IntakeRound.opened_on.desc())))

