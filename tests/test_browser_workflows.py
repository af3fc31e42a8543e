"""Two of issue #15's working days in a real browser: the administrator creates
an officer who sets their own password with the one-time link, and a county's
graduation waits for the city, which confirms one and returns another."""
from datetime import date

import pytest
from sqlalchemy import select

from models import ExitRequest
from pool.eligibility.policy import Policy
from pool.membership.history import pool_on
from pool.membership.quota import quota

from .test_browser import live_server, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
NEW_PASSWORD = "lantern-river-orchard-42"
ADMITTED, ASKED_ON = date(2025, 1, 10), date(2026, 2, 1)  # more than 12 months in the pool


def login(page, live_server, username, password="correct-horse-9"):
    page.goto(live_server + "/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/")


def as_another_person(page):
    """A fresh browser context (no cookies) beside ``page``'s, in Chinese."""
    return page.context.browser.new_context(locale="zh-CN").new_page()


def test_the_administrator_creates_an_officer_who_sets_a_password(live_server, page, world, freeze_today):
    freeze_today(date(2026, 6, 1))
    login(page, live_server, "admin")
    page.goto(live_server + "/admin/users/")
    page.click("a:has-text('新建账号')")
    page.fill("input[name=username]", "dy_wang")
    page.fill("input[name=display_name]", "王晓")
    page.fill("input[name=email]", "wangxiao@example.gov.cn")
    page.select_option("select[name=role]", "county_officer")
    page.select_option("select[name=county]", label="大冶市")
    page.click("input[value='创建账号']")
    page.wait_for_selector("#reset-link")
    assert "已创建账号 dy_wang" in page.inner_text("h1")
    link = page.input_value("#reset-link")
    assert link.startswith(live_server + "/auth/reset/")

    page.click("a:has-text('完成')")
    page.wait_for_selector("#account-trail")
    trail = page.inner_text("#account-trail")
    assert "dy_wang" in trail and world.admin.username in trail  # the creation, and who made it
    assert link.rsplit("/", 1)[1] not in page.content()  # the link is shown once, never again
    page.goto(live_server + "/admin/users/?q=dy_wang")
    assert "大冶市" in page.inner_text("#users")

    officer = as_another_person(page)
    officer.goto(link)
    assert "dy_wang" in officer.inner_text("main")
    officer.fill("input[name=new_password]", NEW_PASSWORD)
    officer.fill("input[name=confirm]", NEW_PASSWORD)
    officer.click("input[value='设置密码']")
    officer.wait_for_url(live_server + "/auth/login")
    assert "密码已设置" in officer.inner_text("main")
    login(officer, live_server, "dy_wang", NEW_PASSWORD)
    assert "大冶市" in officer.inner_text("nav.navbar")
    officer.goto(live_server + "/enterprises/")
    listed = officer.inner_text("#enterprise-list")
    assert world.dy_ent.name in listed and world.yx_ent.name not in listed
    assert officer.goto(f"{live_server}/enterprises/{world.yx_ent.id}").status == 404
    assert officer.goto(link).status == 404  # used once
    assert "链接无效" in officer.inner_text("main")


@pytest.fixture
def graduating(use_db, world):
    """Two enterprises of 大冶市 admitted in the first round, each with a product
    certified after admission: graduation rule (a) holds on ASKED_ON."""
    from models import County, User

    from .test_lifecycle import certify, member, open_round

    with use_db() as session:
        county, officer = session.get(County, world.dy.id), session.get(User, world.dy_officer.id)
        open_round(session, date(2025, 1, 1), date(2025, 3, 31))
        ids = []
        for name in ("大冶聚源电子有限公司", "大冶同舟机械有限公司"):
            enterprise = member(session, county, officer, ADMITTED)
            enterprise.name = name
            certify(session, enterprise, date(2025, 6, 1))
            ids.append((enterprise.id, name))
        session.commit()
    return ids


def ask_to_graduate(page, live_server, enterprise_id, reason):
    """The county officer's graduation, confirmed in the page's dialog."""
    page.goto(f"{live_server}/enterprises/{enterprise_id}")
    page.click("#actions a:has-text('培育出库')")
    page.check("input[name=rule][value=a]")
    page.fill("textarea[name=reason]", reason)
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.wait_for_selector("#exit-request")


def test_a_countys_graduation_is_confirmed_or_returned_by_the_city(live_server, page, world, use_db,
                                                                    graduating, freeze_today):
    freeze_today(ASKED_ON)
    (kept, kept_name), (returned, returned_name) = graduating
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "dy")
    ask_to_graduate(page, live_server, kept, "新认定专利密集型产品")
    assert "培育出库申请待市级确认" in page.inner_text("#exit-request")
    assert "已提交市级确认" in page.inner_text("main")
    assert page.inner_text("h1 + .badge") == "培育中"  # nothing changes until the city confirms
    assert "累计出库 0 家" in page.inner_text("#quota")
    ask_to_graduate(page, live_server, returned, "产品已认定")
    page.goto(live_server + "/")
    assert "2" in page.inner_text("#worklist .task[data-task='exits'] .task-count")

    admin = as_another_person(page)
    admin.on("dialog", lambda dialog: dialog.accept())
    login(admin, live_server, "admin")
    admin.click("#worklist .task[data-task='exits'] h3 a")
    admin.wait_for_selector("#exit-requests")
    row = admin.locator("#exit-requests tbody tr", has_text=kept_name)
    assert "新认定专利密集型产品" in row.inner_text() and "dy" in row.inner_text()
    with admin.expect_navigation():
        row.locator("input[value='确认生效']").click()
    assert f"已确认：{kept_name} 培育出库，自 {ASKED_ON} 起生效" in admin.inner_text("main")

    row = admin.locator("#exit-requests tbody tr", has_text=returned_name)
    row.locator("textarea[name=reason]").fill("请补充专利密集型产品认定证书")
    with admin.expect_navigation():
        row.locator("input[value='退回县（市、区）']").click()
    assert f"已退回：{returned_name}" in admin.inner_text("main")
    assert "请补充专利密集型产品认定证书" in admin.locator(
        "#exit-requests tbody tr", has_text=returned_name).inner_text()

    # the county sees the graduation done, its place counted, and why the other came back
    page.goto(f"{live_server}/enterprises/{kept}")
    assert page.inner_text("h1 + .badge") == "已出库"
    page.goto(f"{live_server}/enterprises/{returned}")
    assert page.inner_text("h1 + .badge") == "培育中"
    assert "累计出库 1 家，名额 2 个" in page.inner_text("#quota")
    returned_note = page.inner_text("#exit-returned")
    assert "市级已退回培育出库申请" in returned_note and "请补充专利密集型产品认定证书" in returned_note
    page.goto(live_server + "/enterprises/?state=graduated")
    assert kept_name in page.inner_text("#enterprise-list")
    assert returned_name not in page.inner_text("#enterprise-list")

    with use_db() as session:
        snapshot = Policy().in_force(ASKED_ON)
        assert quota(session, world.dy.id, ASKED_ON, snapshot).graduated == 1
        in_pool = pool_on(session, ASKED_ON)
        assert (in_pool[kept], in_pool[returned]) == ("graduated", "admitted")
        statuses = dict(session.execute(select(ExitRequest.enterprise_id, ExitRequest.status)).all())
        assert statuses == {kept: "approved", returned: "returned"}
