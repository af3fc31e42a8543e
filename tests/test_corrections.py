"""Correcting a mistaken state change (issue #14): an officer asks, the city
administrator decides; the corrected history is what every reading follows."""
from datetime import date

import pytest
from sqlalchemy import select

from models import CITY_ADMIN, PoolEvent, StateCorrection
from models.event import CORRECTION
from pool.kernel.refusal import TransitionRefused
from pool.membership import corrections, history, lifecycle as lc

from . import model_factories as mf
from .test_lifecycle import dy, dy_history, officer, snap  # noqa: F401 - fixtures

TODAY = date(2026, 6, 1)


@pytest.fixture
def admins(session):
    return mf.user(session, "admin", role=CITY_ADMIN), mf.user(session, "admin2", role=CITY_ADMIN)


def latest(session, enterprise):
    return corrections.correctable(session, enterprise)


def test_a_mistaken_expulsion_is_corrected_with_approval(session, dy, officer, dy_history, admins):
    admin, _ = admins
    e3 = dy_history["E3"]
    expulsion = latest(session, e3)
    assert (expulsion.to_state, expulsion.effective_on) == ("expelled", date(2025, 6, 2))
    request = corrections.propose(session, expulsion, actor=officer, reason="事故系他企业所致，退库有误")
    assert request.status == "pending" and e3.state == "expelled"  # nothing changes before approval
    assert history.pool_on(session, date(2025, 7, 1))[e3.id] == "expelled"

    correction = corrections.approve(session, request, actor=admin, today=TODAY, reason="经核实")
    assert (correction.kind, correction.corrects_id) == (CORRECTION, expulsion.id)
    assert "审批意见：经核实" in correction.reason
    assert (e3.state, e3.state_changed_on, e3.admitted_on) == ("admitted", date(2025, 2, 1), date(2025, 2, 1))
    for day in (date(2025, 6, 2), date(2025, 12, 31), TODAY):
        assert history.pool_on(session, day)[e3.id] == "admitted"
        assert e3.id in history.members_on(session, day)
    assert (request.status, request.decided_by_id, request.correction_event_id) == ("approved", admin.id,
                                                                                  correction.id)
    # expulsions free no quota: the county's quota is unchanged by it
    assert lc.quota(session, dy.id, TODAY, snap(TODAY)).replenished == 4


def test_two_people_the_proposer_cannot_approve(session, dy, officer, dy_history, admins):
    admin, admin2 = admins
    e3 = dy_history["E3"]
    request = corrections.propose(session, latest(session, e3), actor=admin, reason="录入错误")
    with pytest.raises(TransitionRefused, match="申请人不能审批自己的更正申请"):
        corrections.approve(session, request, actor=admin, today=TODAY)
    with pytest.raises(TransitionRefused, match="须由市级管理员审批"):
        corrections.approve(session, request, actor=officer, today=TODAY)
    corrections.approve(session, request, actor=admin2, today=TODAY)
    with pytest.raises(TransitionRefused, match="已处理"):
        corrections.approve(session, request, actor=admin, today=TODAY)


def test_a_refusal_needs_a_reason_and_leaves_the_state(session, dy, officer, dy_history, admins):
    admin, _ = admins
    e3 = dy_history["E3"]
    request = corrections.propose(session, latest(session, e3), actor=officer, reason="退库有误")
    with pytest.raises(TransitionRefused, match="不予更正须写明理由"):
        corrections.refuse(session, request, actor=admin, reason=" ")
    corrections.refuse(session, request, actor=admin, reason="事故认定无误")
    assert request.status == "refused" and e3.state == "expelled"
    assert session.scalar(select(PoolEvent).where(PoolEvent.kind == CORRECTION,
                                                  PoolEvent.subtype == "state_change")) is None


def test_only_the_latest_state_change_and_never_the_application(session, dy, officer, dy_history):
    e1 = dy_history["E1"]
    admission = session.scalars(history.live_events(e1.id, "state_change")).all()[1]
    assert admission.to_state == "admitted"
    with pytest.raises(TransitionRefused, match="只能更正该企业最近一次状态变更（2026-02-01 已出库）"):
        corrections.propose(session, admission, actor=officer, reason="x")
    application = session.scalars(history.live_events(e1.id, "state_change")).all()[0]
    with pytest.raises(TransitionRefused, match="申报记录不能更正"):
        corrections.propose(session, application, actor=officer, reason="x")
    with pytest.raises(TransitionRefused, match="须写明理由"):
        corrections.propose(session, latest(session, e1), actor=officer, reason="")
    corrections.propose(session, latest(session, e1), actor=officer, reason="出库有误")
    with pytest.raises(TransitionRefused, match="已有一项待审批的更正申请"):
        corrections.propose(session, latest(session, e1), actor=officer, reason="再次申请")


def test_voiding_a_graduation_that_later_replenishments_stand_on_is_refused(session, dy, officer, dy_history,
                                                                           admins):
    admin, _ = admins
    e1 = dy_history["E1"]
    request = corrections.propose(session, latest(session, e1), actor=officer, reason="出库有误")
    with pytest.raises(TransitionRefused, match="于 2026-03-01 的增补将没有名额"):
        corrections.approve(session, request, actor=admin, today=TODAY)
    assert e1.state == "graduated"
    # undo a replenishment first (back to applied), and then the graduation has places to spare
    for name in ("R4", "R3"):
        r = corrections.propose(session, latest(session, dy_history[name]), actor=officer, reason="增补有误")
        corrections.approve(session, r, actor=admin, today=TODAY)
        assert dy_history[name].state == "applied" and dy_history[name].admitted_on is None
    corrections.refuse(session, request, actor=admin, reason="先更正增补")
    again = corrections.propose(session, latest(session, e1), actor=officer, reason="出库有误")
    corrections.approve(session, again, actor=admin, today=TODAY)
    quota = lc.quota(session, dy.id, TODAY, snap(TODAY))
    assert (quota.graduated, quota.replenished, quota.left) == (1, 2, 0)
    assert e1.state == "admitted" and history.pool_on(session, TODAY)[e1.id] == "admitted"


def test_another_countys_officer_cannot_ask(session, dy, officer, dy_history):
    other = mf.user(session, "yx", county=mf.county(session, "420222", "阳新县"))
    with pytest.raises(TransitionRefused, match="无权"):
        corrections.propose(session, latest(session, dy_history["E3"]), actor=other, reason="x")
    assert session.scalar(select(StateCorrection)) is None
