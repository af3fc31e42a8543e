"""批量申报 (issue #14): an upload of 50 mixed applicants → 47 saved and
registered in two steps, 3 listed with their problems; a row opens in the form."""
import io
from pool.kernel import jsonutil
from datetime import date

from sqlalchemy import func, select

from models import Application, Enterprise, IntakeBatch
from pool.eligibility import uscc

from . import factories as af


def page(response) -> str:
    return response.get_data(as_text=True)


def fifty(county_code="420281"):
    rows = []
    for i in range(50):
        row = af.applicant(name=f"批量企业{i:02d}有限公司", uscc=uscc.make("91", county_code, f"MA4B{i:05d}"))
        if i in (7, 23, 41):  # three bad rows: a bad status, a missing name, an inverted period
            if i == 7:
                row["patents"][0]["status"] = "alive"
            elif i == 23:
                del row["name"]
            else:
                row["qualifications"] = [{"type": "high_tech", "valid_from": "2025-01-01",
                                          "valid_to": "2024-01-01"}]
        rows.append(row)
    return jsonutil.dumps(rows).encode()


def upload(client, content, name="batch.json", **extra):
    return client.post("/checks/upload", data={"as_of": "2025-06-30", "file": (io.BytesIO(content), name), **extra},
                       content_type="multipart/form-data")


def test_fifty_applicants_47_saved_and_registered_3_listed(client, auth, world, use_db, freeze_today):
    freeze_today(date(2025, 7, 1))
    auth.login("dy")
    response = upload(client, fifty())
    assert response.status_code == 422  # some rows need work; the valid ones are not blocked
    body = page(response)
    assert "有效 47 家，有问题 3 家" in body and "保存全部有效评估（47 家）" in body
    assert "专利 第1行 法律状态" in body and "企业名称" in body and "资格证书 第1行 有效期止" in body
    with use_db() as session:
        batch_id = session.scalar(select(IntakeBatch.id))
    assert client.post(f"/checks/batch/{batch_id}/save").status_code == 303
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 47
        ids = list(session.scalars(select(Application.id)))
    again = client.post(f"/checks/batch/{batch_id}/save")  # saving twice saves nothing twice
    assert again.status_code == 303
    shown = page(client.get(f"/checks/batch/{batch_id}"))
    assert shown.count('name="application_id"') == 47 and "data-confirm=" in shown
    response = client.post(f"/checks/batch/{batch_id}/register", data={"application_id": [str(i) for i in ids]},
                           follow_redirects=True)
    assert "已登记为申报企业 47 家" in page(response)
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 47
        registered = session.scalars(select(Enterprise).where(Enterprise.name.like("批量企业%"))).all()
        assert len(registered) == 47 and {e.state for e in registered} == {"applied"}
        assert {e.county_id for e in registered} == {world.dy.id}
    # the page now shows them registered; a row with problems opens in the prefilled form
    shown = page(client.get(f"/checks/batch/{batch_id}"))
    assert shown.count('name="application_id"') == 0 and "已申报" in shown
    form = page(client.get(f"/checks/new?batch={batch_id}&row=41"))
    assert 'value="批量企业41有限公司"' in form


def test_a_row_already_registered_is_matched_and_refused_alone(client, auth, world, use_db, freeze_today):
    freeze_today(date(2025, 7, 1))
    auth.login("dy")
    rows = [af.applicant(name="已登记企业", uscc=world.dy_ent.uscc),
            af.applicant(name="新企业", uscc=uscc.make("91", "420281", "MA4C00001"))]
    upload(client, jsonutil.dumps(rows).encode())
    with use_db() as session:
        batch_id = session.scalar(select(IntakeBatch.id))
    shown = page(client.get(f"/checks/batch/{batch_id}"))
    assert world.dy_ent.name in shown  # matched by USCC in the county
    client.post(f"/checks/batch/{batch_id}/save")
    with use_db() as session:
        ids = list(session.scalars(select(Application.id).order_by(Application.id)))
    response = client.post(f"/checks/batch/{batch_id}/register", data={"application_id": [str(i) for i in ids]},
                           follow_redirects=True)
    body = page(response)
    assert "已登记为申报企业 1 家" in body and "已登记企业 未登记" in body


def test_other_counties_cannot_see_or_use_a_batch(client, auth, world, use_db, freeze_today):
    freeze_today(date(2025, 7, 1))
    auth.login("dy")
    upload(client, fifty())
    with use_db() as session:
        batch_id = session.scalar(select(IntakeBatch.id))
    auth.logout()
    auth.login("yx")
    for url in (f"/checks/batch/{batch_id}", f"/checks/new?batch={batch_id}&row=0"):
        assert client.get(url).status_code == 404, url
    for url in (f"/checks/batch/{batch_id}/save", f"/checks/batch/{batch_id}/register"):
        assert client.post(url, data={"application_id": "1"}).status_code == 404, url
    # and an officer cannot file a batch for another county
    response = upload(client, fifty(), county_id=str(world.dy.id))
    assert response.status_code == 422 and "请选择县（市、区）" in page(response)
