"""The enterprise list (paginated, searchable, filterable) and the enterprise page."""
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import STATES, Application, Enterprise, PoolEvent, Product, db
from pool.eligibility import applications, rulebook
from pool.records import directory
from pool.membership import intake, lifecycle
from pool.access import scoping

from pool.web import monitor
from pool.web.access import enterprise_or_404
from pool.kernel.clock import today

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")


@bp.route("/")
def index():
    filters = list_filters()
    stmt = directory.search(current_user, **filters)
    page = db.paginate(stmt.options(selectinload(Enterprise.county)),
                       per_page=current_app.config["PAGE_SIZE"], max_per_page=100,
                       error_out=False)
    return render_template("enterprises/list.html", page=page, states=STATES,
                           counties=scoping.counties(db.session, current_user), **filters)


def list_filters() -> dict:
    """The list's filters from the query string, as :func:`pool.records.directory.search`
    takes them (shared with the exports); invalid values are dropped, never an
    error — another county's id filters nothing in."""
    county_id = request.args.get("county", type=int)
    if county_id is not None and county_id not in {
            c.id for c in scoping.counties(db.session, current_user)}:
        county_id = None
    state = request.args.get("state") or None
    return {"county_id": county_id, "state": state if state in STATES else None,
            "q": (request.args.get("q") or "").strip()[:100]}


@bp.route("/<int:enterprise_id>")
def detail(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    products = db.session.scalars(
        select(Product).where(Product.enterprise_id == enterprise.id)
        .options(selectinload(Product.patents)).order_by(Product.id)
    ).all()
    events = db.session.scalars(
        select(PoolEvent).where(PoolEvent.enterprise_id == enterprise.id)
        .options(selectinload(PoolEvent.actor))
        .order_by(PoolEvent.effective_on.desc(), PoolEvent.id.desc())
    ).all()
    day = today()
    return render_template("enterprises/detail.html", e=enterprise, products=products,
                           events=events, outlook=_outlook(enterprise, day), day=day)


def _outlook(enterprise, day):
    """Today's proposals and the county's quota, for the action panel.

    Empty where no policy is in force on ``day`` (a date before the first
    parameters): the page still shows everything else.
    """
    try:
        snapshot = rulebook.policy_on(db.session, day)
    except rulebook.NoPolicyInForce:
        return {}
    return {
        "graduation": lifecycle.graduation_assessment(db.session, enterprise, day, snapshot),
        "expulsion": lifecycle.expulsion_assessment(db.session, enterprise, day, snapshot),
        "quota": lifecycle.quota(db.session, enterprise.county_id, day, snapshot),
        "round": intake.open_round_on(db.session, day),
        "flags": monitor.enterprise_flags(enterprise.id),
        "checks": db.session.scalars(applications.visible(current_user).where(
            Application.enterprise_id == enterprise.id).limit(5)).all(),
    }


@bp.errorhandler(ValueError)
def bad_value(exc):  # e.g. a malformed query parameter reaching the database layer
    abort(400)
