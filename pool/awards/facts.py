"""The facts contract: what a beneficiary did in a year, as the award engine reads it.

The contract is ``pool/data/awards/award-facts.schema.json`` (JSON Schema 2020-12,
documented in the README); :data:`FACT_FIELDS` is the same contract as a table
(a test keeps the two equal) and :func:`parse` checks a document against it,
naming **every** bad field by its Chinese label and its JSON path, and returns
typed :class:`Beneficiary` records (money as exact ``Decimal`` 万元, ``date`` for dates).

A fact is one recorded event: a qualification granted or renewed, a patent
granted by an office, a prize, a loan, a fee paid, a case decided, an
agency's or a bank's yearly counts, a project, an R&D investment, or an award
already received (for one-off caps and the no-double rule).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pool.kernel.wording import phrase

LEVELS = ("national", "provincial", "municipal", "county")
FUNDING_LEVELS = ("national", "provincial", "city", "district")
BENEFICIARY_KINDS = ("enterprise", "individual", "financial_institution", "agency", "university",
                     "research_institute", "host_unit", "region", "school", "other")
DESIGNATIONS = ("innovative_enterprise", "innovative_leader", "tech_innovation_demo", "energy_saving_demo",
                "tech_service_demo", "high_tech", "academician_station", "postdoc_station", "innovation_team",
                "tech_branch", "ip_enterprise", "gbt29490", "navigation_zone", "info_service_node",
                "alliance_project", "protection_centre", "rights_aid_station", "university_training_base",
                "school_experimental_base", "school_demonstration_base")
COST_KINDS = ("lawyer", "court", "notary", "appraisal", "translation", "expert")

# field -> (kind, Chinese label); kind "enum:a|b" lists the values.  "*" marks a required field.
_COMMON = {"id*": ("str", phrase("事实标识")), "type*": ("str", phrase("事实类别")), "date*": ("date", phrase("发生日期")),
           "subject": ("str", phrase("对象（专利号、贷款合同号、案号等）"))}
FACT_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "qualification": {"designation*": ("enum:" + "|".join(DESIGNATIONS), phrase("资格类别")),
                      "level": ("enum:" + "|".join(LEVELS), phrase("级别")),
                      "subtype": ("enum:advantage|demonstration|leader", phrase("优势/示范/领军")),
                      "renewal": ("bool", phrase("是否重新认定")),
                      "provincial_award": ("money", phrase("省级奖励金额（万元）"))},
    "patent_grant": {"kind*": ("enum:invention|utility_model|design", phrase("专利类型")),
                     "office*": ("str", phrase("授权机构（CN 或外国/地区代码）")),
                     "converted_in_district": ("bool", phrase("是否在本辖区转化应用")),
                     "converted_on": ("date", phrase("转化运用日期")),
                     "patentee_in_district": ("bool", phrase("专利权人是否在本区")),
                     "cost": ("money", phrase("有据可查的实际费用（万元）"))},
    "prize": {"level*": ("enum:" + "|".join(LEVELS), phrase("奖项级别")),
              "grade": ("enum:gold|silver|excellent", phrase("奖项等次"))},
    "loan": {"collateral*": ("enum:patent|trademark", phrase("质押物")), "amount*": ("money", phrase("贷款金额（万元）")),
             "pledged_part": ("money", phrase("专利权质押部分（万元）")), "term_months": ("int", phrase("贷款期限（月）")),
             "repaid_on_schedule": ("bool", phrase("是否按约还本付息")), "interest_paid": ("money", phrase("年度实付利息（万元）"))},
    "fee": {"fee*": ("enum:evaluation|guarantee|insurance|annual_fee|patent_insurance", phrase("费用类别")),
            "amount*": ("money", phrase("实际发生额（万元）")), "borne_by_beneficiary": ("bool", phrase("是否由申请人承担")),
            "granted_on": ("date", phrase("专利授权日")), "patent_valid": ("bool", phrase("专利是否有效")),
            "full_subsidy": ("bool", phrase("是否全额补贴类专利（授权发明、获奖或质押）"))},
    "case": {"foreign*": ("bool", phrase("是否涉外")), "won*": ("bool", phrase("是否胜诉")), "costs*": ("costs", phrase("费用明细"))},
    "rd_investment": {"amount*": ("money", phrase("研发投入（万元）")), "fiscal_year*": ("int", phrase("会计年度")),
                      "tech_sme_filed": ("bool", phrase("科技型中小企业备案")),
                      "meets_hightech_standards": ("bool", phrase("研发投入和核心知识产权达到高企标准")),
                      "high_tech_certified": ("bool", phrase("持有有效高新技术企业证书"))},
    "yearly_counts": {"invention_applications": ("int", phrase("年度发明专利申请量")),
                      "qualifying_applications": ("int", phrase("代理本市专利申请量")),
                      "qualifying_invention_applications": ("int", phrase("代理本市发明专利申请量")),
                      "qualifying_invention_grants": ("int", phrase("代理本市发明专利授权量")),
                      "patent_pledge_lending": ("money", phrase("年度专利权质押放款金额（万元）")),
                      "registered_on": ("date", phrase("机构注册日期"))},
    "project": {"project*": ("enum:navigation|platform|provincial_task|training", phrase("项目类别")),
                "filed": ("bool", phrase("是否按程序备案")), "has_result": ("bool", phrase("是否形成项目成果")),
                "expenditure": ("money", phrase("相关支出（万元）")), "requested": ("money", phrase("核定金额（万元）"))},
    "prior_award": {"rule*": ("str", phrase("已享受的奖补条目")), "amount*": ("money", phrase("已享受金额（万元）")),
                    "funding_level*": ("enum:" + "|".join(FUNDING_LEVELS), phrase("财政级次")),
                    "conflict_group": ("str", phrase("相近或相似项目组"))},
}
COST_LABELS = {"lawyer": phrase("律师费"), "court": phrase("诉讼费"), "notary": phrase("公证费"),
               "appraisal": phrase("鉴定费"), "translation": phrase("翻译费"), "expert": phrase("专家费")}

# Derived at parse time, for rules to read like any field.
DERIVED_LABELS = {"office_scope": phrase("国内/国外授权"), "renewal_basis": phrase("此前同类资格")}

_BAD = phrase("{where}「{label}」（{path}）：{reason}")
_REASONS = {
    "required": phrase("必填"), "str": phrase("须为非空文本"), "bool": phrase("须为 true 或 false"),
    "int": phrase("须为不小于 0 的整数"), "money": phrase("须为不小于 0 的金额（万元，数值或数字文本）"),
    "date": phrase("须为 YYYY-MM-DD 格式的日期"), "enum": phrase("须为以下之一：{values}"),
    "unknown": phrase("不是约定的字段"), "type": phrase("不是约定的事实类别（{values}）"),
    "duplicate": phrase("与同一受益人的另一条事实重复"), "list": phrase("须为列表"), "object": phrase("须为对象"),
    "costs": phrase("须为费用明细对象（{values}），各项为金额"),
}
_BENEFICIARY_LABELS = {"id": phrase("受益人标识（统一社会信用代码等）"), "name": phrase("受益人名称"),
                       "kind": phrase("受益人类别"), "in_region": phrase("是否在本行政区域内"),
                       "facts": phrase("事实")}
BENEFICIARY_LABELS = _BENEFICIARY_LABELS
# Every field's Chinese label by name, across fact types (a name means the same in each).
FIELD_LABELS = {key.rstrip("*"): label for spec in (_COMMON, *FACT_FIELDS.values()) for key, (_kind, label)
                in spec.items()} | {f"beneficiary_{k}": v for k, v in _BENEFICIARY_LABELS.items()}
_WHERE_B = phrase("第{n}个受益人")
_WHERE_F = phrase("第{n}个受益人 第{m}条事实")


class InvalidFacts(ValueError):
    """The document breaks the contract; ``problems`` lists every bad field, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Fact:
    """One recorded event; ``values`` holds its fields, typed (Decimal 万元, date, int, bool, str)."""

    id: str
    type: str
    date: date
    subject: str
    values: dict[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@dataclass
class Beneficiary:
    id: str
    name: str
    kind: str
    in_region: bool
    facts: list[Fact] = field(default_factory=list)


def _money(obj: Any) -> Decimal | None:
    if isinstance(obj, bool) or not isinstance(obj, (int, float, str)):
        return None
    try:
        value = Decimal(str(obj))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def _date(obj: Any) -> date | None:
    if not isinstance(obj, str) or len(obj) != 10:
        return None
    try:
        return date.fromisoformat(obj)
    except ValueError:
        return None


def _convert(kind: str, obj: Any) -> tuple[Any, str | None]:
    """``(value, None)`` or ``(None, reason)``."""
    if kind == "str":
        return (obj, None) if isinstance(obj, str) and obj.strip() else (None, _REASONS["str"])
    if kind == "bool":
        return (obj, None) if isinstance(obj, bool) else (None, _REASONS["bool"])
    if kind == "int":
        ok = isinstance(obj, int) and not isinstance(obj, bool) and obj >= 0
        return (obj, None) if ok else (None, _REASONS["int"])
    if kind == "money":
        value = _money(obj)
        return (value, None) if value is not None else (None, _REASONS["money"])
    if kind == "date":
        value = _date(obj)
        return (value, None) if value is not None else (None, _REASONS["date"])
    if kind.startswith("enum:"):
        values = kind[5:].split("|")
        return (obj, None) if obj in values else (None, _REASONS["enum"].format(values="、".join(values)))
    if kind == "costs":
        reason = _REASONS["costs"].format(values="、".join(COST_KINDS))
        if not isinstance(obj, dict) or set(obj) - set(COST_KINDS):
            return None, reason
        costs = {k: _money(v) for k, v in obj.items()}
        return (None, reason) if None in costs.values() else (costs, None)
    raise AssertionError(kind)


def _fact(raw: Any, where: str, path: str, problems: list[str]) -> Fact | None:
    def bad(name: str, label: str, reason: str) -> None:
        problems.append(_BAD.format(where=where, label=label, path=f"{path}.{name}", reason=reason))

    if not isinstance(raw, dict):
        problems.append(_BAD.format(where=where, label=_BENEFICIARY_LABELS["facts"], path=path,
                                    reason=_REASONS["object"]))
        return None
    spec = FACT_FIELDS.get(raw.get("type"))
    if spec is None:
        bad("type", _COMMON["type*"][1], _REASONS["type"].format(values="、".join(FACT_FIELDS)))
        return None
    fields = {**_COMMON, **spec}
    values: dict[str, Any] = {}
    ok = True
    for key, (kind, label) in fields.items():
        name = key.rstrip("*")
        if name not in raw:
            if key.endswith("*"):
                bad(name, label, _REASONS["required"])
                ok = False
            continue
        value, reason = _convert(kind, raw[name])
        if reason:
            bad(name, label, reason)
            ok = False
        values[name] = value
    known = {key.rstrip("*") for key in fields}
    for name in raw:
        if name not in known:
            bad(name, name, _REASONS["unknown"])
            ok = False
    if not ok:
        return None
    fact_id, kind, day = values.pop("id"), values.pop("type"), values.pop("date")
    return Fact(fact_id, kind, day, values.pop("subject", None) or fact_id, values)


def _derive(facts: list[Fact]) -> None:
    """Fill the derived fields: a grant's ``office_scope`` (``domestic`` for CN, else ``foreign``), and a
    qualification's ``renewal`` where the fact does not say — [R] a renewal if an earlier fact of the
    beneficiary holds the same designation at the same level (however long ago, lapsed or not)."""
    earlier: dict[tuple, Fact] = {}
    for fact in sorted(facts, key=lambda f: (f.date, f.id)):
        if fact.type == "patent_grant":
            fact.values["office_scope"] = "domestic" if fact.get("office").upper() == "CN" else "foreign"
        elif fact.type == "qualification":
            key = (fact.get("designation"), fact.get("level"))
            if fact.get("renewal") is None:
                before = earlier.get(key)
                fact.values["renewal"] = before is not None and before.date < fact.date
                if fact.values["renewal"]:
                    fact.values["renewal_basis"] = before.id
            earlier.setdefault(key, fact)


def parse(document: Any) -> list[Beneficiary]:
    """The beneficiaries of a facts document, typed.

    :raise InvalidFacts: listing every bad field (label, path and reason), never only the first.
    """
    problems: list[str] = []
    if not isinstance(document, dict) or not isinstance(document.get("beneficiaries"), list):
        raise InvalidFacts([_BAD.format(where="", label=phrase("受益人列表"), path="beneficiaries",
                                        reason=_REASONS["list"])])
    for name in document:
        if name not in ("beneficiaries", "$schema", "note"):
            problems.append(_BAD.format(where="", label=name, path=name, reason=_REASONS["unknown"]))
    out = []
    for i, raw in enumerate(document["beneficiaries"]):
        where, path = _WHERE_B.format(n=i + 1), f"beneficiaries[{i}]"
        if not isinstance(raw, dict):
            problems.append(_BAD.format(where=where, label=phrase("受益人"), path=path, reason=_REASONS["object"]))
            continue
        head: dict[str, Any] = {}
        for name, kind, required in (("id", "str", True), ("name", "str", False),
                                     ("kind", "enum:" + "|".join(BENEFICIARY_KINDS), True),
                                     ("in_region", "bool", False), ("facts", "list", True)):
            label = _BENEFICIARY_LABELS[name]
            if name not in raw:
                if required:
                    problems.append(_BAD.format(where=where, label=label, path=f"{path}.{name}",
                                                reason=_REASONS["required"]))
                continue
            if kind == "list":
                ok = isinstance(raw[name], list)
                value, reason = (raw[name], None) if ok else (None, _REASONS["list"])
            else:
                value, reason = _convert(kind, raw[name])
            if reason:
                problems.append(_BAD.format(where=where, label=label, path=f"{path}.{name}", reason=reason))
            head[name] = value
        for name in raw:
            if name not in _BENEFICIARY_LABELS:
                problems.append(_BAD.format(where=where, label=name, path=f"{path}.{name}",
                                            reason=_REASONS["unknown"]))
        facts, seen = [], set()
        for j, raw_fact in enumerate(head.get("facts") or ()):
            fact = _fact(raw_fact, _WHERE_F.format(n=i + 1, m=j + 1), f"{path}.facts[{j}]", problems)
            if fact is None:
                continue
            if fact.id in seen:
                problems.append(_BAD.format(where=_WHERE_F.format(n=i + 1, m=j + 1), label=_COMMON["id*"][1],
                                            path=f"{path}.facts[{j}].id", reason=_REASONS["duplicate"]))
            seen.add(fact.id)
            facts.append(fact)
        _derive(facts)
        if head.get("id") and head.get("kind"):
            out.append(Beneficiary(head["id"], head.get("name") or head["id"], head["kind"],
                                   head.get("in_region", True), facts))
    if problems:
        raise InvalidFacts(problems)
    return out
