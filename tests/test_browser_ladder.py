"""Issue #17 in a real browser: a county officer finds a graduate's next rung on the enterprise page,
applies and admits it to 接续培育 (each step confirmed) and looks at the pool on the day before, the city administrator previews a criteria
version before saving it; the pages pass axe-core in Chinese and in English."""
from datetime import date

import pytest

from models import db

from .ladder_world import graduate_from_first_pool
from .test_accessibility import AXE, violations
from .test_browser import live_server, page  # noqa: F401 - fixtures
from .test_browser_workflows import login

pytestmark = pytest.mark.browser


def test_from_graduation_to_the_next_rung_and_a_previewed_version(live_server, page, world, app, freeze_today):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser` (npm ci)")
    freeze_today(date(2026, 6, 30))
    with app.app_context():
        graduate_from_first_pool(db.session, world.dy_ent.id, date(2026, 3, 1))
        db.session.commit()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    login(page, live_server, "dy")
    page.goto(f"{live_server}/enterprises/{world.dy_ent.id}")
    ladder = page.locator("#ladder")
    assert "出库样板企业接续培育" in ladder.inner_text() and "建议接续" in ladder.inner_text()
    found = {"enterprise": violations(page)}
    ladder.locator("a:text-is('申报入库')").click()
    page.wait_for_selector("form input[name=on]")
    found["apply"] = violations(page)
    page.click("input[type=submit][value=确认]")
    page.wait_for_selector("#membership-state")
    assert page.inner_text("#membership-state") == "已申报"
    page.click("#membership-actions a:text-is('入库')")
    page.click("input[type=submit][value=确认]")
    page.wait_for_selector("#pool-verdict")
    assert page.inner_text("#membership-state") == "培育中"
    assert len(dialogs) == 2 and all("确认提交" in d for d in dialogs)
    found["membership"] = violations(page)
    page.goto(f"{live_server}/pools/huangshi-continuing-2024/")
    page.fill("#as_of", "2026-06-29")  # the day before: not yet in the pool
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("#as-of")
    assert "2026-06-29 的名单" in page.inner_text("#as-of")
    assert "大冶磁湖科技有限公司" not in page.inner_text("#members")
    found["pool on a day"] = violations(page)

    page.context.clear_cookies()  # another person at another desk
    login(page, live_server, "admin")
    page.goto(live_server + "/pools/xuchang-2022/versions/new")
    page.fill("input[name=valid_from]", "2026-07-01")
    page.fill("input[name=source]", "市局决定")
    page.click("input[name=preview]")
    page.wait_for_selector("#what-if")
    found["version"] = violations(page)
    page.click("input[name=save]")
    page.wait_for_selector("#versions")
    assert "自 2026-07-01 起" in page.inner_text("#versions")
    page.goto(live_server + "/lang/en")
    page.goto(live_server + "/pools/")
    assert "Pools (tiered cultivation)" in page.inner_text("h1")
    found["en pools"] = violations(page)
    page.goto(f"{live_server}/pools/huangshi-continuing-2024/enterprises/{world.dy_ent.id}")
    found["en membership"] = violations(page)
    assert found == {k: [] for k in found}, found
