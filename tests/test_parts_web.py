"""The parts pages (issue #13): add, change, end, renew, history; the
enterprise page as of a past day with the record's verdict; a prefilled re-check."""
from datetime import date

from sqlalchemy import select

from models import ChangeRecord, Enterprise, Patent, PoolEvent, Qualification, ResearchPartnership

TODAY = date(2026, 3, 10)


def page(response) -> str:
    return response.get_data(as_text=True)


def add_patent(client, enterprise_id, **fields):
    data = {"number": "ZL202410000001.X", "kind": "invention", "application_date": "2024-03-01",
            "status": "", "origin": "self", "core": "1", "industrialized": "", **fields}
    return client.post(f"/records/{enterprise_id}/patent/new", data=data)


def test_an_officer_adds_a_patent_and_sees_it(client, auth, world, use_db, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    form = client.get(f"/records/{world.dy_ent.id}/patent/new")
    assert form.status_code == 200 and "申请日" in page(form) and 'type="date"' in page(form)
    response = add_patent(client, world.dy_ent.id, status="pending")
    assert response.status_code == 302
    detail = page(client.get(f"/enterprises/{world.dy_ent.id}"))
    assert "ZL202410000001.X" in detail and "审查中" in detail
    with use_db() as session:
        patent = session.scalar(select(Patent))
        assert (patent.status, patent.application_date, patent.office) == ("pending", date(2024, 3, 1), "CN")
        record = session.scalar(select(ChangeRecord).where(ChangeRecord.entity == "patent"))
        assert record.action == "create" and record.effective_on == date(2024, 3, 1)


def test_a_bad_date_is_named_at_its_field_and_the_typed_values_stay(client, auth, world, use_db,
                                                                    freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    response = add_patent(client, world.dy_ent.id, title="高频覆铜板专利", granted_on="2026-03-11")
    assert response.status_code == 422
    body = page(response)
    assert "授权日 2026-03-11 晚于今天 2026-03-10" in body
    assert 'value="高频覆铜板专利"' in body and 'value="2026-03-11"' in body
    response = add_patent(client, world.dy_ent.id, granted_on="31/12/2025")
    assert response.status_code == 422 and "授权日须为 YYYY-MM-DD 格式的日期" in page(response)
    with use_db() as session:
        assert session.scalar(select(Patent)) is None


def test_a_stale_edit_answers_409_naming_the_other_change(client, auth, world, use_db, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    add_patent(client, world.dy_ent.id)
    with use_db() as session:
        patent_id = session.scalar(select(Patent.id))
    url = f"/records/{world.dy_ent.id}/patent/{patent_id}/edit"
    base = {"number": "ZL202410000001.X", "kind": "invention", "application_date": "2024-03-01",
            "status": "pending", "origin": "self", "core": "1", "industrialized": ""}
    assert client.post(url, data={**base, "version": "1", "title": "甲"}).status_code == 302
    response = client.post(url, data={**base, "version": "1", "title": "乙"})
    assert response.status_code == 409
    body = page(response)
    assert "您编辑期间，其他人修改了这条记录" in body and "专利名称" in body and 'value="乙"' in body


def test_another_countys_officer_gets_404_for_the_rows_and_the_pages(client, auth, world, use_db,
                                                                     freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    add_patent(client, world.dy_ent.id)
    with use_db() as session:
        patent_id = session.scalar(select(Patent.id))
    auth.logout()
    auth.login("yx")
    for url in (f"/records/{world.dy_ent.id}/patent/new", f"/records/{world.dy_ent.id}/patent/{patent_id}/edit",
                f"/records/{world.dy_ent.id}/patent/{patent_id}/history",
                f"/records/{world.yx_ent.id}/patent/{patent_id}/edit",
                f"/records/{world.dy_ent.id}/nonsense/new"):
        assert client.get(url).status_code == 404, url
    assert add_patent(client, world.dy_ent.id).status_code == 404


def test_ending_a_partnership_early_asks_for_a_reason_and_confirmation(client, auth, world, use_db,
                                                                       freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    client.post(f"/records/{world.dy_ent.id}/partnership/new", data={
        "partner": "湖北理工学院", "partner_type": "university", "valid_from": "2025-01-01",
        "valid_to": "2027-12-31"})
    with use_db() as session:
        row_id = session.scalar(select(ResearchPartnership.id))
    url = f"/records/{world.dy_ent.id}/partnership/{row_id}/end"
    form = page(client.get(url))
    assert "data-confirm=" in form and "终止原因（必填）" in form
    response = client.post(url, data={"version": "1", "valid_to": "2026-03-01", "reason": ""})
    assert response.status_code == 422 and "须写明理由" in page(response)
    assert client.post(url, data={"version": "1", "valid_to": "2026-03-01",
                                  "reason": "合作协议解除"}).status_code == 302
    history = page(client.get(f"/records/{world.dy_ent.id}/partnership/{row_id}/history"))
    assert "合作协议解除" in history and "2026-03-01" in history and "2027-12-31" in history


def test_renewing_a_certificate_links_it(client, auth, world, use_db, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    client.post(f"/records/{world.dy_ent.id}/qualification/new", data={
        "type": "high_tech", "level": "national", "certificate_no": "GR2023001",
        "valid_from": "2023-03-01", "valid_to": "2026-02-28"})
    with use_db() as session:
        old_id = session.scalar(select(Qualification.id))
    url = f"/records/{world.dy_ent.id}/qualification/{old_id}/renew"
    assert 'selected value="high_tech"' in page(client.get(url)) or "high_tech" in page(client.get(url))
    response = client.post(url, data={"type": "high_tech", "level": "national", "certificate_no": "GR2026009",
                                      "approved_on": "2026-03-01", "valid_from": "2026-03-01",
                                      "valid_to": "2029-02-28"})
    assert response.status_code == 302
    with use_db() as session:
        new = session.scalar(select(Qualification).where(Qualification.id != old_id))
        assert new.renews_id == old_id


def test_the_page_as_of_a_past_day_shows_what_held_then(client, auth, world, use_db, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    add_patent(client, world.dy_ent.id, status="valid", granted_on="2025-06-01")
    client.post(f"/records/{world.dy_ent.id}/product/new", data={
        "name": "高频覆铜板", "main": "1", "patent_intensive": "1", "certified_on": "2025-10-01",
        "patents": ["ZL202410000001.X"]})
    now = page(client.get(f"/enterprises/{world.dy_ent.id}"))
    assert "高频覆铜板" in now and "（2025-10-01）" in now
    then = client.get(f"/enterprises/{world.dy_ent.id}?as_of=2025-05-31")
    assert then.status_code == 200
    body = page(then)
    assert "这是 2025-05-31 的记录" in body
    assert "审查中" in body and "高频覆铜板" not in body
    assert "修改信息" not in body  # a past view is read-only
    between = page(client.get(f"/enterprises/{world.dy_ent.id}?as_of=2025-07-01"))
    assert "有效" in between and "高频覆铜板" not in between
    for bad, message in (("2025-02-30", "查看日期须为 YYYY-MM-DD"), ("2026-03-11", "晚于今天")):
        response = client.get(f"/enterprises/{world.dy_ent.id}?as_of={bad}")
        assert response.status_code == 422 and message in page(response)


def test_the_record_verdict_and_a_prefilled_recheck(client, auth, world, use_db, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    add_patent(client, world.dy_ent.id, status="valid", granted_on="2025-06-01")
    detail = page(client.get(f"/enterprises/{world.dy_ent.id}"))
    assert "按登记记录的资格判断" in detail and "第5条" in detail
    assert f"/checks/new?enterprise={world.dy_ent.id}&amp;as_of=2026-03-10" in detail
    form = page(client.get(f"/checks/new?enterprise={world.dy_ent.id}&as_of=2026-03-10"))
    assert 'value="ZL202410000001.X"' in form and world.dy_ent.uscc in form
    auth.logout()
    auth.login("yx")
    assert client.get(f"/checks/new?enterprise={world.dy_ent.id}").status_code == 404


def test_typed_progress_is_the_officers_judgement_only(client, auth, world, use_db, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    form = page(client.get(f"/actions/{world.dy_ent.id}/progress"))
    assert "其他实质性进展（经办人判断）" in form and "新增产业化专利" not in form
    client.post(f"/actions/{world.dy_ent.id}/progress", data={
        "progress-subtype": "patent_industrialized", "progress-on": "2025-09-01", "progress-reason": "x"})
    with use_db() as session:
        assert session.scalar(select(PoolEvent).where(PoolEvent.kind == "progress")) is None
    # a derived one: industrialising a patent through the record
    add_patent(client, world.dy_ent.id, status="valid", granted_on="2025-06-01")
    with use_db() as session:
        patent = session.scalar(select(Patent))
        patent_id, version = patent.id, patent.version
        assert session.get(Enterprise, world.dy_ent.id).admitted_on == date(2025, 3, 1)
    client.post(f"/records/{world.dy_ent.id}/patent/{patent_id}/edit", data={
        "version": str(version), "number": "ZL202410000001.X", "kind": "invention", "status": "valid",
        "application_date": "2024-03-01", "granted_on": "2025-06-01", "origin": "self", "core": "1",
        "industrialized": "1", "industrialized_on": "2025-09-01", "reason": "投产"})
    detail = page(client.get(f"/enterprises/{world.dy_ent.id}"))
    assert "由记录变更自动识别" in detail and "新增产业化专利" in detail
