"""Official reference tables: importing a revised table as a dated version."""
import csv
import io
import json
from datetime import date

import openpyxl
import pytest

from models import ChangeRecord, ReferenceTableVersion, User
from pool.io import reference_import
from pool.eligibility import rulebook
from pool.eligibility.criteria import check
from pool.reference.industries import DEFAULT_VERSION, TableProblems, version_rows
from pool.eligibility.sme import DEFAULT_TABLE

from .factories import applicant


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def revised_rows():
    """The 2019 table without C3921, with C1711 棉纺纱加工 added to 新材料制造业."""
    rows = [r for r in version_rows(DEFAULT_VERSION) if r["gbt4754_code"] != "3921"]
    template = next(r for r in rows if r["group_name"] == "新材料制造业")
    rows.append(dict(template, gbt4754_code="1711", gbt4754_name="棉纺纱加工"))
    return rows


def admin(session):
    return session.query(User).filter_by(username="admin").one()


def test_preview_shows_added_and_removed_classes_against_the_table_in_force(session, world):
    book = rulebook.load(session)
    content = reference_import.read_upload("patent_intensive", "t.csv", csv_bytes(revised_rows()))
    preview = reference_import.preview(book, "patent_intensive", content, valid_from=date(2023, 1, 1),
                                       source="国家统计局令第99号")
    assert preview.added == ["C1711 棉纺纱加工（新材料制造业 › " + revised_rows()[-1]["category_name"] + "）"]
    assert preview.removed == ["C3921 通信系统设备制造（信息通信技术制造业）"]
    assert preview.changed == [] and "2019-04-01" in preview.compared_with


def test_an_imported_table_applies_from_its_own_date_only(session, world):
    content = reference_import.read_upload("patent_intensive", "t.csv", csv_bytes(revised_rows()))
    row = reference_import.record(session, rulebook.load(session), "patent_intensive", content,
                                  valid_from=date(2026, 1, 1), source="国家统计局令第99号", note="",
                                  actor=admin(session))
    session.commit()
    book = rulebook.load(session)
    before, after = date(2025, 12, 31), date(2026, 1, 1)
    for code, was, now in (("C3921", "pass", "review"), ("C1711", "review", "pass")):
        data = applicant(industry_code=code, assessment_year=2025)
        assert check(data, before, book.policy, book.industries).criterion(3).status == was, code
        data = applicant(industry_code=code, assessment_year=2026)
        assert check(data, after, book.policy, book.industries).criterion(3).status == now, code
    audit = session.query(ChangeRecord).filter_by(entity="reference_table_version", entity_id=row.id).one()
    assert audit.actor_id == admin(session).id and audit.changes["added"] == [None, 1]
    assert row.recorded_by.username == "admin"


def test_the_same_table_for_the_same_date_is_not_imported_twice(session, world):
    content = reference_import.read_upload("patent_intensive", "t.csv", csv_bytes(revised_rows()))
    kwargs = dict(valid_from=date(2023, 1, 1), source="令第99号", note="", actor=admin(session))
    reference_import.record(session, rulebook.load(session), "patent_intensive", content, **kwargs)
    with pytest.raises(TableProblems) as info:
        reference_import.record(session, rulebook.load(session), "patent_intensive", content, **kwargs)
    assert "导入过" in info.value.problems[0]
    assert session.query(ReferenceTableVersion).count() == 1


def test_a_table_with_a_non_class_or_a_duplicate_is_refused_whole(session, world):
    rows = revised_rows()
    rows[0] = dict(rows[0], gbt4754_code="3920")
    rows.append(dict(rows[5]))
    with pytest.raises(TableProblems) as info:
        reference_import.read_upload("patent_intensive", "t.csv", csv_bytes(rows))
    assert len(info.value.problems) == 2
    assert "不是GB/T 4754-2017" in info.value.problems[0] and "重复" in info.value.problems[1]


def test_excel_with_chinese_or_code_headers_is_read(session, world):
    book = openpyxl.Workbook()
    sheet = book.active
    rows = revised_rows()
    sheet.append(["大类代码", "大类名称", "中类代码", "中类名称", "行业小类代码", "行业小类名称", "部分属于"])
    for r in rows:
        sheet.append([int(r["group_code"]), r["group_name"], int(r["category_code"]), r["category_name"],
                      r["gbt4754_code"], r["gbt4754_name"], "否"])
    out = io.BytesIO()
    book.save(out)
    content = reference_import.read_upload("patent_intensive", "新表.XLSX", out.getvalue())
    assert len(content["rows"]) == len(rows)


def test_wrong_file_type_source_and_date_are_refused(session, world):
    with pytest.raises(TableProblems) as info:
        reference_import.read_upload("patent_intensive", "t.json", b"{}")
    assert ".csv 或 .xlsx" in info.value.problems[0]
    content = reference_import.read_upload("patent_intensive", "t.csv", csv_bytes(revised_rows()))
    with pytest.raises(TableProblems) as info:
        reference_import.preview(rulebook.load(session), "patent_intensive", content,
                                 valid_from=date(1999, 12, 31), source=" ")
    assert len(info.value.problems) == 2 and "依据文件" in info.value.problems[0]


def test_a_revised_sme_standard_is_imported_as_a_dated_value(session, world):
    raw = DEFAULT_TABLE.to_json()
    raw["name"] = "中小企业划型标准规定（修订）"
    industry = next(g for g in raw["groups"] if g["id"] == "industry")
    industry["small"]["employees"] = 30
    data = json.dumps(raw, ensure_ascii=False).encode()
    content = reference_import.read_upload("sme_size", "sme.json", data)
    preview = reference_import.preview(rulebook.load(session), "sme_size", content,
                                       valid_from=date(2025, 1, 1), source="工信部联企业〔2025〕1号")
    assert any(line.startswith("industry ") for line in preview.changed)
    reference_import.record(session, rulebook.load(session), "sme_size", content, valid_from=date(2025, 1, 1),
                            source="工信部联企业〔2025〕1号", note="", actor=admin(session))
    policy = rulebook.load_policy(session)
    assert policy.in_force(date(2024, 12, 31))["sme_size_table"] == DEFAULT_TABLE
    assert policy.in_force(date(2025, 1, 1))["sme_size_table"].name == "中小企业划型标准规定（修订）"


def test_a_broken_sme_standard_is_refused(session, world):
    with pytest.raises(TableProblems) as info:
        reference_import.read_upload("sme_size", "sme.json", b'{"name": "x"}')
    assert "划型标准无效" in info.value.problems[0]
    with pytest.raises(TableProblems):
        reference_import.read_upload("sme_size", "sme.json", b"[" * 100000)


# --- the pages --------------------------------------------------------------

def test_admin_uploads_previews_and_confirms(client, auth, world, use_db):
    auth.login("admin")
    response = client.post("/rules/reference/patent_intensive/import", data={
        "file": (io.BytesIO(csv_bytes(revised_rows())), "新表.csv"), "valid_from": "2023-01-01",
        "source": "国家统计局令第99号", "note": "测试"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "C1711 棉纺纱加工" in page and "C3921 通信系统设备制造" in page and "data-confirm" in page
    with use_db() as session:
        assert session.query(ReferenceTableVersion).count() == 0  # nothing before confirmation
    content = json.dumps(reference_import.read_upload("patent_intensive", "t.csv", csv_bytes(revised_rows())),
                         ensure_ascii=False)
    response = client.post("/rules/reference/patent_intensive/confirm", data={
        "content": content, "valid_from": "2023-01-01", "source": "国家统计局令第99号", "note": "测试"})
    assert response.status_code == 302
    with use_db() as session:
        assert session.query(ReferenceTableVersion).one().valid_from == date(2023, 1, 1)
    page = client.get("/rules/reference/").get_data(as_text=True)
    assert "国家统计局令第99号" in page and page.count("188 个行业小类") == 2


def test_a_bad_upload_lists_its_problems_and_keeps_the_form(client, auth, world):
    auth.login("admin")
    rows = revised_rows()
    rows[0] = dict(rows[0], gbt4754_code="C3500")
    response = client.post("/rules/reference/patent_intensive/import", data={
        "file": (io.BytesIO(csv_bytes(rows)), "t.csv"), "valid_from": "2023-01-01", "source": "令第99号"},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第2行「行业小类代码」" in page and "C3511 矿山机械制造" in page and 'value="令第99号"' in page


def test_officers_see_the_tables_but_cannot_import(client, auth, world):
    auth.login("dy")
    assert client.get("/rules/reference/").status_code == 200
    assert client.get("/rules/reference/patent_intensive/import").status_code == 403
    assert client.post("/rules/reference/patent_intensive/confirm", data={}).status_code == 403
    assert client.get("/rules/reference/nothing/import").status_code == 403


def test_pages_show_the_188_classes_by_group_and_the_catalogues(client, auth, world):
    auth.login("dy")
    page = client.get("/rules/industries").get_data(as_text=True)
    assert "现行 188 个行业小类" in page and "C3921" in page and "通信设备、雷达及配套设备制造" in page
    assert "国家统计局令第25号" in page
    policy = client.get("/rules/policy").get_data(as_text=True)
    assert "战略性新兴产业分类（2018）" in policy and "国家重点支持的高新技术领域" in policy
    assert "国家统计局令第23号" in policy and "国科发火〔2016〕32号" in policy
    page = client.get("/rules/reference/catalogue/hightech_fields_2016").get_data(as_text=True)
    assert "知识产权与成果转化服务" in page
    assert client.get("/rules/reference/catalogue/none").status_code == 404
    exported = client.get("/rules/reference/patent-intensive.csv")
    assert exported.status_code == 200 and len(exported.get_data(as_text=True).strip().splitlines()) == 189


# --- the command line ---------------------------------------------------------

def test_import_table_command(runner, world, tmp_path, use_db):
    path = tmp_path / "revised.csv"
    path.write_bytes(csv_bytes(revised_rows()))
    args = ["pool", "import-table", "patent_intensive", str(path), "--valid-from", "2023-01-01",
            "--source", "令第99号", "--by", "admin"]
    result = runner.invoke(args=args + ["--yes"])
    assert result.exit_code == 0, result.output
    assert "新增 1：C1711 棉纺纱加工" in result.output and "删除 1" in result.output
    again = runner.invoke(args=args + ["--yes"])
    assert again.exit_code == 1 and "导入过" in again.output
    refused = runner.invoke(args=args[:-1] + ["dy", "--yes"])
    assert refused.exit_code == 2 and "不是市级管理员" in refused.output
    with use_db() as session:
        assert session.query(ReferenceTableVersion).count() == 1


def test_control_characters_are_refused_in_the_table_and_its_source(session, world):
    rows = revised_rows()
    rows[0] = dict(rows[0], category_name="通信\r\n设备")
    with pytest.raises(TableProblems) as info:
        reference_import.read_upload("patent_intensive", "t.csv", csv_bytes(rows))
    assert info.value.problems[0].startswith("第2行「中类名称」") and "U+000D" in info.value.problems[0]
    content = reference_import.read_upload("patent_intensive", "t.csv", csv_bytes(revised_rows()))
    with pytest.raises(TableProblems) as info:
        reference_import.preview(rulebook.load(session), "patent_intensive", content,
                                 valid_from=date(2023, 1, 1), source="令第99号\u202e")
    assert "「依据文件」" in info.value.problems[0] and "U+202E" in info.value.problems[0]
