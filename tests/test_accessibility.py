"""Accessibility (issue #15): axe-core (npm, see package.json) finds no serious or
critical WCAG 2.1 AA violation on the main pages, for an officer and for the
city administrator, in Chinese and in English."""
from pathlib import Path

import pytest

from .test_browser import live_server, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def violations(page) -> list[str]:
    """The serious and critical violations on the page, as ``rule: target``."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated, not a script tag: the CSP allows no inline script
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa'],"
                           " resultTypes: ['violations']})")
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def login(page, live_server, username):
    page.goto(live_server + "/auth/login")
    assert violations(page) == []
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-9")
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/")


def test_the_main_pages_have_no_serious_violations(live_server, page, world):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser` (npm ci)")
    login(page, live_server, "dy")
    pages = ["/", "/enterprises/", f"/enterprises/{world.dy_ent.id}", "/monitor/", "/checks/", "/reports/",
             f"/actions/{world.dy_ent.id}/progress", "/account/profile"]
    found = {}
    for url in pages:
        page.goto(live_server + url)
        found[url] = violations(page)
    page.goto(live_server + "/lang/en")
    for url in ("/", "/enterprises/"):
        page.goto(live_server + url)
        found["en " + url] = violations(page)
    assert found == {key: [] for key in found}


def test_the_administrators_pages_have_no_serious_violations(live_server, page, world):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser` (npm ci)")
    login(page, live_server, "admin")
    found = {}
    for url in ("/", "/admin/users/", "/admin/users/new", "/exits/", "/corrections/", "/golive/",
                "/rules/policy", "/monitor/outbox", "/actions/rounds"):
        page.goto(live_server + url)
        found[url] = violations(page)
    assert found == {key: [] for key in found}


def test_the_english_navigation_fits_at_1366_pixels(live_server, page, world):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "admin")
    page.goto(live_server + "/lang/en")
    page.goto(live_server + "/")
    nav = page.query_selector("nav.navbar").bounding_box()
    assert nav["height"] < 70  # one line: nothing wrapped
    for link in page.query_selector_all("nav.navbar a"):
        box = link.bounding_box()
        if box:  # shown
            assert box["x"] + box["width"] <= 1366, link.inner_text()
