"""One enterprise's record to Excel and back (issue #13): export, plan (the
diff the officer confirms), apply all or nothing, and the pages around it."""
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from models import ChangeRecord, Enterprise, Patent, PoolEvent, Product, Trademark, User, YearlyFigure
from models.event import PROGRESS
from pool.io import record_book, workbook
from pool.records import changes, edits, facts, parts

TODAY = date(2026, 3, 10)
LAPSED = "ZL202310000001.1"


# --- a record, its file, and edits to the file --------------------------------------------

def build_record(session, world):
    """The 大冶 enterprise's record: two patents, a product, a certificate, a
    trademark, a partnership, its 2025 figures and some basic facts."""
    enterprise = session.get(Enterprise, world.dy_ent.id)
    officer = session.get(User, world.dy_officer.id)
    add = dict(actor=officer, today=TODAY)
    parts.add_part(session, enterprise, "patent", **add, values={
        "number": LAPSED, "kind": "invention", "application_date": "2023-01-01", "granted_on": "2024-05-01",
        "status": "valid", "origin": "self", "core": True, "industrialized": True,
        "industrialized_on": "2025-05-01"})
    parts.add_part(session, enterprise, "patent", **add, values={
        "number": "ZL202320000002.2", "kind": "utility_model", "granted_on": "2024-06-01", "status": "valid",
        "origin": "self", "core": False, "industrialized": False})
    parts.add_part(session, enterprise, "product", **add, values={
        "name": "高频覆铜板", "main": True, "patents": [LAPSED], "added_on": "2025-03-01"})
    parts.add_part(session, enterprise, "qualification", **add, values={
        "type": "high_tech", "certificate_no": "GR2023001", "valid_from": "2023-03-01", "valid_to": "2026-12-31"})
    parts.add_part(session, enterprise, "trademark", **add, values={
        "reg_no": "12345678", "owned": True, "valid_to": "2030-01-01"})
    parts.add_part(session, enterprise, "partnership", **add, values={
        "partner": "湖北理工学院", "partner_type": "university", "valid_from": "2025-01-01",
        "valid_to": "2027-12-31"})
    edits.record_figures(session, enterprise, actor=officer, year=2025, expected_version=None, on=TODAY, values={
        "employees": 120, "operating_revenue": Decimal("5000"), "total_assets": Decimal("8000"),
        "rd_expense": Decimal("300"), "rd_staff": 20})
    edits.update_enterprise(session, enterprise, actor=officer, expected_version=enterprise.version, changes={
        "industry_code": "C3985", "has_rd_leader": True, "ip_rules": True, "brand_evidence": ["湖北名牌"]})
    session.commit()
    return enterprise, officer


def edit(content: bytes, change) -> bytes:
    """``content`` after ``change(sheets)``; ``sheets[name]`` is a list of dicts by header."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheets = {}
    for layout in workbook.SHEETS:
        sheet = book[layout.name]
        headers = [cell.value for cell in sheet[1]]
        sheets[layout.name] = (sheet, headers, [dict(zip(headers, (c.value for c in row)))
                                                for row in sheet.iter_rows(min_row=2)])
    change({name: rows for name, (_s, _h, rows) in sheets.items()})
    for name, (sheet, headers, rows) in sheets.items():
        sheet.delete_rows(2, sheet.max_row)
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def the_edits(sheets):
    """A patent lapsed, a new product certified, a figure changed, a new trademark."""
    patent = next(r for r in sheets["专利"] if r["专利号"] == LAPSED)
    patent["法律状态"] = "失效"
    uscc = sheets["企业"][0]["统一社会信用代码"]
    sheets["产品"].append({"统一社会信用代码": uscc, "产品名称": "5G 基站覆铜板", "主营产品": "否",
                         "关联专利号": "ZL202320000002.2", "已认定专利密集型产品": "是",
                         "认定日期": date(2026, 2, 20)})
    sheets["企业"][0]["上年度营业收入（万元）"] = 5600.5
    sheets["商标"].append({"统一社会信用代码": uscc, "商标注册号": "87654321", "自主商标": "是",
                         "有效期至": date(2035, 6, 30)})


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def written(session):
    return count(session, ChangeRecord), count(session, PoolEvent)


# --- the domain ---------------------------------------------------------------------------

def test_an_exported_record_imports_back_unchanged(session, world):
    enterprise, _officer = build_record(session, world)
    content = record_book.export_record(enterprise, TODAY)
    applicant, = workbook.read_applicants(content)
    assert applicant["uscc"] == enterprise.uscc and len(applicant["patents"]) == 2
    plan = record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=TODAY)
    assert plan.empty and plan.changes == () and plan.kept == ()


def test_awkward_records_round_trip_too(session, world):
    """Exact amounts, text a spreadsheet would evaluate, a certificate without a
    number, the same partner twice and a former patent export and plan nothing."""
    enterprise, officer = build_record(session, world)
    add = dict(actor=officer, today=TODAY)
    parts.add_part(session, enterprise, "qualification", **add, values={
        "type": "tech_sme", "valid_from": "2025-04-01", "valid_to": "2026-03-31"})
    parts.add_part(session, enterprise, "partnership", **add, values={
        "partner": "湖北理工学院", "partner_type": "university", "valid_from": "2022-01-01",
        "valid_to": "2024-12-31"})
    parts.add_part(session, enterprise, "patent", **add, values={
        "number": "ZL201910000003.3", "kind": "design", "status": "transferred_out", "status_on": "2025-08-01"})
    figure = session.scalar(select(YearlyFigure))
    edits.record_figures(session, enterprise, actor=officer, year=2025, expected_version=figure.version, on=TODAY,
                         values={"operating_revenue": Decimal("1234.5678")})
    edits.update_enterprise(session, enterprise, actor=officer, expected_version=enterprise.version, changes={
        "brand_evidence": ["=湖北名牌", "市场占有率 12%；行业第三"], "name": "+大冶磁湖科技有限公司"})
    session.commit()
    content = record_book.export_record(enterprise, TODAY)
    plan = record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=TODAY)
    assert plan.empty and plan.kept == (), [c.differences for c in plan.changes]


def test_an_edited_file_plans_exactly_its_changes_and_applies_them(session, world):
    enterprise, officer = build_record(session, world)
    content = edit(record_book.export_record(enterprise, TODAY), the_edits)
    effective = date(2026, 3, 1)
    plan = record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=effective)
    shown = {(c.action, c.part, c.what): {d.field: (d.old, d.new) for d in c.differences} for c in plan.changes}
    assert shown == {
        ("change", "figures", "2025 年度数据"): {"operating_revenue": (Decimal("5000"), Decimal("5600.5"))},
        ("change", "patent", f"专利号 {LAPSED}"): {"status": ("valid", "lapsed"), "status_on": (None, effective)},
        ("add", "product", "产品名称 5G 基站覆铜板"): {
            "name": (None, "5G 基站覆铜板"), "main": (None, False), "patents": (None, ["ZL202320000002.2"]),
            "patent_intensive": (None, True), "certified_on": (None, "2026-02-20"), "added_on": (None, effective)},
        ("add", "trademark", "注册号 87654321"): {
            "reg_no": (None, "87654321"), "owned": (None, True), "valid_to": (None, "2035-06-30")},
    }
    assert plan.kept == ()
    before = count(session, PoolEvent)
    assert record_book.apply(session, enterprise, plan, actor=officer, today=TODAY) == 4
    session.commit()
    patent = session.scalar(select(Patent).where(Patent.number == LAPSED))
    assert (patent.status, patent.status_on, patent.version) == ("lapsed", effective, 2)
    product = session.scalar(select(Product).where(Product.name == "5G 基站覆铜板"))
    assert (product.patent_intensive, product.certified_on, product.added_on) == (True, date(2026, 2, 20), effective)
    assert [p.number for p in product.patents] == ["ZL202320000002.2"]
    assert session.scalar(select(Trademark).where(Trademark.reg_no == "87654321")).valid_to == date(2035, 6, 30)
    assert session.scalar(select(YearlyFigure)).operating_revenue == Decimal("5600.5")
    # the certification is progress (SPEC §3); the lapse of an industrialised patent lowers the rate: none
    new = session.scalars(select(PoolEvent).where(PoolEvent.kind == PROGRESS).order_by(PoolEvent.id)).all()
    assert count(session, PoolEvent) == before + 1
    assert (new[-1].subtype, new[-1].effective_on) == ("new_pi_product", date(2026, 2, 20))
    reasons = session.scalars(select(ChangeRecord.reason).order_by(ChangeRecord.id.desc()).limit(3)).all()
    assert set(reasons) == {record_book.REASON}
    # and the file now matches the record
    assert record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=effective).empty


def test_parts_missing_from_the_file_are_kept(session, world):
    enterprise, officer = build_record(session, world)

    def drop(sheets):
        sheets["产学研合作"].clear()
        sheets["专利"][:] = [r for r in sheets["专利"] if r["专利号"] == LAPSED]
    content = edit(record_book.export_record(enterprise, TODAY), drop)
    plan = record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=TODAY)
    assert plan.empty
    assert [(c.action, c.sheet, c.what) for c in plan.kept] == [
        ("keep", "专利", "专利 ZL202320000002.2"), ("keep", "产学研合作", "与“湖北理工学院”的产学研合作")]
    record_book.apply(session, enterprise, plan, actor=officer, today=TODAY)
    assert count(session, Patent) == 2


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04 not really", "不是 .xlsx 文件"),
    (b"x" * (record_book.MAX_BYTES + 1), "文件超过 256 KB 上限"),
])
def test_a_file_that_is_no_record_book_is_refused(session, world, content, message):
    enterprise, _officer = build_record(session, world)
    with pytest.raises(workbook.WorkbookError) as refused:
        record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=TODAY)
    assert message in str(refused.value)


def test_another_enterprises_file_or_two_enterprises_are_refused(session, world):
    enterprise, _officer = build_record(session, world)
    other = session.get(Enterprise, world.yx_ent.id)
    with pytest.raises(workbook.WorkbookError) as refused:
        record_book.plan_import(session, enterprise, record_book.export_record(other, TODAY), today=TODAY,
                                effective_on=TODAY)
    assert refused.value.problems[0].sheet == "企业"
    assert f"统一社会信用代码 {other.uscc} 不是大冶磁湖科技有限公司的（{enterprise.uscc}）" in str(refused.value)
    both = io.BytesIO()
    workbook.write_applicants([facts.record_data(enterprise, TODAY), facts.record_data(other, TODAY)], both)
    with pytest.raises(workbook.WorkbookError, match="文件中有 2 家企业：须正好一家"):
        record_book.plan_import(session, enterprise, both.getvalue(), today=TODAY, effective_on=TODAY)


def test_the_effective_date_may_be_today_not_tomorrow(session, world):
    enterprise, officer = build_record(session, world)
    content = edit(record_book.export_record(enterprise, TODAY), the_edits)
    with pytest.raises(changes.RecordRefused, match="生效日期须为 1985-04-01 至今天 2026-03-10 之间"):
        record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=TODAY + timedelta(days=1))
    plan = record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=TODAY)
    record_book.apply(session, enterprise, plan, actor=officer, today=TODAY)
    assert session.scalar(select(Patent).where(Patent.number == LAPSED)).status_on == TODAY


def test_a_refusal_names_sheet_and_part_and_nothing_is_written(session, world):
    enterprise, officer = build_record(session, world)
    content = edit(record_book.export_record(enterprise, TODAY), the_edits)
    # the lapse would fall before the grant (2024-05-01)
    plan = record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=date(2024, 1, 1))
    before = written(session)
    assert record_book.rehearse(session, enterprise, plan, actor=officer, today=TODAY) == [
        f"「专利」专利号 {LAPSED}：状态变更日期 2024-01-01 早于授权日 2024-05-01"]
    assert written(session) == before
    with pytest.raises(changes.RecordRefused, match=f"「专利」专利号 {LAPSED}：状态变更日期"):
        record_book.apply(session, enterprise, plan, actor=officer, today=TODAY)
    session.commit()
    assert written(session) == before
    assert session.scalar(select(YearlyFigure)).operating_revenue == Decimal("5000")


def test_a_change_made_after_the_plan_is_a_conflict_and_nothing_is_written(session, world):
    enterprise, officer = build_record(session, world)
    content = edit(record_book.export_record(enterprise, TODAY), the_edits)
    plan = record_book.plan_import(session, enterprise, content, today=TODAY, effective_on=TODAY)
    patent = session.scalar(select(Patent).where(Patent.number == LAPSED))
    parts.change_part(session, patent, "patent", actor=officer, today=TODAY, expected_version=patent.version,
                      values={"core": False})
    session.commit()
    before = written(session)
    with pytest.raises(changes.VersionConflict):
        record_book.apply(session, enterprise, plan, actor=officer, today=TODAY)
    session.commit()
    assert written(session) == before
    assert session.scalar(select(YearlyFigure)).operating_revenue == Decimal("5000")
    assert record_book.plan_import(session, enterprise, content, today=TODAY,
                                   effective_on=TODAY).fingerprint != plan.fingerprint


# --- the pages ----------------------------------------------------------------------------

def page(response) -> str:
    return response.get_data(as_text=True)


def exported(client, enterprise_id) -> bytes:
    response = client.get(f"/records/{enterprise_id}/excel/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return response.data


def upload(client, enterprise_id, content, *, name="记录.xlsx", effective_on=TODAY.isoformat()):
    return client.post(f"/records/{enterprise_id}/excel/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(content), name), "effective_on": effective_on})


def confirm_fields(body: str) -> dict:
    """The hidden fields of the preview's confirm form."""
    import re

    return dict(re.findall(r'<input id="(content|effective_on|seal)" name="\1" type="hidden" value="([^"]*)"', body))


@pytest.fixture
def record(app, world):
    with app.app_context():
        from models import db

        build_record(db.session, world)
    return world


def test_the_enterprise_page_links_export_and_import(client, auth, record, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    body = page(client.get(f"/enterprises/{record.dy_ent.id}"))
    assert "导出记录（Excel）" in body and "从 Excel 更新记录" in body
    assert f"/records/{record.dy_ent.id}/excel/export.xlsx" in body
    applicant, = workbook.read_applicants(exported(client, record.dy_ent.id))
    assert applicant["name"] == "大冶磁湖科技有限公司" and applicant["operating_revenue"] == Decimal("5000")


def test_an_officer_previews_confirms_and_sees_the_changes(client, auth, record, use_db, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    content = edit(exported(client, record.dy_ent.id), the_edits)
    form = client.get(f"/records/{record.dy_ent.id}/excel/import")
    assert form.status_code == 200 and 'accept=".xlsx"' in page(form) and 'max="2026-03-10"' in page(form)
    preview = upload(client, record.dy_ent.id, content, effective_on="2026-03-01")
    body = page(preview)
    assert preview.status_code == 200, body
    assert "将要写入的变更（4 项）" in body
    assert 'data-confirm="将按上表写入 4 项变更，生效日期 2026-03-01。确认？"' in body
    for text in (f"专利号 {LAPSED}", "法律状态", "有效", "失效", "状态变更日期", "2026-03-01",
                 "产品名称 5G 基站覆铜板", "5600.5", "注册号 87654321"):
        assert text in body, text
    with use_db() as session:
        assert count(session, Product) == 1  # the preview wrote nothing
    done = client.post(f"/records/{record.dy_ent.id}/excel/confirm", data=confirm_fields(body))
    assert done.status_code == 302 and done.location.endswith(f"/enterprises/{record.dy_ent.id}")
    detail = page(client.get(f"/enterprises/{record.dy_ent.id}"))
    assert "已按 Excel 文件更新记录：4 项变更，生效日期 2026-03-01" in detail
    assert "5G 基站覆铜板" in detail and "87654321" in detail
    with use_db() as session:
        assert session.scalar(select(Patent.status).where(Patent.number == LAPSED)) == "lapsed"
        assert session.scalar(select(PoolEvent.subtype).order_by(PoolEvent.id.desc()).limit(1)) == "new_pi_product"


def test_the_unchanged_export_previews_nothing_to_confirm(client, auth, record, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    preview = upload(client, record.dy_ent.id, exported(client, record.dy_ent.id))
    assert preview.status_code == 200
    assert "文件与当前记录一致，没有需要更新的内容" in page(preview) and "确认更新记录" not in page(preview)


@pytest.mark.parametrize("content, name, message", [
    (b"uscc,name\n", "记录.csv", "只接受 .xlsx 文件"),
    (b"not a workbook", "记录.xlsx", "不是 .xlsx 文件"),
    (b"PK" + b"\0" * record_book.MAX_BYTES, "记录.xlsx", "文件超过 256 KB 上限"),
])
def test_a_bad_file_is_refused_in_chinese_and_nothing_is_written(client, auth, record, use_db, freeze_today,
                                                                  content, name, message):
    freeze_today(TODAY)
    auth.login("dy")
    with use_db() as session:
        before = written(session)
    response = upload(client, record.dy_ent.id, content, name=name)
    assert response.status_code == 422 and message in page(response)
    with use_db() as session:
        assert written(session) == before


def test_another_enterprises_file_and_a_future_date_are_refused(client, auth, record, freeze_today):
    freeze_today(TODAY)
    auth.login("admin")
    other = exported(client, record.yx_ent.id)
    response = upload(client, record.dy_ent.id, other)
    assert response.status_code == 422 and "不是大冶磁湖科技有限公司的" in page(response)
    mine = exported(client, record.dy_ent.id)
    response = upload(client, record.dy_ent.id, mine, effective_on="2026-03-11")
    assert response.status_code == 422 and "生效日期须为 1985-04-01 至今天 2026-03-10 之间的日期" in page(response)


def test_a_change_between_preview_and_confirm_answers_409(client, auth, record, use_db, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    content = edit(exported(client, record.dy_ent.id), the_edits)
    fields = confirm_fields(page(upload(client, record.dy_ent.id, content)))
    with use_db() as session:  # another officer edits the same patent meanwhile
        patent = session.scalar(select(Patent).where(Patent.number == LAPSED))
        parts.change_part(session, patent, "patent", actor=session.get(User, record.admin.id), today=TODAY,
                          expected_version=patent.version, values={"core": False})
        session.commit()
        before = written(session)
    response = client.post(f"/records/{record.dy_ent.id}/excel/confirm", data=fields)
    assert response.status_code == 409
    assert "预览之后，该企业的记录已被修改" in page(response) and "核心专利" in page(response)
    with use_db() as session:
        assert written(session) == before and count(session, Product) == 1
    # the fresh preview confirms what it now shows
    again = client.post(f"/records/{record.dy_ent.id}/excel/confirm", data=confirm_fields(page(response)))
    assert again.status_code == 302


def test_a_tampered_confirmation_is_refused(client, auth, record, use_db, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    content = edit(exported(client, record.dy_ent.id), the_edits)
    fields = confirm_fields(page(upload(client, record.dy_ent.id, content)))
    import base64

    other = edit(exported(client, record.dy_ent.id), lambda sheets: sheets["商标"].clear())
    for forged in ({**fields, "content": base64.b64encode(other).decode()}, {**fields, "effective_on": "2026-01-01"},
                   {**fields, "seal": fields["seal"][:-2] + "xx"}):
        response = client.post(f"/records/{record.dy_ent.id}/excel/confirm", data=forged)
        assert response.status_code == 400 and "确认信息无效或已过期" in page(response)
    with use_db() as session:
        assert count(session, Product) == 1


def test_another_countys_officer_gets_404(client, auth, record, freeze_today):
    freeze_today(TODAY)
    auth.login("dy")
    content = exported(client, record.dy_ent.id)
    fields = confirm_fields(page(upload(client, record.dy_ent.id, edit(content, the_edits))))
    auth.logout()
    auth.login("yx")
    base = f"/records/{record.dy_ent.id}/excel"
    assert client.get(f"{base}/export.xlsx").status_code == 404
    assert client.get(f"{base}/import").status_code == 404
    assert upload(client, record.dy_ent.id, content).status_code == 404
    assert client.post(f"{base}/confirm", data=fields).status_code == 404
