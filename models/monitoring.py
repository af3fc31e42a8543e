"""Monitoring (SPEC §4): risk flags and their history, the mail outbox, job locks.

* :class:`RiskFlag` — one condition the daily scan found for one enterprise.
  At most one flag per (enterprise, kind) is open (``closed_on IS NULL``); a
  partial unique index enforces it on SQLite and PostgreSQL alike, so two
  scans racing can never open the same flag twice.
* :class:`RiskFlagChange` — the flag's history: raised, escalated,
  de-escalated, closed (append-only by convention: the scan only inserts).
* :class:`RiskFlagNote` — what officers did with it: acknowledged, assigned,
  commented (the flag as a work item).
* :class:`OutboxMail` — a mail to send, written in the same transaction as
  the change that caused it; ``key`` (recipient + reason + period) is unique,
  so a mail is queued at most once however often its cause is recomputed.
* :class:`JobLock` — a lease per scheduled job, so two scheduler processes
  never run the same job at once.
* :class:`RecordVerdict` — the ten criteria's verdict on a member's stored
  record, kept so the daily scan re-judges only records that changed, rules
  that changed or dates that were crossed (:mod:`pool.monitoring.verdicts`).
"""
from datetime import date, datetime

from sqlalchemy import (
    JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .enterprise import Enterprise
from .user import User  # noqa: F401 - the relationships name it

# The first pool: Huangshi's 专利产业化样板企业培育库 (pool/data/pools/huangshi-2024.json),
# whose membership is ``Enterprise.state``; the configured pools are memberships (models.ladder).
FIRST_POOL = "huangshi-2024"

# Flag kinds (SPEC §4 table) and severities, mildest first.
NO_PROGRESS = "no_progress"
QUALIFICATION_EXPIRING = "qualification_expiring"
ANNUAL_DATA_MISSING = "annual_data_missing"
CRITERIA_DRIFT = "criteria_drift"
INTEGRITY_INCIDENT = "integrity_incident"
GRADUATION_READY = "graduation_ready"
FLAG_KINDS = (NO_PROGRESS, QUALIFICATION_EXPIRING, ANNUAL_DATA_MISSING, CRITERIA_DRIFT,
              INTEGRITY_INCIDENT, GRADUATION_READY)

INFO, WARNING, HIGH, EXPULSION_DUE = "info", "warning", "high", "expulsion_due"
SEVERITIES = (INFO, WARNING, HIGH, EXPULSION_DUE)

RAISED, ESCALATED, DEESCALATED, CLOSED = "raised", "escalated", "deescalated", "closed"
CHANGE_ACTIONS = (RAISED, ESCALATED, DEESCALATED, CLOSED)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
MAIL_STATES = (PENDING, SENDING, SENT, FAILED)

_OPEN = text("closed_on IS NULL")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class RiskFlag(db.Model):
    __tablename__ = "risk_flag"
    __table_args__ = (
        CheckConstraint(_in("kind", FLAG_KINDS), name="kind"),
        CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        Index("uq_risk_flag_open", "enterprise_id", "pool_code", "kind", unique=True,
              sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_risk_flag_county_open", "county_id", "closed_on"),
        # The officer's day: a county's open flags of a severity or kind, counted and the oldest
        # listed.  Few indexes: the daily scan rewrites every open flag's last_seen_on.
        *(Index(name, *columns, sqlite_where=_OPEN, postgresql_where=_OPEN) for name, columns in (
            ("ix_risk_flag_open_county_severity", ("county_id", "severity", "opened_on")),
            ("ix_risk_flag_open_county_kind", ("county_id", "kind", "opened_on")))),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    # Denormalised so that county scoping and the digest need no join.
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    kind: Mapped[str] = mapped_column(String(32))
    # The pool whose rules raised it (issue #17): the first pool's SPEC §4 flags,
    # or a configured pool's (e.g. its exit certificate recorded: graduation_ready).
    pool_code: Mapped[str] = mapped_column(String(64), default=FIRST_POOL, server_default=FIRST_POOL)
    severity: Mapped[str] = mapped_column(String(16))
    opened_on: Mapped[date] = mapped_column(Date)
    last_seen_on: Mapped[date] = mapped_column(Date)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(Text, default="")  # Chinese, quoting dates and numbers
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    # The flag as a work item (issue #15): who looks after it, whether someone has seen it.
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise: Mapped[Enterprise] = relationship()
    assigned_to: Mapped["User | None"] = relationship(foreign_keys=[assigned_to_id])  # noqa: F821
    acknowledged_by: Mapped["User | None"] = relationship(foreign_keys=[acknowledged_by_id])  # noqa: F821
    changes: Mapped[list["RiskFlagChange"]] = relationship(
        back_populates="flag", order_by="RiskFlagChange.id")
    notes: Mapped[list["RiskFlagNote"]] = relationship(back_populates="flag", order_by="RiskFlagNote.id")


class RiskFlagChange(db.Model):
    __tablename__ = "risk_flag_change"
    __table_args__ = (
        CheckConstraint(_in("action", CHANGE_ACTIONS), name="action"),
        Index("ix_risk_flag_change_flag", "flag_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("risk_flag.id"))
    on: Mapped[date] = mapped_column(Date)  # the scan's as_of
    action: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))  # after the change
    detail: Mapped[str] = mapped_column(Text, default="")

    flag: Mapped[RiskFlag] = relationship(back_populates="changes")


ACKNOWLEDGED, ASSIGNED, COMMENTED = "acknowledged", "assigned", "commented"
NOTE_ACTIONS = (ACKNOWLEDGED, ASSIGNED, COMMENTED)


class RiskFlagNote(db.Model):
    """What people did with a flag (acknowledged, assigned, commented): the
    flag's history beside the scan's :class:`RiskFlagChange` rows (append-only)."""

    __tablename__ = "risk_flag_note"
    __table_args__ = (
        CheckConstraint(_in("action", NOTE_ACTIONS), name="action"),
        Index("ix_risk_flag_note_flag", "flag_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("risk_flag.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text, default="")

    flag: Mapped[RiskFlag] = relationship(back_populates="notes")
    actor: Mapped["User"] = relationship(foreign_keys=[actor_id])  # noqa: F821
    assignee: Mapped["User | None"] = relationship(foreign_keys=[assignee_id])  # noqa: F821


class OutboxMail(db.Model):
    __tablename__ = "outbox_mail"
    __table_args__ = (
        CheckConstraint(_in("state", MAIL_STATES), name="state"),
        Index("ix_outbox_mail_due", "state", "next_attempt_at"),
        Index("ix_outbox_mail_county", "county_id", "created_at"),
        Index("ix_outbox_mail_claimed_by", "claimed_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(320), unique=True)  # recipient + reason + period
    reason: Mapped[str] = mapped_column(String(32))  # alert | digest | annual_reminder
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(120))  # stable: a resend is recognisable
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: due now
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the relay sending it
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))


class JobLock(db.Model):
    """A lease on a scheduled job: held while ``locked_until`` is in the future."""

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(Text)


class RecordVerdict(db.Model):
    """The criteria's verdict on one enterprise's record, as the scan last judged it.

    It holds from ``as_of`` through ``valid_through`` (the day before the next
    date in the record that could change it, or the year's end) while the
    enterprise's last change record is ``change_id`` and the rules in force
    fingerprint to ``rules``; past that it is judged again.
    """

    __tablename__ = "record_verdict"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"),
                                               primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    valid_through: Mapped[date] = mapped_column(Date)
    change_id: Mapped[int] = mapped_column(Integer, default=0)  # 0: no change record yet
    rules: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))  # a criteria verdict, or "invalid"
    # [{"id", "title", "detail"}] of the criteria the record definitely fails;
    # for an invalid record, [{"field", "message"}] of its problems.
    failing: Mapped[list] = mapped_column(JSON, default=list)
    year: Mapped[int | None] = mapped_column(Integer)  # the yearly figures judged (上年度), if any
