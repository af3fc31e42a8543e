"""The officers' side of the portal: 待审核 (the county's review queue), each
submission's review (return with comments per field, accept, reject), the
evidence files, and inviting an enterprise's contact.  Thin callers of
:mod:`pool.portal`; every row is reached through the viewer's county."""
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from models import ANNUAL_REPORT, DECLARATION, Evidence, Submission, YearlyFigure, db
from pool.access import scoping, users
from pool.eligibility import rulebook
from pool.monitoring.annual import annual_deadline
from pool.portal import accounts as portal_accounts, evidence, notices, record_changes, review, submissions
from pool.portal.submissions import KIND_LABELS, STATUS_LABELS, SubmissionRefused
from pool.web import clock, portal_files
from pool.web.access import enterprise_or_404
from pool.web.checks import VERDICT_STYLE
from pool.web.forms import ConfirmForm
from pool.web.portal_forms import AcceptForm, InviteForm, RejectForm
from pool.web.saving import refusal

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

TABS = {"pending": ("submitted",), "returned": ("returned",), "decided": ("accepted", "rejected")}


@bp.get("/")
def index():
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "pending"
    kind = request.args.get("kind") if request.args.get("kind") in KIND_LABELS else None
    stmt = review.queue(current_user, kind=kind, status=TABS[tab])
    if tab == "decided":
        stmt = stmt.order_by(None).order_by(Submission.decided_at.desc(), Submission.id.desc())
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    deadline = rulebook.policy_on(db.session, clock.today())["annual_data_deadline"]
    return render_template("reviews/index.html", page=page, tab=tab, kind=kind, kinds=KIND_LABELS,
                           statuses=STATUS_LABELS, today=clock.today(),
                           deadline=lambda row: annual_deadline(date(row.year + 1, 1, 1), deadline)
                           if row.kind == ANNUAL_REPORT else None)


@bp.get("/<int:submission_id>")
def detail(submission_id: int):
    row = _visible_or_404(submission_id)
    return _page(row, AcceptForm(formdata=None), RejectForm(formdata=None))


def _page(row: Submission, accept_form, reject_form, status: int = 200):
    evaluation, problems, fields = None, [], _fields(row)
    if row.kind == DECLARATION:
        try:
            evaluation = submissions.evaluate(row.data, clock.today(), rulebook.load(db.session))
        except SubmissionRefused as exc:
            problems = exc.problems
    accept_form.fields.choices = [(name, label) for name, label, _value, _now in fields]
    if not request.form:
        accept_form.fields.data = [name for name, *_rest in fields]
    return render_template("reviews/detail.html", row=row, fields=fields, evaluation=evaluation,
                           record=evaluation.to_record() if evaluation else None, problems=problems,
                           styles=VERDICT_STYLE, kinds=KIND_LABELS, statuses=STATUS_LABELS,
                           files=evidence.current(row), extra=submissions.COMMENT_EXTRAS, labels=submissions.field_labels(row), accept_form=accept_form,
                           reject_form=reject_form, action=ConfirmForm(formdata=None),
                           pending=row.status in submissions.PENDING,
                           compared=row.kind == ANNUAL_REPORT or row.data.get("action") == record_changes.CHANGE,
                           action_label=record_changes.ACTION_LABELS.get(row.data.get("action"))), status


def _fields(row: Submission) -> list[tuple[str, str, object, object]]:
    """``(name, label, proposed, recorded now)`` of what the submission proposes."""
    labels = submissions.field_labels(row)
    if row.kind == DECLARATION:
        return [(k, labels.get(k, k), v, None) for k, v in row.data.items() if k != "county"]
    if row.kind == ANNUAL_REPORT:
        stored = db.session.scalar(select(YearlyFigure).where(YearlyFigure.enterprise_id == row.enterprise_id,
                                                              YearlyFigure.year == row.year))
        return [(k, labels[k], v, getattr(stored, k) if stored else None)
                for k, v in row.data["figures"].items() if v not in (None, "")]
    now = record_changes.current_values(db.session, row.enterprise_id, row.data)
    names = (record_changes.proposed(db.session, row.enterprise_id, row.data) if row.status in submissions.PENDING
             else [k for k, v in row.data["values"].items() if v not in (None, "", [])])  # decided: as proposed
    return [(k, labels.get(k, k), row.data["values"][k], now.get(k)) for k in names]


@bp.post("/<int:submission_id>/return")
def give_back(submission_id: int):
    row = _visible_or_404(submission_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    known = {name for name, *_rest in _fields(row)} | set(submissions.COMMENT_EXTRAS)
    comments = {k[len("comment-"):]: v for k, v in request.form.items()
                if k.startswith("comment-") and k[len("comment-"):] in known}
    return _decided(row, lambda: review.give_back(db.session, row, actor=current_user, comments=comments,
                                                  now=clock.now()), _("已退回企业修改"))


@bp.post("/<int:submission_id>/accept")
def accept(submission_id: int):
    row = _visible_or_404(submission_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        return _page(row, form, RejectForm(formdata=None), 422)
    fields = None if row.kind == DECLARATION else list(form.fields.data or [])
    return _decided(row, lambda: review.accept(db.session, row, actor=current_user, today=clock.today(),
                                               now=clock.now(), rulebook=rulebook.load(db.session),
                                               fields=fields, reason=form.reason.data), _("已审核通过"), form)


@bp.post("/<int:submission_id>/reject")
def reject(submission_id: int):
    row = _visible_or_404(submission_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _page(row, AcceptForm(formdata=None), form, 422)
    return _decided(row, lambda: review.reject(db.session, row, actor=current_user, reason=form.reason.data,
                                               now=clock.now()), _("已作出不予通过的决定"))


def _decided(row: Submission, decide, done: str, form=None):
    """Carry out ``decide``; tell the enterprise; back to the submission (or the refusal shown)."""
    try:
        decide()
        notices.decided(db.session, row, base_url=current_app.config["PUBLIC_URL"])
        db.session.commit()
    except StaleDataError:  # another officer decided it, or the enterprise changed it, meanwhile
        db.session.rollback()
        flash(_(review.NOT_PENDING), "danger")
        return redirect(url_for("reviews.detail", submission_id=row.id))
    except SubmissionRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        if form is not None:
            return _page(row, form, RejectForm(formdata=None), 422)
        return redirect(url_for("reviews.detail", submission_id=row.id))
    flash(done, "success")
    if row.kind == DECLARATION and row.status == "accepted":
        return redirect(url_for("enterprises.detail", enterprise_id=row.enterprise_id))
    return redirect(url_for("reviews.detail", submission_id=row.id))


@bp.get("/evidence/<int:evidence_id>")
def download(evidence_id: int):
    item = db.session.scalar(select(Evidence).join(Submission, Submission.id == Evidence.submission_id).where(
        Evidence.id == evidence_id, Submission.status != "draft",
        scoping.county_filter(current_user, Evidence.county_id))) if 0 < evidence_id <= scoping.MAX_ID else None
    if item is None:
        abort(404)
    return portal_files.send(item)


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    """邀请企业使用企业端: a registered enterprise (``?enterprise=``) or one that is to declare."""
    enterprise_id = request.args.get("enterprise", type=int)
    enterprise = enterprise_or_404(enterprise_id) if enterprise_id else None
    counties = scoping.counties(db.session, current_user)
    if not counties:
        abort(403)
    form = InviteForm()
    county = enterprise.county if enterprise else next(
        (c for c in counties if str(c.id) == request.form.get("county_id")), None) or counties[0]
    if enterprise is not None:  # its name and code are the record's, whatever was posted
        form.name.data, form.uscc.data = enterprise.name, enterprise.uscc
    if request.method == "GET" and enterprise is not None:
        contact = next((c for c in enterprise.contacts if c.email), None)
        if contact:
            form.contact_name.data, form.email.data = contact.name, contact.email
    if form.validate_on_submit():
        try:
            user, secret = portal_accounts.invite(
                db.session, actor=current_user, county=county, email=form.email.data,
                contact_name=form.contact_name.data, enterprise=enterprise, uscc=form.uscc.data,
                name=form.name.data, now=clock.now())
            hours = int(users.RESET_LIFETIME.total_seconds() // 3600)
            notices.invitation(db.session, user, secret, enterprise=enterprise.name if enterprise else form.name.data,
                               hours=hours, base_url=current_app.config["PUBLIC_URL"])
        except users.AccountError as exc:
            db.session.rollback()
            exc.field = {"display_name": "contact_name"}.get(exc.field, exc.field)
            refusal(form, exc)
        else:
            db.session.commit()
            return render_template("reviews/invited.html", user=user, hours=hours,
                                   link=url_for("users.reset", token=secret, _external=True))
    return render_template("reviews/invite.html", form=form, enterprise=enterprise, counties=counties,
                           county=county), 422 if form.errors else 200


@bp.post("/accounts/<int:enterprise_id>/<what>")
def account(enterprise_id: int, what: str):
    """停用 / 启用 an enterprise's portal account (stopping ends its sessions)."""
    enterprise = enterprise_or_404(enterprise_id)
    if what not in ("stop", "restart"):
        abort(404)
    holder = portal_accounts.account_of(db.session, enterprise.id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        portal_accounts.set_active(db.session, holder, actor=current_user, active=what == "restart")
    except users.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("企业端账号已停用，其所有登录已结束") if what == "stop" else _("企业端账号已启用"), "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id) + "#portal")


def _visible_or_404(submission_id: int) -> Submission:
    return review.get(db.session, current_user, submission_id) or abort(404)
