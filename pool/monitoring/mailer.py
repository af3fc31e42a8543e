"""The mail relay: sends the outbox's due mails over SMTP (smtplib), each at most once.

Contract: plain inputs and an explicit aware ``now``; the SMTP settings come
as a mapping (``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS``, ``MAIL_USE_SSL``,
``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_DEFAULT_SENDER``, ``MAIL_TIMEOUT`` —
the app's config will do).  Unlike the domain modules, :func:`send_pending`
**commits** on the session it is given, several times: a claim and each
delivery must be durable before the next step, or two relays could send one
mail twice.

How a mail moves (``pending`` → ``sending`` → ``sent`` | ``pending`` again | ``failed``):

1. **Claim.**  One ``UPDATE … WHERE state = 'pending' AND due`` marks up to
   ``batch`` due mails ``sending`` with this relay's id and counts the
   attempt; committed before any SMTP traffic.  A second relay's UPDATE finds
   them no longer pending (PostgreSQL re-checks the row after the first
   commits; SQLite's ``BEGIN IMMEDIATE`` serialises), so it cannot send them.
2. **Send** over one SMTP connection; each accepted mail is marked ``sent``
   with ``sent_at`` and committed at once.
3. **Failure.**  A connection failure (refused, timeout, dropped) or a
   temporary refusal (4xx) puts the mail back to ``pending`` with
   ``last_error`` and ``next_attempt_at = now + backoff`` (1, 2, 4 … minutes,
   capped at 60); after :data:`MAX_ATTEMPTS` attempts it is ``failed``.  A
   permanent refusal (5xx: no such mailbox, rejected sender) is ``failed`` at
   once — retrying cannot change it.  So is a mail that cannot be built at
   all (a header the ``email`` package refuses, such as CR/LF in a subject
   written before names were checked); the batch goes on with the next one.
   A failed mail can be sent again with :func:`retry` (the UI's button),
   which starts a new series of attempts.

**At most once, not at least once.**  If the relay dies after the SMTP server
accepted a mail but before ``sent`` was committed, the mail stays ``sending``.
Such a claim older than :data:`STALE_AFTER` is marked ``failed`` with an
explanation instead of being sent again: the server may have delivered it,
and SPEC §4 says each mail is sent at most once.  An officer who confirms it
never arrived presses retry; the unchanged ``Message-ID`` lets mail clients
drop a duplicate.
"""
from __future__ import annotations

import email.errors
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import and_, or_, select, update

from models import OutboxMail
from models.monitoring import FAILED, PENDING, SENDING, SENT

MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(hours=1)
STALE_AFTER = timedelta(hours=1)  # far beyond a batch's MAIL_TIMEOUT per mail
INTERRUPTED = ("发送中断：中继在发送过程中停止，无法确认对方服务器是否已接收。"
               "为避免重复发送，系统不自动重试；确认收件人未收到后可手动重发。")


class MailError(ValueError):
    """A request the outbox refuses (e.g. resending a sent mail)."""


@dataclass
class SendResult:
    sent: int = 0
    deferred: int = 0  # back to pending, to be retried later
    failed: int = 0
    interrupted: int = 0  # stale claims marked failed (see the module docstring)

    def summary(self) -> str:
        text = f"已发送 {self.sent} 封，稍后重试 {self.deferred} 封，失败 {self.failed} 封"
        return text + (f"，发送中断 {self.interrupted} 封" if self.interrupted else "")


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _require_aware(now: datetime) -> None:
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise TypeError("now 须为带时区的 datetime")


def due(now: datetime):
    """SQL condition: a pending mail whose next attempt is due at ``now``."""
    return and_(OutboxMail.state == PENDING,
                or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now))


def send_pending(session, *, now: datetime, smtp_config, batch: int = 100,
                 relay_id: str | None = None) -> SendResult:
    """Send up to ``batch`` due mails; commits (see the module docstring)."""
    _require_aware(now)
    relay = relay_id or uuid.uuid4().hex
    result = SendResult(interrupted=_fail_interrupted(session, now))
    claimed = _claim(session, now, relay, batch)
    session.commit()
    if not claimed:
        return result
    mails = list(session.scalars(select(OutboxMail).where(
        OutboxMail.claimed_by == relay, OutboxMail.state == SENDING).order_by(OutboxMail.id)))
    try:
        connection = _connect(smtp_config)
    except (OSError, smtplib.SMTPException) as exc:
        for mail in mails:
            _defer(mail, now, f"无法连接邮件服务器：{_describe(exc)}", result)
        session.commit()
        return result
    sender = smtp_config.get("MAIL_DEFAULT_SENDER") or "noreply@pool.localhost"
    try:
        for index, mail in enumerate(mails):
            try:
                built = message(mail, sender, now)
                built.as_bytes()  # what send_message writes: any header it refuses shows here
            except (ValueError, TypeError, LookupError, email.errors.MessageError) as exc:
                # This mail can never be built (e.g. CR/LF in a subject); the
                # connection is untouched, so the rest of the batch goes on.
                mail.state, mail.claimed_by = FAILED, None
                mail.last_error = f"无法生成邮件（数据有误，重发也不会成功）：{_describe(exc)}"[:2000]
                result.failed += 1
                session.commit()
                continue
            try:
                connection.send_message(built)
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = next(iter(exc.recipients.values()))
                _refused(mail, now, code, reply, result)
            except smtplib.SMTPResponseException as exc:
                _refused(mail, now, exc.smtp_code, exc.smtp_error, result)
            except (OSError, smtplib.SMTPException) as exc:  # the connection is gone
                for rest in mails[index:]:
                    _defer(rest, now, f"发送过程中连接中断：{_describe(exc)}", result)
                session.commit()
                break
            else:
                mail.state, mail.sent_at = SENT, now
                result.sent += 1
            session.commit()  # each delivery is durable before the next one
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return result


def retry(session, mail_id: int, now: datetime) -> OutboxMail:
    """Make a failed (or waiting) mail due again at ``now`` with a fresh series
    of attempts; flushes, the caller commits.

    :raise MailError: if the mail does not exist, was sent, or is being sent.
    """
    _require_aware(now)
    mail = session.get(OutboxMail, mail_id)
    if mail is None:
        raise MailError(f"邮件 {mail_id} 不存在")
    if mail.state == SENT:
        raise MailError(f"邮件已于 {mail.sent_at} 发送，不重复发送")
    if mail.state == SENDING:
        raise MailError("邮件正在发送，请稍后再看")
    mail.state, mail.attempts, mail.next_attempt_at, mail.claimed_by = PENDING, 0, now, None
    session.flush()
    return mail


def message(mail: OutboxMail, sender: str, now: datetime) -> EmailMessage:
    """The MIME message of ``mail``: text and HTML alternatives, stable Message-ID."""
    msg = EmailMessage()
    msg["Subject"] = mail.subject
    msg["From"] = sender
    msg["To"] = mail.to_addr
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = mail.message_id
    msg.set_content(mail.text_body)
    if mail.html_body:
        msg.add_alternative(mail.html_body, subtype="html")
    return msg


def _claim(session, now: datetime, relay: str, batch: int) -> int:
    candidates = select(OutboxMail.id).where(due(now)).order_by(OutboxMail.id).limit(batch)
    return session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(candidates.scalar_subquery()), due(now))
        .values(state=SENDING, claimed_by=relay, claimed_at=now, attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount


def _fail_interrupted(session, now: datetime) -> int:
    count = session.execute(
        update(OutboxMail)
        .where(OutboxMail.state == SENDING, OutboxMail.claimed_at < now - STALE_AFTER)
        .values(state=FAILED, last_error=INTERRUPTED)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return count


def _connect(config) -> smtplib.SMTP:
    host = config.get("MAIL_SERVER") or "localhost"
    port = int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT") or 15)
    if config.get("MAIL_USE_SSL"):
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            connection.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _defer(mail: OutboxMail, now: datetime, error: str, result: SendResult) -> None:
    mail.last_error, mail.claimed_by = error[:2000], None
    if mail.attempts >= MAX_ATTEMPTS:
        mail.state = FAILED
        mail.last_error = f"已尝试 {mail.attempts} 次仍未发出：{error}"[:2000]
        result.failed += 1
    else:
        mail.state, mail.next_attempt_at = PENDING, now + backoff(mail.attempts)
        result.deferred += 1


def _refused(mail: OutboxMail, now: datetime, code: int, reply, result: SendResult) -> None:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    if code >= 500:  # permanent: the same mail would be refused again
        mail.state, mail.claimed_by = FAILED, None
        mail.last_error = f"邮件服务器拒收（{code} {text}）"[:2000]
        result.failed += 1
    else:
        _defer(mail, now, f"邮件服务器暂时拒收（{code} {text}）", result)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
