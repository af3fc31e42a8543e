"""Read-only views of the pool: county quotas, open risk flags, the event log,
the pool on a date, an enterprise's proposals on a date and its application
cycles.

Every query is limited by :func:`pool.access.scoping.county_filter` to the counties
the token's user may see.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import STATES, Enterprise, PoolEvent, RiskFlag, db
from models.event import KINDS
from models.monitoring import FLAG_KINDS, SEVERITIES
from pool.membership import cycles, lifecycle
from pool.membership.history import STATE_LABELS
from pool.access import scoping
from pool.io import exports
from pool.io.batch import InputProblem, InvalidInput

from pool.api import schemas as s
from pool.api.core import Param, Reply, viewer
from pool.api.enterprises import ONE
from pool.api.inputs import PAGING, date_param, day_until_today, paginate, policy_on
from pool.api.operations import operation
from pool.api.responses import json_response

AS_OF = date_param("as_of", "计算日期（默认今天，不能晚于今天）")
COUNTY_ID = Param("county_id", s.ID, "县（市、区）id")
ENTERPRISE_ID = Param("enterprise_id", s.ID, "企业 id")


def _quota(county, as_of, snapshot) -> dict:
    places = lifecycle.quota(db.session, county.id, as_of, snapshot)
    return s.quota(county, as_of, places, snapshot["quota_multiplier"])


@operation("GET", "/quota", tag="quota", summary="各县（市、区）增补名额",
           description=("令牌所属用户可见的各县（市、区）在 as_of 日的增补名额：累计出库 × 倍数，"
                        "减去累计增补。"),
           params=(AS_OF,), replies={200: Reply("可见的县（市、区）及其名额",
                                               {"type": "array", "items": s.QUOTA})},
           errors=(422,))
def list_quota(query):
    """Replenishment quota (增补名额) of every county the user may see, on ``as_of``."""
    as_of = day_until_today(query, "as_of", "计算日期")
    snapshot = policy_on(as_of, "as_of")
    return json_response([_quota(c, as_of, snapshot)
                          for c in scoping.counties(db.session, viewer())])


@operation("GET", "/counties/<int:county_id>/quota", tag="quota",
           summary="一个县（市、区）的增补名额",
           description="一个县（市、区）的增补名额；其他县市区 404。", params=(AS_OF,),
           replies={200: Reply("名额", s.QUOTA)}, errors=(404, 422))
def county_quota(county, query):
    """``lifecycle.quota`` of one county; another county is 404 for an officer."""
    as_of = day_until_today(query, "as_of", "计算日期")
    return json_response(_quota(county, as_of, policy_on(as_of, "as_of")))


@operation("GET", "/risk-flags", tag="monitoring", summary="未关闭的风险提示",
           description="每日监测发现、尚未关闭的风险提示（SPEC §4），按发现先后排列。",
           params=(COUNTY_ID, ENTERPRISE_ID,
                   Param("kind", {"type": "string", "enum": list(FLAG_KINDS)}, "类型"),
                   Param("severity", {"type": "string", "enum": list(SEVERITIES)}, "严重程度"),
                   *PAGING),
           replies={200: Reply("一页风险提示", s.page_of(s.RISK_FLAG, "RiskFlagPage"))},
           errors=(422,))
def list_risk_flags(query):
    """The open flags of the daily scan (SPEC §4), oldest first."""
    stmt = (select(RiskFlag).where(scoping.county_filter(viewer(), RiskFlag.county_id),
                                   RiskFlag.closed_on.is_(None))
            .options(selectinload(RiskFlag.enterprise)).order_by(RiskFlag.id))
    stmt = filtered(stmt, query, RiskFlag, ("county_id", "enterprise_id", "kind", "severity"))
    return json_response(s.page(paginate(stmt, query), s.risk_flag))


@operation("GET", "/events", tag="events", summary="培育库事件记录",
           description=("只追加的培育库事件记录，按生效日期、再按记录先后排列；"
                        "from/to 限定生效日期范围（含两端）。"),
           params=(COUNTY_ID, ENTERPRISE_ID,
                   Param("kind", {"type": "string", "enum": list(KINDS)}, "事件类型"),
                   date_param("from", "生效日期不早于"), date_param("to", "生效日期不晚于"),
                   *PAGING),
           replies={200: Reply("一页事件", s.page_of(s.EVENT, "EventPage"))}, errors=(422,))
def list_events(query):
    """The append-only event log by effective date, then recording order."""
    if "from" in query and "to" in query and query["from"] > query["to"]:
        raise InvalidInput([InputProblem("to", "结束日期不能早于开始日期")])
    stmt = (select(PoolEvent).where(scoping.county_filter(viewer(), PoolEvent.county_id))
            .options(selectinload(PoolEvent.actor))
            .order_by(PoolEvent.effective_on, PoolEvent.id))
    stmt = filtered(stmt, query, PoolEvent, ("county_id", "enterprise_id", "kind"))
    if "from" in query:
        stmt = stmt.where(PoolEvent.effective_on >= query["from"])
    if "to" in query:
        stmt = stmt.where(PoolEvent.effective_on <= query["to"])
    return json_response(s.page(paginate(stmt, query), s.event))


def filtered(stmt, query: dict, model, names):
    """``stmt`` with ``model.<name> == value`` for each of ``names`` in the query."""
    for name in names:
        if name in query:
            stmt = stmt.where(getattr(model, name) == query[name])
    return stmt


# --- the pool on a date -------------------------------------------------------------------

POOL_ENTRY = s.component("PoolEntry", s.obj({
    "enterprise_id": s.ID, "uscc": s.TEXT, "name": s.TEXT, "county": s.COUNTY,
    "state": {**s.STATE, "description": "当日的状态：" + s.STATE["description"]},
    "state_label": s.TEXT,
}, description="一家企业在某日的状态"))
POOL_PAGE = s.component("PoolOnDate", s.obj({
    "on": s.DATE,
    "counts": {"type": "object", "description": "当日各状态的企业数（不受 state 筛选影响）",
               "additionalProperties": False, "required": list(STATES),
               "properties": {k: {"type": "integer", "minimum": 0} for k in STATES}},
    "items": {"type": "array", "items": POOL_ENTRY}, "total": {"type": "integer", "minimum": 0},
    "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
    "pages": {"type": "integer", "minimum": 0},
}, description="某日的培育库：按县（市、区）、再按名称排列"))


@operation("GET", "/pool", tag="pool", summary="某日的培育库",
           description=("按事件记录（已更正作废的不计）还原 on 日各企业的状态："
                        "谁在申报、谁在库培育、谁已出库或退库，按县（市、区）、再按名称排列；"
                        "counts 为当日各状态的家数。on 默认今天，不能晚于今天。"),
           params=(date_param("on", "日期（默认今天，不能晚于今天）"), COUNTY_ID,
                   Param("state", {"type": "string", **s.STATE}, "只列当日处于此状态的企业"),
                   *PAGING),
           replies={200: Reply("当日的培育库（一页）", POOL_PAGE)}, errors=(422,))
def pool_on(query):
    """Each visible enterprise's state on ``on`` from the live event log
    (:func:`pool.io.exports.on_date`), by county then name."""
    on = day_until_today(query, "on", "日期")
    stmt, states = exports.on_date(db.session, viewer(), on, county_id=query.get("county_id"),
                                   state=query.get("state"))
    result = paginate(stmt.options(selectinload(Enterprise.county)), query)
    counts = {state: 0 for state in STATES}
    for state in states.values():
        counts[state] += 1
    return json_response({"on": on.isoformat(), "counts": counts, **s.page(result, lambda e: {
        "enterprise_id": e.id, "uscc": e.uscc, "name": e.name, "county": s.county(e.county),
        "state": states[e.id], "state_label": STATE_LABELS[states[e.id]]})})


# --- an enterprise's proposals and cycles ----------------------------------------------------

FINDING = s.component("Finding", s.obj({
    "rule": {"enum": ["a", "b"]}, "holds": {"type": "boolean", "description": "当日是否成立"},
    "detail": {**s.TEXT, "description": "引用日期与数字的说明"}, "evidence": s.ANY_OBJECT,
}, description="一条出库或退库条件在某日的认定"))
PROPOSAL = s.component("Proposal", s.obj({
    "kind": {"enum": [lifecycle.GRADUATION, lifecycle.EXPULSION]}, "rule": {"enum": ["a", "b"]},
    "reason": s.TEXT,
    "evidence": {**s.ANY_OBJECT, "description": "所依据的事实与当日政策参数"},
}, description="系统建议的出库或退库，待经办人确认"))


def _assessment(name: str, rules: str) -> dict:
    return s.component(name, s.obj({
        "findings": {"anyOf": [s.obj({"a": FINDING, "b": FINDING}), {"type": "null"}],
                     "description": f"{rules}；当日不在库时为 null"},
        "proposal": {"anyOf": [PROPOSAL, {"type": "null"}],
                     "description": "成立的条件（两条都成立时取前者），没有则为 null"},
    }))


PROPOSALS = s.component("Proposals", s.obj({
    "as_of": s.DATE, "enterprise": s.ENTERPRISE_SUMMARY,
    "in_pool": {"type": "boolean", "description": "as_of 日是否在库培育"},
    "graduation": _assessment("GraduationAssessment",
                              "培育出库：a 新增专利密集型产品，b 销售额及利润增长（a 先于 b）"),
    "expulsion": _assessment("ExpulsionAssessment",
                             "退库：a 两年无实质性进展（no_progress），b 诚信事件（incident，b 先于 a）"),
}, description="某日的出库、退库认定"))


def _findings(findings, proposal) -> dict:
    return {"findings": None if findings is None else {
                rule: {"rule": f.rule, "holds": f.holds, "detail": f.detail,
                       "evidence": f.evidence} for rule, f in findings.items()},
            "proposal": proposal.to_dict() if proposal else None}


@operation("GET", ONE + "/proposals", tag="lifecycle", summary="出库、退库认定（某日）",
           description=("按 as_of 日的事实和当日政策参数，逐条认定培育出库（a、b）与退库（a、b）条件，"
                        "并给出系统建议（确认请用 /graduate、/expel）。as_of 默认今天，不能晚于今天；"
                        "早于政策施行时 422。其他县市区的企业 404。"),
           params=(date_param("as_of", "认定日期（默认今天，不能晚于今天）"),),
           replies={200: Reply("认定", PROPOSALS)}, errors=(404, 422))
def enterprise_proposals(enterprise, query):
    """Graduation and expulsion findings and proposals on ``as_of``
    (:mod:`pool.membership.proposals`), with the policy in force that day."""
    as_of = day_until_today(query, "as_of", "认定日期")
    snapshot = policy_on(as_of, "as_of")
    graduation = lifecycle.graduation_assessment(db.session, enterprise, as_of, snapshot)
    expulsion = lifecycle.expulsion_assessment(db.session, enterprise, as_of, snapshot)
    return json_response({
        "as_of": as_of.isoformat(), "enterprise": s.enterprise_summary(enterprise),
        "in_pool": graduation is not None,
        "graduation": _findings(graduation, lifecycle.graduation_proposal(
            db.session, enterprise, as_of, snapshot)),
        "expulsion": _findings(expulsion, lifecycle.expulsion_proposal(
            db.session, enterprise, as_of, snapshot))})


CYCLE = s.component("Cycle", s.obj({
    "number": {"type": "integer", "minimum": 1, "description": "第几次申报"},
    "applied": {**s.EVENT, "description": "申报事件"},
    "check_id": {**s.nullable(s.ID), "description": "所依据的资格自检记录"},
    "decision": {"anyOf": [s.EVENT, {"type": "null"}],
                 "description": "该次申报的决定（入库或不予入库）；尚未决定时为 null"},
}, description="一次申报周期"))


@operation("GET", ONE + "/cycles", tag="lifecycle", summary="申报周期",
           description=("企业的各次申报（首次申报，以及不予入库或退库后的重新申报），早的在前，"
                        "各带所依据的资格自检记录及其决定。其他县市区的企业 404。"),
           replies={200: Reply("申报周期", {"type": "array", "items": CYCLE})}, errors=(404,))
def enterprise_cycles(enterprise):
    """The application cycles (:func:`pool.membership.cycles.cycles`), oldest first."""
    return json_response([{"number": c.number, "applied": s.event(c.applied),
                           "check_id": c.application_id,
                           "decision": s.event(c.decision) if c.decision else None}
                          for c in cycles.cycles(db.session, enterprise)])
