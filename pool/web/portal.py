"""The enterprise portal (issue #16): an enterprise's own account declares,
reports its yearly figures and proposes changes to its record, with evidence;
it reaches nothing but its own (:mod:`pool.web.access` keeps it here).
Thin callers of :mod:`pool.portal`."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from models import ANNUAL_REPORT, CHANGE_REQUEST, DECLARATION, Evidence, Submission, YearlyFigure, db
from pool.access.scoping import MAX_ID
from pool.eligibility import rulebook
from pool.ladder import proposals
from pool.monitoring.annual import annual_deadline
from pool.portal import accounts as portal_accounts, evidence, notices, record_changes, submissions
from pool.portal.record_changes import ADD, CHANGE, RENEW
from pool.portal.submissions import KIND_LABELS, STATUS_LABELS, SubmissionRefused
from pool.records.changes import FIGURE_FIELDS
from pool.records.fields import PARTS
from pool.records.parts import values_of
from pool.web import clock, portal_files
from pool.web.auth import attempt
from pool.web.checks import VERDICT_STYLE
from pool.web.check_forms import GROUPS, add_row_requested, fill, place_problems, to_applicant
from pool.web.forms import ConfirmForm
from pool.web.part_forms import fill as fill_part, form_values, part_form
from pool.web.saving import refusal
from pool.web.portal_forms import AnnualForm, DeclarationForm, EvidenceForm, PortalLoginForm

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("portal.home" if current_user.is_enterprise else "main.index"))
    form = PortalLoginForm()
    if form.validate_on_submit():
        user, refused = attempt(portal_accounts.login_name(db.session, form.identifier.data), form.password.data,
                                portal_accounts.ROLES, "portal/login.html", form, _("账号或密码错误"))
        if refused:
            return refused
        login_user(user)
        target = request.args.get("next") or ""  # a reminder's link: back to the task, on the portal only
        return redirect(target if target.startswith("/portal/") and "//" not in target and "\\" not in target
                        else url_for("portal.home"))
    return render_template("portal/login.html", form=form), 422 if form.errors else 200


@bp.get("/")
def home():
    account, day = current_user, clock.today()
    snapshot = rulebook.policy_on(db.session, day)
    year, deadline = day.year - 1, annual_deadline(day, snapshot["annual_data_deadline"])
    rows = db.session.scalars(submissions.mine(account)).all()
    return render_template("portal/home.html", account=account, enterprise=account.enterprise, rows=rows,
                           kinds=KIND_LABELS, statuses=STATUS_LABELS, year=year,
                           deadline=deadline, overdue=day > deadline,
                           report=submissions.current(db.session, account, ANNUAL_REPORT, year=year),
                           declaration=submissions.current(db.session, account, DECLARATION),
                           parts={p: PARTS[p].label for p in record_changes.CHANGE_PARTS},
                           record=_record(account.enterprise),
                           ladder=[r for r in proposals.ladder(db.session, account.enterprise, day) if r.state]
                           if account.enterprise else [])


def _record(enterprise) -> list:
    """The enterprise's record by part: ``(code, label, [(row, its description)])``."""
    if enterprise is None:
        return []
    return [(code, PARTS[code].label, [(row, PARTS[code].describe(row)) for row in
                                        getattr(enterprise, record_changes.RELATIONS[code])])
            for code in record_changes.CHANGE_PARTS]


@bp.route("/declaration", methods=["GET", "POST"])
def declaration():
    """The 申报: the 资格自检 form, its verdict, drafts and submission."""
    account = current_user
    row = submissions.current(db.session, account, DECLARATION)
    if account.enterprise_id is not None and (row is None or row.status in submissions.EDITABLE):
        flash(_(submissions.REGISTERED), "info")  # declared and registered already (or registered by the county)
        return redirect(url_for("portal.home"))
    if row is not None and row.status not in submissions.EDITABLE:
        return redirect(url_for("portal.submission", submission_id=row.id))
    form = DeclarationForm()
    form.county_id.choices = [(account.county_id, account.county.name)]
    if request.method == "GET":
        fill(form, row.data if row else {})
        form.as_of.data, form.county_id.data = clock.today(), account.county_id
        form.uscc.data = account.username
        form.assessment_year.data = form.assessment_year.data or clock.today().year
    added = add_row_requested(form, request.form)
    evaluation, problems = None, []
    if request.method == "POST" and not added:
        form.as_of.data, form.county_id.data, form.uscc.data = clock.today(), account.county_id, account.username
        valid = form.validate()
        positions: dict = {}
        data = to_applicant(form, account.county.name, positions)
        try:
            if form.draft.data:  # a draft keeps what is valid, however incomplete
                row = submissions.save_declaration(db.session, account, data, now=clock.now(), submission=row)
                db.session.commit()
                flash(_("草稿已保存") if valid else _("草稿已保存；标出的字段有误，未保存"), "success")
                if valid:
                    return redirect(url_for("portal.declaration"))
            elif valid:
                evaluation = submissions.evaluate(data, clock.today(), rulebook.load(db.session))
                if form.send.data:
                    row = submissions.save_declaration(db.session, account, data, now=clock.now(), submission=row)
                    _submit(row)
                    return redirect(url_for("portal.submission", submission_id=row.id))
        except StaleDataError:
            db.session.rollback()
            flash(_(submissions.CHANGED_MEANWHILE), "danger")
        except SubmissionRefused as exc:
            db.session.rollback()
            evaluation = None
            problems = place_problems(form, exc.problems, positions) if exc.problems else []
            if not exc.problems:
                refusal(form, exc)
    status = 422 if (problems or form.errors) and request.method == "POST" and not added else 200
    return render_template("portal/declaration.html", form=form, groups=GROUPS, row=row, evaluation=evaluation,
                           problems=problems, comments=_comments(row), labels=submissions.field_labels(row),
                           styles=VERDICT_STYLE,
                           upload=EvidenceForm(formdata=None), action=ConfirmForm()), status


@bp.route("/annual/<int:year>", methods=["GET", "POST"])
def annual(year: int):
    """报送年度数据: ``year``'s figures, prefilled from what is recorded."""
    account = current_user
    if account.enterprise_id is None or not 2000 <= year < clock.today().year:
        abort(404)
    row = submissions.current(db.session, account, ANNUAL_REPORT, year=year)
    if row is not None and row.status not in submissions.EDITABLE:
        return redirect(url_for("portal.submission", submission_id=row.id))
    form = AnnualForm()
    if request.method == "GET":
        stored = db.session.scalar(select(YearlyFigure).where(YearlyFigure.enterprise_id == account.enterprise_id,
                                                              YearlyFigure.year == year))
        values = row.data["figures"] if row else {f: getattr(stored, f) for f in FIGURE_FIELDS} if stored else {}
        for name, value in values.items():
            form[name].process_data(value)
    elif form.validate_on_submit():
        figures = {f: form[f].data for f in FIGURE_FIELDS}
        done = _save_or_send(form, lambda: submissions.save_annual(
            db.session, account, year=year, figures=figures, now=clock.now(), submission=row),
            send=form.send.data, draft=lambda saved: url_for("portal.annual", year=year))
        if done:
            return done
    return render_template("portal/annual.html", form=form, row=row, year=year, comments=_comments(row),
                           labels=submissions.field_labels(row),
                           upload=EvidenceForm(formdata=None), action=ConfirmForm()), 422 if form.errors else 200


@bp.route("/changes/<part>", methods=["GET", "POST"])
@bp.route("/changes/<part>/<int:submission_id>", methods=["GET", "POST"])
@bp.route("/changes/<part>/rows/<int:row_id>", methods=["GET", "POST"], defaults={"action": CHANGE})
@bp.route("/changes/<part>/rows/<int:row_id>/renew", methods=["GET", "POST"], defaults={"action": RENEW})
def change(part: str, submission_id: int | None = None, row_id: int | None = None, action: str = ADD):
    """申请记录变更: a patent, a product, a certificate … to add to the record,
    a change to one on record, or a certificate's renewal."""
    account = current_user
    if part not in record_changes.CHANGE_PARTS or account.enterprise_id is None:
        abort(404)
    draft = None
    if submission_id is not None:
        draft = submissions.get_mine(db.session, account, submission_id)
        if draft is None or draft.kind != CHANGE_REQUEST or draft.data.get("part") != part:
            abort(404)
        if draft.status not in submissions.EDITABLE:
            return redirect(url_for("portal.submission", submission_id=draft.id))
        row_id, action = draft.data.get("row_id"), draft.data.get("action", ADD)
    row = record_changes.row_of(db.session, account.enterprise_id, part, row_id) if row_id is not None else None
    if (row_id is not None and row is None) or (action == RENEW and part != "qualification"):
        abort(404)
    spec = PARTS[part]
    numbers = [p.number for p in account.enterprise.patents]
    form = part_form(spec, patents=numbers, with_reason=False)()
    if request.method == "GET":
        if draft is not None:
            fill_part(form, draft.data["values"])
        elif action == CHANGE:
            fill_part(form, values_of(spec, row))
        elif action == RENEW:
            fill_part(form, {k: getattr(row, k) for k in ("type", "level", "issuer")})
    if request.method == "POST" and form.validate_on_submit():
        done = _save_or_send(form, lambda: submissions.save_change(
            db.session, account, part=part, values=form_values(form, spec), now=clock.now(), submission=draft,
            row=row, renew=action == RENEW),
            send="send" in request.form,
            draft=lambda saved: url_for("portal.change", part=part, submission_id=saved.id))
        if done:
            return done
    return render_template("portal/change.html", form=form, part=part, label=spec.label, row=draft,
                           about=spec.describe(row) if row is not None else None,
                           action_label=record_changes.ACTION_LABELS[action],
                           comments=_comments(draft), labels=submissions.field_labels(draft),
                           upload=EvidenceForm(formdata=None), action=ConfirmForm()), 422 if form.errors else 200


@bp.get("/submissions/<int:submission_id>")
def submission(submission_id: int):
    row = _mine_or_404(submission_id)
    return render_template("portal/submission.html", row=row, kinds=KIND_LABELS, statuses=STATUS_LABELS,
                           files=evidence.current(row), action=ConfirmForm(), labels=submissions.field_labels(row),
                           upload=EvidenceForm(formdata=None),
                           edit=_edit_url(row) if row.status in submissions.EDITABLE else None)


@bp.post("/submissions/<int:submission_id>/submit")
def submit(submission_id: int):
    row = _mine_or_404(submission_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        _submit(row)
    except SubmissionRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(_edit_url(row))
    return redirect(url_for("portal.submission", submission_id=row.id))


@bp.post("/submissions/<int:submission_id>/evidence")
def upload(submission_id: int):
    row = _mine_or_404(submission_id)
    portal_files.attach(row, EvidenceForm())
    return redirect(_edit_url(row))


@bp.post("/evidence/<int:evidence_id>/remove")
def remove(evidence_id: int):
    item = _evidence_or_404(evidence_id)
    if ConfirmForm().validate_on_submit():
        try:
            evidence.remove(db.session, item, now=clock.now())
        except evidence.EvidenceRefused as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("已删除材料“%(label)s”", label=item.label), "success")
    return redirect(_edit_url(item.submission))


@bp.get("/evidence/<int:evidence_id>")
def download(evidence_id: int):
    return portal_files.send(_evidence_or_404(evidence_id))


def _save_or_send(form, save, *, send: bool, draft):
    """Save the draft (``save()`` returns it) and, with ``send``, submit it: the
    redirect (to the submission, or to ``draft(row)`` for a draft), or ``None``
    with the refusal on the form."""
    try:
        row = save()
        if send:
            _submit(row)
            return redirect(url_for("portal.submission", submission_id=row.id))
    except SubmissionRefused as exc:
        db.session.rollback()
        refusal(form, exc)
        return None
    except StaleDataError:
        db.session.rollback()
        flash(_(submissions.CHANGED_MEANWHILE), "danger")
        return None
    db.session.commit()
    flash(_("草稿已保存"), "success")
    return redirect(draft(row))


def _submit(row: Submission) -> None:
    """Submit, tell the county's officers, commit; a refusal is the caller's to show."""
    try:
        submissions.submit(db.session, row, actor=current_user, today=clock.today(), now=clock.now(),
                           rulebook=rulebook.load(db.session))
        notices.submitted(db.session, row, base_url=current_app.config["PUBLIC_URL"])
        db.session.commit()
    except StaleDataError:  # submitted (or changed) in another tab meanwhile
        db.session.rollback()
        raise SubmissionRefused(submissions.CHANGED_MEANWHILE) from None
    flash(_("已提交县（市、区）审核"), "success")


def _edit_url(row: Submission) -> str:
    """Where the enterprise changes ``row``."""
    if row.kind == DECLARATION:
        return url_for("portal.declaration")
    if row.kind == ANNUAL_REPORT:
        return url_for("portal.annual", year=row.year)
    return url_for("portal.change", part=row.data["part"], submission_id=row.id)


def _mine_or_404(submission_id: int) -> Submission:
    return submissions.get_mine(db.session, current_user, submission_id) or abort(404)


def _evidence_or_404(evidence_id: int) -> Evidence:
    item = db.session.get(Evidence, evidence_id) if 0 < evidence_id <= MAX_ID else None
    if item is None or item.removed_at is not None or item.submission.account_id != current_user.id:
        abort(404)
    return item


def _comments(row: Submission | None) -> dict:
    """The officer's comments of the latest return, while the enterprise is fixing them."""
    if row is None or row.status != "returned":
        return {}
    last = next((r for r in reversed(row.rounds) if r.action == "returned"), None)
    return dict(last.comments or {}) if last else {}
