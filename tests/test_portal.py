"""The enterprise portal (issue #16) through the test client: invitation and
login, a declaration's rounds, evidence files, the annual report and a change
request accepted into the record, and the reminders that stop."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from models import (
    Application, Contact, Enterprise, Evidence, OutboxMail, PoolEvent, Product, Submission, User, YearlyFigure,
)
from pool.membership import proposals
from pool.eligibility import rulebook
from pool.monitoring import outbox

from . import factories as f
from . import model_factories as mf

DAY = date(2026, 5, 1)  # 30 days before the annual deadline; the admitted member has 14 months
NEW_PASSWORD = "lantern-river-orchard-42"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _today(freeze_today):
    freeze_today(DAY)


def invite(client, auth, officer, **fields) -> str:
    """The officer invites; the one-time link's path."""
    auth.login(officer)
    url = "/reviews/invite" + (f"?enterprise={fields.pop('enterprise')}" if "enterprise" in fields else "")
    page = client.post(url, data={"contact_name": "李四", "email": "lisi@example.com", **fields})
    assert page.status_code == 200, page.get_data(as_text=True)
    auth.logout()
    link = re.search(r'id="invite-link" readonly value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return link.split("localhost.localdomain", 1)[1]


def join(client, path: str, identifier: str, password: str = NEW_PASSWORD):
    """Set the password with the link, then log in at the portal."""
    done = client.post(path, data={"new_password": password, "confirm": password})
    assert done.status_code == 302 and done.headers["Location"].endswith("/portal/login")
    return client.post("/portal/login", data={"identifier": identifier, "password": password})


@pytest.fixture
def newcomer(client, auth, world):
    """An enterprise invited to declare to 大冶市, logged in at the portal."""
    uscc = f.uscc("420281", "MA4PRTA01")
    path = invite(client, auth, "dy", name="大冶新申报科技有限公司", uscc=uscc)
    assert join(client, path, "lisi@example.com").headers["Location"].endswith("/portal/")
    return uscc


@pytest.fixture
def member(client, auth, world):
    """大冶's admitted enterprise, its contact invited and logged in."""
    path = invite(client, auth, "dy", enterprise=world.dy_ent.id)
    assert join(client, path, world.dy_ent.uscc).status_code == 302
    return world.dy_ent


def declaration_form(uscc: str, **overrides) -> dict:
    data = {"as_of": DAY.isoformat(), "assessment_year": "2025", "name": "大冶新申报科技有限公司", "uscc": uscc,
            "registered_region_code": "420281", "independent_legal_person": "1", "industry_code": f.INDUSTRY_CODE,
            "employees": "120", "operating_revenue": "6800", "total_assets": "9200", "rd_expense": "720",
            "rd_staff": "30", "has_rd_leader": "1", "ip_rules": "1", "ip_department": "1", "ip_staff": "1",
            "ip_budget": "1", "certified_gbt29490": "0", "abnormal_patent_applications": "0",
            "major_accident": "0", "violation": "0", "serious_dishonesty": "0",
            "patents-0-number": "ZL202310012345.6", "patents-0-kind": "invention", "patents-0-status": "valid",
            "patents-0-origin": "self", "patents-0-core": "1", "patents-0-industrialized": "1",
            "qualifications-0-type": "high_tech", "qualifications-0-certificate_no": "GR202442000123",
            "qualifications-0-valid_from": "2024-12-01", "qualifications-0-valid_to": "2027-11-30",
            "research_partnerships-0-partner": "湖北理工学院", "research_partnerships-0-partner_type": "university",
            "research_partnerships-0-valid_from": "2025-01-01", "research_partnerships-0-valid_to": "2027-12-31"}
    return {**data, **overrides}


# --- accounts ---------------------------------------------------------------------

def test_an_invitation_makes_one_account_per_enterprise_and_mails_the_link(client, auth, world, use_db):
    uscc = f.uscc("420281", "MA4PRTA02")
    first = invite(client, auth, "dy", name="大冶邀请测试有限公司", uscc=uscc)
    second = invite(client, auth, "dy", name="大冶邀请测试有限公司", uscc=uscc, contact_name="王五",
                    email="wangwu@example.com")
    with use_db() as session:
        account = session.scalars(select(User).where(User.username == uscc)).one()
        assert (account.role, account.county_id, account.email, account.display_name) == (
            "enterprise", world.dy.id, "wangwu@example.com", "王五")
        mails = session.scalars(select(OutboxMail).where(OutboxMail.reason == "portal")
                                .order_by(OutboxMail.id)).all()
    assert [m.to_addr for m in mails] == ["lisi@example.com", "wangwu@example.com"]
    assert second in mails[1].text_body and "大冶邀请测试有限公司" in mails[1].subject
    assert client.get(first).status_code == 404  # the earlier link stops working
    assert client.get(second).status_code == 200


def test_an_invitation_is_refused_with_the_field_named(client, auth, world):
    auth.login("dy")
    bad = client.post("/reviews/invite", data={"name": "某公司", "uscc": "91420281MA4PORT0X9",
                                               "contact_name": "李四", "email": "lisi@example.com"})
    assert bad.status_code == 422 and "统一社会信用代码 91420281MA4PORT0X9 无效" in bad.get_data(as_text=True)
    other = client.get(f"/reviews/invite?enterprise={world.yx_ent.id}")
    assert other.status_code == 404  # another county's enterprise cannot be invited, nor seen


def test_the_portal_and_the_officers_login_keep_their_accounts_apart(client, auth, world, newcomer):
    client.post("/auth/logout")
    assert client.post("/auth/login", data={"username": newcomer, "password": NEW_PASSWORD}).status_code == 401
    assert client.post("/portal/login", data={"identifier": "dy", "password": mf.PASSWORD}).status_code == 401
    assert client.post("/portal/login", data={"identifier": newcomer.lower(), "password": NEW_PASSWORD}) \
        .headers["Location"].endswith("/portal/")  # the USCC, in any case


def test_officers_cannot_use_the_portal(client, auth, world):
    auth.login("dy")
    assert client.get("/portal/").status_code == 404
    assert client.get("/portal/declaration").status_code == 404


# --- the declaration -----------------------------------------------------------------

def test_a_declaration_is_returned_with_comments_fixed_and_accepted(client, auth, world, newcomer, use_db):
    draft = client.post("/portal/declaration", data={**declaration_form(newcomer, employees="abc"), "draft": "1"})
    assert draft.status_code == 422 and "草稿已保存；标出的字段有误，未保存" in draft.get_data(as_text=True)
    with use_db() as session:
        row = session.scalars(select(Submission)).one()
        assert (row.status, row.data["uscc"], row.data["name"]) == ("draft", newcomer, "大冶新申报科技有限公司")
        assert "employees" not in row.data  # what was valid is kept, the bad value is not
    checked = client.post("/portal/declaration", data={**declaration_form(newcomer), "evaluate": "1"})
    assert checked.status_code == 200 and 'id="verdict"' in checked.get_data(as_text=True)
    upload = client.post(f"/portal/submissions/{row.id}/evidence",
                         data={"label": "高新技术企业证书", "file": (_file(PDF), "证书.pdf")})
    assert upload.status_code == 302
    sent = client.post("/portal/declaration", data={**declaration_form(newcomer), "send": "1"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/portal/submissions/{row.id}")
    assert client.post("/portal/declaration", data={**declaration_form(newcomer), "draft": "1"}).status_code == 302
    with use_db() as session:
        assert session.get(Submission, row.id).status == "submitted"  # locked: the page led to the submission
        assert session.scalar(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.to_addr == "dy@example.gov.cn", OutboxMail.reason == "portal")) == 1

    client.post("/auth/logout")
    auth.login("dy")
    queue = client.get("/reviews/").get_data(as_text=True)
    assert f"#{row.id}" in queue and "大冶新申报科技有限公司" in queue
    page = client.get(f"/reviews/{row.id}").get_data(as_text=True)
    assert "高新技术企业证书" in page and 'id="verdict"' in page
    returned = client.post(f"/reviews/{row.id}/return", data={"comment-employees": "请按社保缴纳人数填写",
                                                            "comment-general": ""})
    assert returned.status_code == 302
    with use_db() as session:
        assert session.get(Submission, row.id).status == "returned"
        note = session.scalars(select(OutboxMail).where(OutboxMail.to_addr == "lisi@example.com")
                               .order_by(OutboxMail.id.desc())).first()
        assert "退回修改" in note.text_body and f"/portal/submissions/{row.id}" in note.text_body
    auth.logout()

    client.post("/portal/login", data={"identifier": "lisi@example.com", "password": NEW_PASSWORD})
    form = client.get("/portal/declaration").get_data(as_text=True)
    assert "请按社保缴纳人数填写" in form
    assert client.post("/portal/declaration", data={**declaration_form(newcomer, employees="118"),
                                                    "send": "1"}).status_code == 302
    client.post("/auth/logout")

    auth.login("dy")
    refused = client.post(f"/reviews/{row.id}/accept", data={})
    assert refused.status_code == 422 and "请勾选确认" in refused.get_data(as_text=True)
    accepted = client.post(f"/reviews/{row.id}/accept", data={"confirm": "y"})
    assert accepted.status_code == 302
    with use_db() as session:
        enterprise = session.scalars(select(Enterprise).where(Enterprise.uscc == newcomer)).one()
        assert (enterprise.state, enterprise.county_id) == ("applied", world.dy.id)
        assert [y.employees for y in enterprise.figures] == [118]  # as resubmitted
        submission = session.get(Submission, row.id)
        assert submission.status == "accepted" and submission.enterprise_id == enterprise.id
        assert session.get(Application, submission.application_id).enterprise_id == enterprise.id
        assert submission.account.enterprise_id == enterprise.id
        assert [e.enterprise_id for e in submission.evidence] == [enterprise.id]
        assert [r.action for r in submission.rounds] == ["submitted", "returned", "submitted", "accepted"]
        assert submission.rounds[1].comments == {"employees": "请按社保缴纳人数填写"}
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert f"#{row.id}" in page and "已通过" in page  # the portal activity on the enterprise page


def test_a_declaration_that_is_not_valid_is_not_submitted(client, world, newcomer, use_db):
    sent = client.post("/portal/declaration", data={**declaration_form(newcomer, industry_code="X9"), "send": "1"})
    assert sent.status_code == 422 and "主营业务行业代码" in sent.get_data(as_text=True)
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0


# --- evidence -------------------------------------------------------------------------

def test_evidence_is_judged_by_its_content_and_size(client, app, world, newcomer, use_db):
    client.post("/portal/declaration", data={**declaration_form(newcomer), "draft": "1"})
    with use_db() as session:
        row_id = session.scalars(select(Submission.id)).one()
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    for content, name, expected in ((b"<html>not a pdf</html>", "假装.pdf", "须为 PDF、PNG 或 JPEG"),
                                    (b"", "empty.png", "文件为空"),
                                    (PDF + b" " * 1024, "big.pdf", "证明材料文件超过 1 KB 上限"),
                                    (PNG, "scan.png", "已上传材料")):
        page = client.post(f"/portal/submissions/{row_id}/evidence", data={"label": "扫描件", "file": (_file(content), name)},
                           follow_redirects=True)
        assert expected in page.get_data(as_text=True), name
    with use_db() as session:
        item, = session.scalars(select(Evidence)).all()
        assert (item.content_type, item.filename, item.size) == ("image/png", "scan.png", len(PNG))
    got = client.get(f"/portal/evidence/{item.id}")
    assert got.data == PNG and got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Disposition"].startswith("attachment")


def test_evidence_reaches_only_its_enterprise_and_its_county(client, auth, world, newcomer, use_db):
    client.post("/portal/declaration", data={**declaration_form(newcomer), "draft": "1"})
    with use_db() as session:
        row_id = session.scalars(select(Submission.id)).one()
    client.post(f"/portal/submissions/{row_id}/evidence", data={"label": "合同", "file": (_file(PDF), "合同.pdf")})
    client.post("/portal/declaration", data={**declaration_form(newcomer), "send": "1"})
    with use_db() as session:
        evidence_id = session.scalars(select(Evidence.id)).one()
    client.post("/auth/logout")
    for who, status in (("yx", 404), ("dy", 200), ("admin", 200)):
        auth.login(who)
        assert client.get(f"/reviews/evidence/{evidence_id}").status_code == status, who
        assert client.get(f"/reviews/{row_id}").status_code == status, who
        auth.logout()


# --- annual report and change requests ----------------------------------------------

def test_the_annual_report_stops_the_reminders_and_is_accepted_field_by_field(client, auth, world, member, use_db):
    with use_db() as session:
        enterprise = session.get(Enterprise, world.dy_ent.id)
        enterprise.contacts.append(Contact(name="李四", email="lisi@example.com"))
        session.commit()
        assert outbox.annual_data_reminders(session, DAY, base_url="https://pool.example") == 1
        session.commit()
        mail = session.scalars(select(OutboxMail).where(OutboxMail.reason == "annual_reminder")).one()
        assert "https://pool.example/portal/annual/2025" in mail.text_body
    page = client.get("/portal/annual/2025")
    assert page.status_code == 200
    sent = client.post("/portal/annual/2025", data={"operating_revenue": "5200.5", "rd_expense": "410",
                                                    "employees": "96", "rd_staff": "-3", "send": "1"})
    assert sent.status_code == 422 and "人数不能为负数" in sent.get_data(as_text=True)
    sent = client.post("/portal/annual/2025", data={"operating_revenue": "5200.5", "rd_expense": "410",
                                                    "employees": "96", "rd_staff": "31", "send": "1"})
    assert sent.status_code == 302
    with use_db() as session:
        assert outbox.annual_data_reminders(session, date(2026, 5, 17)) == 0  # reported: no more reminders
        row = session.scalars(select(Submission).where(Submission.kind == "annual_report")).one()
    client.post("/auth/logout")
    auth.login("dy")
    partial = client.post(f"/reviews/{row.id}/accept", data={"confirm": "y", "fields": ["operating_revenue",
                                                                                          "rd_expense", "employees"]})
    assert partial.status_code == 422 and "部分内容未采纳时，请写明理由" in partial.get_data(as_text=True)
    client.post(f"/reviews/{row.id}/accept", data={"confirm": "y", "reason": "研发人员数与社保名单不符",
                                                  "fields": ["operating_revenue", "rd_expense", "employees"]})
    with use_db() as session:
        figure = session.scalars(select(YearlyFigure).where(YearlyFigure.enterprise_id == world.dy_ent.id,
                                                            YearlyFigure.year == 2025)).one()
        assert (figure.operating_revenue, figure.rd_expense, figure.employees, figure.rd_staff) == (
            Decimal("5200.5"), Decimal("410"), 96, None)
        assert session.get(Submission, row.id).rounds[-1].accepted_fields == ["operating_revenue", "rd_expense",
                                                                              "employees"]


def test_a_certified_product_accepted_is_progress_and_proposes_graduation(client, auth, world, member, use_db):
    page = client.post("/portal/changes/product", data={"name": "高频覆铜板", "main": "1", "patent_intensive": "1",
                                                         "certificate_no": "HBMJ2026-017", "certified_on": "2026-04-20",
                                                         "send": "1"})
    assert page.status_code == 302
    with use_db() as session:
        row = session.scalars(select(Submission)).one()
    client.post("/auth/logout")
    auth.login("dy")
    taken = ["name", "main", "patent_intensive", "certificate_no", "certified_on"]
    assert client.post(f"/reviews/{row.id}/accept", data={"confirm": "y", "fields": taken}).status_code == 302
    with use_db() as session:
        product = session.scalars(select(Product).where(Product.enterprise_id == world.dy_ent.id)).one()
        assert (product.name, product.patent_intensive, product.certified_on) == ("高频覆铜板", True, date(2026, 4, 20))
        progress = session.scalars(select(PoolEvent).where(PoolEvent.enterprise_id == world.dy_ent.id,
                                                           PoolEvent.kind == "progress")).all()
        assert [e.effective_on for e in progress] == [date(2026, 4, 20)]
        enterprise = session.get(Enterprise, world.dy_ent.id)
        proposal = proposals.graduation_proposal(session, enterprise, DAY,
                                                 rulebook.policy_on(session, DAY))
        assert proposal is not None and proposal.rule == "a"


def test_a_rejection_needs_its_reason_and_ends_the_submission(client, auth, world, member, use_db):
    client.post("/portal/changes/trademark", data={"reg_no": "66778899", "owned": "1", "send": "1"})
    with use_db() as session:
        row_id = session.scalars(select(Submission.id)).one()
    client.post("/auth/logout")
    auth.login("dy")
    home = client.get("/").get_data(as_text=True)  # the officer's worklist leads to the review queue
    assert re.search(r'data-task="submissions">.*?href="/reviews/">企业报送待审核</a>\s*<span[^>]*>1</span>', home, re.S)
    assert "请写明不予通过的理由" in client.post(f"/reviews/{row_id}/reject", data={}).get_data(as_text=True)
    assert client.post(f"/reviews/{row_id}/reject", data={"reason": "注册证书不在本企业名下"}).status_code == 302
    again = client.post(f"/reviews/{row_id}/accept", data={"confirm": "y"}, follow_redirects=True)
    assert "该申报不在待审核状态" in again.get_data(as_text=True)
    with use_db() as session:
        assert session.get(Submission, row_id).status == "rejected"


def _file(content: bytes):
    import io
    return io.BytesIO(content)


def test_the_county_stops_an_enterprise_account_and_its_sessions_end(app, client, auth, world, member):
    assert client.get("/portal/").status_code == 200
    officer = app.test_client()
    officer.post("/auth/login", data={"username": "yx", "password": mf.PASSWORD})
    assert officer.post(f"/reviews/accounts/{world.dy_ent.id}/stop").status_code == 404  # not their county
    officer.post("/auth/logout")
    officer.post("/auth/login", data={"username": "dy", "password": mf.PASSWORD})
    stopped = officer.post(f"/reviews/accounts/{world.dy_ent.id}/stop", follow_redirects=True)
    assert "企业端账号已停用，其所有登录已结束" in stopped.get_data(as_text=True)
    assert client.get("/portal/").headers["Location"].startswith("/portal/login")  # its session is over
    again = client.post("/portal/login", data={"identifier": world.dy_ent.uscc, "password": NEW_PASSWORD})
    assert again.status_code == 401
    officer.post(f"/reviews/accounts/{world.dy_ent.id}/restart")
    assert client.post("/portal/login", data={"identifier": world.dy_ent.uscc, "password": NEW_PASSWORD}) \
        .status_code == 302


def test_reports_and_changes_wait_for_registration(client, world, newcomer, use_db):
    from pool.portal import submissions
    assert client.get("/portal/annual/2025").status_code == 404
    assert client.get("/portal/changes/product").status_code == 404
    with use_db() as session:
        account = session.scalars(select(User).where(User.username == newcomer)).one()
        for save in (lambda: submissions.save_annual(session, account, year=2025, figures={}, now=None),
                     lambda: submissions.save_change(session, account, part="product", values={}, now=None)):
            with pytest.raises(submissions.SubmissionRefused, match="贵企业尚未登记在库"):
                save()


def test_two_officers_deciding_at_once_get_no_error(app, client, auth, world, member, use_db, monkeypatch):
    """The second decision finds the submission decided meanwhile: a message, not a 500."""
    from pool.portal import review
    client.post("/portal/changes/trademark", data={"reg_no": "66778800", "owned": "1", "send": "1"})
    with use_db() as session:
        row_id = session.scalars(select(Submission.id)).one()
    client.post("/auth/logout")
    auth.login("dy")
    client.get(f"/reviews/{row_id}")
    original = review.reject

    def another_officer_first(session, submission, **kw):
        # What another officer's request committed between this one's read and its write
        # (PostgreSQL, read committed; SQLite serialises writers, so there it cannot happen).
        session.execute(update(Submission).where(Submission.id == row_id)
                        .values(status="rejected", version=Submission.version + 1))
        return original(session, submission, **kw)

    monkeypatch.setattr(review, "reject", another_officer_first)
    page = client.post(f"/reviews/{row_id}/reject", data={"reason": "后到"}, follow_redirects=True)
    assert page.status_code == 200 and "该申报不在待审核状态" in page.get_data(as_text=True)
    with use_db() as session:
        rounds = session.get(Submission, row_id).rounds
        assert [(r.action, r.reason) for r in rounds] == [("submitted", None)]  # the late decision left nothing


def test_a_product_on_record_certified_and_a_certificate_renewed(client, auth, world, member, use_db):
    from models import Qualification
    from pool.records import parts
    with use_db() as session:
        officer = session.get(User, world.dy_officer.id)
        enterprise = session.get(Enterprise, world.dy_ent.id)
        product = parts.add_part(session, enterprise, "product", actor=officer, today=DAY,
                                 values={"name": "高频覆铜板", "main": True})
        certificate = parts.add_part(session, enterprise, "qualification", actor=officer, today=DAY,
                                     values={"type": "high_tech", "certificate_no": "GR202342000001",
                                             "valid_from": "2023-12-01", "valid_to": "2026-11-30"})
        other = parts.add_part(session, session.get(Enterprise, world.yx_ent.id), "product",
                               actor=session.get(User, world.yx_officer.id), today=DAY, values={"name": "阳新产品"})
        session.commit()
        product_id, certificate_id, other_id = product.id, certificate.id, other.id
    home = client.get("/portal/").get_data(as_text=True)
    assert f"/portal/changes/product/rows/{product_id}" in home and f"rows/{certificate_id}/renew" in home
    assert client.get(f"/portal/changes/product/rows/{other_id}").status_code == 404  # not its own
    assert client.get(f"/portal/changes/product/rows/{product_id}/renew").status_code == 404  # only certificates
    form = client.get(f"/portal/changes/product/rows/{product_id}").get_data(as_text=True)
    assert 'value="高频覆铜板"' in form  # the record as it stands
    client.post(f"/portal/changes/product/rows/{product_id}", data={
        "name": "高频覆铜板", "main": "1", "patent_intensive": "1", "certificate_no": "HBMJ2026-040",
        "certified_on": "2026-04-25", "send": "1"})
    client.post(f"/portal/changes/qualification/rows/{certificate_id}/renew", data={"level": "",
        "type": "high_tech", "certificate_no": "GR202642000077", "valid_from": "2026-04-20",
        "valid_to": "2029-11-29", "send": "1"})
    with use_db() as session:
        change, renewal = session.scalars(select(Submission).order_by(Submission.id)).all()
        assert (change.data["action"], change.data["row_id"], renewal.data["action"]) == ("change", product_id, "renew")
    client.post("/auth/logout")
    auth.login("dy")
    page = client.get(f"/reviews/{change.id}").get_data(as_text=True)
    assert "现登记" in page and "HBMJ2026-040" in page
    assert client.post(f"/reviews/{change.id}/accept", data={
        "confirm": "y", "fields": ["patent_intensive", "certificate_no", "certified_on"]}).status_code == 302
    assert client.post(f"/reviews/{renewal.id}/accept", data={
        "confirm": "y", "fields": ["type", "certificate_no", "valid_from", "valid_to"]}).status_code == 302
    with use_db() as session:
        product = session.get(Product, product_id)
        assert (product.patent_intensive, product.certified_on, product.name) == (True, date(2026, 4, 25), "高频覆铜板")
        assert session.scalars(select(PoolEvent.effective_on).where(
            PoolEvent.enterprise_id == world.dy_ent.id, PoolEvent.kind == "progress")).all() == [date(2026, 4, 25)]
        renewed = session.scalars(select(Qualification).where(Qualification.renews_id == certificate_id)).one()
        assert (renewed.certificate_no, renewed.valid_to) == ("GR202642000077", date(2029, 11, 29))
