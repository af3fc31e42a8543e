"""Memberships of the configured pools (issue #17, 梯度培育): the ladder beyond the first pool.

The first pool — Huangshi's 专利产业化样板企业培育库, code-backed — keeps its
membership where it always was: :attr:`Enterprise.state` and the ``pool_event``
log.  Every other pool (``pool/data/pools/*.json``: 出库样板企业接续培育,
Xuchang's 高新技术企业备选库 …) holds one :class:`Membership` per enterprise and
pool, with its own state, the supplementary facts its criteria read, and its own
append-only :class:`MembershipEvent` log; the membership row's state is a cache
of that log.  A correction is a new event naming the one it voids.
"""
from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        false)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, append_only, db, utcnow
from .enterprise import APPLIED, STATES, Enterprise
from .user import User

# Event kinds: a state change (from -> to), the facts an officer recorded, a correction voiding a state change.
MOVE, FACTS, VOID = "move", "facts", "void"
MEMBERSHIP_EVENT_KINDS = (MOVE, FACTS, VOID)


class Membership(db.Model):
    __tablename__ = "pool_membership"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "pool_code", name="uq_pool_membership_enterprise_pool"),
        CheckConstraint(f"state IN {STATES!r}", name="state"),
        Index("ix_pool_membership_pool_state", "pool_code", "state", "county_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)  # scoping without a join
    pool_code: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=APPLIED)
    since: Mapped[date] = mapped_column(Date)  # the effective date of the current state
    admitted_on: Mapped[date | None] = mapped_column(Date)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)  # the pool's supplementary facts
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    enterprise: Mapped[Enterprise] = relationship()
    events: Mapped[list["MembershipEvent"]] = relationship(
        back_populates="membership", order_by="MembershipEvent.id")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Membership {self.pool_code} enterprise={self.enterprise_id} {self.state}>"


class MembershipEvent(db.Model):
    __tablename__ = "pool_membership_event"
    __table_args__ = (
        CheckConstraint(f"kind IN {MEMBERSHIP_EVENT_KINDS!r}", name="kind"),
        Index("ix_pool_membership_event_membership", "membership_id", "id"),
        # The quota and the history ask "has a void named this event?" for every event they count.
        Index("ix_pool_membership_event_voids", "voids_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("pool_membership.id"))
    kind: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The verdict the decision rested on, the qualification that graduated, the facts recorded.
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    voids_id: Mapped[int | None] = mapped_column(ForeignKey("pool_membership_event.id"))
    # An admission outside every intake round of a pool with a replenishment quota (增补: it takes a place
    # of the county's quota of that pool), or inside the round it names (it takes none).
    replenishment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    intake_round_id: Mapped[int | None] = mapped_column(ForeignKey("intake_round.id"))

    membership: Mapped[Membership] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


POOL_CHANGE_KINDS = ("create", "criteria", "parameter", "retire")


class PoolChange(db.Model):
    """The city administrator's change to a pool (pool.pools.changes): a new pool from a template,
    a criteria-set version, a parameter value, a retirement — each dated, citing its basis,
    with the what-if preview seen before saving.  Append-only: the pools are these replayed."""

    __tablename__ = "pool_change"
    __table_args__ = (CheckConstraint(f"kind IN {POOL_CHANGE_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool_code: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # the change as pool.pools.changes reads it
    source: Mapped[str] = mapped_column(Text, default="")
    preview: Mapped[dict] = mapped_column(JSON, default=dict)  # what the what-if showed when saved
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


append_only(PoolChange, on_update="培育库的变更只能追加，不能修改", on_delete="培育库的变更只能追加，不能删除")
append_only(MembershipEvent, on_update="培育库事件只能追加，不能修改；请记录一条更正",
            on_delete="培育库事件只能追加，不能删除；请记录一条更正")


class RecordInputs(db.Model):
    """A configured pool member's record as the pools' criteria read it (:mod:`pool.pools.inputs`),
    kept between scans so that a draft criteria-set version is judged against a whole pool
    without reading every record again (the what-if).  It holds from ``as_of`` through
    ``valid_through`` while the enterprise's last change record is ``change_id`` and the
    reading code fingerprints to ``code`` (:mod:`pool.ladder.inputs`); past that it is read again."""

    __tablename__ = "record_inputs"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    valid_through: Mapped[date] = mapped_column(Date)
    change_id: Mapped[int] = mapped_column(Integer, default=0)  # 0: no change record yet
    code: Mapped[str] = mapped_column(String(64))
    # JSON text of pool.pools.inputs.to_row; NULL when the record on ``as_of`` is not a valid applicant
    inputs: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # why not, each a Chinese message
