"""奖补事实: the facts awards are computed from — listed, entered one by one (a claim
an officer makes for a beneficiary), imported as a facts document, withdrawn with
a reason.  Thin callers of :mod:`pool.awards.store`; a county officer sees and
enters facts of their own county's enterprises only (:mod:`pool.access.scoping`)."""
import json
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_

from models import CITY_ADMIN, AwardFact, db
from pool.access import scoping
from pool.awards import facts as contract, labels, store
from pool.kernel.text import like_pattern
from pool.web import clock
from pool.web.award_forms import ImportForm, ReasonForm, document_of, fact_form, place_problems
from pool.web.access import child_or_404

bp = Blueprint("award_facts", __name__, url_prefix="/awards/facts")

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _county_id():
    """``None`` for the city administrator (any beneficiary), else the officer's county."""
    return None if current_user.role == CITY_ADMIN else current_user.county_id


@bp.get("/")
def index():
    stmt = scoping.children(current_user, AwardFact)
    q = (request.args.get("q") or "").strip()[:100]
    fact_type = request.args.get("type") if request.args.get("type") in labels.TYPE_LABELS else None
    withdrawn = request.args.get("withdrawn") == "1"
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(or_(AwardFact.beneficiary_name.like(pattern, escape="\\"),
                              AwardFact.beneficiary_key.like(pattern, escape="\\"),
                              AwardFact.subject.like(pattern, escape="\\"),
                              AwardFact.fact_id.like(pattern, escape="\\")))
    if fact_type:
        stmt = stmt.where(AwardFact.type == fact_type)
    if not withdrawn:
        stmt = stmt.where(AwardFact.withdrawn_at.is_(None))
    stmt = stmt.order_by(AwardFact.date.desc(), AwardFact.id.desc())
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("awards/facts.html", page=page, q=q, fact_type=fact_type, withdrawn=withdrawn,
                           types=labels.TYPE_LABELS, kinds=labels.BENEFICIARY_KIND_LABELS,
                           sources=store.SOURCE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
def new():
    fact_type = request.args.get("type")
    if fact_type not in contract.FACT_FIELDS:
        return render_template("awards/fact_types.html", types=labels.TYPE_LABELS)
    form = fact_form(fact_type, enterprise_only=_county_id() is not None)
    problems: list[str] = []
    if form.validate_on_submit():
        fact_id = (form.fact_id.data or "").strip() or f"{fact_type}-{secrets.token_hex(4)}"
        try:
            rows, _skipped = store.record(db.session, document_of(form, fact_type, fact_id), source="officer",
                                          actor=current_user, as_of=clock.today(), now=clock.now(),
                                          county_id=_county_id())
        except store.FactsRefused as exc:
            db.session.rollback()
            problems = place_problems(form, exc.problems)
        else:
            db.session.commit()
            flash(_("已登记：%(name)s %(type)s（%(id)s）", name=rows[0].beneficiary_name if rows else "",
                    type=_(labels.TYPE_LABELS[fact_type]), id=fact_id), "success")
            return redirect(url_for("award_facts.detail", fact_id=rows[0].id) if rows
                            else url_for("award_facts.index")), 303
    status = 422 if request.method == "POST" else 200
    return render_template("awards/fact_new.html", form=form, fact_type=fact_type, problems=problems,
                           type_label=labels.TYPE_LABELS[fact_type]), status


@bp.route("/import", methods=["GET", "POST"])
def import_document():
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        content = form.file.data.read(MAX_IMPORT_BYTES + 1)
        if len(content) > MAX_IMPORT_BYTES:
            problems = [_("文件超过 %(n)s MB；更大的文件请分批导入", n=MAX_IMPORT_BYTES // 1024 // 1024)]
        else:
            try:
                document = json.loads(content.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                problems = [_("文件不是 UTF-8 编码的 JSON；格式见奖补事实约定（award-facts.schema.json）")]
            else:
                try:
                    rows, skipped = store.record(db.session, document, source="import", actor=current_user,
                                                 as_of=clock.today(), now=clock.now(), county_id=_county_id())
                except store.FactsRefused as exc:
                    db.session.rollback()
                    problems = exc.problems
                else:
                    db.session.commit()
                    flash(_("已导入 %(n)s 条事实；%(s)s 条此前已导入，未重复登记", n=len(rows), s=skipped), "success")
                    return redirect(url_for("award_facts.index")), 303
    status = 422 if request.method == "POST" else 200
    return render_template("awards/fact_import.html", form=form, problems=problems), status


def _fact_or_404(fact_id: int) -> AwardFact:
    row = child_or_404(AwardFact, fact_id)
    return row


@bp.get("/<int:fact_id>")
def detail(fact_id: int):
    row = _fact_or_404(fact_id)
    return render_template("awards/fact.html", row=row, form=ReasonForm(formdata=None), **_labels(row))


def _labels(row: AwardFact) -> dict:
    fields = contract.FACT_FIELDS.get(row.type, {})
    spec = {key.rstrip("*"): (kind, label) for key, (kind, label) in fields.items()}
    shown = []
    for name, value in row.data.items():
        if name in ("id", "type", "date", "subject"):
            continue
        kind, label = spec.get(name, ("str", name))
        if kind.startswith("enum:"):
            names = next((v for v in labels.VALUE_LABELS.values() if value in v), {})
            value = names.get(value, value)
        elif kind == "costs":
            value = "；".join(f"{_(labels.COSTS[k])} {v} 万元" for k, v in value.items())
        elif kind == "bool":
            value = _("是") if value else _("否")
        shown.append((label, value, kind == "money"))
    return {"fields": shown, "types": labels.TYPE_LABELS, "kinds": labels.BENEFICIARY_KIND_LABELS,
            "sources": store.SOURCE_LABELS}


@bp.post("/<int:fact_id>/withdraw")
def withdraw(fact_id: int):
    row = _fact_or_404(fact_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_template("awards/fact.html", row=row, form=form, **_labels(row)), 422
    try:
        store.withdraw(row, reason=form.reason.data, actor=current_user, now=clock.now())
    except store.FactsRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("award_facts.detail", fact_id=row.id)), 303
    db.session.commit()
    flash(_("已撤回：下次计算起不再计入"), "success")
    return redirect(url_for("award_facts.detail", fact_id=row.id)), 303
