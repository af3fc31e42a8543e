"""The ladder's pages (issue #17): the pools, a pool's members and what it proposes, and one membership.

Thin callers of :mod:`pool.ladder`: every enterprise is reached through the
viewer's county scope (:func:`pool.web.access.enterprise_or_404`), every
decision is a form with its date and reason whose refusal comes back on the
page with the input kept, and every list exports (Excel or CSV).  The first
pool (Huangshi's) is managed where it always was — the enterprise list and the
enterprise page; here it is listed among the pools for the ladder's sake.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from models import STATES, Enterprise, Membership, db
from models.enterprise import ADMITTED, APPLIED, EXPELLED, GRADUATED, REJECTED
from pool.access import scoping
from pool.eligibility.applicant import InvalidApplicant
from pool.kernel.refusal import DateRefused, TransitionRefused
from pool.ladder import catalogue, memberships as ms, past, proposals, quota, verdicts
from pool.pools import definition

from pool.web import ladder_forms as forms, reports
from pool.web.access import enterprise_or_404
from pool.web.monitor import follow
from pool.web.clock import asked_day, today
from pool.web.paging import RowsPagination

bp = Blueprint("ladder", __name__, url_prefix="/pools")
SHOWN = 50  # proposals listed on a pool's page; the count says how many there are

# action -> (what it does, the states it may be taken from, the domain call)
ACTIONS = {
    "apply": (_l("申报入库"), (None, REJECTED)),
    "admit": (_l("入库"), (APPLIED,)),
    "reject": (_l("不予入库"), (APPLIED,)),
    "graduate": (_l("出库"), (ADMITTED,)),
    "leave": (_l("退出"), (ADMITTED,)),
    "void": (_l("更正上次决定"), (ADMITTED, REJECTED, GRADUATED, EXPELLED)),
    "facts": (_l("登记补充事实"), (APPLIED, ADMITTED)),
}


def pool_or_404(code: str, configured: bool = True):
    """The pool ``code`` as the administrator's changes left it; 404 if there is none, or if it is the
    first (code-backed) pool and a ``configured`` one is wanted."""
    pool = catalogue.pools(db.session).get(code)
    if pool is None:
        abort(404)
    if configured and pool.code_backed:
        abort(404)
    return pool


@bp.route("/")
def index():
    """Every pool with its programme and, for the viewer's counties, how many are in each state."""
    return render_template("ladder/index.html", pools=list(catalogue.pools(db.session).values()),
                           counts=proposals.counts(db.session, current_user),
                           states=STATES, day=today(), default=definition.DEFAULT_POOL)


@bp.route("/<code>/")
def members(code: str):
    """A configured pool's members (state, county, name or USCC), today or on a past day (``?as_of=``,
    from the live events), what it proposes today, and the export of the list shown."""
    pool = pool_or_404(code)
    counties = scoping.counties(db.session, current_user)
    county = request.args.get("county", type=int)
    ids = [county] if county in {c.id for c in counties} else scoping.county_ids(db.session, current_user)
    state = request.args.get("state") if request.args.get("state") in STATES else None
    search = (request.args.get("q") or "").strip()[:100]
    day = today()
    as_of, as_of_error = asked_day(day)
    if as_of is not None:
        try:
            past.check_day(db.session, pool, as_of, day)
        except DateRefused as exc:
            as_of, as_of_error = None, str(exc)
    fmt = request.args.get("format")
    if as_of is not None:
        stmt = past.members_stmt(pool, as_of, ids, state=state, search=search)
        if fmt in ("xlsx", "csv"):
            return _export(pool, past.members(db.session, stmt), fmt, state, search, as_of)
        page = RowsPagination(select=stmt, session=db.session, items=past.members,
                              per_page=current_app.config["PAGE_SIZE"], max_per_page=100, error_out=False)
        return render_template("ladder/members.html", pool=pool, page=page, counties=counties, county=county,
                               state=state, q=search, states=STATES, day=day, as_of=as_of,
                               counts=past.counts(db.session, pool, as_of, ids))
    stmt = proposals.members_stmt(pool.code, ids, state=state, search=search)
    if fmt in ("xlsx", "csv") and not as_of_error:
        return _export(pool, db.session.scalars(stmt.options(
            selectinload(Membership.enterprise).selectinload(Enterprise.county))), fmt, state, search)
    names = {c.id: c.name for c in counties}  # ids None: every county, the city's
    places = [(names[c], q) for c, q in quota.places_by_county(db.session, pool, ids or names, day).items()]
    page = db.paginate(stmt.options(selectinload(Membership.enterprise).selectinload(Enterprise.county)),
                       per_page=current_app.config["PAGE_SIZE"], max_per_page=100, error_out=False)
    return render_template("ladder/members.html", pool=pool, page=page, counties=counties, county=county,
                           state=state, q=search, states=STATES, day=day, as_of_error=as_of_error,
                           due=proposals.graduations_due(db.session, pool, day, ids, SHOWN),
                           places=places, times=quota.multiplier(pool, day) if places else None,
                           open_round=quota.open_round(db.session, pool, day),
                           successors=proposals.count_and_first(
                               db.session, proposals.successors_stmt(pool, ids), SHOWN)), \
        422 if as_of_error else 200


def _export(pool, rows, fmt, state, search, as_of=None):
    """The list as a file; on a past day the state column and the about sheet say which day."""
    from pool.web.filters import state_label
    day = (as_of or today()).isoformat()
    header = [_("企业名称"), _("统一社会信用代码"), _("县（市、区）"),
              _("%(day)s 的状态", day=day) if as_of else _("状态"), _("状态日期"), _("入库日期")]
    data = [(m.enterprise.name, m.enterprise.uscc, m.enterprise.county.name, state_label(m.state), m.since,
             m.admitted_on) for m in rows]
    about = [(_("培育库"), pool.name), (_("名单日期"), day), (_("状态"), state_label(state) if state else _("全部")),
             (_("搜索"), search or _("无"))]
    return reports.download(fmt, data, header, f"{pool.name}-{day}", f"{pool.code}-{day}", pool.name[:31], about)


@bp.route("/join")
def join():
    """From the enterprise page's pool chooser to that pool's page for the enterprise."""
    enterprise = enterprise_or_404(request.args.get("enterprise", type=int) or 0)
    pool = pool_or_404(request.args.get("pool") or "")
    return redirect(url_for("ladder.membership", code=pool.code, enterprise_id=enterprise.id))


@bp.route("/<code>/enterprises/<int:enterprise_id>")
def membership(code: str, enterprise_id: int):
    """One enterprise in one configured pool: its verdict on a day, its facts, its events and the next steps."""
    pool = pool_or_404(code)
    enterprise = enterprise_or_404(enterprise_id)
    day = today()
    as_of, as_of_error = asked_day(day)
    seen = as_of or day
    held = ms.held(db.session, enterprise.id, pool.code)
    evaluation, problems = None, []
    try:
        evaluation = verdicts.evaluate(db.session, enterprise, pool.code, seen, held.facts if held else {})
    except InvalidApplicant as exc:
        problems = [str(p) for p in exc.problems]
    except definition.NoCriteriaInForce as exc:
        problems = [str(exc)]
    state = held.state if held else None
    actions = [(name, label) for name, (label, states) in ACTIONS.items() if state in states]
    county_id = held.county_id if held else enterprise.county_id
    return render_template("ladder/membership.html", pool=pool, e=enterprise, m=held, evaluation=evaluation,
                           problems=problems, actions=actions, day=day, as_of=as_of, as_of_error=as_of_error,
                           places=quota.places(db.session, pool, county_id, day),
                           times=quota.multiplier(pool, day) if quota.has_quota(pool) else None,
                           open_round=quota.open_round(db.session, pool, day),
                           seen=seen, due=held is not None and state == ADMITTED
                           and ms.exit_qualification(pool, enterprise, day) is not None), \
        422 if as_of_error else 200


@bp.route("/<code>/enterprises/<int:enterprise_id>/<action>", methods=["GET", "POST"])
def act(code: str, enterprise_id: int, action: str):
    """A decision on the membership: the form is the confirmation; a refusal keeps the input."""
    pool = pool_or_404(code)
    enterprise = enterprise_or_404(enterprise_id)
    if action not in ACTIONS:
        abort(404)
    title, states = ACTIONS[action]
    held = ms.held(db.session, enterprise.id, pool.code)
    if (held.state if held else None) not in states:
        flash(_("当前状态下不能%(action)s", action=title), "warning")
        return redirect(url_for("ladder.membership", code=pool.code, enterprise_id=enterprise.id))
    form = forms.decision_form(action, pool)
    if request.method == "GET":
        form.on.data = today()
        if held is not None and action == "facts":
            forms.fill_facts(form, pool, held.facts or {})
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            try:
                ms.decide(db.session, enterprise, pool.code, action, actor=current_user, on=form.on.data,
                          today=today(), reason=form.reason.data or "",
                          facts=forms.facts_from(form, pool) if action in ("apply", "facts") else None)
            except TransitionRefused as exc:
                db.session.rollback()
                field = form.on if isinstance(exc, DateRefused) else None
                if field is not None:
                    field.errors = list(field.errors) + [str(exc)]
                else:
                    flash(str(exc), "danger")
                status = 409
            else:
                follow(enterprise.id)  # e.g. a graduation closes its pool's graduation_ready flag at once
                db.session.commit()
                flash(_("已记录：%(action)s · %(name)s", action=title, name=enterprise.name), "success")
                return redirect(url_for("ladder.membership", code=pool.code, enterprise_id=enterprise.id))
    terms = quota.terms(db.session, pool, held.county_id, form.on.data or today()) if action == "admit" else None
    return render_template("ladder/action.html", pool=pool, e=enterprise, m=held, form=form, action=action,
                           title=title, facts=[f for f in form if f.name.startswith("fact_")], terms=terms), status
