"""Awards and subsidies (奖补): the programmes, a trial computation, recording
facts, and the settlements read with the items the caller may see.

Thin callers of :mod:`pool.awards`, as ``flask pool awards evaluate`` is:
the evaluation is the CLI's (:func:`pool.awards.engine.evaluate`, answered as
:func:`pool.awards.report.as_json`) and writes nothing; facts are recorded by
:func:`pool.awards.store.record`, all or nothing.  A facts document that breaks
the contract is 422 naming every bad field (its label and JSON path), as the
CLI lists them.  Settlements are the city's (everyone sees them; an unknown id
is 404); their items are county-owned (:func:`pool.access.scoping.children`):
a county officer sees, and is summed, only their county's enterprises' items.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from models import AwardItem, AwardSettlement, db
from pool.access import scoping
from pool.awards import engine, facts, ledger, parameters, programme, report, settlement as settling, store
from pool.io.batch import InputProblem, InvalidInput
from pool.web.clock import now, today

from pool.api import award_schemas as a, schemas as s
from pool.api.core import Param, Reply, viewer
from pool.api.inputs import PAGING, contract_problems, schema_problems
from pool.api.operations import operation
from pool.api.responses import json_response

TAG = "awards"

PROGRAMME_CODE = {"type": "string", "title": "奖补政策", "minLength": 1, "maxLength": 64,
                  "description": "政策代码，见 GET /awards/programmes（如 " + "、".join(programme.codes()) + "）"}
EVALUATE = s.component("AwardEvaluationRequest", s.obj({
    "programme": PROGRAMME_CODE,
    "year": {**a.YEAR, "title": "奖补年度"},
    "facts": {**a.FACTS, "title": "奖补事实"},
}))
# The request as checked before the facts: those are checked by the contract's own reader.
_ENVELOPE = s.obj({"programme": PROGRAMME_CODE, "year": {**a.YEAR, "title": "奖补年度"},
                   "facts": {"type": "object", "title": "奖补事实"}})
RECORDED = s.component("AwardFactsRecorded", s.obj({
    "recorded": {"type": "integer", "minimum": 0, "description": "新登记的事实数"},
    "skipped": {"type": "integer", "minimum": 0, "description": "已登记过、内容相同而跳过的事实数"},
}))
FACTS_422 = "不符合奖补事实约定时 422，errors 逐项列出每个有误的字段（中文名称与 JSON 路径），与命令行相同。"


# --- programmes and the trial computation -----------------------------------------------------

@operation("GET", "/awards/programmes", tag=TAG, summary="奖补政策",
           description=("随系统提供的各奖补政策：出处、适用期、各条目（条款、触发的事实类别、资金来源）"
                        "及本政策不计算的条目。"),
           replies={200: Reply("奖补政策", {"type": "array", "items": a.PROGRAMME})})
def list_award_programmes():
    """Every shipped programme (:func:`pool.awards.programme.codes`)."""
    return json_response([a.programme_item(programme.load(code)) for code in programme.codes()])


@operation("POST", "/awards/evaluate", tag=TAG, summary="奖补试算",
           description=("按奖补政策 programme 计算 year 年度每个受益人的各奖补条目（金额、上限、"
                        "不重复享受、资金来源、计算过程），与 `flask pool awards evaluate --json` 相同，"
                        "不保存任何数据。" + FACTS_422 + "政策不存在或该年度不适用时 422，指明 programme 或 year。"
                        "金额为万元的精确十进制文本。"),
           body=EVALUATE, validate_body=False,
           body_description="政策、年度和奖补事实（award-facts.schema.json）",
           replies={200: Reply("试算结果", a.EVALUATION)}, errors=(422,))
def evaluate_awards(body):
    """The CLI's computation (with the administrator's parameter values): every problem of the
    request at once, else :func:`pool.awards.report.as_json` of the evaluation; writes nothing."""
    problems = schema_problems(_ENVELOPE, body)
    if problems and not isinstance(body, dict):
        raise InvalidInput(problems)
    named = {p.path for p in problems}
    chosen = None
    if "programme" not in named:
        try:
            chosen = parameters.programme(db.session, body["programme"])
        except programme.ProgrammeError as exc:
            problems.append(InputProblem("programme", str(exc), PROGRAMME_CODE["title"]))
    if chosen is not None and "year" not in named:
        try:
            chosen.in_force(body["year"])
        except programme.ProgrammeError as exc:
            problems.append(InputProblem("year", str(exc), "奖补年度"))
    beneficiaries = None
    if "facts" not in named:
        try:
            beneficiaries = facts.parse(as_read(body["facts"]))
        except facts.InvalidFacts as exc:
            problems += contract_problems(exc.problems, "facts")
    if problems:
        raise InvalidInput(problems)
    return json_response(report.as_json(engine.evaluate(chosen, beneficiaries, body["year"])), indent=1)


# --- recording facts ---------------------------------------------------------------------------

@operation("POST", "/awards/facts", tag=TAG, summary="登记奖补事实",
           description=("登记一份奖补事实文件（批量导入），全部登记或全部不登记：同一受益人同一标识、内容相同的事实"
                        "跳过（重复提交不改变任何记录），内容不同的 422。县级经办人只能为本县（市、区）登记的企业"
                        "登记事实；银行、服务机构等非企业受益人的事实只有市级管理员可以登记。不能登记晚于今天的事实。"
                        + FACTS_422),
           body=a.FACTS, validate_body=False, body_description="奖补事实（award-facts.schema.json）",
           replies={201: Reply("已登记", RECORDED)}, errors=(422,))
def record_award_facts(body):
    """:func:`pool.awards.store.record` for the caller's county (the city
    administrator's: any beneficiary), as of today; all or nothing."""
    user = viewer()
    # Tokens authenticate officers only (pool.access.tokens), and a county officer always has a
    # county (models.User's check): None is the city administrator's, who may record any beneficiary.
    county_id = None if user.is_city_admin else user.county_id
    try:
        new, skipped = store.record(db.session, as_read(body), source="import", actor=user, as_of=today(),
                                    now=now(), county_id=county_id)
    except store.FactsRefused as exc:
        raise InvalidInput(contract_problems(exc.problems)) from None
    db.session.commit()
    return json_response({"recorded": len(new), "skipped": skipped}, 201)


# --- settlements -------------------------------------------------------------------------------

def _visible_states(row: AwardSettlement) -> dict[int, ledger.ItemState]:
    """The settlement's items the caller may see, with their decisions and payments."""
    items = list(db.session.scalars(scoping.children(viewer(), AwardItem)
                                    .where(AwardItem.settlement_id == row.id).order_by(AwardItem.id)))
    return ledger.states(db.session, row, items)


@operation("GET", "/awards/settlements", tag=TAG, summary="奖补结算",
           description=("各奖补政策各年度的结算（年度新的在前）：状态、公示日期、最近一次计算时间，"
                        "以及由令牌所属用户可见的条目算出的合计（县级经办人只计本县企业的条目）。"),
           params=(Param("programme", {"type": "string", "enum": list(programme.codes())}, "奖补政策"),
                   Param("year", a.YEAR, "奖补年度")),
           replies={200: Reply("结算", {"type": "array", "items": a.SETTLEMENT})}, errors=(422,))
def list_award_settlements(query):
    stmt = select(AwardSettlement).order_by(AwardSettlement.year.desc(), AwardSettlement.programme)
    for name in ("programme", "year"):
        if name in query:
            stmt = stmt.where(getattr(AwardSettlement, name) == query[name])
    return json_response([a.settlement_item(row, settling.summary(_visible_states(row)))
                          for row in db.session.scalars(stmt)])


@operation("GET", "/awards/settlements/<int:settlement_id>", tag=TAG, summary="一个奖补结算及其条目",
           description=("结算及其条目（一页）：受益人、条目、条款、对象、计算结果与金额、资金来源、计算过程、"
                        "有效的审核结论（谁、何时、金额、理由）、是否待审核或需重新审核，以及各财政级次的拨付。"
                        "县级经办人只看到本县企业的条目（合计也只计这些）；不存在时 404。"),
           params=PAGING,
           replies={200: Reply("结算及其条目", a.SETTLEMENT_DETAIL)}, errors=(404, 422))
def get_award_settlement(settlement, query):
    states = _visible_states(settlement)
    per_page, page = query["per_page"], query["page"]
    shown = list(states.values())[(page - 1) * per_page:page * per_page]
    return json_response({**a.settlement_item(settlement, settling.summary(states)),
                          "items": [a.item(state) for state in shown], "total": len(states), "page": page,
                          "per_page": per_page, "pages": -(-len(states) // per_page)})


# --- the facts document as the contract's reader takes it ---------------------------------------

_MONEY = {kind: {name.rstrip("*") for name, (spec, _label) in fields.items() if spec in ("money", "costs")}
          for kind, fields in facts.FACT_FIELDS.items()}


def _number(value, *, exact: bool):
    if isinstance(value, Decimal):
        number = float(value)
        return str(value) if exact and Decimal(repr(number)) != value else number
    if isinstance(value, dict):
        return {k: _number(v, exact=exact) for k, v in value.items()}
    if isinstance(value, list):
        return [_number(v, exact=exact) for v in value]
    return value


def as_read(document):
    """``document`` (parsed by the API, numbers as ``Decimal``) as the CLI's
    ``json.loads`` gives it to :func:`pool.awards.facts.parse`: a number with a
    fraction is a float — except an amount a float would not keep exactly,
    which stays exact as its decimal text (the contract takes both)."""
    for _i, beneficiary in _indexed(document.get("beneficiaries") if isinstance(document, dict) else None):
        for _j, fact in _indexed(beneficiary.get("facts")):
            kind = fact.get("type")
            for name in _MONEY.get(kind, set()) & fact.keys() if isinstance(kind, str) else ():
                fact[name] = _number(fact[name], exact=True)
    return _number(document, exact=False)


def _indexed(value):
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []
