"""Issue #16 in a real browser: an enterprise declares itself through the
portal round by round, and an admitted one follows its annual reminder,
reports its figures and proposes a certified product that graduates it."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from models import Enterprise, Evidence, OutboxMail, PoolEvent, User
from pool.access import users
from pool.monitoring import outbox
from pool.portal import accounts as portal_accounts

from .test_browser import live_server, page  # noqa: F401 - fixtures
from .test_browser_workflows import as_another_person, login
from .test_portal import NEW_PASSWORD, PDF

pytestmark = pytest.mark.browser
DAY = date(2026, 5, 1)


def portal_login(page, live_server, identifier, password=NEW_PASSWORD, expect="/portal/"):
    page.fill("input[name=identifier]", identifier)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.url.startswith(live_server + expect), page.url


def test_an_enterprise_declares_is_returned_resubmits_and_is_registered(live_server, page, world, use_db,
                                                                          freeze_today, tmp_path):
    freeze_today(DAY)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "dy")
    page.click("nav >> text=企业报送")
    page.click("text=邀请企业使用企业端")
    page.fill("input[name=name]", "大冶门户申报科技有限公司")
    page.fill("input[name=uscc]", "91420281MA4PRTB01H")
    page.fill("input[name=contact_name]", "赵敏")
    page.fill("input[name=email]", "zhaomin@example.com")
    page.click("input[value='发送邀请']")
    page.wait_for_selector("#invite-link")
    link = page.input_value("#invite-link")

    contact = as_another_person(page)
    contact.on("dialog", lambda dialog: dialog.accept())
    contact.goto(link)
    contact.fill("input[name=new_password]", NEW_PASSWORD)
    contact.fill("input[name=confirm]", NEW_PASSWORD)
    contact.click("input[value='设置密码']")
    contact.wait_for_url(live_server + "/portal/login")
    portal_login(contact, live_server, "zhaomin@example.com")
    contact.click("#task-declaration >> text=开始申报")
    assert contact.input_value("input[name=uscc]") == "91420281MA4PRTB01H"
    contact.fill("input[name=name]", "大冶门户申报科技有限公司")
    contact.fill("input[name=employees]", "85")
    contact.fill("input[name=operating_revenue]", "3200")
    contact.fill("input[name=industry_code]", "C3562")
    with contact.expect_navigation():
        contact.click("input[value='保存草稿']")
    assert "草稿已保存" in contact.inner_text("main")
    certificate = tmp_path / "高新技术企业证书.pdf"
    certificate.write_bytes(PDF)
    contact.fill("#evidence input[name=label]", "高新技术企业证书")
    contact.set_input_files("#evidence input[name=file]", str(certificate))
    with contact.expect_navigation():
        contact.click("#evidence input[value='上传']")
    assert "高新技术企业证书" in contact.inner_text("#evidence")
    with contact.expect_navigation():
        contact.click("input[value='提交县（市、区）审核']")
    assert contact.inner_text("#status") == "待审核"

    page.goto(live_server + "/reviews/")
    page.click("#queue tbody tr:has-text(\"大冶门户申报科技有限公司\") a")
    page.wait_for_selector("#fields")
    assert "高新技术企业证书" in page.inner_text("main")
    page.fill("input[name='comment-employees']", "请填写年末从业人员数")
    with page.expect_navigation():
        page.click("button:has-text('退回修改')")
    assert page.inner_text("#status") == "已退回修改"

    contact.goto(live_server + "/portal/")
    contact.click("#task-declaration >> text=继续办理")
    assert "请填写年末从业人员数" in contact.inner_text("#comments")
    contact.fill("input[name=employees]", "92")
    with contact.expect_navigation():
        contact.click("input[value='提交县（市、区）审核']")
    assert contact.inner_text("#status") == "待审核"
    assert "退回修改" in contact.inner_text("#rounds")

    page.reload()
    page.check("#accept-form input[name=confirm]")
    with page.expect_navigation():
        page.click("#accept-form input[type=submit]")
    assert page.inner_text("h1").startswith("大冶门户申报科技有限公司")
    assert "已申报" in page.inner_text("main")
    assert "已通过" in page.inner_text("#portal")
    with use_db() as session:
        enterprise = session.scalars(select(Enterprise).where(Enterprise.uscc == "91420281MA4PRTB01H")).one()
        assert enterprise.state == "applied"
        assert [e.label for e in session.scalars(select(Evidence).where(Evidence.enterprise_id == enterprise.id))] \
            == ["高新技术企业证书"]
    contact.goto(live_server + "/portal/")
    assert "已申报" in contact.inner_text("main")


def test_an_admitted_enterprise_follows_its_reminder_and_graduates(live_server, page, world, use_db, freeze_today):
    freeze_today(DAY)
    with use_db() as session:
        from datetime import datetime, timezone
        from models import Contact
        enterprise = session.get(Enterprise, world.dy_ent.id)
        enterprise.contacts.append(Contact(name="钱六", email="qianliu@example.com"))
        account, secret = portal_accounts.invite(
            session, actor=session.get(User, world.dy_officer.id), county=enterprise.county,
            email="qianliu@example.com", contact_name="钱六", enterprise=enterprise,
            now=datetime.now(timezone.utc))
        users.use_reset(session, secret, NEW_PASSWORD, now=datetime.now(timezone.utc))
        assert outbox.annual_data_reminders(session, DAY, base_url=live_server) == 1
        session.commit()
        body = session.scalars(select(OutboxMail.text_body).where(OutboxMail.reason == "annual_reminder")).one()
    link = re.search(r"(http://\S+/portal/annual/2025)", body).group(1)

    contact = page
    contact.on("dialog", lambda dialog: dialog.accept())
    contact.goto(link)
    assert "/portal/login" in contact.url
    portal_login(contact, live_server, world.dy_ent.uscc, expect="/portal/annual/2025")
    contact.fill("input[name=operating_revenue]", "4100.25")
    contact.fill("input[name=rd_expense]", "380")
    contact.fill("input[name=employees]", "88")
    contact.fill("input[name=rd_staff]", "24")
    with contact.expect_navigation():
        contact.click("input[value='提交县（市、区）审核']")
    assert contact.inner_text("#status") == "待审核"
    contact.goto(live_server + "/portal/")
    contact.click("#task-changes >> text=新增产品")
    contact.fill("input[name=name]", "高纯铜箔")
    contact.select_option("select[name=patent_intensive]", "1")
    contact.fill("input[name=certificate_no]", "HBMJ2026-031")
    contact.fill("input[name=certified_on]", "2026-04-18")
    with contact.expect_navigation():
        contact.click("button:has-text('提交县（市、区）审核')")
    assert contact.inner_text("#status") == "待审核"

    officer = as_another_person(page)
    officer.on("dialog", lambda dialog: dialog.accept())
    login(officer, live_server, "dy")
    officer.click("nav >> text=企业报送")
    assert officer.locator("#queue tbody tr").count() == 2
    for _ in range(2):
        officer.goto(live_server + "/reviews/")
        officer.click("#queue tbody tr:first-child a")
        officer.check("#accept-form input[name=confirm]")
        with officer.expect_navigation():
            officer.click("#accept-form input[type=submit]")
        assert officer.inner_text("#status") == "已通过"
    officer.goto(f"{live_server}/enterprises/{world.dy_ent.id}")
    actions = officer.inner_text("#actions")
    assert "建议培育出库" in actions and "高纯铜箔" in actions
    with use_db() as session:
        progress = session.scalars(select(PoolEvent).where(PoolEvent.enterprise_id == world.dy_ent.id,
                                                           PoolEvent.kind == "progress")).all()
        assert [e.effective_on for e in progress] == [date(2026, 4, 18)]
        assert outbox.annual_data_reminders(session, date(2026, 5, 17), base_url=live_server) == 0
