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
