"""Finding enterprises: the filtered, searchable, scoped list behind the list page."""
from sqlalchemy import false, or_

from models import STATES, Enterprise

from pool.access import scoping
from pool.kernel import text
from pool.membership.history import STATE_LABELS  # noqa: F401 - the one vocabulary of states

assert set(STATE_LABELS) == set(STATES)


# The orders a list can be sorted in: the columns, then the name's pinyin and the id (stable).
SORTS = {
    "name": (Enterprise.name_key,), "uscc": (Enterprise.uscc,), "county": (Enterprise.county_id,),
    "state": (Enterprise.state,), "admitted_on": (Enterprise.admitted_on,), "industry": (Enterprise.industry_code,),
}


def search(viewer, *, q: str | None = None, county_id: int | None = None,
           state: str | None = None, sort: str = "name", descending: bool = False):
    """``SELECT`` of the visible enterprises matching the filters, in a stable order.

    ``q`` matches any part of the name or of the USCC.  An unknown
    ``state`` matches nothing rather than everything.  ``sort`` is one of
    :data:`SORTS` (an unknown one sorts by name); names sort in pinyin order
    (:func:`pool.kernel.text.sort_key`), ties by name and id.
    """
    stmt = scoping.enterprises(viewer)
    if q and text.forbidden_character(q):  # no stored name holds one; PostgreSQL refuses NUL
        return stmt.where(false())
    if q:
        q = q.strip()
        stmt = stmt.where(or_(
            Enterprise.name.ilike(text.like_pattern(q), escape="\\"),
            Enterprise.uscc.like(text.like_pattern(q.upper()), escape="\\"),
        ))
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    if state:
        stmt = stmt.where(Enterprise.state == state)
    columns = SORTS.get(sort, SORTS["name"])
    order = [c.desc() if descending else c for c in columns]
    if sort not in ("name", None):
        order.append(Enterprise.name_key)
    return stmt.order_by(*order, Enterprise.id)
