"""The ladder's tests' world: an enterprise whose first-pool log says it graduated."""
from datetime import date

from sqlalchemy import select

from models import Enterprise, PoolEvent, User
from models.event import STATE_CHANGE


def graduate_from_first_pool(session, enterprise_id: int, on: date) -> tuple[Enterprise, User]:
    """Applied and admitted on 2025-03-01, graduated on ``on`` — as the first pool's event log says
    (what ``member_of`` reads) and its cached state; flushed. Returns the enterprise and the admin."""
    enterprise = session.get(Enterprise, enterprise_id)
    admin = session.scalar(select(User).where(User.username == "admin"))
    for day, before, after in ((date(2025, 3, 1), None, "applied"), (date(2025, 3, 1), "applied", "admitted"),
                               (on, "admitted", "graduated")):
        session.add(PoolEvent(enterprise_id=enterprise.id, county_id=enterprise.county_id, kind=STATE_CHANGE,
                              from_state=before, to_state=after, effective_on=day, actor_id=admin.id))
    enterprise.state, enterprise.state_changed_on = "graduated", on
    session.flush()
    return enterprise, admin
