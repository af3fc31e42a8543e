"""Home (the pool at a glance), language switch and health check."""
from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import func, select

from models import STATES, Enterprise, db
from pool.access import scoping

from pool.web.i18n import switch_target

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    counties = scoping.counties(db.session, current_user)
    rows = db.session.execute(
        select(Enterprise.county_id, Enterprise.state, func.count())
        .where(scoping.county_filter(current_user, Enterprise.county_id))
        .group_by(Enterprise.county_id, Enterprise.state)
    ).all()
    table = {(county_id, state): n for county_id, state, n in rows}
    totals = {state: sum(n for (c, s), n in table.items() if s == state) for state in STATES}
    return render_template("main/index.html", counties=counties, states=STATES,
                           table=table, totals=totals)


@bp.route("/lang/<code>")
def set_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(switch_target(url_for("main.index")))


@bp.route("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}
