"""Errors speak the officer's language: a field is named by its Chinese label
and, in a repeated group, by its row (issue #14)."""
import pytest

from pool.eligibility.contract import Problem, path_label
from pool.eligibility.validation import validate

from . import factories as af


@pytest.mark.parametrize("path, label", [
    ("qualifications[0].valid_to", "资格证书 第1行 有效期止"),
    ("research_partnerships[1].partner_type", "产学研合作 第2行 合作单位类型"),
    ("products[0].patents[2]", "产品 第1行 所依专利 第3行"),
    ("industry_code", "主营业务行业代码"),
    ("ip_management.rules", "知识产权管理体系 知识产权管理制度"),
    ("brand_evidence[1]", "品牌影响力证明 第2项"),
    ("[2].uscc", "第3家 统一社会信用代码"),
    ("applicant.patents[0].number", "申报数据 专利 第1行 专利号"),
    ("(root)", "申报数据"),
    ("no_such_field", "no_such_field"),
])
def test_a_path_reads_as_labels(path, label):
    assert path_label(path) == label
    assert Problem(path, "x").label == label


def test_a_bad_checksum_names_the_checkbox_as_the_form_shows_it():
    data = af.applicant()
    data["uscc"] = data["uscc"][:-1] + ("0" if data["uscc"][-1] != "0" else "1")
    messages = [p.message for p in validate(data) if p.path == "uscc"]
    assert messages and "勾选“校验位不符但属早期试点地区合法代码”" in messages[0]


def test_an_upload_lists_problems_by_label(client, auth, world):
    import io
    import json

    data = af.applicant()
    data["qualifications"] = [{"type": "high_tech", "valid_from": "2025-01-01", "valid_to": "2024-01-01"}]
    auth.login("dy")
    response = client.post("/checks/upload", data={
        "file": (io.BytesIO(json.dumps([data], ensure_ascii=False, default=str).encode()), "checks.json"),
        "as_of": "2025-06-30"},
        content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "资格证书 第1行 有效期止" in body
    assert ">[0].qualifications[0].valid_to<" not in body
