"""The award pages through the test client: facts entered, imported and withdrawn; a
year opened, decided, published, printed, exported and paid; each refusal shown with
the field it names; county officers reading only their own county."""
import io
import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from models import AwardEntry, AwardFact, AwardItem
from pool.awards import programme

DAY = date(2026, 11, 30)
EXAMPLES = Path(programme.DATA) / "examples"


@pytest.fixture(autouse=True)
def _today(freeze_today):
    freeze_today(DAY)


def upload(client, document, name="facts.json"):
    content = document if isinstance(document, bytes) else json.dumps(document, ensure_ascii=False).encode()
    return client.post("/awards/facts/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def text(page):
    return page.get_data(as_text=True)


def example(name="yuanzhou-2024"):
    return json.loads((EXAMPLES / f"{name}.facts.json").read_text(encoding="utf-8"))


def open_year(client, code="yuanzhou-2023", year=2024):
    page = client.post("/awards/open", data={"programme": code, "year": year})
    assert page.status_code == 303, text(page)
    return int(page.headers["Location"].rsplit("/", 1)[1])


def items(use_db, settlement_id):
    with use_db() as session:
        return {(i.rule, i.subject): (i.id, i.payable, i.beneficiary_name) for i in session.scalars(
            select(AwardItem).where(AwardItem.settlement_id == settlement_id))}


def test_import_then_settle_publish_print_export_and_pay(client, auth, world, use_db):
    auth.login("admin")
    page = upload(client, example())
    assert page.status_code == 303
    assert "已导入 15 条事实；0 条此前已导入" in text(client.get(page.headers["Location"]))
    again = upload(client, example())
    assert "已导入 0 条事实；15 条此前已导入" in text(client.get(again.headers["Location"]))
    settlement_id = open_year(client)
    page = text(client.get(f"/awards/{settlement_id}"))
    assert "袁州甲科技有限公司" in page and "YZ-07" in page
    found = items(use_db, settlement_id)
    loan_id = found[("YZ-07", "JK2024-001")][0]
    for (rule, subject), (item_id, payable, _name) in found.items():
        if payable > 0:
            kind = "reduce" if item_id == loan_id else "approve"
            done = client.post(f"/awards/{settlement_id}/items/{item_id}/decide",
                               data={"kind": kind, "amount": "3.333333", "reason": "利息凭证核减"})
            assert done.status_code == 303, text(done)
    published = client.post(f"/awards/{settlement_id}/publish", data={"on": "2026-11-30", "reference": "袁知〔2026〕3号"})
    assert published.status_code == 303
    page = text(client.get(f"/awards/{settlement_id}"))
    assert "已公示" in page and "袁知〔2026〕3号" in page
    printed = text(client.get(f"/awards/{settlement_id}/publication"))
    assert "公示日期：2026-11-30" in printed and "3.333333" in printed and "核减：利息凭证核减" in printed
    sheet = client.get(f"/awards/{settlement_id}/publication.xlsx")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(sheet.data))
    values = [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]
    header = next(row for row in values if row and row[0] == "序号")
    amounts = [row[header.index("核定金额（万元）")] for row in values[values.index(header) + 1:] if row[0]]
    assert D(str(sum(D(str(a)) for a in amounts))) == D("155.693333")  # 156.5 − 4.14 + 3.333333
    paid = client.post(f"/awards/{settlement_id}/items/{loan_id}/pay",
                       data={"level": "district", "on": "2026-11-30", "reference": "PZ-001"})
    assert paid.status_code == 303
    page = text(client.get(f"/awards/{settlement_id}/items/{loan_id}"))
    assert "已于 2026-11-30 拨付" in page
    with use_db() as session:
        payment = session.scalars(select(AwardEntry).where(AwardEntry.kind == "pay")).one()
        assert payment.amount == D("1.666667") and payment.reference == "PZ-001"
    ledger_page = text(client.get(f"/awards/{settlement_id}/ledger"))
    assert "PZ-001" in ledger_page and "袁知〔2026〕3号" in ledger_page


def test_a_bad_reduction_keeps_what_was_typed_and_names_the_field(client, auth, world, use_db):
    auth.login("admin")
    upload(client, example("xuchang-2024"))
    settlement_id = open_year(client, "xuchang-2022")
    item_id = items(use_db, settlement_id)[("XC-02", "ht-1")][0]
    page = client.post(f"/awards/{settlement_id}/items/{item_id}/decide",
                       data={"kind": "reduce", "amount": "10", "reason": "发票金额不足"})
    assert page.status_code == 422
    body = text(page)
    assert "须大于 0 且小于计算金额 10 万元" in body and "发票金额不足" in body
    page = client.post(f"/awards/{settlement_id}/items/{item_id}/decide",
                       data={"kind": "reduce", "amount": "abc", "reason": "发票金额不足"})
    assert page.status_code == 422 and "请填写核减后金额（万元）" in text(page)
    page = client.post(f"/awards/{settlement_id}/items/{item_id}/decide", data={"kind": "refuse", "reason": ""})
    assert page.status_code == 422 and "理由" in text(page)
    with use_db() as session:
        assert session.scalars(select(AwardEntry)).all() == []


def test_publishing_with_items_pending_is_refused(client, auth, world):
    auth.login("admin")
    upload(client, example("xuchang-2024"))
    settlement_id = open_year(client, "xuchang-2022")
    page = client.post(f"/awards/{settlement_id}/publish", data={"on": "2026-11-30"})
    assert "还有 11 项未审核或需重新审核，不能公示" in text(client.get(page.headers["Location"]))


def test_a_fact_entered_by_hand_with_its_mistakes_named_at_their_fields(client, auth, world, use_db):
    auth.login("admin")
    page = client.post("/awards/facts/new?type=loan", data={
        "beneficiary_key": "91411000MA44XC0009", "beneficiary_name": "许昌丁公司", "beneficiary_kind": "enterprise",
        "in_region": "true", "date": "2024-05-01", "subject": "JK-9", "collateral": "patent", "amount": "-5",
        "repaid_on_schedule": "true"})
    assert page.status_code == 422
    body = text(page)
    assert "须为不小于 0 的金额" in body and 'value="JK-9"' in body
    page = client.post("/awards/facts/new?type=loan", data={
        "beneficiary_key": "91411000MA44XC0009", "beneficiary_name": "许昌丁公司", "beneficiary_kind": "enterprise",
        "in_region": "true", "date": "2024-05-01", "subject": "JK-9", "collateral": "patent", "amount": "500",
        "repaid_on_schedule": "true"})
    assert page.status_code == 303
    with use_db() as session:
        row = session.scalars(select(AwardFact)).one()
        assert row.data["amount"] == "500" and row.data["repaid_on_schedule"] is True and row.source == "officer"
    page = client.post("/awards/facts/new?type=prize", data={
        "beneficiary_key": "X", "beneficiary_kind": "individual", "in_region": "true", "date": "2026-12-01",
        "level": "municipal"})
    assert page.status_code == 422 and "2026-12-01 晚于今天" in text(page)


def test_a_county_officer_enters_facts_for_their_county_and_reads_only_its_items(client, auth, world, use_db):
    auth.login("dy")
    page = client.post("/awards/facts/new?type=qualification", data={
        "beneficiary_key": world.yx_ent.uscc, "beneficiary_kind": "enterprise", "in_region": "true",
        "date": "2024-11-01", "designation": "high_tech"})
    assert page.status_code == 422 and "不是本县" in text(page)
    page = client.post("/awards/facts/new?type=qualification", data={
        "beneficiary_key": world.dy_ent.uscc, "beneficiary_kind": "enterprise", "in_region": "true",
        "date": "2024-11-01", "designation": "high_tech"})
    assert page.status_code == 303
    assert client.post("/awards/open", data={"programme": "xuchang-2022", "year": 2024}).status_code == 403
    auth.logout()
    auth.login("yx")
    page = client.post("/awards/facts/new?type=qualification", data={
        "beneficiary_key": world.yx_ent.uscc, "beneficiary_kind": "enterprise", "in_region": "true",
        "date": "2024-10-01", "designation": "high_tech"})
    assert page.status_code == 303
    assert "已登记：" + world.yx_ent.name in text(client.get(page.headers["Location"]))
    auth.logout()
    auth.login("admin")
    settlement_id = open_year(client, "xuchang-2022")
    found = {name: item_id for (_rule, _subject), (item_id, _p, name) in items(use_db, settlement_id).items()}
    assert set(found) == {world.dy_ent.name, world.yx_ent.name}
    auth.logout()
    auth.login("dy")
    page = text(client.get(f"/awards/{settlement_id}"))
    assert world.dy_ent.name in page and world.yx_ent.name not in page
    assert client.get(f"/awards/{settlement_id}/items/{found[world.yx_ent.name]}").status_code == 404
    assert client.get(f"/awards/{settlement_id}/items/{found[world.dy_ent.name]}").status_code == 200
    assert client.post(f"/awards/{settlement_id}/items/{found[world.dy_ent.name]}/decide",
                       data={"kind": "approve"}).status_code == 403
    with use_db() as session:
        other = session.scalars(select(AwardFact).where(AwardFact.county_id == world.yx.id)).one()
    assert client.get(f"/awards/facts/{other.id}").status_code == 404
    assert world.yx_ent.name not in text(client.get("/awards/facts/"))


def test_withdrawing_a_fact_needs_a_reason_and_shows_on_the_fact(client, auth, world, use_db):
    auth.login("admin")
    upload(client, example("anyang-2024"))
    with use_db() as session:
        fact_id = session.scalars(select(AwardFact.id)).first()
    page = client.post(f"/awards/facts/{fact_id}/withdraw", data={"reason": ""})
    assert page.status_code == 422 and "请写明理由" in text(page)
    page = client.post(f"/awards/facts/{fact_id}/withdraw", data={"reason": "重复登记"})
    assert "撤回：重复登记" in text(client.get(page.headers["Location"]))
    assert "重复登记" not in text(client.get("/awards/facts/"))  # withdrawn facts are hidden by default


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe not json", "不是 UTF-8 编码的 JSON"),
    (json.dumps({"beneficiaries": [{"id": "A", "kind": "robot", "facts": [{"id": "1", "type": "prize"}]}]}).encode(),
     "「受益人类别」（beneficiaries[0].kind）"),
])
def test_a_bad_file_is_refused_naming_each_problem(client, auth, world, content, message):
    auth.login("admin")
    page = upload(client, content)
    assert page.status_code == 422 and message in text(page)


def test_every_award_page_answers(client, auth, world, use_db):
    auth.login("admin")
    upload(client, example("anyang-2024"))
    settlement_id = open_year(client, "anyang-2018")
    item_id = next(iter(items(use_db, settlement_id).values()))[0]
    for path in ("/awards/", f"/awards/{settlement_id}", f"/awards/{settlement_id}?view=all&sort=amount&q=安阳",
                 f"/awards/{settlement_id}/items/{item_id}", f"/awards/{settlement_id}/ledger",
                 f"/awards/{settlement_id}/publication", "/awards/facts/", "/awards/facts/?type=case&q=豫05",
                 "/awards/facts/new", "/awards/facts/new?type=case", "/awards/facts/import"):
        assert client.get(path).status_code == 200, path
    for path in ("/awards/999", f"/awards/{settlement_id}/items/999999", "/awards/facts/99999999999"):
        assert client.get(path).status_code == 404, path
    english = client.get(f"/awards/{settlement_id}", headers={"Accept-Language": "en"})
    assert english.status_code == 200


def test_the_administrator_enters_a_tier_table_and_a_county_officer_cannot(client, auth, world):
    auth.login("dy")
    page = text(client.get("/awards/programmes/xuchang-2022"))
    assert "xc11_trademark_interest_tiers" in page and "未录入" in page and 'id="parameter-form"' not in page
    assert client.post("/awards/programmes/xuchang-2022/parameters", data={
        "key": "xc02_first_amount", "valid_from": "2025-01-01", "value": "12", "source": "x"}).status_code == 403
    auth.logout()
    auth.login("admin")
    page = client.post("/awards/programmes/xuchang-2022/parameters", data={
        "key": "xc11_trademark_interest_tiers", "valid_from": "2024-01-01", "value": '[{"to": "500"}]',
        "source": "许昌市知识产权质押融资奖补办法 第五条"})
    assert page.status_code == 422 and "分档表须为 JSON 列表" in text(page) and "质押融资奖补办法 第五条" in text(page)
    page = client.post("/awards/programmes/xuchang-2022/parameters", data={
        "key": "xc11_trademark_interest_tiers", "valid_from": "2024-01-01",
        "value": '[{"to": "500", "to_inclusive": true, "amount": "5"}, {"from": "500", "from_inclusive": false, '
                 '"amount": "10"}]', "source": "许昌市知识产权质押融资奖补办法 第五条"})
    assert page.status_code == 303
    page = text(client.get(page.headers["Location"]))
    assert "x≤500：5；500&lt;x：10" in page, page[page.find("param-xc11"):page.find("param-xc11") + 600]
    assert client.get("/awards/programmes/nowhere").status_code == 404
    assert client.get("/awards/programmes/").status_code == 200
