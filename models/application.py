"""Saved eligibility checks (资格自检 / 入库申报): the exact data and the verdict as given.

``data`` is the applicant exactly as entered (contract shape, decimals kept as
strings so nothing is rounded), ``result`` the evaluation record including the
policy values it used: the verdict can be shown again years later as it was.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .county import County
from .enterprise import Enterprise
from .user import User


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (Index("ix_application_county_created", "county_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date)
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class IntakeRound(db.Model):
    """首批/批次: while a round is open, admissions consume no replenishment quota.

    ``pool_code``: the configured pool whose round it is (issue #17); NULL for the
    first pool (Huangshi's, whose rounds came before there were other pools)."""

    __tablename__ = "intake_round"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool_code: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)  # last day of the round, inclusive
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class IntakeBatch(db.Model):
    """An uploaded file of applicants (批量申报), kept while the officer works
    through it row by row: which rows were saved as checks (``saved``: row
    index → application id).  Old batches are purged; the saved checks stay."""

    __tablename__ = "intake_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    as_of: Mapped[date] = mapped_column(Date)
    saved: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    county: Mapped[County] = relationship()
