"""County scoping, in one place, failing closed.

A city administrator sees every county; a county officer sees only rows of
their own county; anyone else — anonymous, inactive, an officer whose county is
missing, an unknown role — sees nothing.  Every query for county-owned rows goes
through :func:`county_filter`; the web layer turns "not visible" into 404 so an
officer cannot even learn that another county's enterprise exists.

A row that belongs to an enterprise (product, patent, figure, contact, saved
check, event, risk flag, mail …) is reached only through :func:`get_child`:
through its enterprise, in the viewer's scope, and — when the caller names one
— that very enterprise, so an id taken from a URL or a form can never lead into
another county's data.
"""
from sqlalchemy import false, select, true

from models import (
    CITY_ADMIN, COUNTY_OFFICER, Application, AwardFact, AwardItem, Contact, County, Enterprise, ExitRequest, IntakeBatch, OutboxMail,
    MatchmakingEvent, Patent,
    PoolEvent, Product, ProductFigure, Qualification, ResearchPartnership, RiskFlag, StateCorrection,
    RiskFlagChange, Region, Trademark, YearlyFigure,
)
from pool.targets import statistics

MAX_ID = 2**31 - 1  # ids are 32-bit integers on every backend

# How a child row reaches its enterprise: directly, or through its parent row.
# A mail may have no enterprise (an officer's digest): its own county decides.  An award
# fact or item belongs to its enterprise's county; one of a bank, an agency or a
# university has none and is the city administrator's alone.  A matchmaking event
# (专利技术供需对接活动) is its county's.
_COUNTY_OWNED = (OutboxMail, IntakeBatch, AwardFact, AwardItem, MatchmakingEvent)
_DIRECT = (Application, Contact, ExitRequest, Patent, PoolEvent, Product, Qualification, StateCorrection,
           ResearchPartnership, RiskFlag, Trademark, YearlyFigure)
_THROUGH = {ProductFigure: (Product, ProductFigure.product_id == Product.id),
            RiskFlagChange: (RiskFlag, RiskFlagChange.flag_id == RiskFlag.id)}


def _signed_in(viewer) -> bool:
    """An active, authenticated user (anything else sees nothing)."""
    return viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.active


def county_filter(viewer, county_column):
    """A WHERE clause limiting ``county_column`` to what ``viewer`` may see."""
    if not _signed_in(viewer):
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


def children(viewer, model, *, enterprise_id: int | None = None):
    """``SELECT`` of the ``model`` rows whose enterprise ``viewer`` may see
    (and, if given, whose enterprise is ``enterprise_id``)."""
    stmt = select(model)
    if model in _COUNTY_OWNED:
        stmt = stmt.where(county_filter(viewer, model.county_id))
        return stmt if enterprise_id is None else stmt.where(model.enterprise_id == enterprise_id)
    if model in _THROUGH:
        parent, on = _THROUGH[model]
        stmt, owner = stmt.join(parent, on), parent.enterprise_id
    elif model in _DIRECT:
        owner = model.enterprise_id
    else:
        raise TypeError(f"{model.__name__} is not a child of an enterprise")
    stmt = stmt.join(Enterprise, Enterprise.id == owner).where(
        county_filter(viewer, Enterprise.county_id))
    if enterprise_id is not None:
        stmt = stmt.where(Enterprise.id == enterprise_id)
    return stmt


def get_child(session, viewer, model, child_id, *, enterprise_id: int | None = None):
    """The ``model`` row ``child_id`` if it exists, its enterprise is visible to
    ``viewer`` and (if given) is ``enterprise_id``; else ``None`` — the same
    answer for absent and out of scope.  ``child_id`` may be anything a request
    carried (``None``, out of range): that is ``None`` too."""
    if type(child_id) is not int or not 0 < child_id <= MAX_ID:
        return None
    return session.scalar(children(viewer, model, enterprise_id=enterprise_id)
                          .where(model.id == child_id))


def counties(session, viewer) -> list[County]:
    """The counties ``viewer`` may see or act for, in display order."""
    stmt = select(County).where(county_filter(viewer, County.id))
    return list(session.scalars(stmt.order_by(County.sort_order, County.id)))


def county_ids(session, viewer) -> list[int] | None:
    """The ids of the counties ``viewer`` may see, ``None`` for the city administrator (every
    county, those to come included) — for domain code that takes counties, not a viewer."""
    if viewer is not None and getattr(viewer, "role", None) == CITY_ADMIN and viewer.active:
        return None
    return [c.id for c in counties(session, viewer)]


def may_act_for(viewer, county_id: int) -> bool:
    """Whether ``viewer`` may create or change rows of ``county_id``."""
    if not _signed_in(viewer):
        return False
    if viewer.role == CITY_ADMIN:
        return True
    return viewer.role == COUNTY_OFFICER and viewer.county_id == county_id


def target_regions(session, viewer) -> list[Region]:
    """The stored regions (:func:`pool.targets.statistics.all_regions`) whose targets ``viewer`` may
    evaluate from the records — the dashboard's choice and the API's: every one for the city
    administrator; for a county officer their own county's alone (a city or a province is measured
    from other counties' records too); none for anyone else."""
    everything = statistics.all_regions(session)
    if _signed_in(viewer) and viewer.role == CITY_ADMIN:
        return everything
    own = {c.code for c in counties(session, viewer)}
    return [r for r in everything if r.level == "county" and r.code in own]
