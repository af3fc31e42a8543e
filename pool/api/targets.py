"""Targets and indicators (目标与指标): the target sets, a region's evaluation from the
records, and the evaluation of a series document.

Thin callers of :mod:`pool.targets`, as ``flask pool targets evaluate --json`` is:
both evaluations answer :func:`pool.targets.report.as_json` and write nothing.
From the records (:func:`pool.targets.database.evaluate`) a user evaluates the
regions the dashboard offers them (:func:`pool.access.scoping.target_regions`:
the city administrator any stored region, a county officer their own county's
only); any other is 404.  From a series document
(:func:`pool.targets.engine.evaluate`) any officer checks a target set on
figures alone; a document that breaks the contract is 422 naming every bad
field (its label and JSON path), as the CLI lists them.  The evaluation date
may not be after today.
"""
from __future__ import annotations

from datetime import date

from models import db
from pool.io.batch import InputProblem, InvalidInput
from pool.membership.history import members_on
from pool.targets import database, engine, report, series, targetset

from pool.api import schemas as s, target_schemas as t
from pool.api.core import Param, Reply
from pool.api.inputs import contract_problems, date_param, day_until_today, schema_problems
from pool.api.operations import operation
from pool.api.responses import json_response

TAG = "targets"
AS_OF_LABEL = "评估日期"
AS_OF = date_param("as_of", "评估日期（默认今天，不能晚于今天）")

PROGRAMME_CODE = {"type": "string", "title": "目标集", "minLength": 1, "maxLength": 64,
                  "description": "目标集代码，见 GET /targets/programmes（如 " + "、".join(targetset.codes()) + "）"}
REGION_CODE = {"type": "string", "title": "地区代码", "pattern": "^[0-9]{6}$", "description": "6 位行政区划代码"}
_FIELDS = {"programme": PROGRAMME_CODE, "region": REGION_CODE, "as_of": {**s.DATE, "title": AS_OF_LABEL}}
EVALUATE = s.component("TargetEvaluationRequest", s.obj({**_FIELDS, "series": {**t.SERIES, "title": "目标序列"}}))
# The request as checked before the series: that is checked by the contract's own reader.
_ENVELOPE = s.obj({**_FIELDS, "series": {"type": "object", "title": "目标序列"}})
SERIES_422 = "不符合目标序列约定时 422，errors 逐项列出每个有误的字段（中文名称与 JSON 路径），与命令行相同。"
EXACT_VALUES = "数值为精确文本（有限小数写作小数，否则写作分数 p/q）。"


@operation("GET", "/targets/programmes", tag=TAG, summary="目标集",
           description=("随系统提供的各目标集（政策文件中的目标与指标）：出处、发文地区、政策参数（各读法 [R] 及其"
                        "各版本与出处）、各目标（条款、原文摘录、指标、判断方式、比较、目标期，参数取 as_of 时的值）、"
                        "跟踪指标及本目标集不判断的条目。"),
           params=(AS_OF,), replies={200: Reply("目标集", {"type": "array", "items": t.PROGRAMME})},
           errors=(422,))
def list_target_programmes(query):
    """Every shipped target set (:func:`pool.targets.targetset.codes`)."""
    as_of = day_until_today(query, "as_of", AS_OF_LABEL)
    return json_response([t.programme_item(targetset.load(code), as_of) for code in targetset.codes()])


@operation("GET", "/targets/<programme>/regions/<region>", tag=TAG, summary="从记录评估一个地区的目标",
           description=("按目标集 programme 评估已登记地区 region 截至 as_of 的各目标：从本系统的记录计量各年序列，"
                        "读取已登记的官方统计，给出每个目标的各年数值、比较、状态与计算过程，与 "
                        "`flask pool targets evaluate --json`（不给 --series）相同，不保存任何数据。"
                        "市级管理员可评估任一已登记地区；县级经办人只能评估本县（市、区），与「目标与指标」页面相同。"
                        "目标集不存在、地区未登记或不可评估时 404。" + EXACT_VALUES),
           params=(Param("programme", PROGRAMME_CODE, "目标集代码", where="path"),
                   Param("region", REGION_CODE, "地区代码（已在「地区与官方统计」登记）", where="path"), AS_OF),
           replies={200: Reply("评估结果", t.EVALUATION)}, errors=(404, 422))
def evaluate_target_region(target_set, region, query):
    """The CLI's database mode for a region the caller may evaluate; writes nothing."""
    as_of = day_until_today(query, "as_of", AS_OF_LABEL)
    try:
        evaluation = database.evaluate(db.session, target_set, region.code, as_of, members_on)
    except targetset.TargetSetError as exc:
        raise InvalidInput([InputProblem("region", str(exc), REGION_CODE["title"])]) from None
    return json_response(report.as_json(evaluation), indent=1)


@operation("POST", "/targets/evaluate", tag=TAG, summary="按序列评估目标",
           description=("按目标集 programme 评估地区 region 截至 as_of 的各目标，各年序列与官方统计取自请求中的"
                        "目标序列（target-series.schema.json），不读数据库，与 "
                        "`flask pool targets evaluate --series FILE --json` 相同，不保存任何数据。" + SERIES_422
                        + "目标集不存在、序列中没有该地区或目标集没有该地区的目标时 422，指明 programme 或 region；"
                        "as_of 不能晚于今天。" + EXACT_VALUES),
           body=EVALUATE, validate_body=False,
           body_description="目标集、地区、评估日期和目标序列（target-series.schema.json）",
           replies={200: Reply("评估结果", t.EVALUATION)}, errors=(422,))
def evaluate_target_series(body):
    """The CLI's series mode: every problem of the request at once, else
    :func:`pool.targets.report.as_json` of the evaluation; writes nothing."""
    problems = schema_problems(_ENVELOPE, body)
    if problems and not isinstance(body, dict):
        raise InvalidInput(problems)
    named = {p.path for p in problems}
    target_set = as_of = regions = None
    if "programme" not in named:
        try:
            target_set = targetset.load(body["programme"])
        except targetset.TargetSetError as exc:
            problems.append(InputProblem("programme", str(exc), PROGRAMME_CODE["title"]))
    if "as_of" not in named:  # a date (the schema checked it), no later than today
        try:
            as_of = day_until_today({"as_of": date.fromisoformat(body["as_of"])}, "as_of", AS_OF_LABEL)
        except InvalidInput as exc:
            problems += exc.problems
    if "series" not in named:
        try:
            regions = series.parse(body["series"])
        except series.InvalidSeries as exc:
            problems += contract_problems(exc.problems, "series")
    evaluation = None
    if None not in (target_set, as_of, regions) and "region" not in named:
        try:
            evaluation = engine.evaluate(target_set, body["region"], as_of, regions)
        except targetset.TargetSetError as exc:
            problems.append(InputProblem("region", str(exc), REGION_CODE["title"]))
    if problems:
        raise InvalidInput(problems)
    return json_response(report.as_json(evaluation), indent=1)

