"""Read-only views of the pool: county quotas, open risk flags, the event log.

Every query is limited by :func:`pool.access.scoping.county_filter` to the counties
the token's user may see.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import PoolEvent, RiskFlag, db
from models.event import KINDS
from models.monitoring import FLAG_KINDS, SEVERITIES
from pool.membership import lifecycle
from pool.access import scoping
from pool.io.batch import InputProblem, InvalidInput
from pool.kernel.clock import today

from pool.api import schemas as s
from pool.api.core import Param, Reply, viewer
from pool.api.inputs import PAGING, date_param, paginate, policy_on
from pool.api.operations import operation
from pool.api.responses import json_response

AS_OF = date_param("as_of", "计算日期（默认今天）")
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
    as_of = query.get("as_of") or today()
    snapshot = policy_on(as_of, "as_of")
    return json_response([_quota(c, as_of, snapshot)
                          for c in scoping.counties(db.session, viewer())])


@operation("GET", "/counties/<int:county_id>/quota", tag="quota",
           summary="一个县（市、区）的增补名额",
           description="一个县（市、区）的增补名额；其他县市区 404。", params=(AS_OF,),
           replies={200: Reply("名额", s.QUOTA)}, errors=(404, 422))
def county_quota(county, query):
    """``lifecycle.quota`` of one county; another county is 404 for an officer."""
    as_of = query.get("as_of") or today()
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
    stmt = _filtered(stmt, query, RiskFlag, ("county_id", "enterprise_id", "kind", "severity"))
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
    stmt = _filtered(stmt, query, PoolEvent, ("county_id", "enterprise_id", "kind"))
    if "from" in query:
        stmt = stmt.where(PoolEvent.effective_on >= query["from"])
    if "to" in query:
        stmt = stmt.where(PoolEvent.effective_on <= query["to"])
    return json_response(s.page(paginate(stmt, query), s.event))


def _filtered(stmt, query: dict, model, names):
    """``stmt`` with ``model.<name> == value`` for each of ``names`` in the query."""
    for name in names:
        if name in query:
            stmt = stmt.where(getattr(model, name) == query[name])
    return stmt
