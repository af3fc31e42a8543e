"""Policy values and industry-table corrections added by the city administrator.

Both are append-only histories: a new dated row supersedes, nothing is edited.
The shipped defaults live in ``pool.eligibility.policy`` / ``pool.reference.industries``; these rows
are layered over them.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .user import User


class PolicyValue(db.Model):
    """A dated value of a named policy parameter (in force from ``valid_from``)."""

    __tablename__ = "policy_value"
    __table_args__ = (Index("ix_policy_value_key_from", "key", "valid_from", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[object] = mapped_column(JSON)  # the parameter's JSON form
    valid_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))  # the clause or document it implements
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class IndustryCorrection(db.Model):
    """An administrator's dated addition or correction to the patent-intensive table."""

    __tablename__ = "industry_correction"
    __table_args__ = (Index("ix_industry_correction_code", "code", "valid_from", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(4))  # GB/T 4754-2017 class, digits only
    group: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100), default="")
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class ReferenceTableVersion(db.Model):
    """A whole official reference table imported by the city administrator.

    ``kind`` names the table (``patent_intensive``, ``sme_size``); ``content``
    holds it in the shipped file's shape.  Unlike policy values, an official
    table may be dated in the past: it is in force from the date its document
    gives.  Rows are never edited; a later version supersedes.
    """

    __tablename__ = "reference_table_version"
    __table_args__ = (Index("ix_reference_table_version_kind", "kind", "valid_from", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))  # the official document
    note: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[object] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical content
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()
