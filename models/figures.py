"""Yearly figures an enterprise reports: company-wide and per product."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Money, UTCDateTime, db, utcnow
from .enterprise import Enterprise
from .ip_assets import Product


class YearlyFigure(db.Model):
    """One calendar year's figures (money in 万元)."""

    __tablename__ = "yearly_figure"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "year"),
        CheckConstraint("rd_staff IS NULL OR employees IS NULL OR rd_staff <= employees",
                        name="rd_staff_le_employees"),
        CheckConstraint("operating_revenue IS NULL OR operating_revenue >= 0", name="revenue"),
        CheckConstraint("rd_expense IS NULL OR rd_expense >= 0", name="rd_expense"),
        CheckConstraint("total_assets IS NULL OR total_assets >= 0", name="assets"),
        CheckConstraint("employees IS NULL OR employees >= 0", name="employees"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    operating_revenue: Mapped[Decimal | None] = mapped_column(Money)
    total_assets: Mapped[Decimal | None] = mapped_column(Money)
    rd_expense: Mapped[Decimal | None] = mapped_column(Money)
    employees: Mapped[int | None] = mapped_column(Integer)
    rd_staff: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    enterprise: Mapped[Enterprise] = relationship(back_populates="figures")

    __mapper_args__ = {"version_id_col": version}


class ProductFigure(db.Model):
    """A product's annual sales and profit (graduation rule (b))."""

    __tablename__ = "product_figure"
    __table_args__ = (UniqueConstraint("product_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    sales: Mapped[Decimal | None] = mapped_column(Money)
    profit: Mapped[Decimal | None] = mapped_column(Money)  # may be negative
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    product: Mapped[Product] = relationship()

    __mapper_args__ = {"version_id_col": version}
