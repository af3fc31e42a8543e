"""Risk dashboard, "scan now", and the outbox (city administrator)."""
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from models import db
from models.monitoring import FIRST_POOL, FLAG_KINDS, MAIL_STATES, SEVERITIES, OutboxMail, RiskFlag
from pool.monitoring import mailer, scan as monitoring
from pool.access import scoping
from pool.ladder import catalogue
from pool.monitoring.flags import KIND_LABELS, SEVERITY_LABELS

from pool.web.access import admin_required, child_or_404
from pool.web.clock import today
from pool.web.forms import ConfirmForm

bp = Blueprint("monitor", __name__, url_prefix="/monitor")



def _translated(labels: dict) -> dict:
    return {key: _(label) for key, label in labels.items()}


SEVERITY_STYLE = {"info": "info", "warning": "warning", "high": "danger", "expulsion_due": "dark"}
MAIL_LABELS = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败"}
_MAIL_MESSAGES = [_l("待发送"), _l("发送中"), _l("已发送"), _l("发送失败")]  # MAIL_LABELS, shown translated


def _open_flags():
    return select(RiskFlag).where(RiskFlag.closed_on.is_(None),
                                  scoping.county_filter(current_user, RiskFlag.county_id))


@bp.route("/")
def dashboard():
    severity = request.args.get("severity") if request.args.get("severity") in SEVERITIES else None
    kind = request.args.get("kind") if request.args.get("kind") in FLAG_KINDS else None
    pools = {code: pool.name for code, pool in catalogue.pools(db.session).items()}
    pool_code = request.args.get("pool") if request.args.get("pool") in pools else None
    counties = scoping.counties(db.session, current_user)
    county_id = request.args.get("county", type=int)
    if county_id not in {c.id for c in counties}:
        county_id = None
    counts = db.session.execute(
        select(RiskFlag.county_id, RiskFlag.severity, func.count())
        .where(RiskFlag.closed_on.is_(None), scoping.county_filter(current_user, RiskFlag.county_id))
        .group_by(RiskFlag.county_id, RiskFlag.severity)).all()
    table = {(c, s): n for c, s, n in counts}
    by_kind = dict(db.session.execute(
        _open_flags().with_only_columns(RiskFlag.kind, func.count()).group_by(RiskFlag.kind)).all())
    stmt = _open_flags().options(selectinload(RiskFlag.enterprise), selectinload(RiskFlag.assigned_to))
    if severity:
        stmt = stmt.where(RiskFlag.severity == severity)
    if kind:
        stmt = stmt.where(RiskFlag.kind == kind)
    if pool_code:
        stmt = stmt.where(RiskFlag.pool_code == pool_code)
    if county_id:
        stmt = stmt.where(RiskFlag.county_id == county_id)
    mine = request.args.get("mine") == "1"
    if mine:
        stmt = stmt.where(RiskFlag.assigned_to_id == current_user.id)
    stmt = stmt.order_by(_severity_rank(), RiskFlag.opened_on, RiskFlag.id)  # most severe, oldest
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    peak = max([n for n in table.values()] + [1])
    return render_template(
        "monitor/dashboard.html", page=page, counties=counties, severities=SEVERITIES,
        kinds=FLAG_KINDS, table=table, by_kind=by_kind, peak=peak, severity=severity,
        kind=kind, county_id=county_id, mine=mine, kind_labels=_translated(KIND_LABELS),
        pools=pools, pool_code=pool_code, first_pool=FIRST_POOL,
        severity_labels=_translated(SEVERITY_LABELS),
        styles=SEVERITY_STYLE, last=monitoring.last_scanned(db.session), scan_form=ConfirmForm())


def _severity_rank():
    """ORDER BY key: the most severe first."""
    return case({s: -i for i, s in enumerate(SEVERITIES)}, value=RiskFlag.severity)


@bp.post("/scan")
@admin_required
def scan_now():
    """Run today's scan now, under the same job lease the scheduler uses."""
    from jobs.scheduler import run_job

    if not ConfirmForm().validate_on_submit():
        flash(_("表单已过期，请重试"), "danger")
        return redirect(url_for("monitor.dashboard"))
    # The job works in its own session; end this request's transaction first
    # (on SQLite it holds the write lock until it ends).
    db.session.rollback()
    try:
        summary = run_job(current_app._get_current_object(), "daily_scan", as_of=today())
    except monitoring.ScanRefused as exc:
        flash(str(exc), "danger")
    else:
        if summary is None:
            flash(_("扫描正在由计划任务执行，请稍后刷新"), "warning")
        else:
            flash(summary, "success")
    return redirect(url_for("monitor.dashboard"))


@bp.route("/outbox")
@admin_required
def outbox():
    state = request.args.get("state") if request.args.get("state") in MAIL_STATES else None
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(OutboxMail)
    if state:
        stmt = stmt.where(OutboxMail.state == state)
    if q:
        stmt = stmt.where(OutboxMail.to_addr.contains(q, autoescape=True)
                          | OutboxMail.subject.contains(q, autoescape=True))
    page = db.paginate(stmt.order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc()),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    counts = dict(db.session.execute(
        select(OutboxMail.state, func.count()).group_by(OutboxMail.state)).all())
    return render_template("monitor/outbox.html", page=page, state=state, q=q, counts=counts,
                           states=MAIL_STATES, labels=MAIL_LABELS, form=ConfirmForm())


@bp.get("/outbox/<int:mail_id>")
@admin_required
def mail(mail_id: int):
    """One mail as it is (or was) sent: headers, the text part, the HTML part framed."""
    row = child_or_404(OutboxMail, mail_id)
    return render_template("monitor/mail.html", mail=row, labels=MAIL_LABELS, form=ConfirmForm())


@bp.get("/outbox/<int:mail_id>/html")
@admin_required
def mail_html(mail_id: int):
    """The mail's HTML part alone, for the preview's frame: sandboxed, no
    script, nothing fetched, framable by this site only."""
    row = scoping.get_child(db.session, current_user, OutboxMail, mail_id)
    if row is None or not row.html_body:
        abort(404)
    response = current_app.response_class(row.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/outbox/<int:mail_id>/retry")
@admin_required
def retry(mail_id: int):
    if scoping.get_child(db.session, current_user, OutboxMail, mail_id) is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            mailer.retry(db.session, mail_id, datetime.now(timezone.utc))
        except mailer.MailError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("已重新排入发送队列"), "success")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("monitor.outbox"))


def follow(enterprise_id: int) -> None:
    """After an action on an enterprise, its flags follow its record at once
    (:func:`pool.monitoring.scan.follow`), in the request's transaction.  If a
    scan is already recorded for a later day, they wait for the next scan."""
    try:
        monitoring.follow(db.session, enterprise_id, today(), base_url=current_app.config["PUBLIC_URL"])
    except monitoring.ScanRefused:
        pass


def enterprise_flags(enterprise_id: int) -> list[RiskFlag]:
    """Open flags of one enterprise, most severe first (for its page)."""
    return list(db.session.scalars(
        select(RiskFlag).where(RiskFlag.enterprise_id == enterprise_id, RiskFlag.closed_on.is_(None))
        .order_by(_severity_rank(), RiskFlag.opened_on)))
