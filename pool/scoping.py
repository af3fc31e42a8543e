"""County scoping, in one place, failing closed.

A city administrator sees every county; a county officer sees only rows of
their own county; anyone else — anonymous, inactive, an officer whose county is
missing, an unknown role — sees nothing.  Every query for county-owned rows goes
through :func:`county_filter`; the web layer turns "not visible" into 404 so an
officer cannot even learn that another county's enterprise exists.
"""
from sqlalchemy import false, select, true

from models import CITY_ADMIN, COUNTY_OFFICER, County, Enterprise


def county_filter(viewer, county_column):
    """A WHERE clause limiting ``county_column`` to what ``viewer`` may see."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.active:
        return false()
    if viewer.role == CITY_ADMIN:
        return true()
    if viewer.role == COUNTY_OFFICER and viewer.county_id is not None:
        return county_column == viewer.county_id
    return false()


def enterprises(viewer):
    """``SELECT`` of the enterprises ``viewer`` may see (add filters to it)."""
    return select(Enterprise).where(county_filter(viewer, Enterprise.county_id))


def get_enterprise(session, viewer, enterprise_id: int) -> Enterprise | None:
    """The enterprise if it exists *and* ``viewer`` may see it, else ``None``."""
    return session.scalar(enterprises(viewer).where(Enterprise.id == enterprise_id))


def counties(session, viewer) -> list[County]:
    """The counties ``viewer`` may see or act for, in display order."""
    stmt = select(County).where(county_filter(viewer, County.id))
    return list(session.scalars(stmt.order_by(County.sort_order, County.id)))


def may_act_for(viewer, county_id: int) -> bool:
    """Whether ``viewer`` may create or change rows of ``county_id``."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.active:
        return False
    if viewer.role == CITY_ADMIN:
        return True
    return viewer.role == COUNTY_OFFICER and viewer.county_id == county_id
