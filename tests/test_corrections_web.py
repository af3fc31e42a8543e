"""The correction pages: an officer asks on the enterprise page, the city
administrator decides on 状态更正; other counties see nothing."""
from datetime import date

from sqlalchemy import select

from models import Enterprise, PoolEvent, StateCorrection

from .test_actions_web import admit_dy


def page(response) -> str:
    return response.get_data(as_text=True)


def admission_id(use_db, world) -> int:
    with use_db() as session:
        return session.scalar(select(PoolEvent.id).where(PoolEvent.enterprise_id == world.dy_ent.id,
                                                         PoolEvent.to_state == "admitted"))


def test_an_officer_asks_and_the_administrator_approves(client, auth, world, use_db, freeze_today):
    freeze_today(date(2026, 3, 10))
    admit_dy(use_db, world)
    event_id = admission_id(use_db, world)
    auth.login("dy")
    detail = page(client.get(f"/enterprises/{world.dy_ent.id}"))
    url = f"/corrections/new/{world.dy_ent.id}/{event_id}"
    assert url in detail and "申请更正" in detail
    form = client.get(url)
    assert "data-confirm=" in page(form) and "更正对象" in page(form)
    refused = client.post(url, data={"reason": ""})
    assert refused.status_code == 409 and "申请更正须写明理由" in page(refused)
    assert client.post(url, data={"reason": "入库时所依评估有误"}).status_code == 302
    assert "更正申请待审批" in page(client.get(f"/enterprises/{world.dy_ent.id}"))
    listing = page(client.get("/corrections/"))
    assert "入库时所依评估有误" in listing and "批准更正" not in listing  # officers cannot decide
    with use_db() as session:
        request_id = session.scalar(select(StateCorrection.id))
    assert client.post(f"/corrections/{request_id}/decide", data={"approve": "1"}).status_code == 303
    with use_db() as session:
        assert session.get(StateCorrection, request_id).status == "pending"
    auth.logout()

    auth.login("admin")
    listing = page(client.get("/corrections/"))
    assert "批准更正" in listing and world.dy_ent.name in listing
    response = client.post(f"/corrections/{request_id}/decide", data={"approve": "1", "reason": "同意"})
    assert response.status_code == 303
    with use_db() as session:
        enterprise = session.get(Enterprise, world.dy_ent.id)
        assert (enterprise.state, enterprise.admitted_on) == ("applied", None)
    detail = page(client.get(f"/enterprises/{world.dy_ent.id}"))
    assert "已更正作废" in detail


def test_another_county_sees_no_request_and_cannot_ask(client, auth, world, use_db, freeze_today):
    freeze_today(date(2026, 3, 10))
    admit_dy(use_db, world)
    event_id = admission_id(use_db, world)
    auth.login("dy")
    client.post(f"/corrections/new/{world.dy_ent.id}/{event_id}", data={"reason": "有误"})
    auth.logout()
    auth.login("yx")
    assert client.get(f"/corrections/new/{world.dy_ent.id}/{event_id}").status_code == 404
    assert client.get(f"/corrections/new/{world.yx_ent.id}/{event_id}").status_code == 404
    assert world.dy_ent.name not in page(client.get("/corrections/"))
    with use_db() as session:
        request_id = session.scalar(select(StateCorrection.id))
    assert client.post(f"/corrections/{request_id}/decide", data={"refuse": "1", "reason": "x"}).status_code == 404


def test_a_refusal_without_a_reason_is_shown(client, auth, world, use_db, freeze_today):
    freeze_today(date(2026, 3, 10))
    admit_dy(use_db, world)
    auth.login("dy")
    client.post(f"/corrections/new/{world.dy_ent.id}/{admission_id(use_db, world)}", data={"reason": "有误"})
    auth.logout()
    auth.login("admin")
    with use_db() as session:
        request_id = session.scalar(select(StateCorrection.id))
    response = client.post(f"/corrections/{request_id}/decide", data={"refuse": "1", "reason": ""},
                           follow_redirects=True)
    assert "不予更正须写明理由" in page(response)
    with use_db() as session:
        assert session.get(StateCorrection, request_id).status == "pending"
