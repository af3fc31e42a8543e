"""专利技术供需对接活动 (matchmaking events) recorded by officers, and their withdrawals (issue #19).

A :class:`MatchmakingEvent` is one event held on a day in a county, in a field
(领域, free text: the policy names no list), with its title, organiser, the
number of participants if known and a note citing the evidence.  The targets
count the events of a region, field and year (「分领域每年组织2场以上」).

Both tables are append-only (ORM guard and database triggers): a mistaken event
is not changed or deleted but withdrawn — a :class:`MatchmakingWithdrawal`
naming it, with the reason, who and when — and a withdrawn event is no longer
counted.  Corrected details are a new event.
"""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, append_only, db, utcnow
from .county import County
from .user import User


class MatchmakingEvent(db.Model):
    __tablename__ = "matchmaking_event"
    __table_args__ = (Index("ix_matchmaking_event_county_held", "county_id", "held_on"),
                      CheckConstraint("participants IS NULL OR participants >= 0", name="participants"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    held_on: Mapped[date] = mapped_column(Date)
    field: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200))
    participants: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")  # what happened, and the evidence (notice, sign-in sheet)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship()
    entered_by: Mapped[User | None] = relationship()
    # Read-only: a withdrawal is added on its own, so the event row itself is never touched.
    withdrawal: Mapped["MatchmakingWithdrawal | None"] = relationship(viewonly=True, uselist=False)


class MatchmakingWithdrawal(db.Model):
    """The withdrawal of one event: from then on it is not counted; the event stays on record."""

    __tablename__ = "matchmaking_withdrawal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("matchmaking_event.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    withdrawn_by: Mapped[User | None] = relationship()


append_only(MatchmakingEvent, on_update="对接活动的登记不能修改；登记有误请撤回后重新登记",
            on_delete="对接活动的登记不能删除；登记有误请撤回")
append_only(MatchmakingWithdrawal, on_update="撤回记录不能修改", on_delete="撤回记录不能删除")
