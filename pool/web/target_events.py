"""专利技术供需对接活动: the events the targets count — listed (search, year, order), exported, recorded,
withdrawn with a reason.  Thin callers of :mod:`pool.targets.events`; a county officer sees, records and
withdraws their own county's events only (:mod:`pool.access.scoping`; another county's event is 404)."""
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from models import MatchmakingEvent, db
from pool.access import scoping
from pool.targets import events
from pool.web import clock
from pool.web.access import child_or_404
from pool.web.reports import FORMATS, download
from pool.web.safe_forms import SafeForm

bp = Blueprint("target_events", __name__, url_prefix="/targets/events")


class EventForm(SafeForm):
    # The domain says what is required and why (naming the label); the form only parses.
    county_id = SelectField(_l("举办县（市、区）"), coerce=int, validate_choice=False)
    held_on = DateField(_l("举办日期"), validators=[Optional()])
    field = StringField(_l("领域"), validators=[Optional()], render_kw={"list": "field-suggestions"},
                        description=_l("如 新材料、生物医药；可选用已登记过的领域，也可填写新的领域"))
    title = StringField(_l("活动名称"), validators=[Optional()])
    organiser = StringField(_l("主办单位"), validators=[Optional()])
    participants = IntegerField(_l("参加人数"), validators=[Optional()])
    note = TextAreaField(_l("活动情况与佐证材料"), validators=[Optional()],
                         description=_l("如 通知文号、签到表、新闻报道的出处"))
    submit = SubmitField(_l("登记活动"))


class WithdrawForm(SafeForm):
    reason = TextAreaField(_l("撤回原因"), validators=[Optional()])
    submit = SubmitField(_l("撤回"))


def _counties():
    return scoping.counties(db.session, current_user)


def _filters() -> dict:
    """The list's filters from the query: search text, year, withdrawn ones too, oldest first."""
    year = request.args.get("year", type=int)
    return {"q": (request.args.get("q") or "").strip()[:100], "year": year if year and 1949 <= year <= 2100 else None,
            "withdrawn": request.args.get("withdrawn") == "1", "oldest_first": request.args.get("order") == "oldest"}


@bp.get("/")
def index():
    counties = _counties()
    ids = [c.id for c in counties]
    filters = _filters()
    page = db.paginate(events.listing(ids, **filters), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("targets/events.html", page=page, filters=filters, years=events.years(db.session, ids),
                           names={c.id: c.name for c in counties}, formats=("xlsx", "csv"))


@bp.get(f"/events.<{FORMATS}:fmt>")
def export(fmt: str):
    """The list as a file, with the list page's filters."""
    filters = _filters()
    stmt = events.listing([c.id for c in _counties()], **filters)
    rows = events.export_rows(db.session, stmt, ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    today = clock.today().isoformat()
    return download(fmt, rows, [_(h) for h in events.HEADER], f"专利技术供需对接活动_{today}",
                    f"matchmaking-events-{today}", _("对接活动"),
                    about=[(_("检索"), filters["q"] or "—"), (_("年度"), filters["year"] or _("全部")),
                           (_("含已撤回"), _("是") if filters["withdrawn"] else _("否"))])


def _form() -> EventForm:
    form = EventForm()
    form.county_id.choices = [(c.id, c.name) for c in _counties()]
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _form()
    if request.method == "GET" and current_user.county_id is not None:
        form.county_id.data = current_user.county_id
    if form.validate_on_submit():
        try:
            row = events.record(db.session, county_id=form.county_id.data, held_on=form.held_on.data,
                                field=form.field.data, title=form.title.data, organiser=form.organiser.data,
                                participants=form.participants.data, note=form.note.data,
                                counties={c for c, _name in form.county_id.choices}, actor=current_user,
                                as_of=clock.today(), now=clock.now())
        except events.EventRefused as exc:
            db.session.rollback()
            for name, message in exc.problems.items():
                getattr(form, name).errors = [message]
        else:
            db.session.commit()
            flash(_("已登记：%(day)s %(title)s（%(field)s）", day=row.held_on.isoformat(), title=row.title,
                    field=row.field), "success")
            return redirect(url_for("target_events.index")), 303
    status = 422 if request.method == "POST" else 200
    ids = [c for c, _name in form.county_id.choices]
    return render_template("targets/event_new.html", form=form, suggestions=events.fields(db.session, ids),
                           today=clock.today()), status


@bp.get("/<int:matchmaking_id>")
def detail(matchmaking_id: int):
    row = child_or_404(MatchmakingEvent, matchmaking_id)
    return render_template("targets/event.html", row=row, form=WithdrawForm(formdata=None))


@bp.post("/<int:matchmaking_id>/withdraw")
def withdraw(matchmaking_id: int):
    row = child_or_404(MatchmakingEvent, matchmaking_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            events.withdraw(db.session, row, reason=form.reason.data, counties={c.id for c in _counties()},
                            actor=current_user, now=clock.now())
        except events.EventRefused as exc:
            db.session.rollback()
            form.reason.errors = list(exc.problems.values())
        else:
            db.session.commit()
            flash(_("已撤回：此后不再计入目标"), "success")
            return redirect(url_for("target_events.detail", matchmaking_id=row.id)), 303
    return render_template("targets/event.html", row=row, form=form), 422
