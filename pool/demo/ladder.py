"""Demo ladder: two more pools beside the first, each with members in every state it knows.

* **接续培育** (shipped, follows the first pool): of the enterprises graduated from
  the first pool (by id), the first three applied on their graduation day and were
  admitted that day; the fourth waits for a decision; the rest are only proposed.
  The first has since been recognised as a 专精特新“小巨人” (30 days before the demo's
  date), so its graduation is proposed.
* **黄石市高新技术企业备选库**, made by the city administrator from Xuchang's template
  120 days before the demo's date, with Huangshi's own division prefix (4202) as a
  dated parameter value: four enterprises of the first pool without a 高企
  certificate hold a 科技型中小企业 one; each was applied with its declared field and
  admitted on the officer's judgement (「有基础、有潜力」); the second was then
  certified a 高企 and graduated, the first was certified 10 days ago and is proposed.

Idempotent: a database with any of these memberships or the pool already made is left as it is.
"""
from datetime import date, timedelta

from sqlalchemy import select

from models import Enterprise, Membership, PoolChange, Qualification
from pool.kernel.refusal import TransitionRefused
from pool.ladder import catalogue, memberships

CONTINUING = "huangshi-continuing-2024"
RESERVE = "huangshi-hightech-reserve"
_JUDGEMENT = "经办人遴选：有研发投入和自主知识产权，「有基础、有潜力」"


def seed(session, *, admin, as_of: date) -> int:
    """Create the demo memberships (and the reserve pool); how many memberships were created."""
    return _continuing(session, admin, as_of) + _reserve(session, admin, as_of)


def _certificate(session, enterprise, kind: str, number: str, start: date) -> None:
    session.add(Qualification(enterprise_id=enterprise.id, type=kind, certificate_no=number, valid_from=start,
                              valid_to=start + timedelta(days=3 * 365 - 1)))
    session.flush()
    session.expire(enterprise, ["qualifications"])


def _continuing(session, admin, as_of: date) -> int:
    if session.scalar(select(Membership.id).where(Membership.pool_code == CONTINUING).limit(1)) is not None:
        return 0
    graduated = list(session.scalars(select(Enterprise).where(Enterprise.state == "graduated")
                                     .order_by(Enterprise.id)))
    for n, enterprise in enumerate(graduated[:4]):
        on = enterprise.state_changed_on or as_of
        membership = memberships.apply(session, enterprise, CONTINUING, actor=admin, on=on, today=as_of,
                                       reason="出库后接续培育，助推形成专精特新“小巨人”企业")
        if n < 3:
            try:
                memberships.admit(session, membership, actor=admin, on=on, today=as_of)
            except TransitionRefused:
                continue  # the record on that day does not qualify: left for an officer
        if n == 0:
            _certificate(session, enterprise, "little_giant", f"XJR-{as_of.year}-001", as_of - timedelta(days=30))
    return min(len(graduated), 4)


def _reserve(session, admin, as_of: date) -> int:
    if session.scalar(select(PoolChange.id).where(PoolChange.pool_code == RESERVE).limit(1)) is not None:
        return 0
    made_on = as_of - timedelta(days=120)
    catalogue.record(session, {
        "kind": "create", "code": RESERVE, "name": "黄石市高新技术企业备选库", "template": "xuchang-2022",
        "valid_from": made_on.isoformat(), "source": "演示：市局参照许昌市做法建立高企备选库",
        "programme": {"document": "演示：黄石市高新技术企业培育工作方案", "city": "黄石", "issuer_region": "420200"},
    }, actor=admin, today=as_of)
    catalogue.record(session, {"kind": "parameter", "code": RESERVE, "key": "city_region_prefixes",
                               "value": ["4202"], "valid_from": made_on.isoformat(),
                               "source": "演示：本市行政区划代码 420200"}, actor=admin, today=as_of)
    candidates = [e for e in session.scalars(select(Enterprise).where(Enterprise.state.in_(("admitted", "applied")))
                                             .order_by(Enterprise.id))
                  if not any(q.type == "high_tech" for q in e.qualifications)][:4]
    admitted_on = made_on + timedelta(days=30)
    for n, enterprise in enumerate(candidates):
        _certificate(session, enterprise, "tech_sme", f"KJX-{as_of.year - 1}-{n + 1:03d}", as_of - timedelta(days=365))
        membership = memberships.apply(session, enterprise, RESERVE, actor=admin, on=made_on, today=as_of,
                                       facts={"hightech_field": "1.1.1", "rd_super_deduction": True})
        try:
            memberships.admit(session, membership, actor=admin, on=admitted_on, today=as_of, reason=_JUDGEMENT)
        except TransitionRefused:
            continue
        if n == 1:
            certified = as_of - timedelta(days=40)
            _certificate(session, enterprise, "high_tech", f"GR{as_of.year}42000{n:03d}", certified)
            memberships.graduate(session, membership, actor=admin, on=certified, today=as_of)
        elif n == 0:
            _certificate(session, enterprise, "high_tech", f"GR{as_of.year}42000{n:03d}", as_of - timedelta(days=10))
    return len(candidates)
