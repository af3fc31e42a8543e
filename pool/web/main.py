"""Home (工作台: today's tasks, and the pool at a glance), language switch and health check."""
from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from models import STATES, Enterprise, db
from models.monitoring import SEVERITIES
from pool.access import scoping
from pool.eligibility import rulebook
from pool.monitoring import worklist

from pool.web.clock import today
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
    day = today()
    tasks = worklist.worklist(db.session, [c.id for c in counties], day, rulebook.policy_on(db.session, day))
    return render_template("main/index.html", counties=counties, states=STATES, table=table, totals=totals,
                           tasks=tasks, links={t.key: _link(t.key) for t in tasks}, day=day,
                           labels={t.key: _label(t) for t in tasks})


# Each task's label (pool.monitoring.worklist), with its numbers as parameters, for both languages.
LABELS = {
    "flags:expulsion_due": _l("应予退库的风险提示"), "flags:high": _l("高风险提示"), "flags:warning": _l("预警提示"),
    "flags:graduation_ready": _l("出库建议待确认"), "expiring": _l("资格证书 %(days)s 天内到期（未见续期）"),
    "annual": _l("%(year)s 年度数据待报送（截止 %(day)s）"), "corrections": _l("更正申请待市级审批"),
    "exits": _l("出库、退库待市级确认"), "submissions": _l("企业报送待审核"),
    "ladder:graduate": _l("%(pool)s：出库建议待办理"), "ladder:applied": _l("%(pool)s：申报待决定"),
    "ladder:next": _l("%(pool)s：可建议申报的出库企业"),
}


def _label(task) -> str:
    """The task's label in the reader's language (a pool's tasks share one label per kind)."""
    key = task.key.rpartition(":")[0] if task.key.startswith("ladder:") else task.key
    return str(LABELS[key]) % task.params if task.params else str(LABELS[key])


def _link(key: str) -> str | None:
    """Where a task of :func:`pool.monitoring.worklist.worklist` is done."""
    kind, _, value = key.partition(":")
    if kind == "flags":
        if value in SEVERITIES:
            return url_for("monitor.dashboard", severity=value)
        return url_for("monitor.dashboard", kind=value)
    if kind == "ladder":
        what, _, code = value.partition(":")
        return url_for("ladder.members", code=code, state="applied" if what == "applied" else None)
    return {"expiring": url_for("monitor.dashboard", kind="qualification_expiring"),
            "corrections": url_for("corrections.index"), "exits": url_for("exits.index"),
            "submissions": url_for("reviews.index")}.get(kind)


@bp.route("/lang/<code>")
def set_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(switch_target(url_for("main.index")))


@bp.route("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}
