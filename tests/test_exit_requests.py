"""Exits confirmed by the city (issue #15, exit_needs_city_approval): a county's
graduation or expulsion waits for the city administrator, who approves it as
of its date or returns it with a reason; the pool and the quota change only on
approval."""
from datetime import date

import pytest
from sqlalchemy import select

from models import CITY_ADMIN, ExitRequest, Product
from pool.eligibility.policy import DEFAULT_PARAMETERS, Parameter, Policy
from pool.membership import exit_requests, lifecycle
from pool.membership.history import pool_on
from pool.membership.quota import quota

from . import model_factories as mf
from .test_lifecycle import certify, dy, member, officer, open_round  # noqa: F401 - fixtures

ADMITTED, ON = date(2025, 1, 10), date(2026, 2, 1)  # 12 months and more
POLICY = Policy()


@pytest.fixture
def graduating(session, dy, officer):
    open_round(session, date(2025, 1, 1), date(2025, 3, 31))
    enterprise = member(session, dy, officer, ADMITTED)
    certify(session, enterprise, date(2025, 6, 1))  # rule (a): certified after admission
    return enterprise


def ask(session, enterprise, actor, policy=POLICY, on=ON):
    return exit_requests.confirm_exit(session, enterprise, actor=actor, kind="graduation", rule="a", on=on,
                                      today=date(2026, 11, 30), reason="新认定专利密集型产品",
                                      snapshot=policy.in_force(on))


def test_a_countys_graduation_waits_for_the_city(session, dy, officer, graduating):
    admin = mf.user(session, "admin", role=CITY_ADMIN)
    request = ask(session, graduating, officer)
    assert isinstance(request, ExitRequest) and request.status == "pending"
    assert pool_on(session, ON)[graduating.id] == "admitted" and graduating.state == "admitted"
    assert quota(session, dy.id, ON, POLICY.in_force(ON)).graduated == 0
    event = exit_requests.approve(session, request, actor=admin, today=date(2026, 11, 30),
                                  snapshot=POLICY.in_force(ON))
    assert (event.to_state, event.effective_on, event.actor_id) == ("graduated", ON, admin.id)
    assert event.evidence["approval"]["requested_by"] == officer.display_name
    assert request.status == "approved" and request.event_id == event.id
    assert quota(session, dy.id, ON, POLICY.in_force(ON)).graduated == 1  # the places follow the approval


def test_the_administrator_and_a_city_that_does_not_ask_for_approval_exit_at_once(session, dy, officer,
                                                                                   graduating):
    admin = mf.user(session, "admin", role=CITY_ADMIN)
    assert ask(session, graduating, admin).to_state == "graduated"
    other = member(session, dy, officer, ADMITTED)
    certify(session, other, date(2025, 6, 1))
    relaxed = Policy(DEFAULT_PARAMETERS + (Parameter("exit_needs_city_approval", False, date(2026, 1, 1),
                                                     "市局通知（测试）"),))
    assert ask(session, other, officer, relaxed).to_state == "graduated"


def test_a_request_that_could_not_succeed_is_refused_at_once(session, dy, officer, graduating):
    with pytest.raises(lifecycle.TransitionRefused, match="不符合培育出库条件"):
        ask(session, graduating, officer, on=date(2025, 12, 1))  # not yet 12 months
    with pytest.raises(lifecycle.TransitionRefused, match="须写明理由"):
        exit_requests.confirm_exit(session, graduating, actor=officer, kind="graduation", rule="a", on=ON,
                                   today=ON, reason=" ", snapshot=POLICY.in_force(ON))
    ask(session, graduating, officer)
    with pytest.raises(lifecycle.TransitionRefused, match="已有待市级确认的培育出库申请"):
        ask(session, graduating, officer)


def test_only_the_city_decides_and_a_return_needs_a_reason(session, dy, officer, graduating):
    admin = mf.user(session, "admin", role=CITY_ADMIN)
    request = ask(session, graduating, officer)
    with pytest.raises(lifecycle.TransitionRefused, match="只有市级管理员"):
        exit_requests.approve(session, request, actor=officer, today=ON, snapshot=POLICY.in_force(ON))
    with pytest.raises(lifecycle.TransitionRefused, match="退回须写明理由"):
        exit_requests.send_back(session, request, actor=admin, reason="")
    exit_requests.send_back(session, request, actor=admin, reason="请补充认定证书")
    assert (request.status, graduating.state) == ("returned", "admitted")
    with pytest.raises(lifecycle.TransitionRefused, match="该申请已处理"):
        exit_requests.approve(session, request, actor=admin, today=ON, snapshot=POLICY.in_force(ON))
    assert isinstance(ask(session, graduating, officer), ExitRequest)  # the county may ask again


def test_an_approval_checks_the_rule_again(session, dy, officer, graduating):
    admin = mf.user(session, "admin", role=CITY_ADMIN)
    request = ask(session, graduating, officer)
    product = session.scalars(select(Product).where(Product.enterprise_id == graduating.id)).one()
    product.certified_on = date(2026, 6, 1)  # corrected meanwhile: certified after the requested date
    session.flush()
    with pytest.raises(lifecycle.TransitionRefused, match="不符合培育出库条件"):
        exit_requests.approve(session, request, actor=admin, today=date(2026, 11, 30),
                              snapshot=POLICY.in_force(ON))
    assert request.status == "pending"
