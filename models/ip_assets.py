"""An enterprise's qualifications, patents, products, trademarks and partnerships.

Enumerated columns carry the contract's codes (``applicant.schema.json``);
check constraints keep a stray value out whatever path wrote it.  Each row
carries the dates on which its facts became true (granted, industrialised,
filed, certified, valid from/to), so the record can be read as of any date
(:mod:`pool.records.facts`), and a ``version`` for optimistic locking: every
change is one audited :class:`~models.ChangeRecord`.
"""
from datetime import date

from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, ForeignKey, Integer, String, Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db
from .enterprise import Enterprise

QUALIFICATION_TYPES = (
    "specialized_sme", "little_giant", "high_tech", "ip_advantage", "ip_demonstration",
    "ip_pilot", "tech_sme", "other",
)
PATENT_KINDS = ("invention", "utility_model", "design")
PATENT_STATUSES = ("valid", "pending", "lapsed", "invalidated", "expired", "transferred_out")
# A status after which the patent no longer counts (its date is ``status_on``).
PATENT_ENDED = ("lapsed", "invalidated", "expired", "transferred_out")
PATENT_ORIGINS = ("self", "acquired", "licensed")
PARTNER_TYPES = ("university", "research_institute", "other")
QUALIFICATION_LEVELS = ("national", "provincial", "municipal")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _enterprise_fk():
    return mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)


def _version():
    return mapped_column(Integer, nullable=False, default=1)


class Qualification(db.Model):
    """资格证书 (criterion 2): judged by whether its validity covers a date."""

    __tablename__ = "qualification"
    __table_args__ = (
        CheckConstraint(_in("type", QUALIFICATION_TYPES), name="type"),
        CheckConstraint("valid_from <= valid_to", name="valid_range"),
        CheckConstraint(f"level IS NULL OR {_in('level', QUALIFICATION_LEVELS)}", name="level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = _enterprise_fk()
    type: Mapped[str] = mapped_column(String(24))
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date, index=True)
    level: Mapped[str | None] = mapped_column(String(16))  # national / provincial / municipal
    issuer: Mapped[str | None] = mapped_column(String(100))
    approved_on: Mapped[date | None] = mapped_column(Date)
    # A renewal names the certificate it renews.
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("qualification.id", ondelete="SET NULL"))
    version: Mapped[int] = _version()

    enterprise: Mapped[Enterprise] = relationship(back_populates="qualifications")
    __mapper_args__ = {"version_id_col": version}


product_patent = Table(
    "product_patent",
    db.metadata,
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Column("patent_id", ForeignKey("patent.id", ondelete="CASCADE"), primary_key=True),
)


class Patent(db.Model):
    __tablename__ = "patent"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "number"),
        CheckConstraint(_in("kind", PATENT_KINDS), name="kind"),
        CheckConstraint(_in("status", PATENT_STATUSES), name="status"),
        CheckConstraint(f"origin IS NULL OR {_in('origin', PATENT_ORIGINS)}", name="origin"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE")
    )
    number: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str | None] = mapped_column(String(16))
    core: Mapped[bool | None] = mapped_column(Boolean)
    industrialized: Mapped[bool | None] = mapped_column(Boolean)
    # Dates (absent on rows registered before they were kept: unknown, counted as always).
    office: Mapped[str | None] = mapped_column(String(8))  # granting office, WIPO ST.3: CN, US, EP, ...
    application_date: Mapped[date | None] = mapped_column(Date)
    granted_on: Mapped[date | None] = mapped_column(Date)
    status_on: Mapped[date | None] = mapped_column(Date)  # since when an ended status holds
    industrialized_on: Mapped[date | None] = mapped_column(Date)
    acquired_on: Mapped[date | None] = mapped_column(Date)  # licence or transfer in
    put_to_use_on: Mapped[date | None] = mapped_column(Date)  # a licensed / acquired patent put to use
    version: Mapped[int] = _version()

    enterprise: Mapped[Enterprise] = relationship(back_populates="patents")
    __mapper_args__ = {"version_id_col": version}


class Product(db.Model):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = _enterprise_fk()
    name: Mapped[str] = mapped_column(String(200))
    main: Mapped[bool | None] = mapped_column(Boolean)
    filing_no: Mapped[str | None] = mapped_column(String(64))  # 专利产品备案号
    patent_intensive: Mapped[bool | None] = mapped_column(Boolean)  # 已认定专利密集型产品
    certified_on: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)  # 专利产品备案日期
    certificate_no: Mapped[str | None] = mapped_column(String(64))  # 专利密集型产品认定证书编号
    added_on: Mapped[date | None] = mapped_column(Date)  # on the record from (absent: always)
    version: Mapped[int] = _version()

    enterprise: Mapped[Enterprise] = relationship(back_populates="products")
    patents: Mapped[list[Patent]] = relationship(secondary=product_patent, order_by=Patent.id)
    __mapper_args__ = {"version_id_col": version}


class Trademark(db.Model):
    __tablename__ = "trademark"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = _enterprise_fk()
    reg_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(100))
    owned: Mapped[bool] = mapped_column(Boolean)
    valid_to: Mapped[date | None] = mapped_column(Date)
    registered_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = _version()

    enterprise: Mapped[Enterprise] = relationship(back_populates="trademarks")
    __mapper_args__ = {"version_id_col": version}


class ResearchPartnership(db.Model):
    """产学研合作 (criterion 7)."""

    __tablename__ = "research_partnership"
    __table_args__ = (
        CheckConstraint(_in("partner_type", PARTNER_TYPES), name="partner_type"),
        CheckConstraint("valid_from <= valid_to", name="valid_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = _enterprise_fk()
    partner: Mapped[str] = mapped_column(String(200))
    partner_type: Mapped[str] = mapped_column(String(24))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = _version()

    enterprise: Mapped[Enterprise] = relationship(back_populates="partnerships")
    __mapper_args__ = {"version_id_col": version}
