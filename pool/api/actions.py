"""Lifecycle actions: thin callers of :mod:`pool.membership.lifecycle` (and of
:mod:`pool.membership.cycles` for a re-application).

Each takes ``on`` (the effective date, default today), answers 201 with the
event recorded and the enterprise's new summary, and turns a refusal into a 409
problem whose ``detail`` is the lifecycle's Chinese reason.  Review decisions
on ``review`` criteria (复核) are given with the admission or rejection they
lead to (``reviews``), as :func:`pool.membership.lifecycle.admit` records them.
"""
from datetime import date

from models import Application, ExitRequest, db
from pool.eligibility import applications, rulebook
from pool.membership import admission, cycles, exit_requests, lifecycle
from pool.access import scoping
from pool.eligibility.applicant import InvalidApplicant
from pool.eligibility.criteria import check
from pool.io.batch import InputProblem, InvalidInput
from pool.membership.history import INCIDENT_TYPES, OUTCOME_TYPES, PROGRESS_TYPES, TYPED_PROGRESS
from pool.web.clock import today
from pool.web.monitor import follow

from pool.api import schemas as s
from pool.api.core import Reply, viewer
from pool.api.inputs import effective_on, policy_on, require_complete
from pool.api.operations import operation
from pool.api.responses import json_response
from pool.api.enterprises import ONE

TAG = "lifecycle"
ON = {"type": "string", "format": "date", "description": "办理（生效）日期，默认今天"}
REASON = {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": r"\S",
          "description": "理由（写明依据）"}
EVIDENCE = {"type": "object", "description": "补充证据（任意 JSON 对象，随事件保存）"}
REVIEWS = {"type": "array", "maxItems": 10, "description": "对待复核（review）条件逐条作出的决定",
           "items": s.obj({"criterion_id": {"type": "integer", "minimum": 1, "maximum": 10},
                           "decision": {"enum": list(admission.REVIEW_DECISIONS)},
                           "reason": REASON})}
BASIS = {"enum": list(lifecycle.EXPULSION_BASES),
         "description": "no_progress 两年无实质性进展；incident 诚信事件"}
RULE = {"enum": ["a", "b"], "description": "a 新增专利密集型产品；b 销售额及利润增长"}
CHECK_ID = {**s.ID, "description": "所依据的资格自检记录 id（企业记录的 checks）"}
INLINE = {**s.APPLICANT, "description": "或：申报数据，按 on 日评估并保存为自检记录"}

RESULT = s.component("ActionResult", s.obj({
    "event": s.EVENT, "enterprise": s.ENTERPRISE_SUMMARY,
    "check_id": {**s.nullable(s.ID), "description": "所依据的资格自检记录"},
}))
REPLIES = {201: Reply("已记录", RESULT)}
ERRORS = (404, 409, 422)
EXIT_REQUEST = s.component("ExitRequest", s.obj({
    "id": s.ID, "kind": {"enum": ["graduation", "expulsion"]}, "rule": {"type": "string"},
    "effective_on": {"type": "string", "format": "date"}, "status": {"enum": ["pending", "approved", "returned"]},
    "reason": {"type": "string"},
}))
EXIT_REPLIES = {**REPLIES, 202: Reply("已提交市级确认（exit_needs_city_approval）：确认后才生效", s.component(
    "ExitRequested", s.obj({"exit_request": EXIT_REQUEST, "enterprise": s.ENTERPRISE_SUMMARY})))}


def _body(name: str, properties: dict, required: tuple[str, ...] = ()) -> dict:
    return s.component(name, {"type": "object", "additionalProperties": False,
                              "properties": {"on": ON, **properties}, "required": list(required)})


@operation("POST", ONE + "/admit", tag=TAG, summary="入库",
           description=("依据评估入库：结论须为 eligible，"
                        "或 needs_review 且每一条待复核条件都在 reviews 中作出决定并写明理由。"
                        "入库批次开放期间不占名额；否则为增补入库，"
                        "占用本县（市、区）一个增补名额（名额检查与入库在同一事务中完成）。不符合条件时 409，"
                        "detail 为原因。"),
           body=_body("AdmitRequest", {"check_id": CHECK_ID, "applicant": INLINE,
                                       "reviews": REVIEWS}),
           body_description="check_id 与 applicant 二者给且只给一个", replies=REPLIES, errors=ERRORS)
def admit(enterprise, body):
    """Admit an ``applied`` enterprise on an ``eligible`` evaluation, or a
    ``needs_review`` one whose every review criterion is decided in ``reviews``.
    Outside an intake round it is a replenishment (增补) and takes one place
    of the county's quota, checked atomically."""
    on = effective_on(body)
    snapshot = policy_on(on, "on")
    source = _evaluation(enterprise, body, on, required=True)
    event = lifecycle.admit(db.session, enterprise, actor=viewer(), on=on, today=today(),
                            evaluation=source.result, reviews=_reviews(body), snapshot=snapshot)
    return _done(enterprise, event, source)


@operation("POST", ONE + "/reject", tag=TAG, summary="不予入库",
           description="对已申报企业作出不予入库决定，须写明理由；可附所依据的评估及复核决定。",
           body=_body("RejectRequest", {"reason": REASON, "check_id": CHECK_ID,
                                        "applicant": INLINE, "reviews": REVIEWS}, ("reason",)),
           body_description="可附所依据的评估（check_id 或 applicant）及复核决定",
           replies=REPLIES, errors=ERRORS)
def reject(enterprise, body):
    """Decide not to admit an ``applied`` enterprise, with a written reason."""
    on = effective_on(body)
    source = _evaluation(enterprise, body, on, required=False)
    event = lifecycle.reject(db.session, enterprise, actor=viewer(), on=on, today=today(),
                             reason=body["reason"],
                             evaluation=source.result if source else None,
                             reviews=_reviews(body))
    return _done(enterprise, event, source)


@operation("POST", ONE + "/reapply", tag=TAG, summary="重新申报",
           description=("不予入库或已退库的企业在以后的申报年度重新申报（开始新的申报周期，状态回到 applied），"
                        "依据一条该企业的资格自检记录（check_id），或按 on 日评估并保存的申报数据（applicant）。"
                        "同一申报年度、退库后等待期未满、状态不符时 409，detail 为原因。"),
           body=_body("ReapplyRequest", {"check_id": {**CHECK_ID, "description": (
                          "所依据的资格自检记录 id：该企业统一社会信用代码在本县（市、区）的、"
                          "未关联其他企业的记录")},
                                         "applicant": INLINE, "reason": REASON}),
           body_description="check_id 与 applicant 二者给且只给一个；reason 可选",
           replies=REPLIES, errors=ERRORS)
def reapply(enterprise, body):
    """Start a new application cycle of a rejected or expelled enterprise
    (:func:`pool.membership.cycles.reapply`), on a saved check or an
    applicant evaluated and saved now."""
    on = effective_on(body)
    snapshot = policy_on(on, "on")
    source = _evaluation(enterprise, body, on, required=True,
                         candidates=applications.for_new_cycle(viewer(), enterprise))
    event = cycles.reapply(db.session, enterprise, actor=viewer(), on=on, today=today(),
                           application=source, snapshot=snapshot, reason=body.get("reason", ""))
    return _done(enterprise, event, source)


@operation("POST", ONE + "/graduate", tag=TAG, summary="培育出库",
           description=("确认培育出库：条件 a 或 b 须在 on 日成立，否则 409 并说明原因。"
                        "县（市、区）经办人确认且须经市级确认时（政策参数 exit_needs_city_approval），"
                        "答 202 与待确认的申请，市级管理员确认后生效。"),
           body=_body("GraduateRequest", {"rule": RULE, "reason": REASON, "evidence": EVIDENCE},
                      ("rule", "reason")),
           replies=EXIT_REPLIES, errors=ERRORS)
def graduate(enterprise, body):
    """Confirm a graduation by rule a or b, which must hold on ``on`` (or ask the city to)."""
    on = effective_on(body)
    return _exit(enterprise, exit_requests.confirm_exit(
        db.session, enterprise, actor=viewer(), kind="graduation", rule=body["rule"], on=on, today=today(),
        reason=body["reason"], evidence=body.get("evidence"), snapshot=policy_on(on, "on")))


@operation("POST", ONE + "/expel", tag=TAG, summary="退库",
           description=("确认退库：依据（两年无实质性进展，或诚信事件）须在 on 日成立，否则 409 并说明原因。"
                        "须经市级确认时答 202 与待确认的申请。"),
           body=_body("ExpelRequest", {"basis": BASIS, "reason": REASON}, ("basis", "reason")),
           replies=EXIT_REPLIES, errors=ERRORS)
def expel(enterprise, body):
    """Confirm an expulsion on the basis given, which must hold on ``on`` (or ask the city to)."""
    on = effective_on(body)
    return _exit(enterprise, exit_requests.confirm_exit(
        db.session, enterprise, actor=viewer(), kind="expulsion", rule=body["basis"], on=on, today=today(),
        reason=body["reason"], snapshot=policy_on(on, "on")))


def _exit(enterprise, done):
    """201 with the exit recorded, or 202 with the request awaiting the city."""
    if not isinstance(done, ExitRequest):
        return _done(enterprise, done)
    db.session.commit()
    return json_response({"exit_request": {
        "id": done.id, "kind": done.kind, "rule": done.rule, "effective_on": done.effective_on.isoformat(),
        "status": done.status, "reason": done.reason}, "enterprise": s.enterprise_summary(enterprise)}, 202)


def _fact(name: str, types: dict) -> dict:
    subtype = {"enum": list(types), "description": "；".join(f"{k} {v}" for k, v in types.items())}
    return _body(name, {"subtype": subtype, "reason": REASON, "evidence": EVIDENCE},
                 ("subtype", "reason"))


@operation("POST", ONE + "/progress", tag=TAG, summary="记录其他实质性进展（经办人判断）",
           description=("记录培育中企业经办人判断的其他实质性进展（subtype 只能为 other），须写明理由；"
                        "24 个月的进展期限自 on 日重新起算。新认定专利密集型产品、专利产品备案、专利产业化、"
                        "受让或许可专利实施、专利产业化率提高不在此登记：修改企业的产品或专利记录"
                        "（/enterprises/{enterprise_id}/products、/patents）即自动识别为进展。"),
           body=_fact("ProgressRequest", {k: PROGRESS_TYPES[k] for k in TYPED_PROGRESS}),
           replies=REPLIES, errors=ERRORS)
def record_progress(enterprise, body):
    """A substantive progress of an admitted enterprise that an officer judges
    so (``other``, with a reason); it restarts the 24-month window.  The other
    kinds are recognised from the record (:mod:`pool.records.progress`)."""
    return _record_fact(enterprise, body, lifecycle.record_progress)


@operation("POST", ONE + "/incident", tag=TAG, summary="记录诚信事件",
           description="记录培育中企业的诚信事件；此后即可办理退库。",
           body=_fact("IncidentRequest", INCIDENT_TYPES), replies=REPLIES, errors=ERRORS)
def record_incident(enterprise, body):
    """An integrity incident of an admitted enterprise; expulsion is due at once."""
    return _record_fact(enterprise, body, lifecycle.record_incident)


@operation("POST", ONE + "/outcome", tag=TAG, summary="记录接续培育及成果",
           description="对已出库企业先标记接续培育，再标记成果（专精特新“小巨人”、单项冠军），每项至多一次。",
           body=_fact("OutcomeRequest", OUTCOME_TYPES), replies=REPLIES, errors=ERRORS)
def record_outcome(enterprise, body):
    """Continued cultivation of a graduated enterprise, then its outcomes."""
    return _record_fact(enterprise, body, lifecycle.record_outcome)


def _record_fact(enterprise, body, record):
    event = record(db.session, enterprise, actor=viewer(), on=effective_on(body), today=today(),
                   subtype=body["subtype"],
                   reason=body["reason"], evidence=body.get("evidence"))
    return _done(enterprise, event)


# --- helpers ---------------------------------------------------------------------------

def _evaluation(enterprise, body, on: date, *, required: bool,
                candidates=None) -> Application | None:
    """The saved check the action relies on: ``check_id`` (one of this
    enterprise's checks the user may see, or of the ``SELECT`` ``candidates``)
    or ``applicant`` evaluated on ``on`` and saved now.

    :raise InvalidInput: both or (if ``required``) neither given, an unknown
        check, invalid applicant data, or another enterprise's USCC.
    """
    if "check_id" in body and "applicant" in body:
        raise InvalidInput([InputProblem("applicant", "check_id 与 applicant 只能给一个")])
    if "check_id" in body:
        found = scoping.get_child(db.session, viewer(), Application, body["check_id"],
                                  enterprise_id=enterprise.id) if candidates is None else \
            db.session.scalar(candidates.where(Application.id == body["check_id"]))
        if found is None:
            raise InvalidInput([InputProblem("check_id", "该企业没有这条资格自检记录")])
        return found
    if "applicant" not in body:
        if required:
            raise InvalidInput([InputProblem("check_id", "须给出所依据的评估：check_id 或 applicant")])
        return None
    book = rulebook.load(db.session)
    require_complete(book.policy, on, "on")
    try:
        evaluation = check(body["applicant"], on, book.policy, book.industries)
    except InvalidApplicant as exc:
        raise InvalidInput([InputProblem(_under("applicant", p.path), p.message)
                            for p in exc.problems]) from None
    if evaluation.uscc != enterprise.uscc:
        raise InvalidInput([InputProblem("applicant.uscc",
                                         f"须为该企业的统一社会信用代码 {enterprise.uscc}")])
    return applications.save(db.session, data=body["applicant"], evaluation=evaluation,
                             county_id=enterprise.county_id, actor=viewer())


def _under(prefix: str, path: str) -> str:
    if path in ("", "(root)"):
        return prefix
    return prefix + ("" if path.startswith("[") else ".") + path


def _reviews(body) -> dict[int, tuple[str, str]]:
    out = {}
    for i, item in enumerate(body.get("reviews", [])):
        if item["criterion_id"] in out:
            raise InvalidInput([InputProblem(f"reviews[{i}].criterion_id", "同一条件只能作一次决定")])
        out[item["criterion_id"]] = (item["decision"], item["reason"])
    return out


def _done(enterprise, event, source: Application | None = None):
    follow(enterprise.id)  # its flags follow the decision at once, as on the web pages
    db.session.commit()
    return json_response({"event": s.event(event), "enterprise": s.enterprise_summary(enterprise),
                          "check_id": source.id if source else None}, 201)
