"""Control and format characters (security issue #11, finding 5): refused in every
text field — applicant data (CLI, upload, API), web forms, the JSON API and the
domain — with the field's label; multi-line fields keep line breaks and tabs."""
import io
import sys
import unicodedata

import pytest
from sqlalchemy import select

from models import Contact, Enterprise, PoolEvent
from pool.eligibility import validation
from pool.kernel import jsonutil, text
from pool.records import changes, edits as records

from . import factories as af
from .test_api import api_app, api_client, assert_problem, call, tokens  # noqa: F401 - fixtures
from .test_records_web import edit_form, get_enterprise

BAD = ["\r\n", "\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\u200b",
       "\ufeff", "\u2028", "\ud800"]


def test_the_class_is_exactly_the_unicode_control_and_format_categories():
    wanted = [c for c in range(sys.maxunicode + 1)
              if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
    assert [c for c in range(sys.maxunicode + 1) if text._SINGLE_LINE.match(chr(c))] == wanted
    multi = [c for c in range(sys.maxunicode + 1) if text._MULTI_LINE.match(chr(c))]
    assert multi == [c for c in wanted if c not in (0x09, 0x0A, 0x0D)]


@pytest.mark.parametrize("bad", BAD)
def test_single_line_refuses_and_multi_line_keeps_only_breaks_and_tabs(bad):
    assert text.refusal("企业名称", f"甲{bad}乙") == (
        f"企业名称不能含有换行等控制字符或不可见的格式字符（U+{ord(bad[0]):04X}）")
    kept = bad in ("\r\n", "\n", "\r", "\t")
    assert (text.refusal("理由", f"甲{bad}乙", multiline=True) is None) == kept
    assert text.refusal("企业名称", "大冶磁湖科技（集团）有限公司 · 2025") is None


@pytest.mark.parametrize("path, bad", [
    ("name", "甲\r\n乙"), ("county", "大冶市\x00"), ("brand_evidence[0]", "省著名商标\u202e"),
    ("products[0].name", "产品\x85"), ("research_partnerships[0].partner", "\u200b武汉大学"),
])
def test_applicant_data_refuses_them_wherever_they_are(path, bad):
    data = af.applicant(brand_evidence=["x"])
    target, *keys = path.replace("[0]", ".0").split(".")
    holder = data
    for key in [target] + keys[:-1]:
        holder = holder[int(key)] if key.isdigit() else holder[key]
    last = keys[-1] if keys else target
    if keys:
        holder[int(last) if last.isdigit() else last] = bad
    else:
        data[target] = bad
    problems = {p.path: p.message for p in validation.validate(data)}
    assert path in problems and "控制字符" in problems[path], problems


def test_the_upload_refuses_a_name_with_a_line_break(client, auth, world):
    auth.login("dy")
    response = client.post("/checks/upload", data={
        "as_of": "2025-06-30",
        "file": (io.BytesIO(jsonutil.dumps([af.applicant(name="甲\r\nBcc: x")]).encode()), "in.json")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "企业名称不能含有换行等控制字符" in response.get_data(as_text=True)


def test_the_domain_refuses_them_in_enterprise_and_contact_fields(session, world):
    from models import User
    officer = session.get(User, world.dy_officer.id)
    enterprise = session.get(Enterprise, world.dy_ent.id)
    with pytest.raises(changes.RecordRefused, match="企业名称不能含有") as info:
        records.update_enterprise(session, enterprise, actor=officer, expected_version=1,
                                  changes={"name": "大冶\u202e司公限有"})
    assert info.value.field == "name"
    with pytest.raises(changes.RecordRefused, match="姓名不能含有") as info:
        records.set_contacts(session, enterprise, actor=officer, contacts=[
            {"id": None, "name": "张三\r\n", "title": None, "email": None, "phone": None,
             "receives_reminders": False}])
    assert (info.value.field, info.value.index) == ("name", 0)


def test_web_forms_refuse_them_at_the_field_and_write_nothing(client, auth, world, use_db):
    auth.login("dy")
    before = get_enterprise(use_db, world.dy_ent.id)
    response = client.post(f"/records/{world.dy_ent.id}/edit",
                           data=edit_form(before, name="大冶磁湖\r\n科技有限公司"))
    assert response.status_code == 422
    assert "企业名称不能含有换行等控制字符或不可见的格式字符（U+000D）" in response.get_data(as_text=True)
    assert get_enterprise(use_db, world.dy_ent.id).name == before.name
    response = client.post(f"/records/{world.dy_ent.id}/contacts", data={
        "contacts-0-name": "张三\u202e", "contacts-0-email": "zhang@example.gov.cn"})
    assert response.status_code == 422 and "姓名不能含有" in response.get_data(as_text=True)
    with use_db() as session:
        assert session.scalars(select(Contact)).all() == []


def test_a_reason_keeps_its_line_breaks_but_not_an_override(client, auth, world, use_db):
    auth.login("dy")
    url = f"/actions/{world.dy_ent.id}/progress"
    form = {"progress-subtype": "other", "progress-on": "2025-08-01"}
    refused = client.post(url, data={**form, "progress-reason": "新产品\u202e认定"})
    assert refused.status_code == 422 and "理由不能含有" in refused.get_data(as_text=True)
    accepted = client.post(url, data={**form, "progress-reason": "新产品认定\r\n\t文号：鄂知 12 号"})
    assert accepted.status_code == 302
    with use_db() as session:
        reasons = session.scalars(select(PoolEvent.reason).where(PoolEvent.kind == "progress")).all()
        assert reasons == ["新产品认定\r\n\t文号：鄂知 12 号"]


def test_the_api_refuses_them_with_the_field_path(api_client, world, tokens, use_db):  # noqa: F811
    url = f"/enterprises/{world.dy_ent.id}"
    etag = call(api_client, "GET", url, tokens["dy"]).headers["ETag"]
    body = assert_problem(call(api_client, "PATCH", url, tokens["dy"], body={"name": "甲\r\n乙"},
                               headers={"If-Match": etag}), 422, "name")
    assert "企业名称不能含有" in body["errors"][0]["message"]
    assert_problem(call(api_client, "POST", url + "/progress", tokens["dy"], body={
        "subtype": "other", "reason": "认定\x00", "on": "2025-08-01"}), 422, "reason")
    assert_problem(call(api_client, "POST", url + "/progress", tokens["dy"], body={
        "subtype": "other", "reason": "认定", "on": "2025-08-01",
        "evidence": {"note": "a\u202eb"}}), 422, "evidence.note")
    ok = call(api_client, "POST", url + "/progress", tokens["dy"], body={
        "subtype": "other", "reason": "认定\n文号", "on": "2025-08-01"})
    assert ok.status_code == 201, ok.get_data(as_text=True)
    created = call(api_client, "POST", "/enterprises", tokens["dy"],
                   body=af.applicant(uscc=af.uscc("420281"), county="大冶市", name="甲\u2028乙"))
    assert_problem(created, 422, "name")
