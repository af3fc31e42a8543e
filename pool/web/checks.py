"""资格自检: the application form, Excel/JSON upload, saved checks and the template."""
import io
from datetime import date

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Application, County, IntakeBatch, db
from pool.eligibility import applications, rulebook
from pool.io import batch as eligibility, workbook
from pool.access import scoping
from pool.eligibility.applicant import InvalidApplicant
from pool.eligibility.criteria import check

from pool.io import intake_batch
from pool.web.clock import now, today
from pool.records import facts
from pool.web.access import child_or_404, enterprise_or_404
from pool.web.check_forms import (
    GROUPS, ApplicationForm, UploadForm, add_row_requested, fill, place_problems, to_applicant,
)

bp = Blueprint("checks", __name__, url_prefix="/checks")

VERDICT_STYLE = {"eligible": "success", "ineligible": "danger", "needs_review": "warning",
                 "incomplete": "secondary"}


def _county_choices(form):
    counties = scoping.counties(db.session, current_user)
    form.county_id.choices = [(c.id, c.name) for c in counties]
    return {c.id: c for c in counties}


@bp.route("/")
def index():
    q = (request.args.get("q") or "").strip()[:100]
    stmt = applications.visible(current_user)
    if q:
        stmt = stmt.where((Application.name.contains(q, autoescape=True))
                          | Application.uscc.startswith(q.upper(), autoescape=True))
    stmt = stmt.options(selectinload(Application.county), selectinload(Application.created_by))
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("checks/list.html", page=page, q=q, styles=VERDICT_STYLE)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ApplicationForm()
    counties = _county_choices(form)
    if not counties:
        abort(403)
    if request.method == "GET":
        form.as_of.data = today()
        form.assessment_year.data = today().year
        if current_user.county_id in counties:
            form.county_id.data = current_user.county_id
        source = request.args.get("from", type=int)
        if source:
            saved = _application_or_404(source)
            fill(form, saved.data)
            form.county_id.data = saved.county_id
        registered = request.args.get("enterprise", type=int)
        if registered:
            _fill_from_record(form, enterprise_or_404(registered))
        batch_id = request.args.get("batch", type=int)
        if batch_id:
            _fill_from_batch(form, batch_id, request.args.get("row", type=int))
    added = add_row_requested(form, request.form)
    evaluation, problems = None, []
    if request.method == "POST" and not added:
        # every error in one round: the form's own and the contract's, each at its field
        valid = form.validate()
        county = counties.get(form.county_id.data)
        positions: dict = {}
        data = to_applicant(form, county.name if county else None, positions)
        try:
            result = check(data, form.as_of.data or today(), *_rules())
        except InvalidApplicant as exc:
            problems = place_problems(form, exc.problems, positions)
        else:
            evaluation = result if valid else None
        if evaluation is not None and form.save.data:
            saved = applications.save(db.session, data=data, evaluation=evaluation,
                                      county_id=county.id, actor=current_user)
            db.session.commit()
            flash(_("已保存评估结果"), "success")
            return redirect(url_for("checks.detail", application_id=saved.id))
    status = 422 if (problems or form.errors) and request.method == "POST" and not added else 200
    if status == 422 and not problems:
        flash(_("表单有误，请按标出的字段修改"), "danger")
    return render_template("checks/form.html", form=form, groups=GROUPS, evaluation=evaluation,
                           problems=problems, styles=VERDICT_STYLE), status


def _fill_from_record(form, enterprise) -> None:
    """Prefill from the stored record as it stood on ``?as_of=`` (default today;
    a bad or future day falls back to today)."""
    day = today()
    try:
        asked = date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        asked = day
    day = min(asked, day)
    fill(form, facts.record_data(enterprise, day))
    form.county_id.data = enterprise.county_id
    form.as_of.data, form.assessment_year.data = day, day.year


def _fill_from_batch(form, batch_id: int, row: int | None) -> None:
    """Prefill one row of an uploaded batch (its county's, as the officer may see)."""
    batch = child_or_404(IntakeBatch, batch_id)
    items, _many = eligibility.read(batch.content, batch.filename)
    if row is None or not 0 <= row < len(items) or not isinstance(items[row], dict):
        abort(404)
    try:
        fill(form, items[row])
    except (TypeError, ValueError, KeyError, AttributeError):
        flash(_("该行部分数据格式有误，未能全部预填，请对照文件补充"), "warning")
    form.county_id.data, form.as_of.data = batch.county_id, batch.as_of


def _rules():
    book = rulebook.load(db.session)
    return book.policy, book.industries


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    """批量申报: every row judged on its own, kept as a batch to save, open and register."""
    form = UploadForm()
    counties = _county_choices(form)
    if not counties:
        abort(403)
    own = current_user.county_id if current_user.county_id in counties else None
    if request.method == "GET":
        form.as_of.data, form.county_id.data = today(), own
    problems = []
    if form.validate_on_submit():
        # not chosen: the officer's own county; another county's id: none at all
        if form.county_id.data not in counties:
            form.county_id.data = None if request.form.get("county_id") else own
        if form.county_id.data is None:
            form.county_id.errors = [_("请选择县（市、区）")]
        else:
            file = form.file.data
            try:
                batch, items = intake_batch.create(
                    db.session, content=file.read(), filename=file.filename or "upload", as_of=form.as_of.data,
                    county_id=form.county_id.data, actor=current_user, now=now())
            except eligibility.InvalidInput as exc:
                db.session.rollback()
                problems = exc.problems
            else:
                db.session.commit()
                return batch_page(batch, items=items)
    status = 422 if problems or (request.method == "POST" and form.errors) else 200
    return render_template("checks/upload.html", form=form, problems=problems, styles=VERDICT_STYLE), status


def batch_page(batch, status: int | None = None, items: list | None = None):
    """The batch's rows; 422 while some row has problems (the valid ones can still be saved)."""
    judged = intake_batch.rows(db.session, batch, rulebook.load(db.session), items)
    invalid = sum(1 for r in judged if not r.valid)
    return render_template("checks/batch.html", batch=batch, rows=judged, invalid=invalid,
                           styles=VERDICT_STYLE), status or (422 if invalid else 200)


@bp.route("/template.xlsx")
def template():
    buffer = io.BytesIO()
    counties = [c.name for c in db.session.scalars(select(County).order_by(County.sort_order))]
    workbook.write_template(buffer, counties=counties)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name="培育库入库申报模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _application_or_404(application_id: int) -> Application:
    saved = db.session.scalar(applications.visible(current_user)
                              .where(Application.id == application_id))
    if saved is None:
        abort(404)
    return saved


@bp.route("/<int:application_id>")
def detail(application_id: int):
    saved = _application_or_404(application_id)
    return render_template("checks/detail.html", a=saved, record=saved.result,
                           styles=VERDICT_STYLE)
