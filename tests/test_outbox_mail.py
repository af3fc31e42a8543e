"""The outbox and the SMTP relay (SPEC §4): each mail at most once, surviving outages.

A real SMTP server (aiosmtpd on a free loopback port) receives the mails;
"server down" is the same port with nothing listening.  Time is the ``now``
each call is given: backoff is stepped through, never slept on.
"""
import email
import re
import socket
from datetime import date, datetime, timedelta, timezone
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from models import Contact, OutboxMail, YearlyFigure, db
from pool.monitoring import flags, mailer, outbox

from . import model_factories as mf
from .concurrency import all_at_once
from .test_lifecycle import dy, officer  # noqa: F401 - fixtures
from .test_monitoring import pool_member, run

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)
SENDER = "培育库 <noreply@pool.localhost>"


class Inbox:
    """What the test SMTP server received; ``refuse`` maps an address to a reply."""

    def __init__(self):
        self.envelopes = []
        self.refuse = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[tuple[list[str], email.message.EmailMessage]]:
        return [(env.rcpt_tos, email.message_from_bytes(env.content, policy=policy.default))
                for env in self.envelopes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_config(smtp_port):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "MAIL_TIMEOUT": 5,
            "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_DEFAULT_SENDER": SENDER}


@pytest.fixture
def start_smtp(smtp_port):
    """``start_smtp()`` starts the server on ``smtp_port`` and returns its inbox."""
    controllers = []

    def start() -> Inbox:
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def inbox(start_smtp):
    return start_smtp()


def queue(session, n=1, to="ls@example.com", prefix="test"):
    for i in range(n):
        outbox.enqueue(session, f"{prefix}/{i}/{to}", reason="alert", to_addr=to,
                       subject=f"测试邮件 {i} 号", text_body=f"正文 {i}：专利产业化", html_body=f"<p>正文 {i}</p>")
    session.commit()


def states(session) -> list[tuple]:
    return session.execute(select(OutboxMail.state, OutboxMail.attempts).order_by(OutboxMail.id)).all()


def only_mail(session) -> OutboxMail:
    session.expire_all()
    return session.scalars(select(OutboxMail)).one()


# --- the outbox ------------------------------------------------------------------------

def test_enqueue_is_at_most_once_per_key(session):
    kwargs = dict(reason="alert", to_addr="a@example.com", subject="主题", text_body="正文")
    assert outbox.enqueue(session, "alert/2026-12-01/1/a@example.com", **kwargs)
    assert not outbox.enqueue(session, "alert/2026-12-01/1/a@example.com", **{**kwargs, "subject": "另一个"})
    session.commit()
    mail = only_mail(session)
    assert (mail.subject, mail.state, mail.attempts, mail.next_attempt_at) == ("主题", "pending", 0, None)
    assert mail.message_id == outbox.message_id("alert/2026-12-01/1/a@example.com")
    assert mail.message_id.startswith("<") and mail.message_id.endswith("@pool.localhost>")


@pytest.mark.parametrize("backend", ["app", "pg_app"])
def test_concurrent_enqueue_of_one_key_keeps_one(request, backend):
    app = request.getfixturevalue(backend)

    def enqueue(i):
        queued = outbox.enqueue(db.session, "digest/2026-W49/dy@example.gov.cn", reason="digest",
                                to_addr="dy@example.gov.cn", subject="周报", text_body=f"{i}")
        db.session.commit()
        return queued

    outcomes = all_at_once(app, 6, enqueue)
    assert sorted(outcomes, key=str) == [False] * 5 + [True], outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 1


# --- delivery ---------------------------------------------------------------------------

def test_mails_arrive_with_their_recipients_and_chinese_text(session, inbox, smtp_config):
    dy = mf.county(session, "420281", "大冶市")
    officers = [mf.user(session, "dy_a", county=dy), mf.user(session, "dy_b", county=dy)]
    enterprise = pool_member(session, dy, admitted=date(2025, 3, 1))
    run(session, date(2026, 12, 1))  # 21 months without progress: high
    result = mailer.send_pending(session, now=T0, smtp_config=smtp_config)
    assert (result.sent, result.deferred, result.failed) == (2, 0, 0)
    received = inbox.messages()
    assert sorted(rcpt for rcpts, _ in received for rcpt in rcpts) == sorted(o.email for o in officers)
    for rcpts, message in received:
        assert message["Subject"] == "【培育库】大冶市新增 1 项高风险提示（2026-12-01）"
        assert message["From"].addresses[0].display_name == "培育库"
        assert message["To"] == rcpts[0]
        text = message.get_body(("plain",)).get_content()
        assert f"{rcpts[0].split('@')[0]}，您好" in text
        assert enterprise.name in text and "无实质性进展（高风险）" in text
        assert "自 2025-03-01（入库）起无实质性进展已满 21 个月" in text
        assert enterprise.name in message.get_body(("html",)).get_content()
    session.expire_all()
    mails = session.scalars(select(OutboxMail)).all()
    assert {m.message_id for m in mails} == {message["Message-ID"] for _, message in received}
    assert {(m.state, m.sent_at, m.attempts) for m in mails} == {("sent", T0, 1)}
    assert mailer.send_pending(session, now=T0 + timedelta(hours=1), smtp_config=smtp_config).sent == 0
    assert len(inbox.envelopes) == 2


def test_server_down_then_up_delivers_once(session, start_smtp, smtp_config):
    queue(session)
    result = mailer.send_pending(session, now=T0, smtp_config=smtp_config)
    assert (result.sent, result.deferred) == (0, 1)
    mail = only_mail(session)
    assert (mail.state, mail.attempts, mail.next_attempt_at) == ("pending", 1, T0 + timedelta(minutes=1))
    assert "无法连接邮件服务器" in mail.last_error and "ConnectionRefusedError" in mail.last_error
    # Not due yet: nothing is attempted, nothing counted.
    assert mailer.send_pending(session, now=T0 + timedelta(seconds=30), smtp_config=smtp_config) \
        == mailer.SendResult()
    assert only_mail(session).attempts == 1
    inbox = start_smtp()
    assert mailer.send_pending(session, now=T0 + timedelta(seconds=59), smtp_config=smtp_config).sent == 0
    assert mailer.send_pending(session, now=T0 + timedelta(minutes=1), smtp_config=smtp_config).sent == 1
    mail = only_mail(session)
    assert (mail.state, mail.attempts, mail.sent_at) == ("sent", 2, T0 + timedelta(minutes=1))
    assert mailer.send_pending(session, now=T0 + timedelta(hours=5), smtp_config=smtp_config).sent == 0
    assert len(inbox.envelopes) == 1
    assert inbox.messages()[0][1]["Subject"] == "测试邮件 0 号"


def test_backoff_doubles_to_an_hour_then_gives_up_until_retried(session, start_smtp, smtp_config):
    queue(session)
    now, waits = T0, []
    while only_mail(session).state == "pending":
        mailer.send_pending(session, now=now, smtp_config=smtp_config)
        mail = only_mail(session)
        if mail.state == "pending":
            waits.append(mail.next_attempt_at - now)
            now = mail.next_attempt_at
    assert [w // timedelta(minutes=1) for w in waits] == [1, 2, 4, 8, 16, 32, 60]
    mail = only_mail(session)
    assert (mail.state, mail.attempts) == ("failed", mailer.MAX_ATTEMPTS)
    assert mail.last_error.startswith(f"已尝试 {mailer.MAX_ATTEMPTS} 次仍未发出")
    assert mailer.send_pending(session, now=now + timedelta(days=1), smtp_config=smtp_config) == mailer.SendResult()
    inbox = start_smtp()
    later = now + timedelta(days=2)
    mailer.retry(session, mail.id, later)
    session.commit()
    assert states(session) == [("pending", 0)]
    assert mailer.send_pending(session, now=later, smtp_config=smtp_config).sent == 1
    assert len(inbox.envelopes) == 1
    with pytest.raises(mailer.MailError, match="不重复发送"):
        mailer.retry(session, mail.id, later)


def test_permanent_refusal_fails_at_once_and_temporary_is_retried(session, inbox, smtp_config):
    inbox.refuse["nobody@example.com"] = "550 5.1.1 mailbox unavailable"
    inbox.refuse["busy@example.com"] = "451 4.3.0 try again later"
    for to in ("nobody@example.com", "busy@example.com", "ok@example.com"):
        queue(session, to=to)
    result = mailer.send_pending(session, now=T0, smtp_config=smtp_config)
    assert (result.sent, result.deferred, result.failed) == (1, 1, 1)
    rows = {m.to_addr: m for m in session.scalars(select(OutboxMail))}
    assert rows["nobody@example.com"].state == "failed"
    assert "拒收（550" in rows["nobody@example.com"].last_error
    assert rows["busy@example.com"].state == "pending"
    assert "暂时拒收（451" in rows["busy@example.com"].last_error
    assert [r for r, _ in inbox.messages()] == [["ok@example.com"]]


@pytest.mark.parametrize("backend", ["app", "pg_app"])
def test_two_relays_at_once_send_each_mail_once(request, backend, inbox, smtp_config):
    app = request.getfixturevalue(backend)
    with app.app_context():
        queue(db.session, n=40)

    def relay(i):
        total = 0
        while (sent := mailer.send_pending(db.session, now=T0, smtp_config=smtp_config, batch=7).sent):
            total += sent
        return total

    results = all_at_once(app, 2, relay)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 40
    ids = [message["Message-ID"] for _, message in inbox.messages()]
    assert len(ids) == len(set(ids)) == 40
    with app.app_context():
        assert {s for s, _ in states(db.session)} == {"sent"}


def test_an_interrupted_send_is_not_repeated(session, inbox, smtp_config):
    queue(session)
    mail = only_mail(session)
    mail.state, mail.claimed_by, mail.claimed_at, mail.attempts = "sending", "dead-relay", T0, 1
    session.commit()
    assert mailer.send_pending(session, now=T0 + timedelta(minutes=59), smtp_config=smtp_config) \
        == mailer.SendResult()
    assert only_mail(session).state == "sending"
    result = mailer.send_pending(session, now=T0 + timedelta(minutes=61), smtp_config=smtp_config)
    assert (result.interrupted, result.sent) == (1, 0)
    mail = only_mail(session)
    assert (mail.state, mail.last_error) == ("failed", mailer.INTERRUPTED)
    assert inbox.envelopes == []
    with pytest.raises(mailer.MailError, match="正在发送"):
        mail.state = "sending"
        mailer.retry(session, mail.id, T0)
    session.rollback()
    mailer.retry(session, mail.id, T0 + timedelta(hours=2))
    session.commit()
    assert mailer.send_pending(session, now=T0 + timedelta(hours=2), smtp_config=smtp_config).sent == 1


def test_send_mail_cli(app, runner, inbox, smtp_config):
    app.config.update(smtp_config)
    with app.app_context():
        queue(db.session, n=3)
    result = runner.invoke(args=["pool", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "已发送 3 封，稍后重试 0 封，失败 0 封" in result.output
    assert len(inbox.envelopes) == 3


# --- digest and reminders ------------------------------------------------------------------

def test_weekly_digest_once_per_officer_and_week(session, inbox, smtp_config):
    dy = mf.county(session, "420281", "大冶市")
    yx = mf.county(session, "420222", "阳新县")
    dy_officer = mf.user(session, "dy", county=dy)
    mf.user(session, "yx", county=yx)  # no flags in 阳新县: no digest
    enterprise = pool_member(session, dy, admitted=date(2025, 3, 1))
    run(session, date(2026, 9, 1))  # one warning
    monday = date(2026, 9, 7)
    assert outbox.weekly_digest(session, monday) == 1
    assert outbox.weekly_digest(session, monday + timedelta(days=3)) == 0, "same ISO week"
    session.commit()
    mailer.send_pending(session, now=T0, smtp_config=smtp_config)
    (rcpts, message), = inbox.messages()
    assert rcpts == [dy_officer.email]
    assert message["Subject"] == "【培育库】大冶市风险周报（2026 年第 37 周，未关闭 1 项）"
    text = message.get_body(("plain",)).get_content()
    assert "共有 1 项未关闭的风险提示（预警 1）" in text
    assert f"[预警] {enterprise.name} —— 无实质性进展（2026-09-01 起）" in text
    assert outbox.weekly_digest(session, monday + timedelta(days=7)) == 1


def test_annual_reminders_30_14_7_days_before_the_deadline(session, dy_with_contact):
    enterprise, contact = dy_with_contact
    expected = {date(2026, 4, 30): 0, date(2026, 5, 1): 1, date(2026, 5, 2): 0, date(2026, 5, 17): 1,
                date(2026, 5, 20): 0, date(2026, 5, 24): 1, date(2026, 5, 31): 0, date(2026, 6, 1): 0}
    for day, queued in expected.items():
        assert outbox.annual_data_reminders(session, day) == queued, day
    session.commit()
    keys = session.scalars(select(OutboxMail.key).order_by(OutboxMail.id)).all()
    assert keys == [f"annual_reminder/2026-05-31/{d}d/{enterprise.id}/{contact.email}" for d in (30, 14, 7)]
    mail = session.scalars(select(OutboxMail)).first()
    assert mail.subject == f"【培育库】请于 2026-05-31 前报送 2025 年度数据（{enterprise.name}）"
    assert "距截止日还有 30 天" in mail.text_body
    assert "目前尚缺：营业收入、研发投入、职工总数、研发人员数" in mail.text_body
    assert (mail.county_id, mail.enterprise_id, mail.to_addr) == (enterprise.county_id, enterprise.id, contact.email)


def test_a_missed_reminder_day_catches_up_with_the_latest_stage(session, dy_with_contact):
    assert outbox.annual_data_reminders(session, date(2026, 5, 20)) == 1  # 11 days left: the 14-day one
    assert outbox.annual_data_reminders(session, date(2026, 5, 21)) == 0
    assert session.scalars(select(OutboxMail.key)).one().split("/")[2] == "14d"


def test_reminders_only_for_missing_figures_and_willing_contacts(session, dy_with_contact):
    enterprise, contact = dy_with_contact
    enterprise.contacts.append(Contact(name="不收提醒", email="no@example.com", receives_reminders=False))
    enterprise.contacts.append(Contact(name="无邮箱", email=None))
    session.add(YearlyFigure(enterprise_id=enterprise.id, year=2025, operating_revenue=1000, rd_expense=100,
                             employees=50))
    session.flush()
    assert outbox.annual_data_reminders(session, date(2026, 5, 1)) == 1
    assert "目前尚缺：研发人员数" in session.scalars(select(OutboxMail.text_body)).one()
    session.execute(YearlyFigure.__table__.update().values(rd_staff=10))
    assert outbox.annual_data_reminders(session, date(2026, 5, 17)) == 0


@pytest.fixture
def dy_with_contact(session):
    dy = mf.county(session, "420281", "大冶市")
    enterprise = pool_member(session, dy, admitted=date(2025, 3, 1), years=range(2022, 2025))
    contact = Contact(name="张三", email="zs@example.com")
    enterprise.contacts.append(contact)
    session.flush()
    return enterprise, contact


def test_flag_labels_cover_every_kind_and_severity():
    from models.monitoring import FLAG_KINDS, SEVERITIES
    assert set(flags.KIND_LABELS) == set(FLAG_KINDS)
    assert set(flags.SEVERITY_LABELS) == set(SEVERITIES)


def test_a_mail_that_cannot_be_built_fails_alone_and_the_batch_goes_on(session, inbox, smtp_config):
    """CR/LF in a subject (an enterprise name stored before names were checked)
    makes ``EmailMessage`` refuse the header: that mail fails at once, with the
    reason; the mails before and after it are sent in the same run."""
    queue(session, 1, prefix="before")
    outbox.enqueue(session, "bad/0", reason="annual_reminder", to_addr="ls@example.com",
                   subject="【培育库】请报送年度数据（坏名字\r\nBcc: victim@example.com）",
                   text_body="正文")
    queue(session, 2, prefix="after")
    session.commit()
    result = mailer.send_pending(session, now=T0, smtp_config=smtp_config)
    assert (result.sent, result.deferred, result.failed) == (3, 0, 1)
    session.expire_all()
    bad = session.scalar(select(OutboxMail).where(OutboxMail.key == "bad/0"))
    assert bad.state == "failed" and bad.claimed_by is None
    assert bad.last_error.startswith("无法生成邮件")
    assert [m.state for m in session.scalars(select(OutboxMail).where(OutboxMail.key != "bad/0"))] \
        == ["sent"] * 3
    assert len(inbox.messages()) == 3
    assert all("victim" not in str(rcpt) for rcpt, _msg in inbox.messages())


# --- links and the preview (issue #15) ----------------------------------------------------

def test_each_flag_in_a_mail_links_to_its_page(app, session, dy, officer):
    from models import RiskFlag
    from pool.monitoring import scan as monitoring
    officer.email = "dy@example.gov.cn"
    member = pool_member(session, dy)
    member.has_rd_leader = False
    session.commit()
    monitoring.scan(session, date(2026, 3, 2), base_url="https://pool.hs.gov.cn/")
    session.commit()
    flag_id = session.scalar(select(RiskFlag.id))
    mail = session.scalars(select(OutboxMail)).one()
    assert f"https://pool.hs.gov.cn/monitor/flags/{flag_id}" in mail.text_body
    assert f'<a href="https://pool.hs.gov.cn/monitor/flags/{flag_id}">' in mail.html_body
    assert outbox.weekly_digest(session, date(2026, 3, 2), base_url="https://pool.hs.gov.cn") == 1
    digest = session.scalar(select(OutboxMail).where(OutboxMail.reason == "digest"))
    assert f"https://pool.hs.gov.cn/monitor/flags/{flag_id}" in digest.text_body
    # the paths the mails use are the web layer's routes
    adapter = app.url_map.bind("pool.hs.gov.cn")
    assert adapter.match(outbox.FLAG_PATH.format(id=flag_id))[0] == "flags.detail"
    assert adapter.match(outbox.MONITOR_PATH)[0] == "monitor.dashboard"


def test_without_an_address_a_mail_has_no_links(session, dy, officer):
    officer.email = "dy@example.gov.cn"
    member = pool_member(session, dy)
    member.has_rd_leader = False
    session.commit()
    run(session, date(2026, 3, 2))
    assert "http" not in session.scalars(select(OutboxMail)).one().text_body


def test_the_administrator_previews_a_mail_as_sent(client, auth, use_db):
    with use_db() as session:
        mf.user(session, "admin", role="city_admin")
        county = mf.county(session)
        mf.user(session, "dy", county=county)
        outbox.enqueue(session, "alert/x/dy@example.gov.cn", reason="alert", to_addr="dy@example.gov.cn",
                       subject="【培育库】测试预览", text_body="正文第一行\nhttps://pool.example/monitor/flags/1",
                       html_body="<p style=\"color: red\">HTML 正文</p>")
        session.commit()
        mail_id = session.scalar(select(OutboxMail.id))
    auth.login("admin")
    page = client.get(f"/monitor/outbox/{mail_id}")
    assert page.status_code == 200 and "正文第一行" in page.text and "sandbox" in page.text
    html = client.get(f"/monitor/outbox/{mail_id}/html")
    assert html.status_code == 200 and "HTML 正文" in html.text
    assert "sandbox" in html.headers["Content-Security-Policy"] and "script-src" not in html.headers[
        "Content-Security-Policy"]
    auth.logout()
    auth.login("dy")
    assert client.get(f"/monitor/outbox/{mail_id}").status_code == 403


def test_every_mail_is_written_in_chinese_then_in_english(session, dy_with_contact):
    enterprise, contact = dy_with_contact
    assert outbox.annual_data_reminders(session, date(2026, 5, 1)) == 1
    mail = session.scalars(select(OutboxMail)).one()
    chinese, english = mail.text_body.split("—" * 20)
    english, signature = english.split("\n——\n")
    assert "请于 2026-05-31 前报送 2025 年度数据" in chinese
    assert "Please report your 2025 figures by 2026-05-31" in english and "Still missing: " in english
    names = (enterprise.name, contact.name, enterprise.county.name)
    left = english
    for name in names:
        left = left.replace(name, "")
    assert not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", left), left
    assert signature.splitlines()[1].startswith("Huangshi Patent Industrialisation")
    assert '<div lang="zh-CN">' in mail.html_body and '<div lang="en">' in mail.html_body
