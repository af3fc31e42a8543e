"""Lifecycle actions on an enterprise: every step explained, confirmed and recorded.

Thin callers of :mod:`pool.membership.lifecycle` and :mod:`pool.membership.intake`: the views pick
the enterprise through the county scope, read the policy in force on the
action's date, and turn a refusal into a clear message with the input kept.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import Application, ExitRequest, IntakeRound, PoolEvent, db
from pool.eligibility import applications, rulebook
from pool.ladder import catalogue, quota as ladder_quota
from pool.membership import cycles, exit_requests, intake, lifecycle
from pool.membership.history import INCIDENT_TYPES, OUTCOME_TYPES, PROGRESS_TYPES
from pool.pools import definition

from pool.web import action_forms as forms
from pool.web.access import admin_required, child_or_404, enterprise_or_404
from pool.web.clock import today
from pool.web.monitor import follow

bp = Blueprint("actions", __name__, url_prefix="/actions")


def snapshot_on(on):
    """The policy in force on ``on``; dates before the first policy are refused."""
    try:
        return rulebook.policy_on(db.session, on)
    except rulebook.NoPolicyInForce as exc:
        raise lifecycle.TransitionRefused(str(exc)) from None


def _done(enterprise, message):
    follow(enterprise.id)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))


def _refused(exc, form=None):
    """Take back what the action wrote; show why at the date field if the date
    was refused, else as a message."""
    db.session.rollback()
    field = form._fields.get(exc.field) if form is not None and isinstance(
        exc, lifecycle.DateRefused) else None
    if field is not None:
        field.errors = list(field.errors) + [str(exc)]
    else:
        flash(str(exc), "danger")


# --- admission ---------------------------------------------------------------------

def _candidate_checks(enterprise):
    """Saved checks of this enterprise that could support an admission, newest first."""
    stmt = applications.visible(current_user).where(
        Application.enterprise_id == enterprise.id,
        Application.verdict.in_(("eligible", "needs_review")))
    return list(db.session.scalars(stmt))


@bp.route("/<int:enterprise_id>/admit", methods=["GET", "POST"])
def admit(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    checks = _candidate_checks(enterprise)
    chosen_id = request.values.get("application_id", type=int) or (checks[0].id if checks else None)
    chosen = next((c for c in checks if c.id == chosen_id), None)
    review = [c for c in (chosen.result["criteria"] if chosen else []) if c["status"] == "review"]
    form = forms.add_review_fields(forms.AdmitForm, review)()
    form.application_id.choices = [(c.id, f"{c.as_of} · {c.verdict} · #{c.id}") for c in checks]
    if request.method == "GET":
        form.on.data = today()
        form.application_id.data = chosen_id
    status = 200
    if request.method == "POST" and chosen is not None and form.validate():
        reviews = {c["id"]: (form[f"decision_{c['id']}"].data, form[f"review_reason_{c['id']}"].data)
                   for c in review}
        try:
            lifecycle.admit(db.session, enterprise, actor=current_user, on=form.on.data,
                            today=today(), evaluation=chosen.result, reviews=reviews,
                            snapshot=snapshot_on(form.on.data), note=form.reason.data)
        except lifecycle.TransitionRefused as exc:
            _refused(exc, form)
            status = 409
        else:
            return _done(enterprise, _("%(name)s 已入库", name=enterprise.name))
    elif request.method == "POST":
        status = 422
    places = _quota(enterprise.county_id, form.on.data or today())
    open_round = intake.open_round_on(db.session, form.on.data or today())
    return render_template("actions/admit.html", e=enterprise, form=form, checks=checks,
                           chosen=chosen, review=review, places=places,
                           open_round=open_round), status


def _quota(county_id, on):
    try:
        return lifecycle.quota(db.session, county_id, on, snapshot_on(on))
    except lifecycle.TransitionRefused:
        return None


@bp.route("/<int:enterprise_id>/reject", methods=["GET", "POST"])
def reject(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    return _run(enterprise, forms.DatedReasonForm(), lambda f: lifecycle.reject(
        db.session, enterprise, actor=current_user, on=f.on.data, today=today(),
        reason=f.reason.data),
        lambda f: _("已记录不予入库：%(name)s", name=enterprise.name), _("不予入库"))


def _run(enterprise, form, perform, message, title, **context):
    """The shape of the simple actions: on GET the form dated today; on a valid
    POST ``perform(form)`` and back to the enterprise with ``message(form)``;
    a refusal or invalid input shows the page again with the input kept."""
    if request.method == "GET":
        form.on.data = today()
    if form.validate_on_submit():
        try:
            perform(form)
        except lifecycle.TransitionRefused as exc:
            _refused(exc, form)
        else:
            return _done(enterprise, message(form))
    return _page("actions/simple.html", enterprise, form, title, **context)


def _page(template, enterprise, form, title, **context):
    status = 422 if request.method == "POST" else 200
    return render_template(template, e=enterprise, form=form, title=title, **context), status


# --- a new application cycle ------------------------------------------------------------

@bp.route("/<int:enterprise_id>/reapply", methods=["GET", "POST"])
def reapply(enterprise_id: int):
    """重新申报: a rejected or expelled enterprise starts a new cycle on a saved check of its USCC."""
    enterprise = enterprise_or_404(enterprise_id)
    checks = list(db.session.scalars(applications.for_new_cycle(current_user, enterprise)))
    form = forms.ReapplyForm()
    form.application_id.choices = [(c.id, f"{c.as_of} · {c.verdict} · #{c.id}") for c in checks]
    if request.method == "GET":
        form.on.data = today()
        form.application_id.data = request.args.get("application_id", type=int) or (
            checks[0].id if checks else None)
    if form.validate_on_submit():
        chosen = next(c for c in checks if c.id == form.application_id.data)
        try:
            cycles.reapply(db.session, enterprise, actor=current_user, on=form.on.data, today=today(),
                           application=chosen, snapshot=snapshot_on(form.on.data), reason=form.reason.data or "")
        except lifecycle.TransitionRefused as exc:
            _refused(exc, form)
        else:
            return _done(enterprise, _("%(name)s 已重新申报", name=enterprise.name))
    return _page("actions/reapply.html", enterprise, form, _("重新申报"), checks=checks,
                 history=cycles.cycles(db.session, enterprise))


# --- graduation and expulsion --------------------------------------------------------

@bp.route("/<int:enterprise_id>/graduate", methods=["GET", "POST"])
def graduate(enterprise_id: int):
    return _confirm(enterprise_id, forms.GraduateForm, "graduate")


@bp.route("/<int:enterprise_id>/expel", methods=["GET", "POST"])
def expel(enterprise_id: int):
    return _confirm(enterprise_id, forms.ExpelForm, "expel")


def _confirm(enterprise_id, form_class, action):
    """Show the proposal's findings on the chosen date and confirm one rule."""
    enterprise = enterprise_or_404(enterprise_id)
    form = form_class()
    if request.method == "GET":
        form.on.data = today()
    on = form.on.data or today()
    if form.validate_on_submit():
        try:
            graduating = action == "graduate"
            done = exit_requests.confirm_exit(
                db.session, enterprise, actor=current_user, kind="graduation" if graduating else "expulsion",
                rule=form.rule.data if graduating else form.basis.data, on=on, today=today(),
                reason=form.reason.data, snapshot=snapshot_on(on))
        except lifecycle.TransitionRefused as exc:
            _refused(exc, form)
        else:
            if isinstance(done, ExitRequest):
                return _done(enterprise, _("已提交市级确认：%(name)s %(what)s（生效日期 %(day)s），确认后生效",
                                           name=enterprise.name, what=_("培育出库") if graduating else _("退库"),
                                           day=on.isoformat()))
            return _done(enterprise, _("%(name)s 已培育出库", name=enterprise.name) if graduating
                         else _("%(name)s 已退库", name=enterprise.name))
    findings = _findings(enterprise, action, on)
    title = _("确认培育出库") if action == "graduate" else _("确认退库")
    return _page("actions/confirm.html", enterprise, form, title, findings=findings, action=action)


def _findings(enterprise, action, on):
    assess = lifecycle.graduation_assessment if action == "graduate" else lifecycle.expulsion_assessment
    try:
        return assess(db.session, enterprise, on, snapshot_on(on)) or {}
    except lifecycle.TransitionRefused:
        return {}


# --- facts: progress, incidents, outcomes ----------------------------------------------

FACTS = {
    "progress": (forms.progress_form, lifecycle.record_progress, PROGRESS_TYPES, "记录实质性进展"),
    "incident": (forms.incident_form, lifecycle.record_incident, INCIDENT_TYPES, "记录诚信事件"),
    "outcome": (forms.outcome_form, lifecycle.record_outcome, OUTCOME_TYPES, "记录接续培育及成果"),
}


@bp.route("/<int:enterprise_id>/<any(progress, incident, outcome):fact>", methods=["GET", "POST"])
def record_fact(enterprise_id: int, fact: str):
    enterprise = enterprise_or_404(enterprise_id)
    make_form, record, types, title = FACTS[fact]
    return _run(enterprise, make_form(), lambda f: record(
        db.session, enterprise, actor=current_user, on=f.on.data, today=today(),
        subtype=f.subtype.data, reason=f.reason.data), lambda f: _("已记录：%(what)s", what=types[f.subtype.data]), _(title))


@bp.route("/events/<int:event_id>/correct", methods=["GET", "POST"])
def correct(event_id: int):
    event = child_or_404(PoolEvent, event_id)
    enterprise = enterprise_or_404(event.enterprise_id)
    return _run(enterprise, forms.DatedReasonForm(), lambda f: lifecycle.correct(
        db.session, event, actor=current_user, on=f.on.data, today=today(), reason=f.reason.data),
        lambda f: _("已记录更正"), _("更正事件"), event=event)


# --- intake rounds -------------------------------------------------------------------------
# The first pool's at /actions/rounds, a configured pool's (one with intake rounds) at ?pool=CODE.

def _round_pools():
    """The configured pools that run intake rounds (the rounds page offers each)."""
    return [p for p in catalogue.pools(db.session).values() if not p.code_backed and p.lifecycle.get("intake_rounds")]


def _round_pool(code):
    """The configured pool ``code`` whose rounds are asked for, None for the first pool; else 404."""
    if not code or code == definition.DEFAULT_POOL:
        return None
    return next((p for p in _round_pools() if p.code == code), None) or abort(404)


def _rounds_page(pool, form, close_form, status=200):
    code = pool.code if pool else None
    times = ladder_quota.multiplier(pool, today()) if pool and ladder_quota.has_quota(pool) else None
    return render_template("actions/rounds.html", rounds=intake.rounds(db.session, code), form=form,
                           close_form=close_form, current=intake.open_round_on(db.session, today(), pool_code=code),
                           pool=pool, pools=_round_pools(), times=times,
                           first=catalogue.pools(db.session)[definition.DEFAULT_POOL]), status


@bp.route("/rounds")
def rounds():
    return _rounds_page(_round_pool(request.args.get("pool")), forms.RoundForm(on=today()),
                        forms.CloseRoundForm(on=today()))


@bp.post("/rounds")
@admin_required
def open_round():
    pool = _round_pool(request.args.get("pool"))
    form = forms.RoundForm()
    if form.validate_on_submit():
        try:
            opened = intake.open_round(db.session, name=form.name.data, on=form.on.data,
                                       today=today(), actor=current_user, pool=pool)
        except lifecycle.TransitionRefused as exc:
            _refused(exc, form)
        else:
            db.session.commit()
            flash(_("已开启入库批次“%(name)s”", name=opened.name), "success")
            return redirect(url_for("actions.rounds", pool=pool.code if pool else None))
    return _rounds_page(pool, form, forms.CloseRoundForm(on=today()), 422)


@bp.post("/rounds/<int:round_id>/close")
@admin_required
def close_round(round_id: int):
    form = forms.CloseRoundForm()
    chosen = db.session.get(IntakeRound, round_id) or abort(404)
    pool_code = chosen.pool_code
    if form.validate_on_submit():
        try:
            intake.close_round(db.session, chosen, on=form.on.data, today=today(),
                               actor=current_user)
        except lifecycle.TransitionRefused as exc:
            _refused(exc)
        else:
            db.session.commit()
            flash(_("已关闭入库批次“%(name)s”", name=chosen.name), "success")
    else:
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("actions.rounds", pool=pool_code))
