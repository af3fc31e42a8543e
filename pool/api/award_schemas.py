"""The awards resources (:mod:`pool.api.awards`): each JSON Schema beside the function that produces it.

Amounts are exact decimal texts in 万元, as the award engine writes them
(:func:`pool.awards.report.as_json`, the CLI's ``--json``): a settlement's
figures through :func:`pool.awards.money.wan` (no trailing zeros, never an
exponent).  The facts contract is ``pool/data/awards/award-facts.schema.json``
itself, as ``AwardFacts``.
"""
from __future__ import annotations

from decimal import Decimal

from models.awards import DECISIONS, SETTLEMENT_STATUSES
from pool.awards import ledger, programme, schema as facts_schema
from pool.awards.facts import BENEFICIARY_KINDS, FUNDING_LEVELS
from pool.awards.money import wan
from pool.awards.programme import LEVEL_LABELS
from pool.awards.results import STATUS_LABELS

from pool.api import schemas as s

TEXTS = {"type": "array", "items": s.TEXT}
ENGINE_AMOUNT = {**s.TEXT, "description": "万元，精确十进制文本"}
AMOUNT = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
          "description": "万元，精确十进制文本（如 \"4.14\"）"}
STATUS = {"enum": list(STATUS_LABELS),
          "description": "；".join(f"{k} {v}" for k, v in STATUS_LABELS.items())}
LEVEL = {"enum": list(FUNDING_LEVELS), "description": "；".join(f"{k} {v}" for k, v in LEVEL_LABELS.items())}
YEAR = {"type": "integer", "minimum": 1900, "maximum": 2100}

# The contract as shipped, without its file identity (see schemas.APPLICANT).
_CONTRACT = facts_schema.json_schema()
FACTS = s.component("AwardFacts", {k: v for k, v in _CONTRACT.items() if k not in ("$schema", "$id")})
# The contract's field titles: a beneficiary's (id, name, …) and a fact's (its id among them).
BENEFICIARY_TITLES = {k: v["title"] for k, v in
                      _CONTRACT["properties"]["beneficiaries"]["items"]["properties"].items()}
FACT_TITLES = {k: v["title"] for kind in _CONTRACT["properties"]["beneficiaries"]["items"]["properties"]
               ["facts"]["items"]["oneOf"] for k, v in kind["properties"].items()}


# --- programmes ------------------------------------------------------------------------------

NOT_COMPUTABLE = s.obj({"id": s.TEXT, "clause": s.TEXT, "reason": s.TEXT},
                       description="本政策不计算的条目及原因（文中未规定金额或方法）")
FUNDING_SHARE = s.obj({"level": LEVEL, "label": s.TEXT,
                       "share": {**AMOUNT, "description": "份额（0 到 1，各条合计 1）"}})
RULE = s.obj({
    "id": s.TEXT, "label": s.TEXT, "clause": {**s.TEXT, "description": "所依据的条款"},
    "excerpt": {**s.TEXT, "description": "条款原文摘录"},
    "valid_from": {**s.DATE, "description": "本版本的施行日期（同一 id 可有多个版本）"},
    "beneficiaries": {"type": "array", "items": {"enum": list(BENEFICIARY_KINDS)}},
    "trigger": {**s.TEXT, "description": "触发的事实类别（award-facts.schema.json 的 type）"},
    "funding_lines": {"type": "array", "items": FUNDING_SHARE, "description": "资金来源：财政级次与份额"},
})
PROGRAMME = s.component("AwardProgramme", s.obj({
    "code": {**s.TEXT, "description": "政策代码（试算、结算时的 programme）"},
    "city": s.TEXT, "title": s.TEXT, "document": {**s.TEXT, "description": "文号"},
    "issued": {**s.DATE, "description": "印发日期"}, "start": {**s.DATE, "description": "适用期起"},
    "end": {**s.DATE, "description": "适用期止"},
    "rules": {"type": "array", "items": RULE}, "not_computable": {"type": "array", "items": NOT_COMPUTABLE},
}, description="随系统提供的奖补政策（pool/data/awards/<code>.json）"))


def programme_item(row: programme.Programme) -> dict:
    return {"code": row.code, "city": row.city, "title": row.title, "document": row.document,
            "issued": s.iso(row.issued), "start": s.iso(row.start), "end": s.iso(row.end),
            "rules": [{"id": raw["id"], "label": raw["label"], "clause": raw["clause"],
                       "excerpt": raw.get("excerpt", ""), "valid_from": raw["valid_from"],
                       "beneficiaries": list(raw["beneficiaries"]), "trigger": raw["trigger"],
                       "funding_lines": [{"level": line["level"], "label": LEVEL_LABELS[line["level"]],
                                          "share": wan(Decimal(line["share"]))} for line in raw["funding"]]}
                      for raw in row.raw_rules],
            "not_computable": [dict(entry) for entry in row.not_computable]}


# --- the evaluation (pool.awards.report.as_json) ---------------------------------------------

FUNDING_LINE = s.obj({"level": LEVEL, "label": s.TEXT, "amount": ENGINE_AMOUNT})
EVALUATED_ITEM = s.obj({
    "rule": s.TEXT, "rule_valid_from": s.DATE, "clause": s.TEXT, "label": s.TEXT, "subject": s.TEXT,
    "facts": {**TEXTS, "description": "所依据的事实标识"}, "date": {**s.DATE, "description": "确定奖补年度的日期"},
    "status": STATUS, "gross": {**ENGINE_AMOUNT, "description": "公式金额（未经上限与不重复享受）"},
    "amount": {**ENGINE_AMOUNT, "description": "经上限与不重复享受后的精确金额"},
    "payable": {**ENGINE_AMOUNT, "description": "应付金额（精确到 0.01 元，四舍五入）"},
    "caps": {**TEXTS, "description": "依次适用的上限"},
    "conflict": {**s.nullable(s.TEXT), "description": "不重复享受的处理"},
    "funding_lines": {"type": "array", "items": FUNDING_LINE},
    "award_year": {"type": "integer"}, "payment_year": {"type": "integer", "description": "兑现年度"},
    "trace": {**TEXTS, "description": "计算过程"},
})
EVALUATION = s.component("AwardEvaluation", s.obj({
    "programme": s.TEXT, "document": s.TEXT, "year": {"type": "integer"},
    "parameters": {**s.ANY_OBJECT, "description": "当年适用的政策参数"},
    "total": ENGINE_AMOUNT,
    "beneficiaries": {"type": "array", "items": s.obj({
        "id": s.TEXT, "name": s.TEXT, "kind": {"enum": list(BENEFICIARY_KINDS)}, "total": ENGINE_AMOUNT,
        "items": {"type": "array", "items": EVALUATED_ITEM}})},
    "not_computable": {"type": "array", "items": NOT_COMPUTABLE},
}, description="与 `flask pool awards evaluate --json` 的输出相同"))


# --- settlements -----------------------------------------------------------------------------

SUMMARY = s.obj({
    "items": {"type": "integer", "minimum": 0, "description": "条目数（最近一次计算仍产生的）"},
    "proposed": {"type": "integer", "minimum": 0, "description": "拟奖补条目数"},
    "pending": {"type": "integer", "minimum": 0, "description": "待审核或需重新审核的条目数"},
    "computed": {**AMOUNT, "description": "拟奖补条目的计算金额合计"},
    "decided": {**AMOUNT, "description": "审核同意（含核减）的金额合计"},
    "paid": {"type": "object", "propertyNames": LEVEL, "additionalProperties": AMOUNT,
             "description": "各财政级次已拨付金额"},
    "paid_total": AMOUNT,
    "by_status": {"type": "object", "propertyNames": STATUS,
                  "additionalProperties": {"type": "integer", "minimum": 1}, "description": "各计算结果的条目数"},
}, description="由令牌所属用户可见的条目算出：县级经办人只计本县企业的条目")
SETTLEMENT_PROPERTIES = {
    "id": s.ID, "programme": s.TEXT, "year": {"type": "integer", "description": "奖补年度"},
    "status": {"enum": list(SETTLEMENT_STATUSES), "description": "open 审核中；published 已公示"},
    "published_on": {**s.nullable(s.DATE), "description": "公示日期"},
    "opened_at": s.DATETIME, "computed_at": {**s.nullable(s.DATETIME), "description": "最近一次计算的时间"},
    "summary": SUMMARY,
}
SETTLEMENT = s.component("AwardSettlement", s.obj(
    SETTLEMENT_PROPERTIES, description="一个奖补政策一个年度的结算：计算、审核、公示、拨付"))


def settlement_item(row, figures) -> dict:
    """``row`` with ``figures`` (:func:`pool.awards.settlement.summary` of the visible items)."""
    return {"id": row.id, "programme": row.programme, "year": row.year, "status": row.status,
            "published_on": s.iso(row.published_on), "opened_at": s.iso(row.opened_at),
            "computed_at": s.iso(row.computed_at),
            "summary": {"items": figures.items, "proposed": figures.proposed, "pending": figures.pending,
                        "computed": wan(figures.computed), "decided": wan(figures.decided),
                        "paid": {level: wan(amount) for level, amount in figures.paid.items()},
                        "paid_total": wan(figures.paid_total), "by_status": dict(figures.by_status)}}


def _by(entry) -> str | None:
    return entry.actor.display_name if entry.actor else None


DECISION = s.obj({
    "kind": {"enum": list(DECISIONS), "description": "approve 同意；reduce 核减；refuse 不予奖补"},
    "kind_label": s.TEXT, "amount": {**s.nullable(AMOUNT), "description": "核定金额（不予奖补为 null）"},
    "basis": {**s.nullable(AMOUNT), "description": "审核时的计算金额"},
    "reason": s.nullable(s.TEXT), "by": {**s.nullable(s.TEXT), "description": "审核人"}, "at": s.DATETIME,
})
PAYMENT = s.obj({"level": LEVEL, "label": s.TEXT, "amount": AMOUNT, "on": {**s.DATE, "description": "拨付日期"},
                 "reference": {**s.nullable(s.TEXT), "description": "拨付凭证"},
                 "by": s.nullable(s.TEXT), "at": s.DATETIME})
ITEM = s.obj({
    "id": s.ID,
    "beneficiary": s.obj({"key": {**s.TEXT, "description": "统一社会信用代码等"}, "name": s.TEXT,
                          "kind": {"enum": list(BENEFICIARY_KINDS)}}),
    "enterprise_id": {**s.nullable(s.ID), "description": "登记的企业（银行、机构等为 null）"},
    "county_id": s.nullable(s.ID),
    "rule": s.TEXT, "label": s.TEXT, "clause": s.TEXT, "subject": s.TEXT, "facts": TEXTS, "date": s.DATE,
    "status": STATUS, "gross": AMOUNT, "amount": AMOUNT,
    "payable": {**AMOUNT, "description": "计算的应付金额（精确到 0.01 元）"},
    "current": {"type": "boolean", "description": "最近一次计算是否仍产生该条目"},
    "conflict": s.nullable(s.TEXT), "trace": TEXTS,
    "funding_lines": {"type": "array", "items": FUNDING_LINE},
    "award_year": {"type": "integer"}, "payment_year": {"type": "integer"},
    "proposed": {"type": "boolean", "description": "拟奖补（应予奖补或待审核，金额大于 0）"},
    "stale": {"type": "boolean", "description": "审核结论所依据的金额或结果已变，须重新审核"},
    "pending": {"type": "boolean", "description": "待审核或需重新审核"},
    "decision": {"anyOf": [DECISION, {"type": "null"}], "description": "有效的审核结论（未审核为 null）"},
    "payments": {"type": "array", "items": PAYMENT, "description": "各财政级次的有效拨付记录"},
}, description="一个奖补条目：计算结果、审核结论与拨付")
SETTLEMENT_DETAIL = s.component("AwardSettlementDetail", s.obj({
    **SETTLEMENT_PROPERTIES, "items": {"type": "array", "items": ITEM},
    "total": {"type": "integer", "minimum": 0, "description": "可见的条目总数"},
    "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
    "pages": {"type": "integer", "minimum": 0},
}, description="结算及其可见条目（一页）"))


def item(state) -> dict:
    """An item's state (:class:`pool.awards.ledger.ItemState`) as :data:`ITEM` describes it."""
    row, decision = state.item, state.decision
    return {
        "id": row.id, "beneficiary": {"key": row.beneficiary_key, "name": row.beneficiary_name,
                                      "kind": row.beneficiary_kind},
        "enterprise_id": row.enterprise_id, "county_id": row.county_id, "rule": row.rule, "label": row.rule_label,
        "clause": row.clause, "subject": row.subject, "facts": list(row.facts or ()), "date": s.iso(row.date),
        "status": row.status, "gross": wan(Decimal(row.gross)), "amount": wan(Decimal(row.amount)),
        "payable": wan(row.payable), "current": bool(row.current), "conflict": row.conflict,
        "trace": list(row.trace or ()),
        "funding_lines": [{"level": level, "label": LEVEL_LABELS[level], "amount": wan(Decimal(amount))}
                          for level, amount in row.lines or ()],
        "award_year": row.award_year, "payment_year": row.payment_year,
        "proposed": state.proposed, "stale": state.stale, "pending": state.pending,
        "decision": None if decision is None else {
            "kind": decision.kind, "kind_label": ledger.KIND_LABELS[decision.kind],
            "amount": None if decision.amount is None else wan(decision.amount),
            "basis": None if decision.basis is None else wan(decision.basis),
            "reason": decision.reason, "by": _by(decision), "at": s.iso(decision.at)},
        "payments": [{"level": level, "label": LEVEL_LABELS[level], "amount": wan(entry.amount),
                      "on": s.iso(entry.on), "reference": entry.reference, "by": _by(entry), "at": s.iso(entry.at)}
                     for level, entry in sorted(state.payments.items())],
    }
