"""重新申报 through the pages: from the enterprise page and from a saved check."""
from datetime import date

from sqlalchemy import select

from models import Application, Enterprise, PoolEvent

from .test_records_web import save_check


def page(response) -> str:
    return response.get_data(as_text=True)


def test_a_rejected_enterprise_applies_again_through_the_pages(client, auth, world, use_db, freeze_today):
    freeze_today(date(2026, 1, 10))
    with use_db() as session:
        session.add(PoolEvent(enterprise_id=world.yx_ent.id, county_id=world.yx.id, kind="state_change",
                              to_state="applied", effective_on=date(2025, 2, 1), reason="申报"))
        session.get(Enterprise, world.yx_ent.id).state_changed_on = date(2025, 2, 1)
        session.commit()
    auth.login("yx")
    assert client.post(f"/actions/{world.yx_ent.id}/reject",
                       data={"on": "2025-07-01", "reason": "研发投入不足"}).status_code == 302
    detail = page(client.get(f"/enterprises/{world.yx_ent.id}"))
    assert f"/actions/{world.yx_ent.id}/reapply" in detail
    empty = page(client.get(f"/actions/{world.yx_ent.id}/reapply"))
    assert "尚无该企业" in empty and f"/checks/new?enterprise={world.yx_ent.id}" in empty
    application_id = save_check(use_db, world.yx.id, "yx", uscc=world.yx_ent.uscc, name=world.yx_ent.name)
    check_page = page(client.get(f"/checks/{application_id}"))
    assert "以此评估重新申报" in check_page  # a check of a rejected enterprise leads to its new cycle
    refused = client.post(f"/records/from-check/{application_id}", data={})
    assert "可在企业页面以此评估办理重新申报" in page(refused)
    form = page(client.get(f"/actions/{world.yx_ent.id}/reapply"))
    assert f'value="{application_id}"' in form and "data-confirm=" in form and "第 1 次" in form
    response = client.post(f"/actions/{world.yx_ent.id}/reapply", data={
        "on": "2026-01-05", "application_id": str(application_id), "reason": "再次申报"})
    assert response.status_code == 302, page(response)
    with use_db() as session:
        assert session.get(Enterprise, world.yx_ent.id).state == "applied"
        assert session.get(Application, application_id).enterprise_id == world.yx_ent.id
    cycles_card = page(client.get(f"/enterprises/{world.yx_ent.id}"))
    assert "第 2 次申报" in cycles_card and f"#{application_id}" in cycles_card
    auth.logout()
    auth.login("dy")
    assert client.get(f"/actions/{world.yx_ent.id}/reapply").status_code == 404


def test_the_same_declaration_year_is_refused_on_the_page(client, auth, world, use_db, freeze_today):
    freeze_today(date(2025, 12, 20))
    with use_db() as session:
        session.add(PoolEvent(enterprise_id=world.yx_ent.id, county_id=world.yx.id, kind="state_change",
                              to_state="applied", effective_on=date(2025, 2, 1), reason="申报"))
        session.commit()
    auth.login("yx")
    client.post(f"/actions/{world.yx_ent.id}/reject", data={"on": "2025-07-01", "reason": "不符合"})
    application_id = save_check(use_db, world.yx.id, "yx", uscc=world.yx_ent.uscc, name=world.yx_ent.name)
    response = client.post(f"/actions/{world.yx_ent.id}/reapply", data={
        "on": "2025-12-20", "application_id": str(application_id)})
    assert response.status_code == 422 and "须在以后的申报年度（2026 年起）" in page(response)
    with use_db() as session:
        assert session.scalar(select(PoolEvent).where(PoolEvent.from_state == "rejected")) is None
