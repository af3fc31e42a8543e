"""Awards and subsidies (issue #18): the facts awards are computed from, each
programme year's settlement, its candidate items and the append-only ledger of
what was decided, published and paid.

The engine (:mod:`pool.awards.engine`) computes; these tables keep what people
did with its results.  A ledger entry is never changed or deleted: a mistake is
corrected by a ``reverse`` entry naming the entry it voids.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import PayableMoney, UTCDateTime, append_only, db, utcnow
from .county import County
from .enterprise import Enterprise
from .user import User

# Where a stored fact came from: an officer's entry (a claim made for the beneficiary),
# a facts document imported, or the enterprise's own claim through the portal.
FACT_SOURCES = ("officer", "import", "portal")


class AwardFact(db.Model):
    """One fact of the facts contract (``award-facts.schema.json``), stored.

    ``data`` is the fact exactly as the contract writes it (``id``, ``type``,
    ``date``, …).  The beneficiary is named by ``beneficiary_key`` — an
    enterprise's 统一社会信用代码, or any code for a bank, agency or university —
    and, when it is a registered enterprise, linked to it (and so to its county).
    A mistaken fact is withdrawn with a reason, never deleted.
    """

    __tablename__ = "award_fact"
    __table_args__ = (
        Index("ix_award_fact_date", "date"),
        Index("uq_award_fact_key_fact", "beneficiary_key", "fact_id", unique=True),
        CheckConstraint(f"source IN {FACT_SOURCES!r}", name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_key: Mapped[str] = mapped_column(String(64))
    beneficiary_name: Mapped[str] = mapped_column(String(200))
    beneficiary_kind: Mapped[str] = mapped_column(String(32))
    in_region: Mapped[bool] = mapped_column(Boolean, default=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id"))
    fact_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    date: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)

    enterprise: Mapped[Enterprise | None] = relationship()
    county: Mapped[County | None] = relationship()
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])


OPEN, PUBLISHED = "open", "published"
SETTLEMENT_STATUSES = (OPEN, PUBLISHED)


class AwardSettlement(db.Model):
    """One programme's award year: computed, reviewed, published (公示), paid."""

    __tablename__ = "award_settlement"
    __table_args__ = (
        Index("uq_award_settlement_programme_year", "programme", "year", unique=True),
        CheckConstraint(f"status IN {SETTLEMENT_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every computation and ledger entry sets it, so two people acting at once conflict (version).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the last computation read: the programme's parameters and the facts counted.
    basis: Mapped[dict] = mapped_column(JSON, default=dict)
    published_on: Mapped[date | None] = mapped_column(Date)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    __mapper_args__ = {"version_id_col": version}


class AwardItem(db.Model):
    """One candidate award as the engine last computed it: rule, beneficiary,
    subject, status, amounts (exact and payable), funding lines and trace.

    Recomputing updates these fields; ``current`` is false for an item the
    latest computation no longer produced.  What people decided is in
    :class:`AwardEntry`, which keeps the payable amount it was decided on.
    """

    __tablename__ = "award_item"
    __table_args__ = (
        Index("uq_award_item_identity", "settlement_id", "beneficiary_key", "rule", "subject", unique=True),
        Index("ix_award_item_county", "settlement_id", "county_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("award_settlement.id"))
    beneficiary_key: Mapped[str] = mapped_column(String(64))
    beneficiary_name: Mapped[str] = mapped_column(String(200))
    beneficiary_kind: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id"))
    rule: Mapped[str] = mapped_column(String(64))
    rule_label: Mapped[str] = mapped_column(String(200))
    clause: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(120))
    facts: Mapped[list] = mapped_column(JSON, default=list)
    date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    gross: Mapped[str] = mapped_column(String(40))  # exact Decimal 万元, as text
    amount: Mapped[str] = mapped_column(String(40))
    payable: Mapped[object] = mapped_column(PayableMoney)
    lines: Mapped[list] = mapped_column(JSON, default=list)  # [[level, payable 万元 as text], …]
    conflict: Mapped[str | None] = mapped_column(Text)
    trace: Mapped[list] = mapped_column(JSON, default=list)
    award_year: Mapped[int] = mapped_column(Integer)
    payment_year: Mapped[int] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean, default=True)

    settlement: Mapped[AwardSettlement] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()


APPROVE, REDUCE, REFUSE, PUBLISH, PAY, REVERSE = "approve", "reduce", "refuse", "publish", "pay", "reverse"
ENTRY_KINDS = (APPROVE, REDUCE, REFUSE, PUBLISH, PAY, REVERSE)
DECISIONS = (APPROVE, REDUCE, REFUSE)


class AwardEntry(db.Model):
    """One line of a settlement's ledger: a decision on an item (approve, reduce
    with a reason, refuse with a reason), the publication, a payment of one
    funding line, or the reversal of an earlier entry.  Append-only."""

    __tablename__ = "award_entry"
    __table_args__ = (
        Index("ix_award_entry_settlement", "settlement_id", "id"),
        Index("ix_award_entry_item", "item_id", "id"),
        CheckConstraint(f"kind IN {ENTRY_KINDS!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("award_settlement.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("award_item.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[object | None] = mapped_column(PayableMoney)  # decided or paid, 万元
    basis: Mapped[object | None] = mapped_column(PayableMoney)  # the computed payable it was decided on
    level: Mapped[str | None] = mapped_column(String(16))  # a payment's funding level
    on: Mapped[date | None] = mapped_column(Date)  # a payment's or the publication's day
    reference: Mapped[str | None] = mapped_column(String(100))  # a payment voucher, a publication notice
    reason: Mapped[str | None] = mapped_column(Text)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("award_entry.id"), unique=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[AwardItem | None] = relationship()
    actor: Mapped[User | None] = relationship()


append_only(AwardEntry, on_update="奖补台账只能追加，不能修改；请记录一条冲销",
            on_delete="奖补台账只能追加，不能删除；请记录一条冲销")


class AwardParameter(db.Model):
    """A dated value the city administrator set for a programme's parameter (a reading
    marked [R], an amount, a tier table the document does not print).  Kept, never
    changed: a later row with the same day supersedes an earlier one, and the
    shipped value stays the default before the first row's day."""

    __tablename__ = "award_parameter"
    __table_args__ = (Index("ix_award_parameter_key", "programme", "key", "valid_from", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    value: Mapped[object] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)  # the document and clause the value comes from
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entered_by: Mapped[User | None] = relationship()


append_only(AwardParameter, on_update="奖补参数只能追加新的取值，不能修改", on_delete="奖补参数只能追加新的取值，不能删除")
