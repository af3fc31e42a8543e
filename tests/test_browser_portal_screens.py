"""The portal on a phone (375 × 667) and at a desk, for the enterprise and for the
officer reviewing it: no page scrolls sideways, no serious or critical axe-core
violation, in Chinese and in English (issue #16)."""
from datetime import datetime, timezone

import pytest

from models import Enterprise, Submission, User
from pool.access import users
from pool.portal import accounts as portal_accounts

from .test_accessibility import AXE, violations
from .test_browser import live_server, page  # noqa: F401 - fixtures
from .test_browser_portal import DAY, portal_login
from .test_browser_workflows import login
from .test_portal import NEW_PASSWORD

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 667}


@pytest.fixture
def portal_account(use_db, world, freeze_today):
    """大冶's admitted enterprise with a portal account and a submitted change request."""
    freeze_today(DAY)
    with use_db() as session:
        enterprise = session.get(Enterprise, world.dy_ent.id)
        account, secret = portal_accounts.invite(
            session, actor=session.get(User, world.dy_officer.id), county=enterprise.county,
            email="qianliu@example.com", contact_name="钱六", enterprise=enterprise, now=datetime.now(timezone.utc))
        users.use_reset(session, secret, NEW_PASSWORD, now=datetime.now(timezone.utc))
        row = Submission(kind="change_request", account_id=account.id, county_id=enterprise.county_id,
                         enterprise_id=enterprise.id, status="submitted", title="产品",
                         data={"part": "product", "values": {"name": "高纯铜箔", "patent_intensive": True}},
                         submitted_at=datetime.now(timezone.utc))
        session.add(row)
        session.commit()
        return row.id


def sideways(page) -> list[str]:
    scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return [f"page is {scroll}px wide in a {width}px window"] if scroll > width else []


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_portal_reads_on_a_phone(live_server, page, world, portal_account, language):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser` (npm ci)")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/lang/{language}")
    page.goto(live_server + "/portal/login")
    found = {"/portal/login": sideways(page) + violations(page)}
    portal_login(page, live_server, world.dy_ent.uscc)
    for url in ("/portal/", "/portal/annual/2025", "/portal/changes/product", f"/portal/submissions/{portal_account}"):
        page.goto(live_server + url)
        found[url] = sideways(page) + violations(page)
    assert found == {url: [] for url in found}
    page.goto(live_server + "/portal/annual/2025")  # the form's buttons are in view
    box = page.locator("input[value='提交县（市、区）审核'], input[value='Submit to the county for review']") \
        .bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_the_officers_review_pages_have_no_serious_violations(live_server, page, world, portal_account):
    login(page, live_server, "dy")
    found = {}
    for url in ("/reviews/", f"/reviews/{portal_account}", "/reviews/invite",
                f"/reviews/invite?enterprise={world.dy_ent.id}"):
        page.goto(live_server + url)
        found[url] = violations(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/reviews/{portal_account}")
    found["phone"] = sideways(page)
    assert found == {url: [] for url in found}


def test_the_declaration_reads_on_a_phone(live_server, page, world, use_db, freeze_today):
    freeze_today(DAY)
    with use_db() as session:
        from models import County
        account, secret = portal_accounts.invite(
            session, actor=session.get(User, world.dy_officer.id), county=session.get(County, world.dy.id),
            email="new@example.com", contact_name="孙七", uscc="91420281MA4PRTB01H", name="大冶新企业有限公司",
            now=datetime.now(timezone.utc))
        users.use_reset(session, secret, NEW_PASSWORD, now=datetime.now(timezone.utc))
        session.commit()
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/portal/login")
    portal_login(page, live_server, "new@example.com")
    page.goto(live_server + "/portal/declaration")
    assert sideways(page) + violations(page) == []
