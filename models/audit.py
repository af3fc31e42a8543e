"""Audit trail of edits to master data (who changed which field, from what to what)."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .user import User


class ChangeRecord(db.Model):
    __tablename__ = "change_record"
    __table_args__ = (Index("ix_change_record_entity", "entity", "entity_id", "id"),
                      Index("ix_change_record_enterprise", "enterprise_id", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    # The enterprise whose record changed (None: not a record, e.g. a policy
    # value): the daily scan re-judges a record whose last change is new.
    enterprise_id: Mapped[int | None] = mapped_column(Integer)
    # The entity's version after this change: a conflict names the changes it missed.
    version: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # create / update / ...
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [old, new]
    # The day the change took effect in reality (a grant, a certification, an
    # end); absent for corrections of what was always so.  ``at`` is when it
    # was recorded: a change recorded after its effective day is a late entry.
    effective_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship()
