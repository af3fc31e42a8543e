"""The administrator's changes to the pools: a pool from a template, dated versions and values,
retirement, and the what-if before a version is saved — each applying from its own date only."""
import copy
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import AppendOnlyError, Membership, PoolChange, Qualification, User
from pool.kernel.refusal import DateRefused, TransitionRefused
from pool.ladder import catalogue, memberships as ms, previews, verdicts
from pool.ladder.catalogue import ChangeRefused
from pool.pools import changes

from .ladder_world import graduate_from_first_pool

TODAY = date(2026, 6, 30)
CONTINUING = "huangshi-continuing-2024"
NEW = "huangshi-hightech-reserve"
CREATE = {"kind": "create", "code": NEW, "name": "黄石市高新技术企业备选库", "template": "xuchang-2022",
          "source": "市局党组会议纪要〔2026〕5号", "valid_from": "2026-06-01",
          "programme": {"document": "黄石市高企培育工作方案", "city": "黄石", "issuer_region": "420200"}}


def _admin(session):
    return session.scalar(select(User).where(User.username == "admin"))


# --- pure: replaying and refusing --------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ({**CREATE, "code": "X"}, "培育库代码须为"),
    ({**CREATE, "code": "xuchang-2022"}, "已被使用"),
    ({**CREATE, "template": "nowhere"}, "没有模板 nowhere"),
    ({**CREATE, "name": " "}, "请填写培育库名称"),
    ({"kind": "criteria", "code": "huangshi-2024", "version": {}, "source": "x"}, "标准由代码实现"),
    ({"kind": "parameter", "code": "xuchang-2022", "key": "nope", "valid_from": "2026-01-01", "value": 1,
      "source": "x"}, "没有参数 nope"),
    ({"kind": "parameter", "code": "xuchang-2022", "key": "city_region_prefixes", "valid_from": "2022-11-25",
      "value": ["4110"], "source": "x"}, "须晚于已有的最后一个生效日期 2022-11-25"),
    ({"kind": "parameter", "code": "xuchang-2022", "key": "city_region_prefixes", "valid_from": "2026-01-01",
      "value": ["4110"], "source": " "}, "请写明依据"),
])
def test_a_change_that_may_not_apply_says_why(change, message):
    assert any(message in p for p in changes.refusals([], change))


def test_a_pool_from_a_template_carries_its_own_name_and_programme():
    pools = changes.assemble([CREATE])
    made = pools[NEW]
    assert (made.name, made.template, made.programme["document"], made.programme["city"]) == (
        "黄石市高新技术企业备选库", "xuchang-2022", "黄石市高企培育工作方案", "黄石")
    assert pools["xuchang-2022"].programme["city"] == "许昌"  # the template is left as it was
    assert [c.id for c in made.criteria_set.in_force(TODAY).criteria] == [1, 2, 3, 4, 5]


def test_a_parameter_value_applies_from_its_date_only():
    value = {"kind": "parameter", "code": NEW, "key": "city_region_prefixes", "valid_from": "2026-06-15",
             "value": ["4202"], "source": "市局通知"}
    assert changes.refusals([CREATE], value) == []
    made = changes.assemble([CREATE, value])[NEW]
    assert made.params_in_force(date(2026, 6, 14))["city_region_prefixes"] == ["4110"]
    assert made.params_in_force(date(2026, 6, 15))["city_region_prefixes"] == ["4202"]


def test_a_draft_version_is_checked_as_a_pool_file_is():
    draft = {"valid_from": "2026-07-01", "source": "x", "criteria": [
        {"id": 1, "title": "t", "clause": "c", "rule": {"evaluator": "flag", "field": "facts.nowhere"}}]}
    problems = changes.refusals([], {"kind": "criteria", "code": "xuchang-2022", "version": draft, "source": "x"})
    assert any("未知字段 facts.nowhere" in p for p in problems)


# --- in the database -------------------------------------------------------------------------

@pytest.fixture
def graduated(session, world):
    return graduate_from_first_pool(session, world.dy_ent.id, date(2026, 3, 1))


def test_only_the_city_administrator_changes_a_pool_and_changes_are_kept(session, world):
    officer = session.scalar(select(User).where(User.username == "dy"))
    with pytest.raises(ChangeRefused, match="只有市级管理员"):
        catalogue.record(session, CREATE, actor=officer, today=TODAY)
    with pytest.raises(DateRefused):
        catalogue.record(session, {**CREATE, "valid_from": "2026-07-01"}, actor=_admin(session), today=TODAY)
    row = catalogue.record(session, CREATE, actor=_admin(session), today=TODAY)
    assert catalogue.get(session, NEW).template == "xuchang-2022"
    with pytest.raises(ChangeRefused, match="已被使用"):
        catalogue.record(session, CREATE, actor=_admin(session), today=TODAY)
    session.commit()
    row.source = "改写"
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PoolChange)) == 1


def test_a_retired_pool_takes_no_application_from_its_day(session, graduated):
    enterprise, admin = graduated
    catalogue.record(session, {"kind": "retire", "code": CONTINUING, "valid_from": "2026-06-30",
                               "source": "接续培育工作并入专精特新培育"}, actor=admin, today=TODAY)
    with pytest.raises(TransitionRefused, match="已于 2026-06-30 停用"):
        ms.apply(session, enterprise, CONTINUING, actor=admin, on=TODAY, today=TODAY)
    assert ms.apply(session, enterprise, CONTINUING, actor=admin, on=TODAY - timedelta(days=1),
                    today=TODAY).state == "applied"
    with pytest.raises(ChangeRefused, match="已于 2026-06-30 停用"):
        catalogue.record(session, {"kind": "retire", "code": CONTINUING, "valid_from": "2026-06-30",
                                   "source": "again"}, actor=admin, today=TODAY)


def _without_criterion_2(session):
    version = copy.deepcopy(catalogue.get(session, CONTINUING).criteria_set.versions[0])
    return {"valid_from": "2026-07-01", "source": "市局决定：小巨人也可接续培育", "note": "",
            "criteria": [{"id": c.id, "title": c.title, "clause": c.clause, "excerpt": c.excerpt, "rule": c.rule}
                         for c in version.criteria if c.id == 1]}


def test_the_what_if_names_whose_verdict_a_draft_changes_and_writes_nothing(session, graduated):
    enterprise, admin = graduated
    membership = ms.apply(session, enterprise, CONTINUING, actor=admin, on=date(2026, 3, 1), today=TODAY)
    session.add(Qualification(enterprise_id=enterprise.id, type="little_giant", certificate_no="XJR-1",
                              valid_from=date(2026, 5, 1), valid_to=date(2029, 4, 30)))
    session.flush()
    session.expire(enterprise, ["qualifications"])
    pool = catalogue.get(session, CONTINUING)
    shown = previews.preview(session, pool, _without_criterion_2(session), TODAY)
    assert (shown["checked"], shown["verdicts_changed"]) == (1, 1)
    change = shown["changes"][0]
    assert (change["verdict_before"], change["verdict_after"]) == ("ineligible", "eligible")
    assert [(c["id"], c["before"], c["after"]) for c in change["criteria"]] == [(2, "fail", None)]
    assert session.scalar(select(func.count()).select_from(PoolChange)) == 0
    assert membership.state == "applied"
    with pytest.raises(ChangeRefused, match="未知的评价器"):
        previews.preview(session, pool, {"valid_from": "2026-07-01", "source": "x", "criteria": [
            {"id": 1, "title": "t", "clause": "c", "rule": {"evaluator": "guess"}}]}, TODAY)


def test_a_saved_version_applies_from_its_date_only(session, graduated):
    enterprise, admin = graduated
    ms.apply(session, enterprise, CONTINUING, actor=admin, on=date(2026, 3, 1), today=TODAY)
    session.add(Qualification(enterprise_id=enterprise.id, type="little_giant", certificate_no="XJR-1",
                              valid_from=date(2026, 5, 1), valid_to=date(2029, 4, 30)))
    session.flush()
    session.expire(enterprise, ["qualifications"])
    catalogue.record(session, {"kind": "criteria", "code": CONTINUING, "version": _without_criterion_2(session),
                               "source": "市局决定", "valid_from": "2026-07-01"}, actor=admin, today=TODAY)
    assert verdicts.evaluate(session, enterprise, CONTINUING, date(2026, 6, 30), {}).verdict == "ineligible"
    assert verdicts.evaluate(session, enterprise, CONTINUING, date(2026, 7, 1), {}).verdict == "eligible"
    assert session.scalar(select(Membership.state)) == "applied"
