"""A programme's award year, settled: opened, computed from the facts, summed up.

:func:`compute` gathers the year's facts — stored (:mod:`pool.awards.store`),
from the living record (:mod:`pool.awards.recorded`) and the awards earlier
years' settlements decided (:func:`pool.awards.ledger.prior_awards`) — runs the
one engine (:func:`pool.awards.engine.evaluate`) and keeps each item with its
trace.  Computing again updates the items in place: one no longer produced is
marked not current, and a decision taken on another amount becomes stale
(:class:`pool.awards.ledger.ItemState`), to be reviewed again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from models import OPEN, AwardItem, AwardSettlement, Enterprise
from pool.awards import engine, facts as contract, ledger, parameters, programme, recorded, store
from pool.awards.money import ZERO
from pool.kernel.wording import phrase

_EXISTS = phrase("{programme} {year} 年度的奖补结算已经开始")
_FUTURE_YEAR = phrase("「奖补年度」：{year} 年还没有开始")
_PUBLISHED = phrase("名单已公示，不能重新计算；如需更正，请先冲销公示")
_BAD_FACTS = phrase("已登记的奖补事实有 {count} 处不符合约定，请先更正：{first}")


class SettlementRefused(ValueError):
    """Nothing was written; the message says why, in Chinese."""


def open_settlement(session, code: str, year: int, *, actor, as_of: date, now: datetime) -> AwardSettlement:
    """Start settling ``code``'s award ``year``.

    :raise SettlementRefused: the year has not begun, the programme does not
        apply that year (its Chinese reason), or the year is already open.
    """
    if year > as_of.year:
        raise SettlementRefused(_FUTURE_YEAR.format(year=year))
    try:
        parameters.programme(session, code).in_force(year)
    except programme.ProgrammeError as exc:
        raise SettlementRefused(str(exc)) from None
    if session.scalar(select(AwardSettlement.id).where(AwardSettlement.programme == code,
                                                       AwardSettlement.year == year)):
        raise SettlementRefused(_EXISTS.format(programme=code, year=year))
    row = AwardSettlement(programme=code, year=year, status=OPEN, opened_by_id=actor.id if actor else None,
                          opened_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def gather(session, code: str, year: int) -> dict:
    """The facts document (the contract's form) the award ``year`` is computed from."""
    until = date(year, 12, 31)
    by_key = recorded.facts(session, until)
    for key, (head, rows) in store.stored(session, until).items():
        if key in by_key:  # a stored fact of the same subject says more than the record's (costs, places)
            known = {(f["type"], f.get("subject")) for f in rows}
            by_key[key] = (head, rows + [f for f in by_key[key][1] if (f["type"], f.get("subject")) not in known])
        else:
            by_key[key] = (head, rows)
    for key, awards in ledger.prior_awards(session, code, year).items():
        if key in by_key:
            by_key[key][1].extend(awards)
    return {"beneficiaries": [{**head, "facts": rows} for key, (head, rows) in sorted(by_key.items())]}


@dataclass
class Computed:
    """What one computation changed."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    beneficiaries: int = 0
    facts: int = 0


def compute(session, settlement: AwardSettlement, *, now: datetime) -> Computed:
    """(Re)compute every item of the settlement's year.

    :raise SettlementRefused: the list is published, or a stored fact breaks the contract.
    """
    if settlement.status != OPEN:
        raise SettlementRefused(_PUBLISHED)
    document = gather(session, settlement.programme, settlement.year)
    try:
        beneficiaries = contract.parse(document)
    except contract.InvalidFacts as exc:
        raise SettlementRefused(_BAD_FACTS.format(count=len(exc.problems), first=exc.problems[0])) from None
    evaluation = engine.evaluate(parameters.programme(session, settlement.programme), beneficiaries, settlement.year)
    companies = {e.uscc: e for e in session.scalars(select(Enterprise).where(
        Enterprise.uscc.in_([b.id for b in beneficiaries if b.kind == "enterprise"])))} if beneficiaries else {}
    existing = {(i.beneficiary_key, i.rule, i.subject): i for i in session.scalars(
        select(AwardItem).where(AwardItem.settlement_id == settlement.id))}
    result, seen = Computed(beneficiaries=len(beneficiaries), facts=sum(len(b.facts) for b in beneficiaries)), set()
    for beneficiary in evaluation.beneficiaries:
        company = companies.get(beneficiary.id) if beneficiary.kind == "enterprise" else None
        for item in beneficiary.items:
            key = (beneficiary.id, item.rule.id, item.subject[:120])
            seen.add(key)
            values = dict(beneficiary_name=beneficiary.name, beneficiary_kind=beneficiary.kind,
                          enterprise_id=company.id if company else None,
                          county_id=company.county_id if company else None, rule_label=item.rule.label,
                          clause=item.rule.clause[:200], facts=list(item.facts), date=item.date, status=item.status,
                          gross=str(item.gross), amount=str(item.amount), payable=item.payable,
                          lines=[[level, str(amount)] for level, amount in item.lines], conflict=item.conflict,
                          trace=list(item.trace), award_year=item.award_year, payment_year=item.payment_year,
                          current=True)
            row = existing.get(key)
            if row is None:
                session.add(AwardItem(settlement_id=settlement.id, beneficiary_key=key[0], rule=key[1],
                                      subject=key[2], **values))
                result.added += 1
                continue
            before = (row.status, row.payable, row.current, row.trace)
            for name, value in values.items():
                setattr(row, name, value)
            if before == (row.status, row.payable, row.current, row.trace):
                result.unchanged += 1
            else:
                result.changed += 1
    for key, row in existing.items():
        if key not in seen and row.current:
            row.current = False
            result.gone += 1
    settlement.computed_at = settlement.updated_at = now
    settlement.basis = {"parameters": {k: _plain(v) for k, v in evaluation.in_force.parameters.items()},
                        "beneficiaries": result.beneficiaries, "facts": result.facts}
    session.flush()
    return result


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass
class Summary:
    """The settlement's figures, for its page and its exports."""

    items: int = 0
    proposed: int = 0
    pending: int = 0
    computed: Decimal = ZERO
    decided: Decimal = ZERO
    paid: dict[str, Decimal] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def paid_total(self) -> Decimal:
        return sum(self.paid.values(), ZERO)


def summary(all_states: dict[int, ledger.ItemState]) -> Summary:
    out = Summary()
    for state in all_states.values():
        if not state.item.current:
            continue
        out.items += 1
        out.by_status[state.item.status] = out.by_status.get(state.item.status, 0) + 1
        if state.proposed:
            out.proposed += 1
            out.computed += state.item.payable
        out.pending += state.pending
        out.decided += state.decided
        for level, entry in state.payments.items():
            out.paid[level] = out.paid.get(level, ZERO) + entry.amount
    return out
