"""The append-only pool event log: the truth about who was in the pool when.

``Enterprise.state`` and ``Enterprise.admitted_on`` are caches of this log.
Rows are never updated or deleted — the ORM refuses here, and the migration
adds database triggers so that no other path can either.  A correction is a
new event that names the one it corrects.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .enterprise import Enterprise
from .user import User

# Event kinds.
STATE_CHANGE = "state_change"  # from_state -> to_state
PROGRESS = "progress"  # 实质性进展 (restarts the 24-month window)
INCIDENT = "incident"  # 诚信事件 (expulsion due at once)
REVIEW = "review"  # an officer's waiver/refusal of a `review` criterion
OUTCOME = "outcome"  # 接续培育, 专精特新"小巨人", 单项冠军 ...
CORRECTION = "correction"
NOTE = "note"
KINDS = (STATE_CHANGE, PROGRESS, INCIDENT, REVIEW, OUTCOME, CORRECTION, NOTE)


class PoolEvent(db.Model):
    __tablename__ = "pool_event"
    __table_args__ = (
        Index("ix_pool_event_enterprise_effective", "enterprise_id", "effective_on", "id"),
        Index("ix_pool_event_county_kind", "county_id", "kind"),
        # Proposals ask "has anything corrected this event?" for every event they read.
        Index("ix_pool_event_corrects", "corrects_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    # Denormalised so that quota counts and county scoping need no join.
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    kind: Mapped[str] = mapped_column(String(16))
    subtype: Mapped[str | None] = mapped_column(String(32))  # e.g. the incident or progress type
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    replenishment: Mapped[bool] = mapped_column(Boolean, default=False)  # 增补 admission
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("pool_event.id"))
    intake_round_id: Mapped[int | None] = mapped_column(ForeignKey("intake_round.id"))

    enterprise: Mapped[Enterprise] = relationship()
    actor: Mapped[User | None] = relationship()


class AppendOnlyError(RuntimeError):
    """Raised on an attempt to change or delete an event."""


def append_only(model, on_update: str, on_delete: str) -> None:
    """Refuse every ORM update and delete of ``model``'s rows with these messages (the migrations add
    the same refusal as database triggers)."""
    def refuse(message):
        def listener(mapper, connection, target):
            raise AppendOnlyError(message)
        return listener

    event.listen(model, "before_update", refuse(on_update))
    event.listen(model, "before_delete", refuse(on_delete))


append_only(PoolEvent, "事件记录只能追加，不能修改；请记录一条更正事件", "事件记录只能追加，不能删除；请记录一条更正事件")


# A state change corrected by two people: an officer asks, the city administrator decides.
PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
CORRECTION_STATUSES = (PENDING, APPROVED, REFUSED)


class StateCorrection(db.Model):
    """A request to void a mistaken admission, rejection, graduation or
    expulsion.  Approved, it becomes a ``correction`` event naming the state
    change it voids; the request keeps who asked, who decided, when and why."""

    __tablename__ = "state_correction"
    __table_args__ = (Index("ix_state_correction_status", "status", "county_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("pool_event.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    correction_event_id: Mapped[int | None] = mapped_column(ForeignKey("pool_event.id"))

    enterprise: Mapped[Enterprise] = relationship()
    event: Mapped[PoolEvent] = relationship(foreign_keys=[event_id])
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


# An exit decided by two: a county officer confirms, the city administrator
# approves or returns it (the policy parameter exit_needs_city_approval).
RETURNED = "returned"
EXIT_STATUSES = (PENDING, APPROVED, RETURNED)
GRADUATION_EXIT, EXPULSION_EXIT = "graduation", "expulsion"


class ExitRequest(db.Model):
    """A county's graduation or expulsion awaiting the city: the rule it
    stands on, the effective date and the officer's reason; approved, it is
    recorded by :func:`pool.membership.lifecycle.graduate` / ``expel`` as of
    that date, and the request keeps the event it became."""

    __tablename__ = "exit_request"
    __table_args__ = (
        Index("ix_exit_request_status", "status", "county_id"),
        CheckConstraint(f"status IN {EXIT_STATUSES!r}".replace(",)", ")"), name="status"),
        CheckConstraint(f"kind IN {(GRADUATION_EXIT, EXPULSION_EXIT)!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    kind: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(16))  # graduation a/b; expulsion no_progress/incident
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("pool_event.id"))

    enterprise: Mapped[Enterprise] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
