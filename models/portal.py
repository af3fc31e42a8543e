"""The enterprise portal (issue #16): what an enterprise submits to its county
— a declaration (申报), an annual report of figures, a change to its record —
each round of review, and the evidence files attached.

Nothing here changes the enterprise record: an officer's acceptance does, through
the living-record functions (:mod:`pool.portal.review`).
"""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .county import County
from .enterprise import Enterprise
from .user import User

DECLARATION, ANNUAL_REPORT, CHANGE_REQUEST = "declaration", "annual_report", "change_request"
SUBMISSION_KINDS = (DECLARATION, ANNUAL_REPORT, CHANGE_REQUEST)
# draft → submitted → (returned → submitted …) → accepted | rejected
SUBMISSION_STATUSES = ("draft", "submitted", "returned", "accepted", "rejected")


class Submission(db.Model):
    """One thing an enterprise account submits, through all its rounds.

    ``data`` is what the enterprise proposes now: for a declaration the
    applicant data (the contract of ``applicant.schema.json``); for an annual
    report ``{"year": …, "figures": {field: value}}``; for a change request
    ``{"part": …, "values": {field: value}, "row_id": … | None}``.
    """

    __tablename__ = "submission"
    __table_args__ = (
        Index("ix_submission_queue", "county_id", "status"),
        CheckConstraint(f"kind IN {SUBMISSION_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {SUBMISSION_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    title: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    year: Mapped[int | None] = mapped_column(Integer)  # an annual report's year
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    account: Mapped[User] = relationship(foreign_keys=[account_id])
    county: Mapped[County] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    rounds: Mapped[list["SubmissionRound"]] = relationship(
        back_populates="submission", order_by="SubmissionRound.id")
    evidence: Mapped[list["Evidence"]] = relationship(back_populates="submission", order_by="Evidence.id")

    __mapper_args__ = {"version_id_col": version}


class SubmissionRound(db.Model):
    """One step of a submission's review, kept for good: submitted (with the
    data as submitted), returned (with comments per field), accepted or
    rejected (with the fields taken and the reason)."""

    __tablename__ = "submission_round"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # submitted, returned, accepted, rejected, withdrawn
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict | None] = mapped_column(JSON)  # the data as submitted
    comments: Mapped[dict | None] = mapped_column(JSON)  # field path → officer's comment
    accepted_fields: Mapped[list | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    submission: Mapped[Submission] = relationship(back_populates="rounds")
    actor: Mapped[User] = relationship()


class Evidence(db.Model):
    """An evidence file (PDF or image) attached to a submission; the bytes live
    in the evidence folder under ``stored_name``, outside the web root."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    label: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submission: Mapped[Submission] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User] = relationship()
