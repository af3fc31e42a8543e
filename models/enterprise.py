"""The enterprise aggregate: an applicant or pool member and its contacts.

Everything the applicant contract (``shared/contracts/applicant.schema.json``)
holds lives here or in ``ip_assets`` / ``figures``.  Facts a criterion needs
are nullable: ``None`` means "not recorded", which makes that criterion
``missing`` rather than silently ``fail``.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from pool.kernel.text import sort_key
from pool.kernel.wording import phrase

from .base import UTCDateTime, db, utcnow
from .county import County

# SPEC §3 states.
APPLIED, ADMITTED, GRADUATED, EXPELLED, REJECTED = (
    "applied", "admitted", "graduated", "expelled", "rejected",
)
STATES = (APPLIED, ADMITTED, GRADUATED, EXPELLED, REJECTED)
# The one vocabulary of the states, for every pool (re-exported by pool.membership.history).
STATE_LABELS = {
    APPLIED: phrase("已申报"), ADMITTED: phrase("培育中"), GRADUATED: phrase("已出库"),
    EXPELLED: phrase("已退库"), REJECTED: phrase("未予入库"),
}


class Enterprise(db.Model):
    __tablename__ = "enterprise"
    __table_args__ = (
        CheckConstraint(
            "state IN ('applied', 'admitted', 'graduated', 'expelled', 'rejected')",
            name="state",
        ),
        # The list pages: in pinyin order within a county (officers) or a state (0006, 0017).
        Index("ix_enterprise_county_name_key", "county_id", "name_key", "id"),
        Index("ix_enterprise_state_name_key", "state", "name_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    uscc_checksum_override: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # The name's pinyin (pool.kernel.text.sort_key): lists sort by it.  Kept by
    # every insert (also a bulk one: the default reads the row's name) and by
    # every change of the name through the ORM.
    name_key: Mapped[str] = mapped_column(String(400), default=lambda context: sort_key(
        context.get_current_parameters().get("name")))
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=APPLIED, index=True)
    # Cached from the event log (the log is the truth; these make lists fast).
    admitted_on: Mapped[date | None] = mapped_column(Date)
    state_changed_on: Mapped[date | None] = mapped_column(Date)

    registered_region_code: Mapped[str | None] = mapped_column(String(6))
    independent_legal_person: Mapped[bool | None] = mapped_column(Boolean)
    industry_code: Mapped[str | None] = mapped_column(String(5), index=True)
    has_rd_leader: Mapped[bool | None] = mapped_column(Boolean)
    brand_evidence: Mapped[list] = mapped_column(JSON, default=list)
    address: Mapped[str | None] = mapped_column(String(200))

    # 知识产权管理体系 (criterion 9)
    ip_rules: Mapped[bool | None] = mapped_column(Boolean)
    ip_department: Mapped[bool | None] = mapped_column(Boolean)
    ip_staff: Mapped[bool | None] = mapped_column(Boolean)
    ip_budget: Mapped[bool | None] = mapped_column(Boolean)
    ip_certified_gbt29490: Mapped[bool | None] = mapped_column(Boolean)

    # 诚信 (criterion 10)
    abnormal_patent_applications: Mapped[bool | None] = mapped_column(Boolean)
    major_accident: Mapped[bool | None] = mapped_column(Boolean)
    violation: Mapped[bool | None] = mapped_column(Boolean)
    serious_dishonesty: Mapped[bool | None] = mapped_column(Boolean)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    county: Mapped[County] = relationship()
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Contact.id"
    )
    qualifications: Mapped[list["Qualification"]] = relationship(  # noqa: F821
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Qualification.id"
    )
    patents: Mapped[list["Patent"]] = relationship(  # noqa: F821
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Patent.id"
    )
    products: Mapped[list["Product"]] = relationship(  # noqa: F821
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Product.id"
    )
    trademarks: Mapped[list["Trademark"]] = relationship(  # noqa: F821
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Trademark.id"
    )
    partnerships: Mapped[list["ResearchPartnership"]] = relationship(  # noqa: F821
        back_populates="enterprise", cascade="all, delete-orphan",
        order_by="ResearchPartnership.id",
    )
    figures: Mapped[list["YearlyFigure"]] = relationship(  # noqa: F821
        back_populates="enterprise", cascade="all, delete-orphan", order_by="YearlyFigure.year"
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _keep_name_key(self, _key, name):
        self.name_key = sort_key(name)
        return name

    def __repr__(self) -> str:
        return f"<Enterprise {self.uscc} {self.name} {self.state}>"


class Contact(db.Model):
    """An enterprise contact who receives reminder emails (no login)."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    receives_reminders: Mapped[bool] = mapped_column(Boolean, default=True)

    enterprise: Mapped[Enterprise] = relationship(back_populates="contacts")
