"""The enterprise list (paginated, searchable, filterable) and the enterprise page."""

from flask import Blueprint, abort, current_app, render_template, request, session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import STATES, Application, Enterprise, PoolEvent, Product, Submission, db
from pool.eligibility import applications, rulebook
from pool.eligibility.applicant import InvalidApplicant
from pool.records import directory, facts
from pool.membership import corrections, cycles, exit_requests, intake, lifecycle
from pool.access import scoping
from pool.ladder import catalogue, proposals
from pool.portal import accounts as portal_accounts
from pool.portal.submissions import KIND_LABELS, STATUS_LABELS

from pool.web import monitor
from pool.web.access import enterprise_or_404
from pool.web.forms import ConfirmForm
from pool.web.clock import asked_day, today

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")


FILTER_KEYS = ("q", "county", "state", "sort", "dir")
REMEMBERED = "enterprise_filters"  # the session key of the list's last filters


@bp.route("/")
def index():
    """The list, with the filters given, else the ones last used in this
    session (remembered; ``?reset=1`` forgets them)."""
    given = {k: v[:100] for k in FILTER_KEYS if (v := request.args.get(k))}
    restored = False
    if request.args.get("reset"):
        session.pop(REMEMBERED, None)
    elif given:
        session[REMEMBERED] = given
    elif session.get(REMEMBERED):
        given, restored = dict(session[REMEMBERED]), True
    filters = list_filters(given)
    stmt = directory.search(current_user, **filters)
    page = db.paginate(stmt.options(selectinload(Enterprise.county)),
                       per_page=current_app.config["PAGE_SIZE"], max_per_page=100,
                       error_out=False)
    return render_template("enterprises/list.html", page=page, states=STATES,
                           counties=scoping.counties(db.session, current_user), filter_args=given,
                           restored=restored, **filters)


def list_filters(args=None) -> dict:
    """The list's filters from ``args`` (default: the query string), as
    :func:`pool.records.directory.search` takes them (shared with the exports);
    invalid values are dropped, never an error — another county's id filters nothing in."""
    args = request.args if args is None else args
    try:
        county_id = int(args.get("county")) if args.get("county") else None
    except ValueError:
        county_id = None
    if county_id is not None and county_id not in {
            c.id for c in scoping.counties(db.session, current_user)}:
        county_id = None
    state = args.get("state") or None
    sort = args.get("sort") or "name"
    return {"county_id": county_id, "state": state if state in STATES else None,
            "q": (args.get("q") or "").strip()[:100],
            "sort": sort if sort in directory.SORTS else "name", "descending": args.get("dir") == "desc"}


@bp.route("/<int:enterprise_id>")
def detail(enterprise_id: int):
    """The enterprise page, today or — ``?as_of=YYYY-MM-DD`` — as the record stood on a past day."""
    enterprise = enterprise_or_404(enterprise_id)
    day = today()
    as_of, as_of_error = asked_day(day)
    seen = as_of or day
    products = db.session.scalars(
        select(Product).where(Product.enterprise_id == enterprise.id)
        .options(selectinload(Product.patents)).order_by(Product.id)
    ).all()
    events = db.session.scalars(
        select(PoolEvent).where(PoolEvent.enterprise_id == enterprise.id, PoolEvent.effective_on <= seen)
        .options(selectinload(PoolEvent.actor))
        .order_by(PoolEvent.effective_on.desc(), PoolEvent.id.desc())
    ).all()
    voided = {ev.corrects_id for ev in events if ev.kind == "correction" and ev.corrects_id}
    return render_template("enterprises/detail.html", e=enterprise, products=products, events=events,
                           voided=voided, correctable=corrections.correctable(db.session, enterprise),
                           pending=corrections.pending_for(db.session, enterprise.id),
                           cycles=cycles.cycles(db.session, enterprise),
                           outlook=_outlook(enterprise, day) if as_of is None else {}, day=day,
                           as_of=as_of, as_of_error=as_of_error, seen=seen,
                           record=record_view(enterprise, products, seen),
                           verdict=_verdict(enterprise, seen), portal=portal_activity(enterprise),
                           **(_ladder(enterprise, day) if as_of is None else {})), \
        422 if as_of_error else 200


def _ladder(enterprise, day) -> dict:
    """The enterprise page's ladder card: its rungs and the configured pools it is not in."""
    ladder = proposals.ladder(db.session, enterprise, day)
    shown = {r.pool.code for r in ladder}
    return {"ladder": ladder, "other_pools": [p for p in catalogue.pools(db.session).values()
                                              if not p.code_backed and not p.retired and p.code not in shown]}


def portal_activity(enterprise) -> dict:
    """The enterprise's portal account and what it submitted, newest first."""
    rows = db.session.scalars(select(Submission).where(Submission.enterprise_id == enterprise.id,
                                                       Submission.status != "draft")
                              .order_by(Submission.id.desc()).limit(20)).all()
    return {"account": portal_accounts.account_of(db.session, enterprise.id), "rows": rows,
            "kinds": KIND_LABELS, "statuses": STATUS_LABELS, "form": ConfirmForm(formdata=None)}


def record_view(enterprise, products, day) -> dict:
    """The parts on the record on ``day`` (:func:`pool.records.facts.rows_on`), patents with their status then."""
    return {
        "patents": [(p, facts.patent_status_on(p, day), facts.industrialized_on(p, day))
                    for p in facts.rows_on("patent", enterprise.patents, day)],
        "products": facts.rows_on("product", products, day),
        "qualifications": facts.rows_on("qualification", enterprise.qualifications, day),
        "trademarks": facts.rows_on("trademark", enterprise.trademarks, day),
        "partnerships": facts.rows_on("partnership", enterprise.partnerships, day),
    }


def _verdict(enterprise, day):
    """The ten criteria on the stored record that day, or the problems that stop them."""
    try:
        return {"evaluation": facts.record_verdict(enterprise, day, rulebook.load(db.session))}
    except InvalidApplicant as exc:
        return {"problems": exc.problems}
    except (KeyError, rulebook.NoPolicyInForce):
        return {}


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
        "exit_request": exit_requests.latest_for(db.session, enterprise.id),
        "checks": db.session.scalars(applications.visible(current_user).where(
            Application.enterprise_id == enterprise.id).limit(5)).all(),
    }


@bp.errorhandler(ValueError)
def bad_value(exc):  # e.g. a malformed query parameter reaching the database layer
    abort(400)
