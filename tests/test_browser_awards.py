"""Issue #18 in a real browser: the city administrator imports a year's facts, opens the
settlement, reduces one item and approves the other, confirms the publication, prints the
list and records a payment; the pages pass axe-core in Chinese and in English."""
import json
import re
from datetime import date

import pytest

from .test_accessibility import AXE, violations
from .test_browser import live_server, page  # noqa: F401 - fixtures
from .test_browser_workflows import login

pytestmark = pytest.mark.browser

FACTS = {"beneficiaries": [
    {"id": "91360902MA35YZ0001", "name": "袁州甲科技有限公司", "kind": "enterprise", "facts": [
        {"id": "loan-1", "type": "loan", "date": "2024-03-15", "subject": "JK2024-001", "collateral": "patent",
         "amount": "1000", "pledged_part": "800", "term_months": 12}]},
    {"id": "91360902MA35YZ0003", "name": "袁州丙信息服务有限公司", "kind": "enterprise", "facts": [
        {"id": "node-1", "type": "qualification", "date": "2024-08-01", "designation": "info_service_node",
         "level": "provincial", "provincial_award": "10"}]}]}


SETTLEMENT = re.compile(r"/awards/\d+(\?[^/]*)?$")  # a year's settlement page (not an item's)


def test_a_year_from_facts_to_a_payment(live_server, page, world, freeze_today, tmp_path):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser` (npm ci)")
    freeze_today(date(2025, 6, 30))
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "admin")
    page.click("nav >> text=奖补")
    page.click("text=奖补事实")
    page.click("text=导入事实文件")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS, ensure_ascii=False), encoding="utf-8")
    page.set_input_files("input[name=file]", str(facts))
    page.click("input[value='导入']")
    page.wait_for_selector("text=已导入 2 条事实")
    page.click("text=年度结算")
    page.select_option("select[name=programme]", "yuanzhou-2023")
    page.fill("input[name=year]", "2024")
    page.click("input[value='开始结算']")
    page.wait_for_selector("#items")
    assert page.inner_text("#figures").count("24.14") == 1  # 4.14 interest + 10 + 10 matching
    found = {}
    for url in (page.url, live_server + "/awards/facts/", live_server + "/awards/facts/new?type=case"):
        page.goto(url)
        found[url] = violations(page)
    page.go_back()
    page.go_back()
    page.click("#items >> text=YZ-07")
    page.select_option("select[name=kind]", "reduce")
    page.fill("input[name=amount]", "4")
    page.fill("textarea[name=reason]", "利息凭证只有 4 万元")
    page.click("input[value='保存审核结论']")
    page.wait_for_selector("text=已保存审核结论：核减")
    found["item"] = violations(page)
    assert "核减 4 万元" in page.inner_text("#decision")
    page.click("text=2024 年度奖补结算")
    for _ in range(2):
        page.click("#items >> text=YZ-09")
        page.click("input[value='保存审核结论']")
        page.wait_for_selector("text=已保存审核结论：同意")
        page.click("text=2024 年度奖补结算")
        # the settlement page loaded, its script too: the select's change handler is there (slow under load)
        page.wait_for_url(SETTLEMENT, wait_until="load")
        with page.expect_navigation():  # the select submits its form: wait for that page, not this one
            page.select_option("select[name=view]", "pending")
    page.fill("input[name=reference]", "袁知〔2025〕6号")
    page.click("#publish-form button")
    page.wait_for_selector("text=名单已公示（2025-06-30）")
    page.click("text=公示名单（打印）")
    assert "袁州甲科技有限公司" in page.inner_text("#publication") and "核减：利息凭证只有 4 万元" in page.inner_text(
        "#publication")
    found["publication"] = violations(page)
    page.go_back()
    page.wait_for_url(SETTLEMENT, wait_until="load")
    with page.expect_navigation():
        page.select_option("select[name=view]", "all")
    page.click("#items >> text=YZ-07")
    page.select_option("select[name=level]", "district")
    page.fill("input[name=reference]", "PZ-2025-01")
    page.click("#pay-form button")
    page.wait_for_selector("text=已登记拨付：区财政 2 万元")
    page.goto(live_server + "/lang/en")
    page.goto(live_server + "/awards/")
    found["en index"] = violations(page)
    assert found == {key: [] for key in found}
