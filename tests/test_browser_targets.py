"""Issue #19 in a real browser: the city administrator opens the targets dashboard from the reports
page, picks a target set and the city, reads a target's status and chart, and drills down from a
figure to the patents counted; the pages pass axe-core in Chinese and in English."""
from datetime import date

import pytest

from models import db

from . import targets_world as tw
from .test_accessibility import AXE, violations
from .test_browser import live_server, page  # noqa: F401 - fixtures
from .test_browser_workflows import login
from .test_small_screens import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def records(app, world):
    with app.app_context():
        tw.build(db.session, world)
        tw.population(db.session, world.admin.id, "420200", 2024, "240")
        tw.population(db.session, world.admin.id, "420200", 2025, "241")


def test_from_the_reports_page_to_the_records_behind_a_figure(live_server, page, world, records, freeze_today):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser` (npm ci)")
    freeze_today(date(2026, 1, 5))
    login(page, live_server, "admin")
    page.goto(live_server + "/reports/")
    page.click("#targets-link")
    page.select_option("select[name=programme]", "yuanzhou-2023")
    page.select_option("select[name=region]", "420200")
    page.fill("input[name=as_of]", "2026-01-05")
    page.click("#choice button[type=submit]")
    page.wait_for_selector("#target-YZ-T1")
    card = page.locator("#target-YZ-T1")
    assert card.locator(".status").get_attribute("data-status") == "not_met"
    assert card.locator("svg[role=img] title").count() == 1
    found = {"dashboard": violations(page)}
    card.locator("a.figure").first.click()
    page.wait_for_selector("#counted")
    counted = page.inner_text("#counted")
    assert "ZL-LAPSED" in counted or "ZL2024-A" in counted
    found["records"] = violations(page)
    page.click("text=返回目标与指标")
    page.wait_for_selector("#target-YZ-T1")
    page.click("text=打印版")
    page.wait_for_selector("#counts")
    found["print"] = violations(page)
    page.goto(live_server + "/targets/statistics/")
    found["statistics"] = violations(page)
    page.goto(live_server + "/lang/en")
    page.goto(live_server + "/targets/?programme=yuanzhou-2023&region=420200&as_of=2026-01-05")
    assert "Targets and indicators" in page.inner_text("h1")
    found["en dashboard"] = violations(page)
    page.set_viewport_size(PHONE)  # on a phone: the charts shrink, nothing scrolls sideways
    page.reload()
    scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= width
    assert found == {key: [] for key in found}


def test_an_officer_records_an_event_and_hs_t1_follows(live_server, page, app, world, records, freeze_today):
    """HS-T1 from the records: 新材料 twice in 2024, once in 2025 (not met); the 大冶 officer records a second
    2025 event (met), reads the events behind the figure, withdraws one (not met again) — axe on each page."""
    from pool.targets import events

    freeze_today(date(2026, 1, 5))
    with app.app_context():
        for day in (date(2024, 3, 1), date(2024, 9, 1), date(2025, 3, 1)):
            events.record(db.session, county_id=world.dy.id, held_on=day, field="新材料", title=f"对接会 {day}",
                          organiser="大冶市市场监督管理局", counties={world.dy.id}, actor=None, as_of=day,
                          now=tw.NOW)
        db.session.commit()
    dashboard = live_server + "/targets/?programme=huangshi-2024&region=420281&as_of=2026-01-05"
    login(page, live_server, "dy")
    page.goto(dashboard)
    card = page.locator("#target-HS-T1")
    assert card.locator(".status").first.get_attribute("data-status") == "not_met"
    found = {"dashboard": violations(page)}
    card.locator("a.events-link").click()
    page.wait_for_selector("#events")
    found["events"] = violations(page)
    page.click("#new-event")
    page.wait_for_selector("#event-form")
    page.fill("input[name=held_on]", "2026-01-06")  # tomorrow: refused, what was typed kept
    page.fill("input[name=field]", "新材料")
    page.fill("input[name=title]", "年末对接会")
    page.fill("input[name=organiser]", "大冶市市场监督管理局")
    page.click("#event-form input[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    assert "不能晚于今天" in page.inner_text("#event-form")
    assert page.input_value("input[name=title]") == "年末对接会"
    found["form with errors"] = violations(page)
    page.fill("input[name=held_on]", "2025-12-31")
    page.click("#event-form input[type=submit]")
    page.wait_for_selector("#events")
    page.goto(dashboard)
    card = page.locator("#target-HS-T1")
    assert card.locator(".status").first.get_attribute("data-status") == "met"
    card.locator("a.figure").last.click()  # the 2025 figure of 新材料: the events behind it
    page.wait_for_selector("#counted")
    assert "年末对接会" in page.inner_text("#counted") and "对接会 2025-03-01" in page.inner_text("#counted")
    page.click("#counted a:has-text('年末对接会')")
    page.wait_for_selector("#withdraw-form")
    found["event"] = violations(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.fill("textarea[name=reason]", "日期录错")
    page.click("#withdraw-form button[type=submit]")
    page.wait_for_selector("#withdrawn")
    page.goto(dashboard)
    assert page.locator("#target-HS-T1 .status").first.get_attribute("data-status") == "not_met"
    assert found == {key: [] for key in found}
