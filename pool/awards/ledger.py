"""A settlement's ledger: decisions, publication (公示) and payments, append-only.

Reviewers approve an item at its computed amount, reduce it with a reason, or
refuse it with a reason; deciding again reverses the earlier decision first.
When every item proposed for payment is decided, the approved list is published;
publication freezes the decisions (reversing the publication, with a reason and
while nothing is paid, reopens them).  Each approved item is paid per funding
line, in or after its payment year.  Nothing is changed or deleted: a mistake
is a ``reverse`` entry naming the entry it voids.  Every write sets the
settlement's ``updated_at``, so two people acting at once conflict rather than
both succeed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from models import (APPROVE, DECISIONS, OPEN, PAY, PUBLISH, PUBLISHED, REDUCE, REFUSE, REVERSE, AwardEntry, AwardItem,
                    AwardSettlement)
from pool.awards import parameters
from pool.awards.money import ZERO, split, wan
from pool.awards.programme import LEVEL_LABELS, Rule
from pool.awards.results import COUNTED, STATUS_LABELS
from pool.kernel.wording import phrase

KIND_LABELS = {APPROVE: phrase("同意"), REDUCE: phrase("核减"), REFUSE: phrase("不予奖补"), PUBLISH: phrase("公示"),
               PAY: phrase("拨付"), REVERSE: phrase("冲销")}
_REASON = phrase("「理由」：核减、不予奖补和冲销都须写明理由")
_PUBLISHED = phrase("本年度名单已公示，审核结论已锁定；如需更正，请先冲销公示")
_NOT_OPEN_TO_PAY = phrase("名单公示后才能登记拨付")
_NOT_PROPOSED = phrase("该条目不在拟奖补之列（{status}，{amount} 万元），无需审核")
_GONE = phrase("最近一次计算已不再产生该条目，只能撤销其审核结论")
_REDUCE_RANGE = phrase("「核减后金额（万元）」：须大于 0 且小于计算金额 {amount} 万元")
_UNDECIDED = phrase("还有 {count} 项未审核或需重新审核，不能公示")
_FUTURE = phrase("「{label}」：{day} 晚于今天")
_BEFORE_PUBLISHED = phrase("「拨付日期」：{day} 早于公示日期 {published}")
_BEFORE_PAYMENT_YEAR = phrase("「拨付日期」：该条目在 {year} 年兑现，{day} 早于该年")
_NOT_APPROVED = phrase("该条目没有同意或核减的结论，不能拨付")
_LEVEL = phrase("「财政级次」：该条目的资金来源没有{level}")
_PAID = phrase("{level}部分已于 {day} 拨付")
_REVERSED = phrase("该记录已被冲销")
_NOT_REVERSIBLE = phrase("冲销记录本身不能再冲销")
_PAYMENTS_LIVE = phrase("已有拨付记录，须先冲销拨付，才能冲销公示")
_REDECIDED = phrase("重新审核")
_LABEL_PUBLISHED_ON, _LABEL_PAID_ON = phrase("公示日期"), phrase("拨付日期")


class LedgerRefused(ValueError):
    """The entry was not written; the message says why, in Chinese."""


@dataclass
class ItemState:
    """An item with its live (not reversed) decision and payments."""

    item: AwardItem
    decision: AwardEntry | None = None
    payments: dict[str, AwardEntry] = field(default_factory=dict)

    @property
    def proposed(self) -> bool:
        """The latest computation proposes it for payment: payable, or under review at the cap, and
        not capped to nothing."""
        return self.item.current and self.item.status in COUNTED and self.item.payable > ZERO

    @property
    def stale(self) -> bool:
        """Decided on an amount or a status the latest computation no longer gives."""
        return self.decision is not None and (not self.proposed or self.decision.basis != self.item.payable)

    @property
    def pending(self) -> bool:
        """Proposed but not (validly) decided: publication waits for it."""
        return (self.proposed and self.decision is None) or self.stale

    @property
    def decided(self) -> Decimal:
        """The amount approved (0 when refused or undecided)."""
        if self.decision is None or self.decision.kind == REFUSE:
            return ZERO
        return self.decision.amount

    @property
    def paid(self) -> Decimal:
        return sum((entry.amount for entry in self.payments.values()), ZERO)


def entries(session, settlement: AwardSettlement) -> list[AwardEntry]:
    return list(session.scalars(select(AwardEntry).where(AwardEntry.settlement_id == settlement.id)
                                .order_by(AwardEntry.id)))


def live(rows: list[AwardEntry]) -> list[AwardEntry]:
    """The entries no reversal voids (reversals themselves excluded)."""
    reversed_ids = {row.reverses_id for row in rows if row.kind == REVERSE}
    return [row for row in rows if row.kind != REVERSE and row.id not in reversed_ids]


def states(session, settlement: AwardSettlement, items: list[AwardItem]) -> dict[int, ItemState]:
    """Item id -> its state, for ``items`` of ``settlement``."""
    out = {item.id: ItemState(item) for item in items}
    for row in live(entries(session, settlement)):
        state = out.get(row.item_id)
        if state is None:
            continue
        if row.kind in DECISIONS:
            state.decision = row
        elif row.kind == PAY:
            state.payments[row.level] = row
    return out


def rules(session, settlement: AwardSettlement) -> dict[str, Rule]:
    """The settlement year's rules by id, with the administrator's parameter values."""
    in_force = parameters.programme(session, settlement.programme).in_force(settlement.year)
    return {rule.id: rule for rule in in_force.rules}


def lines(rule: Rule, amount: Decimal) -> list[tuple[str, Decimal]]:
    """``amount`` (decided) cut into ``rule``'s funding lines; the parts add up to it exactly."""
    return list(zip((level for level, _ in rule.funding), split(amount, [share for _, share in rule.funding])))


def _entry(session, settlement: AwardSettlement, actor, now: datetime, **values) -> AwardEntry:
    row = AwardEntry(settlement_id=settlement.id, actor_id=actor.id if actor else None, at=now, **values)
    session.add(row)
    settlement.updated_at = now
    session.flush()
    return row


def _reason(reason: str | None) -> str:
    if not (reason or "").strip():
        raise LedgerRefused(_REASON)
    return reason.strip()


def decide(session, settlement: AwardSettlement, state: ItemState, kind: str, *, amount: Decimal | None = None,
           reason: str | None = None, actor, now: datetime) -> AwardEntry:
    """Approve (at the computed amount), reduce (to ``amount``, with a reason) or refuse (with a reason).

    :raise LedgerRefused: the list is published, the item is not proposed, the
        amount is out of range or the reason is missing.
    """
    if settlement.status != OPEN:
        raise LedgerRefused(_PUBLISHED)
    item = state.item
    if not item.current:
        raise LedgerRefused(_GONE)
    if not state.proposed:
        raise LedgerRefused(_NOT_PROPOSED.format(status=STATUS_LABELS.get(item.status, item.status),
                                                   amount=wan(item.payable)))
    if kind == APPROVE:
        amount, reason = item.payable, (reason or "").strip() or None
    elif kind == REDUCE:
        reason = _reason(reason)
        if amount is None or not ZERO < amount < item.payable:
            raise LedgerRefused(_REDUCE_RANGE.format(amount=wan(item.payable)))
    elif kind == REFUSE:
        amount, reason = None, _reason(reason)
    else:
        raise AssertionError(kind)
    if state.decision is not None:
        _entry(session, settlement, actor, now, item_id=item.id, kind=REVERSE, reverses_id=state.decision.id,
               reason=reason or _REDECIDED)
    state.decision = _entry(session, settlement, actor, now, item_id=item.id, kind=kind, amount=amount,
                            basis=item.payable, reason=reason)
    return state.decision


def publish(session, settlement: AwardSettlement, all_states: dict[int, ItemState], *, on: date,
            reference: str | None, actor, as_of: date, now: datetime) -> AwardEntry:
    """Publish the approved list (公示) on day ``on``.

    :raise LedgerRefused: already published, an item undecided or stale, or ``on`` after today.
    """
    if settlement.status != OPEN:
        raise LedgerRefused(_PUBLISHED)
    if on > as_of:
        raise LedgerRefused(_FUTURE.format(label=_LABEL_PUBLISHED_ON, day=on.isoformat()))
    pending = sum(1 for state in all_states.values() if state.pending)
    if pending:
        raise LedgerRefused(_UNDECIDED.format(count=pending))
    settlement.status, settlement.published_on = PUBLISHED, on
    settlement.published_by_id = actor.id if actor else None
    return _entry(session, settlement, actor, now, kind=PUBLISH, on=on, reference=(reference or "").strip() or None)


def pay(session, settlement: AwardSettlement, state: ItemState, level: str, *, on: date, reference: str | None,
        actor, as_of: date, now: datetime) -> AwardEntry:
    """Record that funding line ``level`` of an approved item was paid on ``on``.

    :raise LedgerRefused: not published, not approved, no such line, already
        paid, or a day after today, before the publication or before the payment year.
    """
    if settlement.status != PUBLISHED:
        raise LedgerRefused(_NOT_OPEN_TO_PAY)
    if state.decision is None or state.decision.kind == REFUSE:
        raise LedgerRefused(_NOT_APPROVED)
    parts = dict(lines(rules(session, settlement)[state.item.rule], state.decided))
    if level not in parts:
        raise LedgerRefused(_LEVEL.format(level=LEVEL_LABELS.get(level, level)))
    if level in state.payments:
        raise LedgerRefused(_PAID.format(level=LEVEL_LABELS[level], day=state.payments[level].on.isoformat()))
    if on > as_of:
        raise LedgerRefused(_FUTURE.format(label=_LABEL_PAID_ON, day=on.isoformat()))
    if on < settlement.published_on:
        raise LedgerRefused(_BEFORE_PUBLISHED.format(day=on.isoformat(), published=settlement.published_on.isoformat()))
    if on.year < state.item.payment_year:
        raise LedgerRefused(_BEFORE_PAYMENT_YEAR.format(year=state.item.payment_year, day=on.isoformat()))
    row = _entry(session, settlement, actor, now, item_id=state.item.id, kind=PAY, amount=parts[level], level=level,
                 on=on, reference=(reference or "").strip() or None)
    state.payments[level] = row
    return row


def reverse(session, settlement: AwardSettlement, entry: AwardEntry, *, reason: str | None, actor,
            now: datetime) -> AwardEntry:
    """Void ``entry`` with a reason: a decision (while the list is open), a payment, or the publication
    (while nothing is paid, reopening the decisions).

    :raise LedgerRefused: no reason, already reversed, a reversal, or not allowed now.
    """
    reason = _reason(reason)
    rows = entries(session, settlement)
    if entry.kind == REVERSE:
        raise LedgerRefused(_NOT_REVERSIBLE)
    if entry not in live(rows):
        raise LedgerRefused(_REVERSED)
    if entry.kind in DECISIONS and settlement.status != OPEN:
        raise LedgerRefused(_PUBLISHED)
    if entry.kind == PUBLISH:
        if any(row.kind == PAY for row in live(rows)):
            raise LedgerRefused(_PAYMENTS_LIVE)
        settlement.status, settlement.published_on, settlement.published_by_id = OPEN, None, None
    return _entry(session, settlement, actor, now, item_id=entry.item_id, kind=REVERSE, reverses_id=entry.id,
                  reason=reason)


def prior_awards(session, code: str, year: int) -> dict[str, list[dict]]:
    """Beneficiary key -> the awards decided (approved or reduced, not reversed) in the programme's
    settlements of years before ``year``, as ``prior_award`` facts of the contract."""
    out: dict[str, list[dict]] = {}
    prog = parameters.programme(session, code)
    for settlement in session.scalars(select(AwardSettlement).where(AwardSettlement.programme == code,
                                                                    AwardSettlement.year < year)):
        groups = {rule.id: rule for rule in prog.in_force(settlement.year).rules}
        items = list(session.scalars(select(AwardItem).where(AwardItem.settlement_id == settlement.id)))
        for state in states(session, settlement, items).values():
            if state.decided <= ZERO:
                continue
            item, rule = state.item, groups.get(state.item.rule)
            fact = {"id": f"ledger-item-{item.id}", "type": "prior_award", "date": item.date.isoformat(),
                    "subject": item.subject, "rule": item.rule, "amount": str(state.decided),
                    "funding_level": rule.funding[0][0] if rule else "city"}
            if rule and rule.conflict_group:
                fact["conflict_group"] = rule.conflict_group
            out.setdefault(item.beneficiary_key, []).append(fact)
    return out


def published_for(session, enterprise_id: int) -> list[tuple[AwardSettlement, ItemState]]:
    """An enterprise's own awards as published (公示): the items decided in every published
    settlement — what the enterprise may see of the review, never the list under review."""
    out = []
    for settlement in session.scalars(select(AwardSettlement).where(AwardSettlement.status == PUBLISHED)
                                      .order_by(AwardSettlement.year.desc(), AwardSettlement.id)):
        items = list(session.scalars(select(AwardItem).where(AwardItem.settlement_id == settlement.id,
                                                             AwardItem.enterprise_id == enterprise_id)))
        out.extend((settlement, state) for state in states(session, settlement, items).values()
                   if state.decision is not None)
    return out
