"""Regions (省 › 市 › 县) and their yearly official statistics (issue #19).

A :class:`Region` generalises the counties: the province and the city are
regions too, each naming its parent; a county region is linked to its
:class:`~models.County` by the 6-digit division code (the county's records are
its enterprises').  A :class:`RegionStatistic` is one official value for a year
(常住人口, 地区生产总值, an official indicator such as a province's average),
citing its source document, entered or imported by the city administrator —
or a value **reported** for a measure the records cannot produce (运营中心项目,
执法案件 …), keyed by the measure's key (:mod:`pool.targets.statistics`).
Statistics are append-only: a correction is a new entry for the same region,
key and year (the latest counts), and every earlier entry stays with who entered
it and when.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, append_only, db, utcnow
from .user import User

REGION_LEVELS = ("province", "city", "county")


class Region(db.Model):
    __tablename__ = "region"
    __table_args__ = (CheckConstraint(f"level IN {REGION_LEVELS!r}", name="level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)  # 6-digit administrative division code
    name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped["Region | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class RegionStatistic(db.Model):
    """An official value of ``key`` for ``region`` in ``year`` (exact decimal text), with its source."""

    __tablename__ = "region_statistic"
    __table_args__ = (Index("ix_region_statistic_key", "region_id", "key", "year", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    # A statistic's key, or the key of a measure the records cannot produce (a value reported for it)
    key: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")  # why a correction replaces the value before
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship()
    entered_by: Mapped[User | None] = relationship()


append_only(RegionStatistic, on_update="官方统计只能追加，不能修改；更正请另录一条",
            on_delete="官方统计只能追加，不能删除；更正请另录一条")
