"""The 资格自检 pages: form, upload, saved checks, and the rules pages."""
import io
import re
from datetime import date

from markupsafe import escape

from models import Application, ChangeRecord, PolicyValue
from pool.kernel import jsonutil
from pool.eligibility import uscc
from pool.io import workbook

from .factories import applicant

FORM = {
    "as_of": "2025-06-30", "assessment_year": "2025", "uscc": None, "name": "黄石示例精密装备有限公司",
    "independent_legal_person": "1", "industry_code": "C3562", "employees": "120",
    "operating_revenue": "2002", "total_assets": "9200", "rd_expense": "200.2", "rd_staff": "30",
    "has_rd_leader": "1", "brand_evidence": "湖北省著名商标",
    "ip_rules": "1", "ip_department": "1", "ip_staff": "1", "ip_budget": "1",
    "abnormal_patent_applications": "0", "major_accident": "0", "violation": "0",
    "serious_dishonesty": "0",
    "qualifications-0-type": "high_tech", "qualifications-0-valid_from": "2024-01-01",
    "qualifications-0-valid_to": "2026-12-31",
    "patents-0-number": "ZL202310012345.6", "patents-0-kind": "invention",
    "patents-0-status": "valid", "patents-0-origin": "self", "patents-0-core": "1",
    "patents-0-industrialized": "1",
    "products-0-name": "晶圆检测设备", "products-0-main": "1",
    "products-0-patents": "ZL202310012345.6", "products-0-filing_no": "BA2024420200001",
    "trademarks-0-reg_no": "12345678", "trademarks-0-owned": "1",
    "research_partnerships-0-partner": "", "research_partnerships-0-partner_type": "university",
}


def form_data(world, **overrides):
    data = dict(FORM, county_id=str(world.dy.id), uscc=applicant()["uscc"])
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_form_shows_the_checklist_with_exact_ten_percent(client, auth, world):
    auth.login("dy")
    response = client.post("/checks/new", data=dict(form_data(world), evaluate="评估"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert 'id="checklist"' in page
    assert "10%" in page and "研发投入" in page


def test_invalid_form_input_names_the_field_and_keeps_the_input(client, auth, world):
    auth.login("dy")
    response = client.post("/checks/new", data=dict(form_data(world, rd_staff="500"),
                                                      evaluate="评估"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "rd_staff" in page
    assert 'value="黄石示例精密装备有限公司"' in page  # what was valid is kept


def test_add_row_adds_an_empty_patent_row_without_evaluating(client, auth, world):
    auth.login("dy")
    response = client.post("/checks/new", data=dict(form_data(world), add_patents="1"))
    page = response.get_data(as_text=True)
    assert 'name="patents-1-number"' in page
    assert 'id="checklist"' not in page


def test_saving_stores_data_verdict_and_parameters(client, auth, world, use_db):
    auth.login("dy")
    response = client.post("/checks/new", data=dict(form_data(world), save="保存"))
    assert response.status_code == 302
    with use_db() as session:
        saved = session.query(Application).one()
        assert saved.county_id == world.dy.id
        assert str(saved.data["rd_expense"]) == "200.2"
        assert saved.result["as_of"] == "2025-06-30"
        assert {p["key"] for p in saved.result["parameters"]} >= {"min_rd_ratio", "min_rd_amount"}
        application_id = saved.id
    page = client.get(f"/checks/{application_id}").get_data(as_text=True)
    assert 'id="verdict"' in page and "min_rd_ratio" in page


def test_saved_verdict_is_shown_as_it_was_after_the_rules_change(client, auth, world, use_db):
    auth.login("dy")
    client.post("/checks/new", data=dict(form_data(world), save="保存"))
    with use_db() as session:
        saved = session.query(Application).one()
        before = saved.result
        session.add(PolicyValue(key="min_rd_ratio", value="0.50", valid_from=date(2025, 1, 1),
                                source="测试"))
        session.commit()
        application_id = saved.id
    page = client.get(f"/checks/{application_id}").get_data(as_text=True)
    assert str(escape(before["criteria"][5]["detail"])) in page


def test_officer_cannot_save_for_another_county(client, auth, world, use_db):
    auth.login("dy")
    response = client.post("/checks/new", data=dict(form_data(world, county_id=str(world.yx.id)),
                                                      save="保存"))
    assert response.status_code == 422  # not a valid choice for this officer
    with use_db() as session:
        assert session.query(Application).count() == 0


def test_saved_checks_are_county_scoped(client, auth, world):
    auth.login("dy")
    client.post("/checks/new", data=dict(form_data(world), save="保存"))
    auth.logout()
    auth.login("yx")
    assert "暂无记录" in client.get("/checks/").get_data(as_text=True)
    assert client.get("/checks/1").status_code == 404


def test_upload_excel_evaluates_every_row(client, auth, world):
    auth.login("dy")
    buffer = io.BytesIO()
    workbook.write_applicants([applicant(name="甲企业"), applicant(name="乙企业", uscc=uscc.make("91", "420202", "MA4ABCD2X"))], buffer)
    response = client.post("/checks/upload", data={
        "as_of": "2025-06-30", "file": (io.BytesIO(buffer.getvalue()), "in.xlsx")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert page.count('class="badge text-bg-') >= 2 and "甲企业" in page and "乙企业" in page
    assert "保存全部有效评估（2 家）" in page


def test_upload_of_bad_json_reports_paths(client, auth, world):
    auth.login("dy")
    bad = applicant()
    bad["patents"][0]["status"] = "alive"
    response = client.post("/checks/upload", data={
        "as_of": "2025-06-30",
        "file": (io.BytesIO(jsonutil.dumps([bad]).encode()), "in.json")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'title="patents[0].status">专利 第1行 法律状态</strong>' in body


def test_upload_refuses_other_file_types(client, auth, world):
    auth.login("dy")
    response = client.post("/checks/upload", data={
        "as_of": "2025-06-30", "file": (io.BytesIO(b"MZ"), "virus.exe")},
        content_type="multipart/form-data")
    assert "只接受 .xlsx 或 .json 文件" in response.get_data(as_text=True)


def test_template_download(client, auth, world):
    auth.login("dy")
    response = client.get("/checks/template.xlsx")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"


def test_admin_adds_a_dated_policy_value_with_an_audit_record(client, auth, world, use_db):
    auth.login("admin")
    response = client.post("/rules/policy", data={
        "key": "min_rd_ratio", "value": "0.08", "valid_from": "2099-01-01",
        "source": "某新文件第6条", "note": "测试"})
    assert response.status_code == 302
    with use_db() as session:
        row = session.query(PolicyValue).one()
        assert row.value == "0.08" and row.recorded_by_id == world.admin.id
        assert session.query(ChangeRecord).filter_by(entity="policy_value").count() == 1
    assert "2099-01-01" in client.get("/rules/policy").get_data(as_text=True)


def test_back_dated_or_invalid_policy_values_are_refused(client, auth, world):
    auth.login("admin")
    response = client.post("/rules/policy", data={
        "key": "min_rd_ratio", "value": "0.08", "valid_from": "2000-01-01", "source": "x"})
    assert response.status_code == 422 and "不能追溯" in response.get_data(as_text=True)
    response = client.post("/rules/policy", data={
        "key": "min_rd_ratio", "value": "\"abc\"", "valid_from": "2099-01-01", "source": "x"})
    assert response.status_code == 422 and "取值无效" in response.get_data(as_text=True)


def test_officers_may_view_but_not_change_the_rules(client, auth, world):
    auth.login("dy")
    assert client.get("/rules/policy").status_code == 200
    assert client.post("/rules/policy", data={"key": "min_rd_ratio", "value": "0.01",
                                              "valid_from": "2099-01-01", "source": "x"}).status_code == 403
    assert client.post("/rules/industries", data={"code": "C3562", "group": "新装备制造业",
                                                  "valid_from": "2099-01-01", "source": "x"}).status_code == 403


def test_admin_adds_an_industry_entry(client, auth, world):
    auth.login("admin")
    response = client.post("/rules/industries", data={
        "code": "C3562", "group": "新装备制造业", "name": "半导体器件专用设备制造",
        "included": "y", "valid_from": "2099-01-01", "source": "国家统计局令第25号"})
    assert response.status_code == 302
    page = client.get("/rules/industries?q=3562").get_data(as_text=True)
    assert "半导体器件专用设备制造" in page


def test_every_error_shows_at_its_field_in_one_round(client, auth, world):
    """A form error (a date the browser sent badly) and a contract error (a period
    ending before it starts, a bad industry code) come back together, each at its field."""
    auth.login("dy")
    response = client.post("/checks/new", data=form_data(
        world, **{"qualifications-0-valid_from": "2025-01-01", "qualifications-0-valid_to": "2024-01-01",
                  "industry_code": "X9999", "trademarks-0-valid_to": "not-a-date"}))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for name in ("qualifications-0-valid_to", "industry_code", "trademarks-0-valid_to"):
        assert re.search(rf'id="{name}"[^>]*class="[^"]*is-invalid|class="[^"]*is-invalid[^"]*"[^>]*id="{name}"',
                         body), name
    assert 'id="problems"' not in body  # nothing left over without a field
