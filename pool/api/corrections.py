"""Corrections of state changes (更正): an officer asks to void a mistaken
admission, rejection, graduation or expulsion, with a reason; the city
administrator — not the one who asked — approves or refuses.

Thin callers of :mod:`pool.membership.corrections`, as the web's
:mod:`pool.web.corrections` is.  A request is reached through its
enterprise, in the token's county scope
(:func:`pool.access.scoping.get_child`): another county's is 404, as an
absent one.  The domain's refusals (not the latest state change, a request
pending already, the proposer deciding, a later replenishment that would
lose its place) are 409 with its Chinese reason.
"""
from flask import url_for
from sqlalchemy.orm import selectinload

from models import PoolEvent, StateCorrection, db
from models.event import CORRECTION_STATUSES, PENDING
from pool.access import scoping
from pool.io.batch import InputProblem, InvalidInput
from pool.web.clock import today
from pool.membership import corrections

from pool.api import schemas as s
from pool.api.actions import REASON
from pool.api.core import Param, Reply, viewer
from pool.api.enterprises import ONE as ENTERPRISE
from pool.api.inputs import PAGING, paginate
from pool.api.operations import operation
from pool.api.reads import COUNTY_ID, ENTERPRISE_ID, filtered
from pool.api.responses import json_response

TAG = "corrections"
ONE = "/corrections/<int:correction_id>"
STATUS = {"enum": list(CORRECTION_STATUSES),
          "description": "pending 待审批；approved 已批准（已更正）；refused 不予更正"}

CORRECTION = s.component("Correction", s.obj({
    "id": s.ID, "enterprise_id": s.ID, "enterprise_name": s.TEXT, "county_id": s.ID,
    "event": {**s.EVENT, "description": "申请更正（作废）的状态变更"},
    "reason": {**s.TEXT, "description": "更正理由"}, "status": STATUS,
    "proposed_by": {**s.nullable(s.TEXT), "description": "申请人"},
    "proposed_at": s.DATETIME,
    "decided_by": {**s.nullable(s.TEXT), "description": "审批人"},
    "decided_at": s.nullable(s.DATETIME),
    "decision_reason": {**s.nullable(s.TEXT), "description": "审批意见（不予更正时必有）"},
    "correction_event_id": {**s.nullable(s.ID), "description": "批准后记录的更正事件"},
}, description="状态变更的更正申请"))
LOCATION = {"Location": {"description": "更正申请的地址", "schema": {"type": "string"}}}
TITLED_REASON = {**REASON, "title": "理由"}


def correction_item(row) -> dict:
    return {"id": row.id, "enterprise_id": row.enterprise_id,
            "enterprise_name": row.enterprise.name, "county_id": row.county_id,
            "event": s.event(row.event), "reason": row.reason, "status": row.status,
            "proposed_by": row.proposed_by.display_name if row.proposed_by else None,
            "proposed_at": s.iso(row.proposed_at),
            "decided_by": row.decided_by.display_name if row.decided_by else None,
            "decided_at": s.iso(row.decided_at), "decision_reason": row.decision_reason,
            "correction_event_id": row.correction_event_id}


@operation("GET", "/corrections", tag=TAG, summary="更正申请",
           description="令牌所属用户可见的县（市、区）的更正申请：待审批的在前，其余新的在前。",
           params=(COUNTY_ID, ENTERPRISE_ID, Param("status", {"type": "string", **STATUS}, "状态"),
                   *PAGING),
           replies={200: Reply("一页更正申请", s.page_of(CORRECTION, "CorrectionPage"))},
           errors=(422,))
def list_corrections(query):
    """Pending requests first, then the latest decided ones, as the web's list."""
    stmt = (scoping.children(viewer(), StateCorrection)
            .options(selectinload(StateCorrection.enterprise),
                     selectinload(StateCorrection.event).selectinload(PoolEvent.actor),
                     selectinload(StateCorrection.proposed_by),
                     selectinload(StateCorrection.decided_by))
            .order_by((StateCorrection.status == PENDING).desc(), StateCorrection.id.desc()))
    stmt = filtered(stmt, query, StateCorrection, ("county_id", "enterprise_id", "status"))
    return json_response(s.page(paginate(stmt, query), correction_item))


@operation("GET", ONE, tag=TAG, summary="一项更正申请",
           description="一项更正申请；其他县市区的与不存在的一样，都是 404。",
           replies={200: Reply("更正申请", CORRECTION)}, errors=(404,))
def get_correction(correction):
    return json_response(correction_item(correction))


@operation("POST", ENTERPRISE + "/corrections", tag=TAG, summary="申请更正状态变更",
           description=("申请作废企业最近一次状态变更（入库、不予入库、出库或退库；申报记录不能更正），"
                        "须写明理由，待市级管理员（另一人）审批。不是最近一次状态变更、"
                        "已有待审批的申请时 409；event_id 不是该企业的事件时 422。"),
           body=s.component("CorrectionRequest", s.obj({
               "event_id": {**s.ID, "title": "事件", "description": "要更正的状态变更事件 id"},
               "reason": TITLED_REASON})),
           replies={201: Reply("已提交，待审批", CORRECTION, LOCATION)}, errors=(404, 409, 422))
def propose_correction(enterprise, body):
    """Ask to void the enterprise's latest state change (:func:`corrections.propose`)."""
    event = scoping.get_child(db.session, viewer(), PoolEvent, body["event_id"],
                              enterprise_id=enterprise.id)
    if event is None:
        raise InvalidInput([InputProblem("event_id", "该企业没有这条事件", "事件")])
    row = corrections.propose(db.session, event, actor=viewer(), reason=body["reason"])
    db.session.commit()
    location = url_for("api.get_correction", correction_id=row.id, _external=True)
    return json_response(correction_item(row), 201, {"Location": location})


APPROVED = s.component("CorrectionApproved", s.obj({
    "correction": CORRECTION, "event": {**s.EVENT, "description": "记录的更正事件"},
    "enterprise": {**s.ENTERPRISE_SUMMARY, "description": "按更正后的记录重算的企业状态"},
}))


@operation("POST", ONE + "/approve", tag=TAG, summary="批准更正申请",
           description=("批准更正：记录一条更正事件，作废所申请的状态变更，企业状态按更正后的记录重算"
                        "（各日期的在库情况、增补名额随之改变）。申请人本人不能审批；已处理、"
                        "其后又有状态变更、或撤销出库会使此后的增补失去名额时 409。"),
           body=s.component("CorrectionApproval", s.obj(
               {"reason": {**TITLED_REASON, "description": "审批意见（可选）"}}, optional=("reason",))),
           body_description="可为空对象 {}",
           replies={200: Reply("已批准", APPROVED)}, errors=(404, 409, 422), admin=True)
def approve_correction(correction, body):
    """Approve (:func:`corrections.approve`): the correction event is dated today."""
    event = corrections.approve(db.session, correction, actor=viewer(), today=today(),
                                reason=body.get("reason", ""))
    db.session.commit()
    return json_response({"correction": correction_item(correction),
                          "event": s.event(event),
                          "enterprise": s.enterprise_summary(correction.enterprise)})


@operation("POST", ONE + "/refuse", tag=TAG, summary="驳回更正申请",
           description="不予更正，须写明理由；状态变更保持不变。申请人本人不能审批；已处理时 409。",
           body=s.component("CorrectionRefusal", s.obj({"reason": TITLED_REASON})),
           replies={200: Reply("已驳回", CORRECTION)}, errors=(404, 409, 422), admin=True)
def refuse_correction(correction, body):
    """Refuse, with a reason (:func:`corrections.refuse`)."""
    corrections.refuse(db.session, correction, actor=viewer(), reason=body["reason"])
    db.session.commit()
    return json_response(correction_item(correction))
