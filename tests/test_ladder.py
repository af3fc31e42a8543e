"""The ladder (issue #17): memberships of configured pools, on their own criteria and lifecycle."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import AppendOnlyError, MembershipEvent, Qualification, User
from pool.kernel.refusal import DateRefused, TransitionRefused
from pool.ladder import memberships as ms, proposals, verdicts
from pool.pools import definition
from pool.pools.definition import PoolDefinitionError, parse_pool
from pool.pools.evaluators import Context, evaluate_node

from . import model_factories as mf
from .ladder_world import graduate_from_first_pool

CONTINUING = "huangshi-continuing-2024"
XUCHANG = "xuchang-2022"
TODAY = date(2026, 6, 30)
GRADUATED_ON = date(2026, 3, 1)


# --- the member_of evaluator: its four outcomes ------------------------------------------------

NODE = {"evaluator": "member_of", "pool": "huangshi-2024", "pool_name": "样板库", "states": ["graduated"]}


def _ctx(memberships):
    return Context(None, TODAY, memberships=memberships)  # member_of reads no applicant


@pytest.mark.parametrize("memberships, status", [
    ({"huangshi-2024": ("样板库", "graduated")}, "pass"),
    ({"huangshi-2024": ("样板库", "admitted")}, "fail"),
    ({}, "fail"),
    (None, "missing"),
])
def test_member_of_reads_the_state_in_the_other_pool(memberships, status):
    got, detail = evaluate_node(NODE, _ctx(memberships))
    assert got == status
    assert "样板库" in detail


def test_member_of_in_principle_turns_a_fail_into_review():
    got, _ = evaluate_node({**NODE, "in_principle": True}, _ctx({}))
    assert got == "review"


def test_a_pool_naming_a_pool_that_does_not_exist_is_refused_when_loaded(monkeypatch):
    raw = definition.json.loads((definition.DATA / f"{CONTINUING}.json").read_text(encoding="utf-8"))
    raw["lifecycle"]["follows"] = "nowhere"
    pools = dict(definition.load())
    pools[CONTINUING] = parse_pool(raw, CONTINUING)
    problems = definition._references(pools)
    assert problems == [f"{CONTINUING}: lifecycle.follows: 引用了不存在的培育库 nowhere（可用："
                        + "、".join(pools) + "）"]
    raw["criteria_set"]["versions"][0]["criteria"][0]["rule"]["states"] = ["asleep"]
    with pytest.raises(PoolDefinitionError, match="未知的入库状态 asleep"):
        parse_pool(raw, CONTINUING)


def test_the_shipped_pools_form_a_ladder():
    assert [p.code for p in definition.follows("huangshi-2024")] == [CONTINUING]
    assert definition.follows(CONTINUING) == []


# --- the ladder in the database --------------------------------------------------------------

@pytest.fixture
def graduated(session, world):
    """The Daye enterprise: admitted to the first pool in 2025, graduated on GRADUATED_ON."""
    found = graduate_from_first_pool(session, world.dy_ent.id, GRADUATED_ON)
    session.commit()
    return found


def test_graduation_from_the_first_pool_proposes_continued_cultivation(session, graduated):
    enterprise, admin = graduated
    rungs = proposals.ladder(session, enterprise, TODAY)
    assert [(r.pool.code, r.state, r.proposed) for r in rungs] == [
        ("huangshi-2024", "graduated", False), (CONTINUING, None, True)]
    assert [e.id for e in session.scalars(proposals.successors_stmt(definition.get(CONTINUING), None))] == [
        enterprise.id]
    ms.apply(session, enterprise, CONTINUING, actor=admin, on=GRADUATED_ON, today=TODAY)
    assert [(r.pool.code, r.state, r.proposed) for r in proposals.ladder(session, enterprise, TODAY)][1] == (
        CONTINUING, "applied", False)
    assert session.scalars(proposals.successors_stmt(definition.get(CONTINUING), None)).all() == []


def test_admission_judges_the_record_on_its_day(session, graduated):
    enterprise, admin = graduated
    membership = ms.apply(session, enterprise, CONTINUING, actor=admin, on=GRADUATED_ON - timedelta(days=1),
                          today=TODAY)
    with pytest.raises(TransitionRefused, match="不符合.*第1项"):  # the day before: still a member
        ms.admit(session, membership, actor=admin, on=GRADUATED_ON - timedelta(days=1), today=TODAY)
    event = ms.admit(session, membership, actor=admin, on=GRADUATED_ON, today=TODAY)
    assert (membership.state, membership.admitted_on) == ("admitted", GRADUATED_ON)
    assert event.evidence["verdict"]["verdict"] == "eligible"
    assert verdicts.states_on(session, enterprise, GRADUATED_ON)[CONTINUING][1] == "admitted"
    assert CONTINUING not in verdicts.states_on(session, enterprise, GRADUATED_ON - timedelta(days=2))


def test_graduation_waits_for_the_certificate_and_cites_it(session, graduated):
    enterprise, admin = graduated
    membership = ms.apply(session, enterprise, CONTINUING, actor=admin, on=GRADUATED_ON, today=TODAY)
    ms.admit(session, membership, actor=admin, on=GRADUATED_ON, today=TODAY)
    certified = date(2026, 5, 20)
    session.add(Qualification(enterprise_id=enterprise.id, type="little_giant", certificate_no="XJR-2026-01",
                              valid_from=certified, valid_to=date(2029, 5, 19)))
    session.flush()
    session.expire(enterprise, ["qualifications"])
    pool = definition.get(CONTINUING)
    assert proposals.graduations_due(session, pool, certified - timedelta(days=1), None) == (0, [])
    assert proposals.graduations_due(session, pool, certified, None) == (1, [membership])
    with pytest.raises(TransitionRefused, match="未持有有效的"):
        ms.graduate(session, membership, actor=admin, on=certified - timedelta(days=1), today=TODAY)
    event = ms.graduate(session, membership, actor=admin, on=certified, today=TODAY)
    assert membership.state == "graduated"
    assert event.evidence["qualification"]["certificate_no"] == "XJR-2026-01"


def test_no_date_after_today_and_no_date_before_the_last_decision(session, graduated):
    enterprise, admin = graduated
    with pytest.raises(DateRefused):
        ms.apply(session, enterprise, CONTINUING, actor=admin, on=TODAY + timedelta(days=1), today=TODAY)
    membership = ms.apply(session, enterprise, CONTINUING, actor=admin, on=TODAY, today=TODAY)
    with pytest.raises(TransitionRefused, match="早于上次决定的日期"):
        ms.reject(session, membership, actor=admin, on=TODAY - timedelta(days=1), today=TODAY, reason="材料不实")
    ms.reject(session, membership, actor=admin, on=TODAY, today=TODAY, reason="材料不实")
    assert membership.state == "rejected"


def test_an_officer_acts_for_their_own_county_only(session, graduated, world):
    enterprise, _admin = graduated
    yx = session.scalar(select(User).where(User.username == "yx"))
    dy = session.scalar(select(User).where(User.username == "dy"))
    with pytest.raises(TransitionRefused, match="无权办理"):
        ms.apply(session, enterprise, CONTINUING, actor=yx, on=TODAY, today=TODAY)
    assert ms.apply(session, enterprise, CONTINUING, actor=dy, on=TODAY, today=TODAY).state == "applied"


def test_the_first_pool_is_not_written_here(session, graduated):
    enterprise, admin = graduated
    with pytest.raises(TransitionRefused, match="企业页的入库办理"):
        ms.apply(session, enterprise, "huangshi-2024", actor=admin, on=TODAY, today=TODAY)


def test_a_mistaken_decision_is_voided_never_deleted(session, graduated):
    enterprise, admin = graduated
    membership = ms.apply(session, enterprise, CONTINUING, actor=admin, on=GRADUATED_ON, today=TODAY)
    ms.admit(session, membership, actor=admin, on=GRADUATED_ON, today=TODAY)
    with pytest.raises(TransitionRefused, match="理由"):
        ms.void(session, membership, actor=admin, on=TODAY, today=TODAY, reason=" ")
    ms.void(session, membership, actor=admin, on=TODAY, today=TODAY, reason="误录入库")
    assert (membership.state, membership.admitted_on, membership.since) == ("applied", None, GRADUATED_ON)
    assert verdicts.membership_state_on(membership, TODAY) == "applied"
    with pytest.raises(TransitionRefused, match="没有可更正的决定"):
        ms.void(session, membership, actor=admin, on=TODAY, today=TODAY, reason="再次更正")
    kinds = [(e.kind, e.from_state, e.to_state) for e in membership.events]
    assert kinds == [("move", None, "applied"), ("move", "applied", "admitted"), ("void", "admitted", "applied")]
    session.commit()
    event = session.scalars(select(MembershipEvent)).first()
    event.reason = "改写"
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()


def test_rejected_may_apply_again(session, graduated):
    enterprise, admin = graduated
    membership = ms.apply(session, enterprise, CONTINUING, actor=admin, on=GRADUATED_ON, today=TODAY)
    with pytest.raises(TransitionRefused, match="请填写不予入库的理由"):
        ms.reject(session, membership, actor=admin, on=TODAY, today=TODAY, reason="")
    ms.reject(session, membership, actor=admin, on=TODAY, today=TODAY, reason="暂缓")
    again = ms.apply(session, enterprise, CONTINUING, actor=admin, on=TODAY, today=TODAY)
    assert again.id == membership.id and again.state == "applied"
    with pytest.raises(TransitionRefused, match="不能申报"):
        ms.apply(session, enterprise, CONTINUING, actor=admin, on=TODAY, today=TODAY)


def test_xuchang_facts_are_checked_by_their_declared_kind(session, world):
    enterprise = session.get(mf.Enterprise, session.scalar(select(mf.Enterprise.id).where(
        mf.Enterprise.uscc == world.yx_ent.uscc)))
    admin = session.scalar(select(User).where(User.username == "admin"))
    with pytest.raises(TransitionRefused, match="规模以上企业"):
        ms.apply(session, enterprise, XUCHANG, actor=admin, on=TODAY, today=TODAY, facts={"above_scale": "是"})
    membership = ms.apply(session, enterprise, XUCHANG, actor=admin, on=TODAY, today=TODAY,
                          facts={"above_scale": True, "hightech_field": "1.1"})
    evaluation = verdicts.evaluate(session, enterprise, XUCHANG, TODAY, membership.facts)
    assert evaluation.criteria[0].status == "fail"  # a Huangshi enterprise is not registered in Xuchang
    with pytest.raises(TransitionRefused, match="不符合"):
        ms.admit(session, membership, actor=admin, on=TODAY, today=TODAY)
    ms.record_facts(session, membership, {"above_scale": False}, actor=admin, on=TODAY, today=TODAY)
    assert membership.facts == {"above_scale": False}
    assert membership.events[-1].evidence["before"] == {"above_scale": True, "hightech_field": "1.1"}
    with pytest.raises(TransitionRefused, match="未作变更"):
        ms.record_facts(session, membership, {"above_scale": False}, actor=admin, on=TODAY, today=TODAY)


def test_the_weekly_digest_carries_each_pools_work(session, graduated):
    from models import OutboxMail
    from pool.monitoring import outbox
    assert outbox.weekly_digest(session, TODAY, base_url="https://pool.example.gov.cn") == 1  # 大冶's officer only
    mail = session.scalar(select(OutboxMail))
    assert mail.to_addr == "dy@example.gov.cn"
    assert "出库样板企业接续培育：可建议申报的出库企业：1 家 https://pool.example.gov.cn/pools/" \
        "huangshi-continuing-2024/" in mail.text_body
    assert "未关闭的风险提示" not in mail.text_body  # no flags: no flag sentence
    assert outbox.weekly_digest(session, TODAY) == 0  # once a week
