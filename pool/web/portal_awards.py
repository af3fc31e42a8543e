"""奖补 in the enterprise portal: the enterprise claims an award fact for itself (a prize,
a loan, a fee, an award already received from another level…) — recorded with the
same contract and checks as an officer's entry, marked as the enterprise's claim —
withdraws its own claim with a reason, and sees its awards once a list is published.
Thin callers of :mod:`pool.awards`; every row is the account's own enterprise's."""
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from models import AwardFact, Enterprise, db
from pool.awards import labels, ledger, store
from pool.web import clock
from pool.web.award_forms import ReasonForm, document_of, fact_form, place_problems

bp = Blueprint("portal_awards", __name__, url_prefix="/portal/awards")

# What an enterprise may claim: everything but an institution's yearly counts.
CLAIMABLE = {code: label for code, label in labels.TYPE_LABELS.items() if code != "yearly_counts"}


def _enterprise() -> Enterprise:
    enterprise = db.session.get(Enterprise, current_user.enterprise_id) if current_user.enterprise_id else None
    if enterprise is None:
        abort(404)  # a declarant not yet registered has no awards
    return enterprise


@bp.get("/")
def index():
    enterprise = _enterprise()
    claims = db.session.scalars(select(AwardFact).where(AwardFact.enterprise_id == enterprise.id)
                                .order_by(AwardFact.date.desc(), AwardFact.id.desc())).all()
    return render_template("portal/awards.html", enterprise=enterprise, claims=claims, types=labels.TYPE_LABELS,
                           sources=store.SOURCE_LABELS, awards=ledger.published_for(db.session, enterprise.id),
                           claimable=CLAIMABLE, form=ReasonForm(formdata=None))


@bp.route("/new", methods=["GET", "POST"])
def new():
    enterprise = _enterprise()
    fact_type = request.args.get("type")
    if fact_type not in CLAIMABLE:
        return redirect(url_for("portal_awards.index"))
    form = fact_form(fact_type, enterprise_only=True)
    if request.method == "GET":
        form.beneficiary_key.data, form.beneficiary_name.data = enterprise.uscc, enterprise.name
    # The beneficiary is the account's own enterprise, whatever the request says.
    form.beneficiary_key.raw_data = form.beneficiary_name.raw_data = None
    form.beneficiary_key.data, form.beneficiary_name.data = enterprise.uscc, enterprise.name
    form.beneficiary_kind.data, form.in_region.data = "enterprise", "true"
    problems: list[str] = []
    if form.validate_on_submit():
        fact_id = f"portal-{fact_type}-{secrets.token_hex(4)}"
        try:
            store.record(db.session, document_of(form, fact_type, fact_id), source="portal", actor=current_user,
                         as_of=clock.today(), now=clock.now(), county_id=enterprise.county_id)
        except store.FactsRefused as exc:
            db.session.rollback()
            problems = place_problems(form, exc.problems)
        else:
            db.session.commit()
            flash(_("已申报：%(type)s。县（市、区）和市级经办人将在年度结算时审核。", type=_(CLAIMABLE[fact_type])),
                  "success")
            return redirect(url_for("portal_awards.index")), 303
    status = 422 if request.method == "POST" else 200
    return render_template("portal/award_claim.html", form=form, fact_type=fact_type, problems=problems,
                           type_label=CLAIMABLE[fact_type], enterprise=enterprise), status


@bp.post("/<int:fact_id>/withdraw")
def withdraw(fact_id: int):
    enterprise = _enterprise()
    row = db.session.get(AwardFact, fact_id) if 0 < fact_id < 2**31 else None
    if row is None or row.enterprise_id != enterprise.id or row.source != "portal":
        abort(404)  # only its own claims: what officers recorded is theirs to correct
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("撤回须写明理由"), "danger")
        return redirect(url_for("portal_awards.index")), 303
    try:
        store.withdraw(row, reason=form.reason.data, actor=current_user, now=clock.now())
    except store.FactsRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("已撤回：下次计算起不再计入"), "success")
    return redirect(url_for("portal_awards.index")), 303

