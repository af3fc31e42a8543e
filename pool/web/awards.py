"""奖补结算: each programme's award year — opened, computed from the facts, each item
decided (approve, reduce, refuse), the list published (公示, printed and exported as
Excel) and paid per funding line, with the whole ledger.  Thin callers of
:mod:`pool.awards`.  The city administrator acts; a county officer reads the items
of their own county's enterprises (:mod:`pool.access.scoping`)."""
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from models import APPROVE, REDUCE, REFUSE, AwardEntry, AwardItem, AwardSettlement, db
from pool.access import scoping
from pool.awards import ledger, programme, publication, settlement
from pool.awards.programme import LEVEL_LABELS
from pool.awards.results import STATUS_LABELS
from pool.web import clock
from pool.web.access import admin_required
from pool.web.award_forms import DecisionForm, OpenForm, PayForm, PublishForm, ReasonForm
from pool.web.forms import ConfirmForm
from pool.web.reports import download

bp = Blueprint("awards", __name__, url_prefix="/awards")

VIEWS = {"proposed": lambda s: s.proposed, "pending": lambda s: s.pending,
         "decided": lambda s: s.decision is not None and not s.stale,
         "refused": lambda s: s.decision is not None and s.decision.kind == REFUSE,
         "unpaid": lambda s: s.decided > 0 and s.paid < s.decided,
         "other": lambda s: not s.proposed, "all": lambda s: True}
SORTS = {"beneficiary": lambda s: (s.item.beneficiary_name, s.item.rule, s.item.subject),
         "amount": lambda s: (-s.item.payable, s.item.beneficiary_name),
         "date": lambda s: (s.item.date, s.item.beneficiary_name), "rule": lambda s: (s.item.rule, s.item.subject)}
_CONFLICT = _("数据已被他人修改，请刷新页面后重试")


def _programme_label(code: str) -> str:
    try:
        p = programme.load(code)
    except programme.ProgrammeError:
        return code
    return f"{p.city}《{p.title}》（{p.document}）"


@bp.app_context_processor
def _helpers():
    return {"programme_label": _programme_label, "level_labels": LEVEL_LABELS, "item_statuses": STATUS_LABELS,
            "entry_kinds": ledger.KIND_LABELS}


@bp.get("/")
def index():
    rows = db.session.scalars(select(AwardSettlement).order_by(AwardSettlement.year.desc(),
                                                               AwardSettlement.programme)).all()
    figures = {row.id: settlement.summary(_states(row)) for row in rows}
    form = OpenForm(formdata=None, year=clock.today().year - 1).fill()
    return render_template("awards/index.html", rows=rows, figures=figures, form=form)


@bp.post("/open")
@admin_required
def open_year():
    form = OpenForm().fill()
    if form.validate_on_submit():
        try:
            row = settlement.open_settlement(db.session, form.programme.data, form.year.data, actor=current_user,
                                             as_of=clock.today(), now=clock.now())
            result = settlement.compute(db.session, row, now=clock.now())
        except settlement.SettlementRefused as exc:
            db.session.rollback()
            form.year.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("已开始 %(year)s 年度结算：%(n)s 个受益人、%(items)s 项", year=row.year, n=result.beneficiaries,
                    items=result.added), "success")
            return redirect(url_for("awards.detail", settlement_id=row.id)), 303
    rows = db.session.scalars(select(AwardSettlement).order_by(AwardSettlement.year.desc())).all()
    return render_template("awards/index.html", rows=rows, figures={r.id: settlement.summary(_states(r)) for r in rows},
                           form=form), 422


def _settlement_or_404(settlement_id: int) -> AwardSettlement:
    row = db.session.get(AwardSettlement, settlement_id) if 0 < settlement_id <= scoping.MAX_ID else None
    if row is None:
        abort(404)
    return row


def _states(row: AwardSettlement) -> dict[int, ledger.ItemState]:
    """The states of the items the viewer may see."""
    items = db.session.scalars(scoping.children(current_user, AwardItem)
                               .where(AwardItem.settlement_id == row.id)).all()
    return ledger.states(db.session, row, items)


@bp.get("/<int:settlement_id>")
def detail(settlement_id: int):
    row = _settlement_or_404(settlement_id)
    states = _states(row)
    view = request.args.get("view") if request.args.get("view") in VIEWS else "proposed"
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "beneficiary"
    q = (request.args.get("q") or "").strip()[:100]
    chosen = [s for s in states.values() if VIEWS[view](s) and (not q or any(
        q.lower() in (text or "").lower() for text in (s.item.beneficiary_name, s.item.beneficiary_key,
                                                       s.item.subject, s.item.rule, s.item.rule_label)))]
    chosen.sort(key=SORTS[sort])
    size = current_app.config["PAGE_SIZE"]
    pages = max(1, -(-len(chosen) // size))
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    publish = PublishForm(formdata=None, on=clock.today())
    return render_template("awards/settlement.html", row=row, figures=settlement.summary(states), view=view,
                           sort=sort, q=q, shown=chosen[(number - 1) * size:number * size], count=len(chosen),
                           number=number, pages=pages, publish=publish, confirm=ConfirmForm(formdata=None),
                           reason=ReasonForm(formdata=None),
                           publication=_publication_entry(row))


def _publication_entry(row: AwardSettlement) -> AwardEntry | None:
    return next((e for e in reversed(ledger.live(ledger.entries(db.session, row))) if e.kind == "publish"), None)


def _done(row: AwardSettlement, message: str, target: str):
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_CONFLICT, "danger")
    else:
        flash(message, "success")
    return redirect(target), 303


def _refused(exc: Exception, target: str):
    db.session.rollback()
    flash(str(exc), "danger")
    return redirect(target), 303


@bp.post("/<int:settlement_id>/compute")
@admin_required
def compute(settlement_id: int):
    row = _settlement_or_404(settlement_id)
    target = url_for("awards.detail", settlement_id=row.id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = settlement.compute(db.session, row, now=clock.now())
    except settlement.SettlementRefused as exc:
        return _refused(exc, target)
    return _done(row, _("已重新计算：新增 %(a)s 项，变化 %(c)s 项，不变 %(u)s 项，不再产生 %(g)s 项", a=result.added,
                        c=result.changed, u=result.unchanged, g=result.gone), target)


@bp.post("/<int:settlement_id>/publish")
@admin_required
def publish(settlement_id: int):
    row = _settlement_or_404(settlement_id)
    target = url_for("awards.detail", settlement_id=row.id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _refused(ValueError("；".join(e for errors in form.errors.values() for e in errors)), target)
    try:
        ledger.publish(db.session, row, ledger.states(db.session, row, _all_items(row)), on=form.on.data,
                       reference=form.reference.data, actor=current_user, as_of=clock.today(), now=clock.now())
    except ledger.LedgerRefused as exc:
        return _refused(exc, target)
    return _done(row, _("名单已公示（%(day)s）", day=form.on.data.isoformat()), target)


def _all_items(row: AwardSettlement) -> list[AwardItem]:
    return list(db.session.scalars(select(AwardItem).where(AwardItem.settlement_id == row.id)))


def _item_state(row: AwardSettlement, item_id: int) -> ledger.ItemState:
    item = scoping.get_child(db.session, current_user, AwardItem, item_id)
    if item is None or item.settlement_id != row.id:
        abort(404)
    return ledger.states(db.session, row, [item])[item.id]


@bp.get("/<int:settlement_id>/items/<int:item_id>")
def item(settlement_id: int, item_id: int):
    row = _settlement_or_404(settlement_id)
    return _item_page(row, _item_state(row, item_id))


def _item_page(row, state, decision=None, pay=None, status=200):
    history = [e for e in ledger.entries(db.session, row) if e.item_id == state.item.id]
    parts = ledger.lines(ledger.rules(db.session, row)[state.item.rule], state.decided) if state.decided else []
    if decision is None:
        decision = DecisionForm(formdata=None, kind=state.decision.kind if state.decision else APPROVE)
    if pay is None:
        pay = PayForm(formdata=None, on=clock.today())
    pay.level.choices = [(level, _(LEVEL_LABELS[level])) for level, _amount in parts if level not in state.payments]
    reversed_ids = {e.reverses_id for e in history if e.reverses_id}
    return render_template("awards/item.html", row=row, state=state, history=history, parts=parts,
                           decision=decision, pay=pay, reason=ReasonForm(formdata=None),
                           reversed_ids=reversed_ids), status


@bp.post("/<int:settlement_id>/items/<int:item_id>/decide")
@admin_required
def decide(settlement_id: int, item_id: int):
    row = _settlement_or_404(settlement_id)
    state = _item_state(row, item_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _item_page(row, state, decision=form, status=422)
    amount = None
    if form.kind.data == REDUCE:
        try:
            amount = Decimal((form.amount.data or "").strip())
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            form.amount.errors = [_("请填写核减后金额（万元），例如 4.5")]
            return _item_page(row, state, decision=form, status=422)
    try:
        ledger.decide(db.session, row, state, form.kind.data, amount=amount, reason=form.reason.data,
                      actor=current_user, now=clock.now())
    except (ledger.LedgerRefused, ValueError) as exc:
        db.session.rollback()
        (form.amount if form.kind.data == REDUCE and "金额" in str(exc) else form.reason).errors = [str(exc)]
        return _item_page(row, _item_state(row, item_id), decision=form, status=422)
    return _done(row, _("已保存审核结论：%(kind)s", kind=_(ledger.KIND_LABELS[form.kind.data])),
                 url_for("awards.item", settlement_id=row.id, item_id=item_id))


@bp.post("/<int:settlement_id>/items/<int:item_id>/pay")
@admin_required
def pay(settlement_id: int, item_id: int):
    row = _settlement_or_404(settlement_id)
    state = _item_state(row, item_id)
    form = PayForm()
    form.level.choices = [(level, level) for level in LEVEL_LABELS]
    if not form.validate_on_submit():
        return _item_page(row, state, pay=form, status=422)
    try:
        entry = ledger.pay(db.session, row, state, form.level.data, on=form.on.data, reference=form.reference.data,
                           actor=current_user, as_of=clock.today(), now=clock.now())
    except ledger.LedgerRefused as exc:
        return _refused(exc, url_for("awards.item", settlement_id=row.id, item_id=item_id))
    return _done(row, _("已登记拨付：%(level)s %(amount)s 万元", level=_(LEVEL_LABELS[entry.level]),
                        amount=f"{entry.amount.normalize():f}"),
                 url_for("awards.item", settlement_id=row.id, item_id=item_id))


@bp.post("/<int:settlement_id>/entries/<int:entry_id>/reverse")
@admin_required
def reverse(settlement_id: int, entry_id: int):
    row = _settlement_or_404(settlement_id)
    entry = db.session.get(AwardEntry, entry_id) if 0 < entry_id <= scoping.MAX_ID else None
    if entry is None or entry.settlement_id != row.id:
        abort(404)
    target = url_for("awards.item", settlement_id=row.id, item_id=entry.item_id) if entry.item_id \
        else url_for("awards.detail", settlement_id=row.id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _refused(ValueError(_("冲销须写明理由")), target)
    try:
        ledger.reverse(db.session, row, entry, reason=form.reason.data, actor=current_user, now=clock.now())
    except ledger.LedgerRefused as exc:
        return _refused(exc, target)
    return _done(row, _("已冲销：%(kind)s", kind=_(ledger.KIND_LABELS[entry.kind])), target)


@bp.get("/<int:settlement_id>/ledger")
def ledger_page(settlement_id: int):
    row = _settlement_or_404(settlement_id)
    visible = set(_states(row))
    entries = [e for e in ledger.entries(db.session, row) if e.item_id is None or e.item_id in visible]
    return render_template("awards/ledger.html", row=row, entries=entries)


@bp.get("/<int:settlement_id>/publication")
def publication_page(settlement_id: int):
    row = _settlement_or_404(settlement_id)
    states = list(_states(row).values())
    return render_template("awards/publication.html", row=row, header=publication.HEADER,
                           rows=publication.rows(db.session, row, states, _), total=publication.total(states),
                           entry=_publication_entry(row), today=clock.today())


@bp.get("/<int:settlement_id>/publication.xlsx")
def publication_file(settlement_id: int):
    row = _settlement_or_404(settlement_id)
    states = list(_states(row).values())
    title = _("%(year)s 年度奖补名单", year=row.year)
    about = [(_("奖补政策"), _programme_label(row.programme)), (_("奖补年度"), row.year),
             (_("状态"), _("已公示（%(day)s）", day=row.published_on.isoformat()) if row.published_on
              else _("未公示（审核中）")), (_("合计（万元）"), f"{publication.total(states).normalize():f}")]
    return download("xlsx", publication.rows(db.session, row, states, _), [_(h) for h in publication.HEADER],
                    f"{row.programme}-{row.year}-{title}", f"awards-{row.programme}-{row.year}", title[:31],
                    about=about)
