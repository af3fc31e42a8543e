"""Pools (梯度培育, issue #17): the pools, a pool's members, one enterprise's membership, its decisions.

Thin callers of :mod:`pool.ladder`.  ``{pool}`` is a pool code (``GET /pools``);
an unknown one is 404.  Every enterprise is reached through the token user's
county scope (another county's is 404).  The first pool (Huangshi's
``huangshi-2024``) answers its members here too — the enterprises by their state —
while its decisions stay at today's paths (``/enterprises/{id}/admit`` …); a
configured pool's decisions are ``POST …/decisions``: apply, admit, reject,
graduate, leave, void, facts — a refusal is 409 with the Chinese reason, a date
after today 422 naming ``on``.
"""
from __future__ import annotations

from datetime import date


from models import db
from models.enterprise import STATES
from pool.access import scoping
from pool.eligibility.applicant import InvalidApplicant
from pool.io.batch import InputProblem, InvalidInput
from pool.kernel.refusal import DateRefused
from pool.ladder import catalogue, memberships as ms, past, proposals, verdicts
from pool.pools.definition import NoCriteriaInForce
from pool.records import directory
from pool.web.clock import today
from pool.web.monitor import follow
from pool.web.paging import RowsPagination

from pool.api import schemas as s
from pool.api.core import Param, Reply, viewer
from pool.api.inputs import PAGING, date_param, day_until_today, effective_on, paginate
from pool.api.operations import operation
from pool.api.responses import Problem, json_response

TAG = "pools"
POOL_PARAM = Param("pool", {"type": "string", "maxLength": 64}, "培育库代码，见 GET /pools", where="path")
ONE = "/pools/<pool>/enterprises/<int:enterprise_id>"

POOL = s.component("Pool", s.obj({
    "code": s.TEXT, "name": s.TEXT, "document": s.TEXT, "city": s.TEXT,
    "criteria_set": s.TEXT, "backed_by": {"enum": ["code", "configuration"]},
    "criteria_version": s.nullable(s.DATE), "follows": s.nullable(s.TEXT), "template": s.nullable(s.TEXT),
    "retired_on": s.nullable(s.DATE), "exit_on_qualification": {"type": "array", "items": s.TEXT},
    "facts": {"type": "array", "items": s.obj({"name": s.TEXT, "kind": s.TEXT, "label": s.TEXT})},
    "counts": {"type": "object", "description": "调用者可见的各状态企业数",
               "additionalProperties": {"type": "integer", "minimum": 0}},
}))
MEMBER = s.component("PoolMember", s.obj({
    "enterprise": s.ENTERPRISE_SUMMARY, "state": {"enum": list(STATES)}, "since": s.nullable(s.DATE),
    "admitted_on": s.nullable(s.DATE),
}))
MEMBERSHIP_EVENT = s.obj({"id": s.ID, "kind": {"enum": ["move", "facts", "void"]}, "from_state": s.nullable(s.TEXT),
                          "to_state": s.nullable(s.TEXT), "effective_on": s.DATE, "reason": s.TEXT,
                          "voids_id": s.nullable(s.ID), "evidence": s.ANY_OBJECT})
MEMBERSHIP = s.component("PoolMembership", s.obj({
    "pool": s.TEXT, "enterprise": s.ENTERPRISE_SUMMARY, "state": {"enum": [*STATES, None]},
    "since": s.nullable(s.DATE), "admitted_on": s.nullable(s.DATE), "facts": s.ANY_OBJECT,
    "graduation_due": {"type": "boolean"}, "verdict": s.nullable(s.ANY_OBJECT),
    "events": {"type": "array", "items": MEMBERSHIP_EVENT},
}))
DECISION = s.component("PoolDecision", {
    "type": "object", "additionalProperties": False, "required": ["action"],
    "properties": {
        "action": {"enum": list(ms.DECISIONS), "description": "apply 申报；admit 入库；reject 不予入库；graduate 出库；"
                                                          "leave 退出；void 更正上次决定；facts 登记补充事实"},
        "on": {"type": "string", "format": "date", "description": "生效日期，默认今天"},
        "reason": {"type": "string", "maxLength": 2000, "description": "理由（不予入库、退出、更正必填）"},
        "facts": {"type": "object", "description": "补充事实（apply、facts），按培育库声明的类型"},
    }})


def _pool_or_404(code: str):
    pool = catalogue.pools(db.session).get(code)
    if pool is None:
        raise Problem("not-found", f"没有培育库 {code[:64]}")
    return pool


def _pool_item(pool, counts: dict) -> dict:
    try:
        version = pool.criteria_set.in_force(today()).valid_from.isoformat()
    except NoCriteriaInForce:
        version = None
    return {"code": pool.code, "name": pool.name, "document": pool.programme.get("document", ""),
            "city": pool.programme.get("city", ""), "criteria_set": pool.criteria_set.code,
            "backed_by": pool.criteria_set.backed_by, "criteria_version": version,
            "follows": pool.lifecycle.get("follows"), "template": pool.template,
            "retired_on": pool.retired[0].isoformat() if pool.retired else None,
            "exit_on_qualification": list(pool.lifecycle["graduation"].get("exit_on_qualification") or ()),
            "facts": [{"name": n, "kind": k, "label": label} for n, (k, label) in pool.facts.items()],
            "counts": counts}


@operation("GET", "/pools", tag=TAG, summary="培育库",
           description="各培育库（随系统提供的与市级管理员新建的）：政策文件、标准集及今天生效的版本、上一级培育库、"
                       "出库资格、补充事实，以及调用者可见的各状态企业数。",
           replies={200: Reply("培育库", {"type": "array", "items": POOL})})
def list_pools():
    counts = proposals.counts(db.session, viewer())
    return json_response([_pool_item(p, counts.get(p.code, {})) for p in catalogue.pools(db.session).values()])


@operation("GET", "/pools/<pool>/members", tag=TAG, summary="培育库的企业",
           description="按县（市、区）权限列出培育库中的企业（含申报、出库等各状态），按名称排序。"
                       "黄石市专利产业化样板企业培育库（huangshi-2024）即企业名录按状态。"
                       "给出 as_of 时为该日的名单：按事件记录（已更正作废的不计）还原各企业当日的状态、"
                       "状态日期与入库日期，state 与 q 按当日筛选；as_of 不能晚于今天，也不能早于该库的起始日期"
                       "（标准集首个版本或最早的事件），否则 422。",
           params=(POOL_PARAM, Param("state", {"type": "string", **s.STATE}, "状态（给出 as_of 时为当日的状态）"),
                   Param("q", {"type": "string", "maxLength": 100}, "企业名称或统一社会信用代码的一部分"),
                   date_param("as_of", "名单日期（默认今天的状态，不能晚于今天）"), *PAGING),
           replies={200: Reply("一页企业", s.page_of(MEMBER, "PoolMemberPage"))}, errors=(404, 422))
def list_pool_members(pool, query):
    pool = _pool_or_404(pool)
    if query.get("as_of") is not None:
        return json_response(s.page(_past_page(pool, query), _member))
    if pool.code_backed:
        stmt = directory.search(viewer(), q=query.get("q"), state=query.get("state"))
        result = paginate(stmt, query)
        return json_response(s.page(result, lambda e: {
            "enterprise": s.enterprise_summary(e), "state": e.state,
            "since": s.iso(e.state_changed_on or e.admitted_on), "admitted_on": s.iso(e.admitted_on)}))
    stmt = proposals.members_stmt(pool.code, scoping.county_ids(db.session, viewer()), state=query.get("state"), search=query.get("q") or "")
    return json_response(s.page(paginate(stmt, query), _member))


def _member(m) -> dict:
    """A membership row, or a :class:`pool.ladder.past.Member` on a day."""
    return {"enterprise": s.enterprise_summary(m.enterprise), "state": m.state, "since": s.iso(m.since),
            "admitted_on": s.iso(m.admitted_on)}


def _past_page(pool, query):
    """One page of the pool on ``as_of`` (:mod:`pool.ladder.past`); a day refused is 422 at ``as_of``."""
    as_of = day_until_today(query, "as_of", str(past.LABEL))
    try:
        past.check_day(db.session, pool, as_of, today())
    except DateRefused as exc:
        raise InvalidInput([InputProblem("as_of", str(exc), str(past.LABEL))]) from None
    stmt = past.members_stmt(pool, as_of, scoping.county_ids(db.session, viewer()), state=query.get("state"),
                             search=query.get("q") or "")
    return RowsPagination(select=stmt, session=db.session, items=past.members, page=query["page"],
                          per_page=query["per_page"], error_out=False)


def _membership(pool, enterprise, as_of: date) -> dict:
    held = ms.held(db.session, enterprise.id, pool.code)
    try:
        verdict = verdicts.evaluate(db.session, enterprise, pool.code, as_of, held.facts if held else {}).to_record()
    except (InvalidApplicant, NoCriteriaInForce):
        verdict = None
    return {"pool": pool.code, "enterprise": s.enterprise_summary(enterprise), "state": held.state if held else None,
            "since": s.iso(held.since) if held else None, "admitted_on": s.iso(held.admitted_on) if held else None,
            "facts": held.facts if held else {},
            "graduation_due": bool(held and held.state == "admitted"
                                   and ms.exit_qualification(pool, enterprise, as_of) is not None),
            "verdict": verdict,
            "events": [{"id": e.id, "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state,
                        "effective_on": e.effective_on.isoformat(), "reason": e.reason, "voids_id": e.voids_id,
                        "evidence": e.evidence or {}} for e in (held.events if held else [])]}


@operation("GET", ONE, tag=TAG, summary="企业在培育库中的状态",
           description="企业在一个可配置培育库（非 huangshi-2024）中的状态、补充事实、事件，"
                       "以及按该库在 as_of 生效的标准核验登记记录的结论。",
           params=(POOL_PARAM, date_param("as_of", "核验日期（默认今天，不能晚于今天）")),
           replies={200: Reply("培育库成员", MEMBERSHIP)}, errors=(404, 422))
def get_pool_membership(pool, enterprise, query):
    pool = _configured(pool)
    return json_response(_membership(pool, enterprise, day_until_today(query, "as_of", "核验日期")))


def _configured(code: str):
    pool = _pool_or_404(code)
    if pool.code_backed:
        raise Problem("not-found", f"{pool.name}的入库与出库见 /enterprises/{{id}} 下的办理接口")
    return pool


@operation("POST", ONE + "/decisions", tag=TAG, summary="培育库办理",
           description="对企业在可配置培育库中的成员资格办理一项决定（申报、入库、不予入库、出库、退出、更正、补充事实），"
                       "追加一条不可修改的事件。入库按该库当日生效的标准核验登记记录；出库须当日持有该库的出库资格。"
                       "不允许时 409，detail 为原因；日期晚于今天 422。",
           params=(POOL_PARAM,), body=DECISION, replies={201: Reply("已记录", MEMBERSHIP)},
           errors=(404, 409, 422))
def decide_pool_membership(pool, enterprise, body):
    pool = _configured(pool)
    ms.decide(db.session, enterprise, pool.code, body["action"], actor=viewer(), on=effective_on(body),
              today=today(), reason=body.get("reason") or "", facts=dict(body.get("facts") or {}))
    follow(enterprise.id)  # e.g. a graduation closes its pool's graduation_ready flag at once
    db.session.commit()
    return json_response(_membership(pool, enterprise, today()), status=201)
