"""The enterprise list (paginated, searchable, filterable) and the enterprise page."""
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import STATES, Application, Enterprise, PoolEvent, Product, db
from pool import applications, directory, intake, lifecycle, rulebook, scoping

from .access import enterprise_or_404
from .clock import today

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")


@bp.route("/")
def index():
    counties = scoping.counties(db.session, current_user)
    county_id = request.args.get("county", type=int)
    if county_id is not None and county_id not in {c.id for c in counties}:
        county_id = None  # another county's id filters nothing in; ignore it
    state = request.args.get("state") or None
    if state not in STATES:
        state = None
    q = (request.args.get("q") or "").strip()[:100]
    stmt = directory.search(current_user, q=q, county_id=county_id, state=state)
    page = db.paginate(stmt.options(selectinload(Enterprise.county)),
                       per_page=current_app.config["PAGE_SIZE"], max_per_page=100,
                       error_out=False)
    return render_template("enterprises/list.html", page=page, counties=counties,
                           states=STATES, county_id=county_id, state=state, q=q)


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
        snapshot = rulebook.load(db.session).policy.in_force(day)
    except KeyError:
        return {}
    return {
        "graduation": lifecycle.graduation_assessment(db.session, enterprise, day, snapshot),
        "expulsion": lifecycle.expulsion_assessment(db.session, enterprise, day, snapshot),
        "quota": lifecycle.quota(db.session, enterprise.county_id, day, snapshot),
        "round": intake.open_round_on(db.session, day),
        "checks": db.session.scalars(applications.visible(current_user).where(
            Application.enterprise_id == enterprise.id).limit(5)).all(),
    }


@bp.errorhandler(ValueError)
def bad_value(exc):  # e.g. a malformed query parameter reaching the database layer
    abort(400)
