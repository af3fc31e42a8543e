"""The targets resources (:mod:`pool.api.targets`): each JSON Schema beside the function that produces it.

An evaluation is :func:`pool.targets.report.as_json` itself, the CLI's
``--json``: exact values as text (a decimal when it terminates, else
``p/q``).  The series contract is ``pool/data/targets/target-series.schema.json``
itself, as ``TargetSeries``.
"""
from __future__ import annotations

from datetime import date

from pool.targets import report, schema as series_schema
from pool.targets.results import STATUS_LABELS
from pool.targets.series import LEVEL_LABELS, LEVELS
from pool.targets.targetset import GROWTH_READINGS, OPS, RANGE_READINGS, TESTS, Target, TargetSet

from pool.api import schemas as s

TEXTS = {"type": "array", "items": s.TEXT}
EXACT = {"type": "string", "pattern": r"^-?[0-9]+((\.[0-9]+)|(/[0-9]+))?$",
         "description": "精确值：有限小数写作小数，否则写作分数 p/q"}
YEAR = {"type": "integer"}
LEVEL = {"enum": list(LEVELS), "description": "；".join(f"{k} {v}" for k, v in LEVEL_LABELS.items())}
STATUS = {"enum": list(STATUS_LABELS), "description": "；".join(f"{k} {v}" for k, v in STATUS_LABELS.items())}
TEST = {"enum": list(TESTS), "description": "；".join(f"{k} {v}" for k, v in report.TEST_LABELS.items())}
ANY = {"description": "参数值（JSON 任意类型）"}

# The contract as shipped, without its file identity (see schemas.APPLICANT).
SERIES = s.component("TargetSeries", {k: v for k, v in series_schema.json_schema().items()
                                      if k not in ("$schema", "$id")})


# --- a target (pool.targets.report.target_json) ------------------------------------------------

COMPARATOR = s.obj({
    "op": {"enum": list(OPS), "description": "range：区间（如「8—10家」）"},
    "value": {**EXACT, "description": "阈值（增长类为百分数，20 即 20%）"},
    "upper": {**s.nullable(EXACT), "description": "区间上限"},
    "words": {**s.TEXT, "description": "原文措辞（「以上」「超过」等）"},
    "reading": {"enum": list(RANGE_READINGS) + [None], "description": "区间的读法（仅 range）"},
})
TARGET_PROPERTIES = {
    "id": s.TEXT, "label": s.TEXT, "clause": {**s.TEXT, "description": "所依据的条款"},
    "excerpt": {**s.TEXT, "description": "条款原文摘录"},
    "indicator": {**s.TEXT, "description": "指标代码（pool/data/targets/indicators.json）"}, "unit": s.TEXT,
    "test": TEST, "comparator": {"anyOf": [COMPARATOR, {"type": "null"}], "description": "跟踪指标为 null"},
    "window": s.obj({"from": YEAR, "to": YEAR}, description="目标期（年度，含首尾）"),
    "base_year": {**s.nullable(YEAR), "description": "增长的对照年"},
    "growth_reading": {"enum": list(GROWTH_READINGS) + [None], "description": "年均增长的读法（仅 growth_average）"},
}
TARGET = s.component("Target", s.obj({
    **TARGET_PROPERTIES,
    "region": {**s.TEXT, "description": "目标所属地区的代码"},
    "indicator_label": s.TEXT, "test_label": s.TEXT,
    "benchmark": {**s.nullable(s.TEXT), "description": "对照的上级地区级别（仅 benchmark）"},
    "options": {**s.ANY_OBJECT, "description": "指标的口径选项（如人口口径）"},
    "parameters": {**TEXTS, "description": "所读取的政策参数（见 parameters）"},
}, description="目标集中的一个目标（参数取 as_of 时的值）"))


def target_item(target: Target, region: str) -> dict:
    return {**report.target_json(target), "region": region, "indicator_label": target.indicator.label,
            "test_label": report.TEST_LABELS[target.test], "benchmark": target.benchmark_level,
            "options": dict(target.options), "parameters": list(target.parameters)}


# --- a target set (pool.targets.targetset) -------------------------------------------------------

PARAMETER = s.obj({
    "key": s.TEXT, "label": s.TEXT,
    "reading": {"type": "boolean", "description": "项目的读法 [R]（文中未明确，POLICIES.md 标注）"},
    "value": {**ANY, "description": "as_of 时生效的值"},
    "values": {"type": "array", "description": "各版本（自 from 起施行）及其出处", "items": s.obj(
        {"from": s.DATE, "value": ANY, "source": {**s.TEXT, "description": "出处（读法注明 [R]）"}})},
})
NOT_EVALUATED = s.obj({"id": s.TEXT, "clause": s.TEXT, "reason": s.TEXT},
                      description="本目标集不判断的条目及原因")
PROGRAMME = s.component("TargetProgramme", s.obj({
    "code": {**s.TEXT, "description": "目标集代码（评估时的 programme）"},
    "city": s.TEXT, "title": s.TEXT, "document": {**s.TEXT, "description": "文号"},
    "issued": {**s.DATE, "description": "印发日期"}, "source": {**s.TEXT, "description": "所据文本"},
    "region": {**s.TEXT, "description": "发文地区的代码"},
    "regions": {**TEXTS, "description": "有目标的地区代码（其他地区以发文地区的目标对照）"},
    "as_of": s.DATE,
    "parameters": {"type": "array", "items": PARAMETER},
    "targets": {"type": "array", "items": TARGET},
    "tracked": {"type": "array", "items": TARGET, "description": "跟踪指标（只列序列，不作判断）"},
    "not_evaluated": {"type": "array", "items": NOT_EVALUATED},
}, description="随系统提供的目标集（pool/data/targets/<code>.json）"))


def programme_item(target_set: TargetSet, as_of: date) -> dict:
    """``target_set`` with its targets as in force on ``as_of`` (:meth:`~pool.targets.targetset.TargetSet.in_force`)."""
    in_force = {region: target_set.in_force(as_of, region) for region in target_set.regions}
    values = in_force[target_set.regions[0]].parameters
    return {"code": target_set.code, "city": target_set.city, "title": target_set.title,
            "document": target_set.document, "issued": s.iso(target_set.issued), "source": target_set.source,
            "region": target_set.regions[0], "regions": list(target_set.regions), "as_of": as_of.isoformat(),
            "parameters": [{"key": key, "label": spec["label"], "reading": bool(spec.get("reading")),
                            "value": values[key],
                            "values": [{"from": v["from"], "value": v["value"], "source": v["source"]}
                                       for v in spec["values"]]}
                           for key, spec in target_set.raw_parameters.items()],
            "targets": [target_item(t, region) for region, f in in_force.items() for t in f.targets],
            "tracked": [target_item(t, region) for region, f in in_force.items() for t in f.tracked],
            "not_evaluated": [dict(entry) for entry in target_set.not_evaluated]}


# --- the evaluation (pool.targets.report.as_json) ---------------------------------------------

RESULT = s.component("TargetResult", s.obj({
    **TARGET_PROPERTIES,
    "status": STATUS, "status_label": s.TEXT,
    "final": {"type": "boolean", "description": "目标期是否已结束"},
    "series": {"type": "array", "description": "各年数值（增长类含对上年的增长率）", "items": s.obj(
        {"year": YEAR, "value": s.nullable(EXACT), "growth": s.nullable(EXACT)})},
    "figure": {**s.nullable(EXACT), "description": "所比较的数值（末年值、累计、增长倍数或平均增长率）"},
    "projected": {**s.nullable(EXACT), "description": "目标期未结束时，期末的推算值"},
    "part": {**s.nullable(s.TEXT), "description": "分领域目标的领域"},
    "parts": {"type": "array", "items": s.ref("TargetResult"), "description": "分领域目标的各领域"},
    "trace": {**TEXTS, "description": "计算过程"},
}, description="一个目标的评估结果"))
EVALUATION = s.component("TargetEvaluation", s.obj({
    "programme": s.TEXT, "document": s.TEXT,
    "region": s.obj({"code": s.TEXT, "name": s.TEXT, "level": LEVEL}),
    "as_of": s.DATE, "parameters": {**s.ANY_OBJECT, "description": "评估日生效的政策参数"},
    "targets": {"type": "array", "items": RESULT},
    "tracked": {"type": "array", "items": RESULT, "description": "跟踪指标（status 为 tracked）"},
    "not_evaluated": {"type": "array", "items": NOT_EVALUATED},
    "notes": {**TEXTS, "description": "数值的来历（数据库模式）"},
}, description="与 `flask pool targets evaluate --json` 的输出相同"))
