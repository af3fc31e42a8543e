"""Application cycles (issue #14): a rejected enterprise applies again the next
declaration year and is admitted; after an expulsion the city's waiting period
applies; every cycle keeps its own check and decision."""
from datetime import date

import pytest
from sqlalchemy import select

from models import PoolEvent
from pool.eligibility import applications
from pool.eligibility.criteria import check
from pool.eligibility.policy import Parameter, Policy, DEFAULT_PARAMETERS
from pool.kernel.refusal import TransitionRefused
from pool.membership import cycles, history, lifecycle as lc

from . import factories as af
from . import model_factories as mf
from .test_lifecycle import admit, applicant, dy, evaluation, officer, open_round, snap  # noqa: F401


def saved_check(session, enterprise, officer, on: date):
    data = af.applicant(uscc=enterprise.uscc, name=enterprise.name, assessment_year=on.year)
    result = check(data, on, Policy(), af.industry_table())
    return applications.save(session, data=data, evaluation=result, county_id=enterprise.county_id,
                             actor=officer)


def test_a_rejected_enterprise_applies_again_next_year_and_is_admitted(session, dy, officer):
    open_round(session, date(2025, 1, 1), date(2025, 3, 31))
    e = applicant(session, dy, officer, date(2025, 1, 10))
    lc.reject(session, e, actor=officer, on=date(2025, 2, 1), today=mf.TODAY, reason="第5条不符合")
    same_year = saved_check(session, e, officer, date(2025, 9, 1))
    with pytest.raises(TransitionRefused, match="已于 2025 年度申报；须在以后的申报年度（2026 年起）"):
        cycles.reapply(session, e, actor=officer, on=date(2025, 12, 31), today=mf.TODAY, application=same_year,
                       snapshot=snap(date(2025, 12, 31)))
    assert e.state == "rejected"
    again = saved_check(session, e, officer, date(2026, 1, 5))
    event = cycles.reapply(session, e, actor=officer, on=date(2026, 1, 5), today=mf.TODAY, application=again,
                           snapshot=snap(date(2026, 1, 5)), reason="补充研发投入后再次申报")
    assert (event.from_state, event.to_state, e.state) == ("rejected", "applied", "applied")
    assert again.enterprise_id == e.id
    open_round(session, date(2026, 1, 1), date(2026, 3, 31), name="第二批")
    admit(session, e, officer, date(2026, 2, 1))
    assert e.state == "admitted" and e.admitted_on == date(2026, 2, 1)
    assert history.pool_on(session, date(2025, 6, 1))[e.id] == "rejected"
    assert history.pool_on(session, date(2026, 2, 1))[e.id] == "admitted"
    [first, second] = cycles.cycles(session, e)
    assert (first.number, first.decision.to_state) == (1, "rejected")
    assert (second.number, second.application_id, second.decision.to_state) == (2, again.id, "admitted")


def test_only_rejected_or_expelled_may_apply_again(session, dy, officer):
    e = applicant(session, dy, officer, date(2025, 1, 10))
    with pytest.raises(TransitionRefused, match="只有未予入库或已退库的企业可以重新申报"):
        cycles.reapply(session, e, actor=officer, on=date(2026, 1, 5), today=mf.TODAY,
                       application=saved_check(session, e, officer, date(2026, 1, 5)), snapshot=snap(date(2026, 1, 5)))


def test_after_an_expulsion_the_waiting_period_applies(session, dy, officer):
    open_round(session, date(2025, 1, 1), date(2025, 3, 31))
    e = applicant(session, dy, officer, date(2025, 1, 10))
    admit(session, e, officer, date(2025, 2, 1))
    lc.record_incident(session, e, actor=officer, on=date(2025, 6, 1), today=mf.TODAY, subtype="tax_evasion",
                       reason="偷漏税")
    lc.expel(session, e, actor=officer, on=date(2025, 6, 2), today=mf.TODAY, basis="incident", reason="退库",
             snapshot=snap(date(2025, 6, 2)))
    waiting = Policy(DEFAULT_PARAMETERS + (Parameter("reapply_after_expulsion_months", 12, date(2025, 1, 1),
                                                      "市里规定", "退库后满一年"),))
    check_2026 = saved_check(session, e, officer, date(2026, 6, 1))
    with pytest.raises(TransitionRefused, match=r"退库后须满 12 个月方可重新申报（2026-06-02 起）"):
        cycles.reapply(session, e, actor=officer, on=date(2026, 6, 1), today=mf.TODAY, application=check_2026,
                       snapshot=waiting.in_force(date(2026, 6, 1)))
    cycles.reapply(session, e, actor=officer, on=date(2026, 6, 2), today=mf.TODAY, application=check_2026,
                   snapshot=waiting.in_force(date(2026, 6, 2)))
    assert e.state == "applied"
    # the default reading: no waiting period, a later declaration year suffices
    assert snap(date(2026, 1, 1))["reapply_after_expulsion_months"] == 0


def test_a_check_of_another_enterprise_is_refused(session, dy, officer):
    e = applicant(session, dy, officer, date(2025, 1, 10))
    lc.reject(session, e, actor=officer, on=date(2025, 2, 1), today=mf.TODAY, reason="不符合")
    other = applicant(session, dy, officer, date(2025, 1, 10))
    foreign = saved_check(session, other, officer, date(2026, 1, 5))
    with pytest.raises(TransitionRefused, match="不是该企业在本县"):
        cycles.reapply(session, e, actor=officer, on=date(2026, 1, 5), today=mf.TODAY, application=foreign,
                       snapshot=snap(date(2026, 1, 5)))
    assert session.scalar(select(PoolEvent).where(PoolEvent.enterprise_id == e.id,
                                                  PoolEvent.to_state == "applied",
                                                  PoolEvent.from_state == "rejected")) is None
