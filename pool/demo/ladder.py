"""Demo ladder: 接续培育 after 培育出库, so the second pool has members, a decision pending,
an enterprise due to graduate (a “小巨人” certificate recorded) and graduates still only proposed.

Of the enterprises graduated from the first pool (by id): the first three applied on
their graduation day and were admitted that day on the pool's criteria; the fourth
applied and waits for a decision; the rest are left for the pool's page to propose.
The first one has since been recognised as a 专精特新“小巨人” (a certificate from 30
days before the demo's date), so its graduation is proposed.  Idempotent: a database
with any membership of the pool is left as it is.
"""
from datetime import date, timedelta

from sqlalchemy import select

from models import Enterprise, Membership, Qualification
from pool.kernel.refusal import TransitionRefused
from pool.ladder import memberships

POOL = "huangshi-continuing-2024"


def seed(session, *, admin, as_of: date) -> int:
    """Create the demo memberships; how many were created."""
    if session.scalar(select(Membership.id).where(Membership.pool_code == POOL).limit(1)) is not None:
        return 0
    graduated = list(session.scalars(select(Enterprise).where(Enterprise.state == "graduated")
                                     .order_by(Enterprise.id)))
    made = 0
    for n, enterprise in enumerate(graduated[:4]):
        on = enterprise.state_changed_on or as_of
        membership = memberships.apply(session, enterprise, POOL, actor=admin, on=on, today=as_of,
                                       reason="出库后接续培育，助推形成专精特新“小巨人”企业")
        made += 1
        if n < 3:
            try:
                memberships.admit(session, membership, actor=admin, on=on, today=as_of)
            except TransitionRefused:
                continue  # the record on that day does not qualify: left for an officer
        if n == 0:
            session.add(Qualification(enterprise_id=enterprise.id, type="little_giant",
                                      certificate_no=f"XJR-{as_of.year}-001", valid_from=as_of - timedelta(days=30),
                                      valid_to=as_of - timedelta(days=30) + timedelta(days=3 * 365)))
    session.flush()
    return made
