"""Saved eligibility checks: what was entered, what was decided, with which rules."""
from sqlalchemy import or_, select

from models import Application, Enterprise

from pool.access import scoping
from pool.eligibility.criteria import Evaluation


def save(session, *, data: dict, evaluation: Evaluation, county_id: int, actor) -> Application:
    """Store the applicant exactly as entered with its evaluation record.

    The record holds the criteria, the verdict, the assessment date and the
    policy values used, so the page can show the verdict years later as it was
    given, whatever the rules are by then.  Links to the enterprise with the
    same USCC in the county, if there is one.

    :raise PermissionError: if ``actor`` may not act for ``county_id``.
    """
    application = build(data=data, evaluation=evaluation, county_id=county_id, actor=actor)
    application.enterprise_id = session.scalar(select(Enterprise.id).where(
        Enterprise.uscc == evaluation.uscc, Enterprise.county_id == county_id))
    session.add(application)
    session.flush()
    return application


def build(*, data: dict, evaluation: Evaluation, county_id: int, actor) -> Application:
    """The check :func:`save` stores, neither linked to an enterprise nor added
    to a session: for a caller that saves many at once and links them to the
    enterprises it registers (:func:`pool.records.registration.register_applicants`).

    :raise PermissionError: if ``actor`` may not act for ``county_id``.
    """
    if not scoping.may_act_for(actor, county_id):
        raise PermissionError("不能为其他县市区保存申报")
    return Application(
        county_id=county_id, uscc=evaluation.uscc,
        name=evaluation.name, as_of=evaluation.as_of, verdict=evaluation.verdict,
        data=data, result=evaluation.to_record(), created_by_id=actor.id)


def visible(viewer):
    """``SELECT`` of the saved applications ``viewer`` may see, newest first."""
    return (select(Application)
            .where(scoping.county_filter(viewer, Application.county_id))
            .order_by(Application.created_at.desc(), Application.id.desc()))


def for_new_cycle(viewer, enterprise):
    """``SELECT`` of the saved checks ``viewer`` may see that a new application
    cycle of ``enterprise`` may rely on (:func:`pool.membership.cycles.reapply`):
    of its USCC in its county, not linked to another enterprise; newest first."""
    return visible(viewer).where(
        Application.uscc == enterprise.uscc, Application.county_id == enterprise.county_id,
        or_(Application.enterprise_id.is_(None), Application.enterprise_id == enterprise.id))
