"""目标与指标 dashboard: a programme's targets for a region on a date, measured from the records.

Thin callers of :mod:`pool.targets.database`.  The city administrator picks any
stored region (the city, a county); a county officer is fixed to their own
county.  Each target shows its status, comparator, value series and a chart
drawn on the server (:mod:`pool.web.target_charts`); a figure links to the
records it counted, scoped to the viewer.  The same evaluation downloads as an
Excel report and prints from its own page.
"""
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import db
from pool.access import scoping
from pool.membership.history import members_on
from pool.targets import database, records, report, targetset
from pool.targets.exact import show
from pool.targets.measures import parse_key
from pool.targets.results import STATUS_LABELS
from pool.targets.series import LEVEL_LABELS
from pool.web import clock
from pool.web.reports import BadDate, date_arg, download
from pool.web.target_charts import chart

bp = Blueprint("targets", __name__, url_prefix="/targets")
BADGES = {"met": "text-bg-success", "not_met": "text-bg-danger", "on_track": "text-bg-primary",
          "no_data": "text-bg-secondary", "tracked": "text-bg-light border"}
REPORT_HEADER = ("编号", "目标", "条款", "判断方式", "比较", "目标期", "状态", "各年数值", "计算过程")


@bp.errorhandler(BadDate)
def bad_date(exc):
    return render_template("errors/error.html", code=400, title=_("请求有误"), description=str(exc)), 400


def regions_for_viewer() -> list:
    """The stored regions the viewer may pick (:func:`pool.access.scoping.target_regions`)."""
    return scoping.target_regions(db.session, current_user)


def _choice():
    """(programme, region row, as-of date, regions offered) from the query, checked; 404 for a region not offered
    (and for every region while none is offered)."""
    offered = regions_for_viewer()
    codes = targetset.codes()
    code = request.args.get("programme") or ("huangshi-2024" if "huangshi-2024" in codes else codes[0])
    if code not in codes:
        abort(404)
    wanted = request.args.get("region")
    default = next((r for r in offered if r.level == "city"), offered[0] if offered else None)
    region = default if not wanted else next((r for r in offered if r.code == wanted), None)
    if region is None:
        abort(404)
    today = clock.today()
    as_of = date_arg("as_of") or today
    if as_of > today:
        raise BadDate(_("评估日期 %(day)s 晚于今天；请选择今天或以前的日期", day=as_of.isoformat()))
    return code, region, as_of, offered


def _evaluate():
    code, region, as_of, offered = _choice()
    evaluation = database.evaluate(db.session, code, region.code, as_of, members_on)
    return code, region, as_of, offered, evaluation


def _drillable(result) -> str | None:
    """The measure key whose records a figure of ``result`` can list, if the records hold it (a part of a
    target read per field: that field's)."""
    measure = result.target.indicator.measure
    if measure is not None and measure.wildcard and result.part is not None:
        measure = measure.part(result.part)
    if measure is None or measure.wildcard or not records.listable(measure):
        return None
    return measure.key


def _context(code, region, as_of, offered, evaluation):
    args = {"programme": code, "region": region.code, "as_of": as_of.isoformat()}
    return dict(evaluation=evaluation, code=code, region=region, as_of=as_of, offered=offered, args=args,
                target_sets=[targetset.load(c) for c in targetset.codes()], badges=BADGES, statuses=STATUS_LABELS,
                tests=report.TEST_LABELS, levels=LEVEL_LABELS, chart=chart, drillable=_drillable,
                comparator=report.comparator_text, display=report.display, today=clock.today())


@bp.get("/")
def index():
    """The dashboard: the choice form and every target of the chosen set for the chosen region."""
    if not regions_for_viewer() and not request.args.get("region"):
        return _without_figures(None, None, None, clock.today(), [])
    code, region, as_of, offered = _choice()
    try:
        evaluation = database.evaluate(db.session, code, region.code, as_of, members_on)
    except targetset.TargetSetError as exc:
        return _without_figures(str(exc), code, region, as_of, offered)
    return render_template("targets/index.html", error=None, **_context(code, region, as_of, offered, evaluation))


def _without_figures(error, code, region, as_of, offered):
    """The choice form alone, with why there is nothing to show (no region stored, an unknown one)."""
    return render_template("targets/index.html", error=error, evaluation=None, code=code, region=region, as_of=as_of,
                           offered=offered, args={}, target_sets=[targetset.load(c) for c in targetset.codes()],
                           levels=LEVEL_LABELS)


@bp.get("/print")
def printable():
    """The same evaluation laid out for paper (the print CSS hides navigation and buttons)."""
    return render_template("targets/print.html", **_context(*_evaluate()))


@bp.get("/report.xlsx")
def workbook():
    """The evaluation as a formatted Excel report: one row per target (and per part)."""
    code, region, as_of, _offered, evaluation = _evaluate()
    rows = []

    def add(result, indent=""):
        target = result.target
        rows.append((indent + target.id, target.label, target.clause, str(report.TEST_LABELS[target.test]),
                     report.comparator_text(result), f"{target.start}—{target.end}",
                     str(STATUS_LABELS[result.status]) + (f" · {result.part}" if result.part else ""),
                     report.series_text(result), "\n".join(result.trace)))
        for part in result.parts:
            add(part, indent + "  ")

    for result in evaluation.results + evaluation.tracked:
        add(result)
    target_set = evaluation.in_force.target_set
    return download("xlsx", rows, REPORT_HEADER, f"目标评估_{code}_{region.code}_{as_of}",
                    f"targets-{code}-{region.code}-{as_of}", _("目标评估"),
                    about=[(_("目标集"), f"{target_set.city}《{target_set.title}》（{target_set.document}）"),
                           (_("地区"), f"{region.name}（{region.code}）"), (_("评估日期"), as_of.isoformat()),
                           *((_("说明"), note) for note in evaluation.notes)])


@bp.get("/records")
def drill_down():
    """The records behind one figure: a measure of the region in a year, only the viewer's counties."""
    code, region, as_of, offered = _choice()
    measure, _reason = parse_key(request.args.get("measure", ""))
    year = request.args.get("year", type=int)
    if measure is None or year is None or not 1949 <= year <= as_of.year:
        abort(404)
    visible = {c.id for c in scoping.counties(db.session, current_user)}
    county_ids = [i for i in database.scope(db.session, region.code).county_ids if i in visible]
    rows = records.rows(db.session, measure, year, county_ids, members_on)
    if rows is None:
        abort(404)
    back = url_for("targets.index", programme=code, region=region.code, as_of=as_of.isoformat())
    names = {c.id: c.name for c in scoping.counties(db.session, current_user)}
    return render_template("targets/records.html", measure=measure, year=year, region=region, back=back, names=names,
                           rows=[_row(r) for r in rows], amount=measure.base == "pledge.amount",
                           events=measure.base == "matchmaking.events",
                           amount_of=lambda fact: show(records.loan_amount(fact)))


def _row(obj) -> dict:
    """A counted record as a line: its enterprise and county, what it is (code and kind), its date."""
    kind = type(obj).__name__
    if kind == "Enterprise":
        return {"enterprise_id": obj.id, "enterprise": obj.name, "county_id": obj.county_id, "kind": kind,
                "obj": obj, "on": None}
    if kind == "MatchmakingEvent":
        return {"enterprise_id": None, "enterprise": obj.organiser, "county_id": obj.county_id, "kind": kind,
                "obj": obj, "on": obj.held_on}
    if kind == "AwardFact":
        return {"enterprise_id": obj.enterprise_id, "enterprise": obj.beneficiary_name, "county_id": obj.county_id,
                "kind": kind, "obj": obj, "on": obj.date}
    on = obj.approved_on or obj.valid_from if kind == "Qualification" else (
        obj.granted_on or obj.status_on or obj.acquired_on)
    return {"enterprise_id": obj.enterprise_id, "enterprise": obj.enterprise.name,
            "county_id": obj.enterprise.county_id, "kind": kind, "obj": obj, "on": on}
