"""Reports: downloads of the pool and the event log, the pool on a date, the city overview.

Thin callers of :mod:`pool.io.exports`; every list is scoped to the viewer's
counties there.  CSV is streamed as it is read from the database; an .xlsx is
written to a spooled temporary file first (a zip is only complete at its end)
and then streamed.  A malformed date answers a 400 page naming it.
"""
import re
import tempfile
from datetime import date
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import (
    Blueprint, Response, current_app, render_template, request, stream_with_context,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wsgi import wrap_file

from models import STATES, Enterprise, db
from pool.io import exports
from pool.eligibility import rulebook
from pool.access import scoping
from pool.membership.history import STATE_LABELS

from pool.web import clock
from pool.web.enterprises import list_filters

bp = Blueprint("reports", __name__, url_prefix="/reports")

FORMATS = "any(csv, xlsx)"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# An .xlsx up to this size stays in memory; a bigger one goes to disk.
_SPOOL_BYTES = 8 * 1024 * 1024


class BadDate(ValueError):
    """A date parameter that is not a real ``YYYY-MM-DD`` date; ``str()`` says which."""


@bp.errorhandler(BadDate)
def bad_date(exc):
    return render_template("errors/error.html", code=400, title=_("请求有误"),
                           description=str(exc)), 400


@bp.route("/")
def index():
    return render_template("reports/index.html", today=clock.today())


@bp.route(f"/pool.<{FORMATS}:fmt>")
def pool(fmt: str):
    """The enterprise list as a file, with the list page's filters (county, state, q)."""
    filters = list_filters()
    rows = exports.pool_rows(db.session, current_user, **filters)
    today = clock.today().isoformat()
    county = next((c.name for c in scoping.counties(db.session, current_user) if c.id == filters["county_id"]),
                  None)
    shown = "；".join(part for part in (
        county and _("县（市、区）：%(name)s", name=county),
        filters["state"] and _("状态：%(state)s", state=STATE_LABELS[filters["state"]]),
        filters["q"] and _("查询：%(q)s", q=filters["q"])) if part) or _("无（全部可见企业）")
    return download(fmt, rows, exports.POOL_HEADER, f"培育库企业名单_{today}",
                    f"pool-{today}", _("企业名单"), about=[(_("内容"), _("企业名单")), (_("筛选条件"), shown)])


@bp.route(f"/events.<{FORMATS}:fmt>")
def events(fmt: str):
    """The event log as a file, effective dates ``from`` … ``to`` (inclusive, optional)."""
    start, end = date_arg("from"), date_arg("to")
    if start and end and start > end:
        raise BadDate(_("起始日期 %(start)s 晚于截止日期 %(end)s", start=start, end=end))
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    rows = exports.event_rows(db.session, current_user, start=start, end=end, zone=zone)
    span = (f"{start}起" if start else "") + (f"至{end}" if end else "") or "全部"
    ascii_span = (f"-from-{start}" if start else "") + (f"-to-{end}" if end else "")
    return download(fmt, rows, exports.EVENT_HEADER, f"培育库事件记录_{span}",
                    f"events{ascii_span}", _("事件记录"),
                    about=[(_("内容"), _("事件记录")), (_("生效日期范围"), span)])


@bp.route("/pool-on")
def pool_on():
    """Who was in the pool (admitted) on ``date`` (default today), by county."""
    on = date_arg("date") or clock.today()
    counties = scoping.counties(db.session, current_user)
    stmt = exports.members(db.session, current_user, on)
    counts = exports.count_by_county(db.session, stmt)
    page = db.paginate(stmt.options(selectinload(Enterprise.county)),
                       per_page=current_app.config["PAGE_SIZE"], max_per_page=100,
                       error_out=False)
    return render_template("reports/pool_on.html", on=on, counties=counties, counts=counts,
                           total=sum(counts.values()), page=page)


@bp.route(f"/pool-on.<{FORMATS}:fmt>")
def pool_on_file(fmt: str):
    on = date_arg("date") or clock.today()
    rows = exports.member_rows(db.session, current_user, on)
    return download(fmt, rows, exports.MEMBER_HEADER, f"培育库在库企业_{on}",
                    f"pool-on-{on}", _("在库企业"),
                    about=[(_("内容"), _("在库企业")), (_("名单日期"), on.isoformat())])


@bp.route("/overview")
def overview():
    """Counties × states with totals, and each county's replenishment quota today."""
    today = clock.today()
    snapshot = rulebook.load_policy(db.session).in_force(today)
    lines = exports.overview(db.session, current_user, today, snapshot)
    totals = {state: sum(line.states[state] for line in lines) for state in STATES}
    quota_totals = {field: sum(getattr(line.quota, field) for line in lines)
                    for field in ("graduated", "replenished", "limit", "left")}
    return render_template("reports/overview.html", today=today, lines=lines, states=STATES,
                           totals=totals, quota_totals=quota_totals,
                           multiplier=snapshot["quota_multiplier"])


# --- helpers ------------------------------------------------------------------

def date_arg(name: str) -> date | None:
    """The query parameter ``name`` as a date (``None`` if absent or empty).

    :raise BadDate: if it is not a real ``YYYY-MM-DD`` date.
    """
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadDate(_("日期参数 %(name)s 的值“%(value)s”无效，应为 YYYY-MM-DD 格式的日期",
                        name=name, value=value[:40])) from None


def download(fmt: str, rows, header, name: str, ascii_name: str, sheet: str, about=()) -> Response:
    """A streamed attachment ``name``.``fmt`` of ``rows`` (``ascii_name`` for
    clients that do not read RFC 5987 ``filename*``); an .xlsx also says
    ``about`` — what it holds and which filters, with who exported it when."""
    if fmt == "csv":
        response = Response(stream_with_context(exports.iter_csv(rows, header)),
                            mimetype="text/csv")
    else:
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
        about = [*about, (_("导出人"), current_user.display_name),
                 (_("导出时间"), clock.now().strftime("%Y-%m-%d %H:%M"))]
        exports.write_xlsx(rows, header, spool, title=sheet, about=[(str(k), str(v)) for k, v in about])
        size = spool.tell()
        spool.seek(0)
        response = Response(wrap_file(request.environ, spool), mimetype=XLSX_MIMETYPE,
                            direct_passthrough=True)
        response.content_length = size
    response.headers["Content-Disposition"] = attachment(f"{name}.{fmt}", f"{ascii_name}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


def attachment(name: str, ascii_name: str) -> str:
    """``Content-Disposition`` for a download called ``name`` (RFC 6266 / 5987)."""
    return (f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(name, safe='!#$&+-.^_`|~')}")
