"""Risk flags as work items (issue #15): acknowledged, assigned, commented;
and flags that follow the record at once after an officer's action."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from models import CITY_ADMIN, Qualification, RiskFlag, RiskFlagChange
from pool.monitoring import scan as monitoring
from pool.monitoring import workitems
from pool.records import edits, parts

from . import model_factories as mf
from .test_lifecycle import dy, officer  # noqa: F401 - fixtures
from .test_monitoring import pool_member, run

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def drifting(session, county):
    member = pool_member(session, county)
    member.has_rd_leader = False
    session.commit()
    run(session, DAY)
    return session.scalar(select(RiskFlag).where(RiskFlag.enterprise_id == member.id))


def test_an_officer_acknowledges_assigns_and_comments(session, dy, officer):
    flag = drifting(session, dy)
    colleague = mf.user(session, "dy_2", county=dy)
    workitems.acknowledge(session, flag, actor=officer, now=NOW)
    with pytest.raises(workitems.FlagRefused, match="已有人确认知悉"):
        workitems.acknowledge(session, flag, actor=colleague, now=NOW)
    workitems.assign(session, flag, actor=officer, assignee_id=colleague.id, now=NOW + timedelta(minutes=1))
    workitems.comment(session, flag, actor=colleague, text_="已电话联系企业，月底前补报科研带头人信息",
                      now=NOW + timedelta(minutes=2))
    assert (flag.acknowledged_by_id, flag.assigned_to_id) == (officer.id, colleague.id)
    lines = [(e.who, e.action, e.text) for e in workitems.history(flag)]
    assert lines[0][:2] == ("风险扫描", "发现")
    assert lines[1:] == [(officer.display_name, "确认知悉", ""),
                         (officer.display_name, "指派", f"指派给{colleague.display_name}"),
                         (colleague.display_name, "处理意见", "已电话联系企业，月底前补报科研带头人信息")]


def test_refusals_name_what_is_wrong(session, dy, officer):
    flag = drifting(session, dy)
    yx = mf.county(session, "420222", "阳新县")
    stranger = mf.user(session, "yx_officer", county=yx)
    with pytest.raises(workitems.FlagRefused, match="无权处理其他县"):
        workitems.comment(session, flag, actor=stranger, text_="看看", now=NOW)
    with pytest.raises(workitems.FlagRefused, match="只能指派给本县") as refused:
        workitems.assign(session, flag, actor=officer, assignee_id=stranger.id, now=NOW)
    assert refused.value.field == "assignee"
    admin = mf.user(session, "admin", role=CITY_ADMIN)
    workitems.assign(session, flag, actor=officer, assignee_id=admin.id, now=NOW)  # the city may take it
    with pytest.raises(workitems.FlagRefused, match="请填写处理意见"):
        workitems.comment(session, flag, actor=officer, text_="  ", now=NOW)
    with pytest.raises(workitems.FlagRefused, match="不能超过 1000 个字符"):
        workitems.comment(session, flag, actor=officer, text_="字" * 1001, now=NOW)
    workitems.comment(session, flag, actor=officer, text_="字" * 1000, now=NOW)


def test_a_closed_flag_takes_comments_only(session, dy, officer):
    flag = drifting(session, dy)
    member = flag.enterprise
    edits.update_enterprise(session, member, actor=officer, expected_version=member.version,
                            changes={"has_rd_leader": True})
    session.commit()
    run(session, DAY + timedelta(days=1))
    assert flag.closed_on == DAY + timedelta(days=1)
    with pytest.raises(workitems.FlagRefused, match="已于 2026-03-03 关闭"):
        workitems.acknowledge(session, flag, actor=officer, now=NOW)
    workitems.comment(session, flag, actor=officer, text_="企业已补报", now=NOW)


def test_a_renewed_certificate_closes_its_flag_at_once(session, dy, officer):
    member = pool_member(session, dy, qualified_until=None)
    old = parts.add_part(session, member, "qualification", actor=officer, today=date(2023, 1, 1), values={
        "type": "high_tech", "valid_from": "2023-01-01", "valid_to": "2026-02-28"})
    session.commit()
    run(session, DAY)
    assert session.scalar(select(RiskFlag.severity).where(RiskFlag.kind == "qualification_expiring")) == "high"
    parts.renew_qualification(session, old, actor=officer, today=DAY, values={
        "valid_from": "2026-03-01", "valid_to": "2029-02-28", "certificate_no": "GR2026"})
    result = monitoring.follow(session, member.id, DAY)
    assert result.closed == 1
    change = session.scalars(select(RiskFlagChange).order_by(RiskFlagChange.id.desc())).first()
    assert (change.action, change.detail) == ("closed", "条件已消除")


def test_a_graduation_closes_the_enterprises_flags_at_once_and_leaves_the_others(session, dy, officer):
    leaving, staying = (pool_member(session, dy) for _ in range(2))
    leaving.has_rd_leader = staying.has_rd_leader = False
    session.commit()
    run(session, DAY)
    leaving.state, leaving.state_changed_on = "graduated", DAY  # as lifecycle.graduate leaves it
    result = monitoring.follow(session, leaving.id, DAY)
    assert (result.closed, result.raised) == (1, 0)
    still = session.scalars(select(RiskFlag).where(RiskFlag.closed_on.is_(None))).all()
    assert [f.enterprise_id for f in still] == [staying.id]
    assert still[0].last_seen_on == DAY


# --- the pages ---------------------------------------------------------------------------

def test_the_flag_page_acknowledges_assigns_and_comments(client, auth, session, dy, officer, freeze_today):
    flag = drifting(session, dy)
    colleague = mf.user(session, "dy_2", county=dy)
    session.commit()
    flag_id, colleague_id = flag.id, colleague.id
    freeze_today(DAY)
    auth.login("dy_officer")
    page = client.get(f"/monitor/flags/{flag_id}")
    assert page.status_code == 200 and "不再符合入库标准" in page.text and "尚未确认" in page.text
    assert client.post(f"/monitor/flags/{flag_id}/acknowledge").status_code == 302
    assert client.post(f"/monitor/flags/{flag_id}/assign", data={"assignee": str(colleague_id)}).status_code == 302
    empty = client.post(f"/monitor/flags/{flag_id}/comment", data={"text": ""})
    assert empty.status_code == 422 and "请填写处理意见" in empty.text
    assert client.post(f"/monitor/flags/{flag_id}/comment", data={"text": "已约谈"}).status_code == 302
    page = client.get(f"/monitor/flags/{flag_id}").text
    assert "确认知悉" in page and "已约谈" in page and "指派给" in page
    auth.logout()
    auth.login("dy_2")
    mine = client.get("/monitor/?mine=1").text
    assert f"/monitor/flags/{flag_id}" in mine


def test_another_countys_flag_is_not_found(client, auth, session, dy, officer):
    flag = drifting(session, dy)
    yx = mf.county(session, "420222", "阳新县")
    mf.user(session, "yx_officer", county=yx)
    session.commit()
    auth.login("yx_officer")
    assert client.get(f"/monitor/flags/{flag.id}").status_code == 404
    assert client.post(f"/monitor/flags/{flag.id}/comment", data={"text": "x"}).status_code == 404


def test_a_certificate_renewed_on_the_page_clears_the_flag_before_the_next_scan(
        client, auth, session, dy, officer, freeze_today):
    member = pool_member(session, dy, qualified_until=None)
    old = parts.add_part(session, member, "qualification", actor=officer, today=date(2023, 1, 1), values={
        "type": "high_tech", "valid_from": "2023-01-01", "valid_to": "2026-02-28"})
    session.commit()
    run(session, DAY)
    member_id, old_id = member.id, old.id
    freeze_today(DAY)
    auth.login("dy_officer")
    before = client.get(f"/enterprises/{member_id}").text
    assert "资格" in before and "flag" in before
    renewed = client.post(f"/records/{member_id}/qualification/{old_id}/renew", data={
        "type": "high_tech", "level": "national", "valid_from": "2026-03-01", "valid_to": "2029-02-28",
        "certificate_no": "GR2026"})
    assert renewed.status_code == 302, re.findall(r"invalid-feedback[^<]*<|alert[^<]*<[^<]*", renewed.text)
    session.expire_all()
    assert session.scalar(select(RiskFlag.closed_on).where(RiskFlag.enterprise_id == member_id)) == DAY
    assert session.scalar(select(Qualification.valid_to).where(Qualification.certificate_no == "GR2026")) \
        == date(2029, 2, 28)
