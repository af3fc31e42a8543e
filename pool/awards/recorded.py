"""Award facts the living record already holds, so nobody types them twice.

A qualification on an enterprise's record (高新技术企业, 国家知识产权优势/示范企业)
is a ``qualification`` fact on its approval day (or the first day of validity),
a renewal when it names the certificate it renews; a granted patent is a
``patent_grant`` fact on its grant day, by its office (CN when not recorded).
Other record types have no award designation and give no fact.  The beneficiary
is the enterprise, named by its 统一社会信用代码, in the region.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import Enterprise, Patent, Qualification

# record type -> (designation, fixed fields) of the facts contract
DESIGNATIONS = {
    "high_tech": ("high_tech", {}),
    "ip_advantage": ("ip_enterprise", {"level": "national", "subtype": "advantage"}),
    "ip_demonstration": ("ip_enterprise", {"level": "national", "subtype": "demonstration"}),
}
_LEVELS = {"national": "national", "provincial": "provincial", "municipal": "municipal"}


def _head(enterprise: Enterprise) -> dict:
    return {"id": enterprise.uscc, "name": enterprise.name, "kind": "enterprise", "in_region": True}


def qualification_fact(row: Qualification) -> dict | None:
    """The contract's fact for one qualification on the record, or ``None`` (no award designation)."""
    if row.type not in DESIGNATIONS:
        return None
    designation, fixed = DESIGNATIONS[row.type]
    fact = {"id": f"record-qualification-{row.id}", "type": "qualification",
            "date": (row.approved_on or row.valid_from).isoformat(),
            "subject": row.certificate_no or f"record-qualification-{row.id}", "designation": designation,
            "renewal": row.renews_id is not None}
    if row.level in _LEVELS:
        fact["level"] = _LEVELS[row.level]
    fact.update(fixed)
    return fact


def patent_fact(row: Patent) -> dict:
    """The contract's fact for one granted patent on the record."""
    return {"id": f"record-patent-{row.id}", "type": "patent_grant", "date": row.granted_on.isoformat(),
            "subject": row.number, "kind": row.kind, "office": (row.office or "CN").upper()}


def facts(session, until: date) -> dict[str, tuple[dict, list[dict]]]:
    """Enterprise USCC -> (head, facts) for qualifications and grants dated on or before ``until``."""
    out: dict[str, tuple[dict, list[dict]]] = {}
    day = func.coalesce(Qualification.approved_on, Qualification.valid_from)
    for row, enterprise in session.execute(
            select(Qualification, Enterprise).join(Enterprise, Qualification.enterprise_id == Enterprise.id)
            .where(Qualification.type.in_(DESIGNATIONS), day <= until).order_by(Enterprise.id, Qualification.id)):
        out.setdefault(enterprise.uscc, (_head(enterprise), []))[1].append(qualification_fact(row))
    for row, enterprise in session.execute(
            select(Patent, Enterprise).join(Enterprise, Patent.enterprise_id == Enterprise.id)
            .where(Patent.granted_on.is_not(None), Patent.granted_on <= until).order_by(Enterprise.id, Patent.id)):
        out.setdefault(enterprise.uscc, (_head(enterprise), []))[1].append(patent_fact(row))
    return out
