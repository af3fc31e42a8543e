"""Lifecycle actions through the web: admit, reject, facts, graduate/expel, corrections, rounds."""
from datetime import date

import pytest
from sqlalchemy import select

from models import Application, Enterprise, ExitRequest, IntakeRound, PoolEvent
from pool.eligibility.criteria import check
from pool.eligibility.rulebook import load_industries_defaults
from pool.eligibility.policy import Policy

from .factories import applicant

AS_OF = date(2025, 6, 30)


def save_check(session, world, enterprise, *, eligible=True):
    """A saved check of ``enterprise``: eligible, or needs_review on criterion 3."""
    # Outside the 188 patent-intensive classes (C3130 钢压延加工), criterion 3 is `review`.
    data = applicant(uscc=enterprise.uscc, name=enterprise.name, assessment_year=AS_OF.year,
                     **({} if eligible else {"industry_code": "C3130"}))
    evaluation = check(data, AS_OF, Policy(), load_industries_defaults())
    saved = Application(county_id=enterprise.county_id, enterprise_id=enterprise.id,
                        uscc=enterprise.uscc, name=enterprise.name, as_of=AS_OF,
                        verdict=evaluation.verdict, data=data, result=evaluation.to_record())
    session.add(saved)
    session.commit()
    return saved.id


@pytest.fixture
def applied(use_db, world):
    """yx_ent is applied; give it a saved eligible check and open a round."""
    with use_db() as session:
        app_id = save_check(session, world, session.get(Enterprise, world.yx_ent.id))
        session.add(IntakeRound(name="首批", opened_on=date(2025, 1, 1)))
        session.commit()
    return app_id


def state_of(use_db, enterprise_id):
    with use_db() as session:
        return session.get(Enterprise, enterprise_id).state


def test_admit_inside_an_intake_round(client, auth, world, applied, use_db):
    auth.login("yx")
    page = client.get(f"/actions/{world.yx_ent.id}/admit").get_data(as_text=True)
    assert "首批" in page and 'id="checklist"' in page
    response = client.post(f"/actions/{world.yx_ent.id}/admit", data={
        "application_id": applied, "on": "2025-07-01", "reason": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert state_of(use_db, world.yx_ent.id) == "admitted"
    with use_db() as session:
        event = session.query(PoolEvent).filter_by(enterprise_id=world.yx_ent.id,
                                                   to_state="admitted").one()
        assert event.replenishment is False and event.intake_round_id is not None
        assert event.actor_id == world.yx_officer.id
        assert event.evidence["evaluation"]["verdict"] == "eligible"


def test_admission_outside_a_round_without_quota_is_refused(client, auth, world, use_db):
    with use_db() as session:
        app_id = save_check(session, world, session.get(Enterprise, world.yx_ent.id))
    auth.login("yx")
    response = client.post(f"/actions/{world.yx_ent.id}/admit", data={
        "application_id": app_id, "on": "2025-07-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "0/0" in page  # no graduation yet: no replenishment place
    assert state_of(use_db, world.yx_ent.id) == "applied"


def test_needs_review_admission_requires_a_written_decision(client, auth, world, use_db):
    with use_db() as session:
        app_id = save_check(session, world, session.get(Enterprise, world.yx_ent.id), eligible=False)
        session.add(IntakeRound(name="首批", opened_on=date(2025, 1, 1)))
        session.commit()
    auth.login("yx")
    url = f"/actions/{world.yx_ent.id}/admit"
    response = client.post(url, data={"application_id": app_id, "on": "2025-07-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请对第 3 条作出复核决定" in page and "请写明理由" in page
    response = client.post(url, data={"application_id": app_id, "on": "2025-07-01",
                                      "decision_3": "waive",
                                      "review_reason_3": "主营半导体设备，属新装备制造业"})
    assert response.status_code == 302
    with use_db() as session:
        review = session.query(PoolEvent).filter_by(enterprise_id=world.yx_ent.id,
                                                    kind="review").one()
        assert review.subtype == "waive" and "新装备制造业" in review.reason


def test_reject_needs_a_reason(client, auth, world, use_db):
    auth.login("yx")
    url = f"/actions/{world.yx_ent.id}/reject"
    response = client.post(url, data={"on": "2025-07-01", "reason": ""})
    assert response.status_code == 422 and "请写明理由" in response.get_data(as_text=True)
    response = client.post(url, data={"on": "2025-07-01", "reason": "专利产业化率不足"})
    assert response.status_code == 302
    assert state_of(use_db, world.yx_ent.id) == "rejected"


def admit_dy(use_db, world):
    """Give dy_ent (cached as admitted) the events behind that state."""
    with use_db() as session:
        for to_state, on in (("applied", date(2025, 2, 1)), ("admitted", date(2025, 3, 1))):
            session.add(PoolEvent(enterprise_id=world.dy_ent.id, county_id=world.dy.id,
                                  kind="state_change", to_state=to_state, effective_on=on,
                                  reason="测试"))
        session.commit()


def test_incident_then_expulsion(client, auth, world, use_db):
    admit_dy(use_db, world)
    auth.login("dy")
    response = client.post(f"/actions/{world.dy_ent.id}/incident", data={
        "incident-subtype": "tax_evasion", "incident-on": "2025-08-01",
        "incident-reason": "税务部门通报偷漏税"})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/actions/{world.dy_ent.id}/expel").get_data(as_text=True)
    assert 'id="findings"' in page and "偷漏税" in page
    response = client.post(f"/actions/{world.dy_ent.id}/expel", data={
        "basis": "incident", "on": "2025-08-02", "reason": "偷漏税，予以退库"}, follow_redirects=True)
    # The county's expulsion waits for the city (exit_needs_city_approval).
    assert "已提交市级确认" in response.get_data(as_text=True)
    assert 'id="exit-request"' in response.get_data(as_text=True)
    assert state_of(use_db, world.dy_ent.id) == "admitted"
    again = client.post(f"/actions/{world.dy_ent.id}/expel", data={
        "basis": "incident", "on": "2025-08-02", "reason": "再交一次"})
    assert again.status_code == 422 and "已有待市级确认的退库申请" in again.get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    queue = client.get("/exits/").get_data(as_text=True)
    assert world.dy_ent.name in queue and "待市级确认" in queue
    with use_db() as session:
        request_id = session.scalar(select(ExitRequest.id))
    done = client.post(f"/exits/{request_id}/decide", data={"approve": "1"}, follow_redirects=True)
    assert "自 2025-08-02 起生效" in done.get_data(as_text=True)
    assert state_of(use_db, world.dy_ent.id) == "expelled"
    with use_db() as session:
        event = session.scalar(select(PoolEvent).where(PoolEvent.to_state == "expelled"))
        assert event.effective_on == date(2025, 8, 2)
        assert event.evidence["approval"]["request_id"] == request_id


def test_the_city_returns_an_exit_with_a_reason(client, auth, world, use_db):
    admit_dy(use_db, world)
    auth.login("dy")
    client.post(f"/actions/{world.dy_ent.id}/incident", data={
        "incident-subtype": "tax_evasion", "incident-on": "2025-08-01", "incident-reason": "税务部门通报偷漏税"})
    client.post(f"/actions/{world.dy_ent.id}/expel", data={
        "basis": "incident", "on": "2025-08-02", "reason": "偷漏税，予以退库"})
    auth.logout()
    auth.login("admin")
    with use_db() as session:
        request_id = session.scalar(select(ExitRequest.id))
    bare = client.post(f"/exits/{request_id}/decide", data={"send_back": "1", "reason": ""},
                       follow_redirects=True)
    assert "退回须写明理由" in bare.get_data(as_text=True)
    client.post(f"/exits/{request_id}/decide", data={"send_back": "1", "reason": "证据不足，请补充税务文书"})
    assert state_of(use_db, world.dy_ent.id) == "admitted"
    with use_db() as session:
        row = session.get(ExitRequest, request_id)
        assert (row.status, row.decision_reason) == ("returned", "证据不足，请补充税务文书")


def test_an_expulsion_dated_tomorrow_is_refused_at_the_date_field(client, auth, world, use_db,
                                                                  freeze_today):
    admit_dy(use_db, world)
    freeze_today(date(2026, 11, 30))
    auth.login("dy")
    client.post(f"/actions/{world.dy_ent.id}/incident", data={
        "incident-subtype": "tax_evasion", "incident-on": "2025-08-01", "incident-reason": "偷漏税"})
    response = client.post(f"/actions/{world.dy_ent.id}/expel", data={
        "basis": "incident", "on": "2026-12-01", "reason": "偷漏税，予以退库"})
    assert response.status_code == 422
    assert "生效日期 不能晚于今天（2026-11-30）" in response.get_data(as_text=True)
    assert state_of(use_db, world.dy_ent.id) == "admitted"
    response = client.post(f"/actions/{world.dy_ent.id}/expel", data={
        "basis": "incident", "on": "2026-11-30", "reason": "偷漏税，予以退库"})
    assert response.status_code == 302
    with use_db() as session:
        assert session.scalar(select(ExitRequest.effective_on)) == date(2026, 11, 30)


def test_graduation_is_refused_when_no_rule_holds(client, auth, world, use_db):
    admit_dy(use_db, world)
    auth.login("dy")
    response = client.post(f"/actions/{world.dy_ent.id}/graduate", data={
        "rule": "a", "on": "2026-03-01", "reason": "测试"}, follow_redirects=True)
    assert "不符合培育出库条件" in response.get_data(as_text=True)
    assert state_of(use_db, world.dy_ent.id) == "admitted"


def test_progress_can_be_corrected_and_other_counties_cannot(client, auth, world, use_db):
    admit_dy(use_db, world)
    auth.login("dy")
    client.post(f"/actions/{world.dy_ent.id}/progress", data={
        "progress-subtype": "other", "progress-on": "2025-09-01",
        "progress-reason": "新增专利产品备案"})
    with use_db() as session:
        event_id = session.query(PoolEvent).filter_by(kind="progress").one().id
    page = client.get(f"/enterprises/{world.dy_ent.id}").get_data(as_text=True)
    assert f"/actions/events/{event_id}/correct" in page
    auth.logout()
    auth.login("yx")
    assert client.get(f"/actions/events/{event_id}/correct").status_code == 404
    assert client.post(f"/actions/events/{event_id}/correct",
                       data={"on": "2025-09-02", "reason": "x"}).status_code == 404
    auth.logout()
    auth.login("dy")
    response = client.post(f"/actions/events/{event_id}/correct",
                           data={"on": "2025-09-02", "reason": "备案号录入错误"})
    assert response.status_code == 302
    with use_db() as session:
        assert session.query(PoolEvent).filter_by(kind="correction", corrects_id=event_id).count() == 1


def test_enterprise_page_shows_actions_and_quota(client, auth, world):
    auth.login("yx")
    page = client.get(f"/enterprises/{world.yx_ent.id}").get_data(as_text=True)
    assert 'id="actions"' in page and "入库" in page and 'id="quota"' in page


def test_rounds_are_opened_and_closed_by_the_admin_only(client, auth, world, use_db, freeze_today):
    freeze_today(date(2025, 1, 1))
    auth.login("dy")
    assert client.post("/actions/rounds", data={"name": "首批", "on": "2025-01-01"}).status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.post("/actions/rounds", data={"name": "首批", "on": "2025-01-01"}).status_code == 302
    freeze_today(date(2025, 2, 1))
    response = client.post("/actions/rounds", data={"name": "第二批", "on": "2025-02-01"})
    assert response.status_code == 422 and "重叠" in response.get_data(as_text=True)
    with use_db() as session:
        round_id = session.query(IntakeRound).one().id
    freeze_today(date(2025, 3, 31))
    client.post(f"/actions/rounds/{round_id}/close", data={"on": "2025-03-31"})
    with use_db() as session:
        assert session.get(IntakeRound, round_id).closed_on == date(2025, 3, 31)


@pytest.mark.parametrize("on, message", [
    ("2026-12-01", "开始日期 不能晚于今天（2026-11-30）"),
    ("2026-11-29", "开始日期 2026-11-29 早于今天（2026-11-30）：入库批次不能追溯开启"),
])
def test_a_round_opens_today_neither_later_nor_back_dated(client, auth, world, use_db,
                                                          freeze_today, on, message):
    freeze_today(date(2026, 11, 30))
    auth.login("admin")
    response = client.post("/actions/rounds", data={"name": "首批", "on": on})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with use_db() as session:
        assert session.query(IntakeRound).count() == 0
    assert client.post("/actions/rounds", data={"name": "首批", "on": "2026-11-30"}).status_code == 302


@pytest.mark.parametrize("on, message", [
    ("2026-12-01", "结束日期 不能晚于今天（2026-11-30）"),
    ("2026-11-29", "结束日期 2026-11-29 早于今天（2026-11-30）：入库批次不能追溯关闭"),
])
def test_a_round_closes_today_neither_later_nor_back_dated(client, auth, world, use_db,
                                                           freeze_today, on, message):
    with use_db() as session:
        session.add(IntakeRound(name="首批", opened_on=date(2026, 1, 1)))
        session.commit()
        round_id = session.query(IntakeRound).one().id
    freeze_today(date(2026, 11, 30))
    auth.login("admin")
    response = client.post(f"/actions/rounds/{round_id}/close", data={"on": on},
                           follow_redirects=True)
    assert message in response.get_data(as_text=True)
    with use_db() as session:
        assert session.get(IntakeRound, round_id).closed_on is None
    client.post(f"/actions/rounds/{round_id}/close", data={"on": "2026-11-30"})
    with use_db() as session:
        assert session.get(IntakeRound, round_id).closed_on == date(2026, 11, 30)


def test_actions_are_county_scoped(client, auth, world):
    auth.login("dy")
    for path in (f"/actions/{world.yx_ent.id}/admit", f"/actions/{world.yx_ent.id}/reject",
                 f"/actions/{world.yx_ent.id}/progress", f"/actions/{world.yx_ent.id}/expel"):
        assert client.get(path).status_code == 404, path
        assert client.post(path, data={"on": "2025-07-01", "reason": "x"}).status_code == 404, path


def test_an_action_dated_before_any_policy_is_refused_clearly(client, auth, world, applied, use_db):
    auth.login("yx")
    response = client.post(f"/actions/{world.yx_ent.id}/admit", data={
        "application_id": applied, "on": "2001-01-01"})
    assert response.status_code == 409
    assert "2001-01-01 没有生效的政策参数" in response.get_data(as_text=True)
    assert state_of(use_db, world.yx_ent.id) == "applied"


def test_the_admission_note_is_kept_and_shown(client, auth, world, use_db):
    from .test_records_web import save_check

    with use_db() as session:
        enterprise = session.get(Enterprise, world.yx_ent.id)
        session.add(PoolEvent(enterprise_id=enterprise.id, county_id=world.yx.id, kind="state_change",
                              to_state="applied", effective_on=date(2025, 2, 1), reason="测试"))
        enterprise.state_changed_on = date(2025, 2, 1)
        session.add(IntakeRound(name="首批", opened_on=date(2025, 1, 1), closed_on=None))
        session.commit()
    application_id = save_check(use_db, world.yx.id, "yx", uscc=world.yx_ent.uscc, name=world.yx_ent.name)
    with use_db() as session:
        session.get(Application, application_id).enterprise_id = world.yx_ent.id
        session.commit()
    auth.login("yx")
    response = client.post(f"/actions/{world.yx_ent.id}/admit", data={
        "application_id": str(application_id), "on": "2025-06-30", "reason": "经县局会议研究同意入库"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with use_db() as session:
        event = session.scalar(select(PoolEvent).where(PoolEvent.to_state == "admitted"))
        assert event.evidence["note"] == "经县局会议研究同意入库"
    assert "备注：经县局会议研究同意入库" in client.get(f"/enterprises/{world.yx_ent.id}").get_data(as_text=True)
