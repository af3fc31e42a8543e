"""Demo awards: one year's settlement to click through, under Xuchang's schedule (seed 000)
as the worked example — Huangshi's own text promises 贴息贴费 without amounts.

Facts a few demo members claimed (a pledge loan's evaluation fee and insurance, a
municipal patent prize) are imported as a facts document, the record gives the
rest (qualifications, grants); the last complete year is opened and computed,
and left under review.  Idempotent: an open year is left as it is, and a year the
programme does not cover is skipped.
"""
from datetime import date, datetime, time, timezone

from sqlalchemy import select

from models import AwardSettlement, Enterprise
from pool.awards import settlement, store

PROGRAMME = "xuchang-2022"


def _facts(members: list[Enterprise], year: int) -> dict:
    beneficiaries = []
    for n, member in enumerate(members):
        facts = [{"id": f"demo-fee-{year}-{n}", "type": "fee", "date": f"{year}-0{3 + n}-15",
                  "subject": f"ZY{year}-{n + 1:02d}", "fee": "evaluation", "amount": str(6 + 4 * n),
                  "borne_by_beneficiary": True}]
        if n == 0:
            facts.append({"id": f"demo-insurance-{year}", "type": "fee", "date": f"{year}-04-01",
                          "subject": f"ZY{year}-01", "fee": "insurance", "amount": "5", "borne_by_beneficiary": True})
        if n == 1:
            facts.append({"id": f"demo-prize-{year}", "type": "prize", "date": f"{year}-11-20",
                          "subject": f"demo-prize-{year}", "level": "municipal"})
        beneficiaries.append({"id": member.uscc, "name": member.name, "kind": "enterprise", "facts": facts})
    return {"beneficiaries": beneficiaries}


def seed(session, *, admin, as_of: date) -> AwardSettlement | None:
    """Open and compute the demo's award year (the last complete one); ``None`` if skipped."""
    year = as_of.year - 1
    existing = session.scalar(select(AwardSettlement).where(AwardSettlement.programme == PROGRAMME,
                                                            AwardSettlement.year == year))
    if existing is not None:
        return None
    now = datetime.combine(as_of, time(9), timezone.utc)
    members = list(session.scalars(select(Enterprise).where(Enterprise.state == "admitted")
                                   .order_by(Enterprise.id).limit(3)))
    try:
        if members:
            store.record(session, _facts(members, year), source="import", actor=admin, as_of=as_of, now=now)
        row = settlement.open_settlement(session, PROGRAMME, year, actor=admin, as_of=as_of, now=now)
    except (store.FactsRefused, settlement.SettlementRefused):
        return None
    settlement.compute(session, row, now=now)
    return row
