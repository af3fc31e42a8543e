"""The series contract as JSON Schema 2020-12, built from the measure catalogue and the statistic keys.

The published file ``pool/data/targets/target-series.schema.json`` is this
function's output (``tests/test_targets_sets.py`` keeps them equal); other
systems validate against it, the engine checks with :func:`pool.targets.series.parse`
(which also checks what a schema cannot: filters per measure, parents, duplicates).
"""
from __future__ import annotations

from pool.targets.measures import MEASURES
from pool.targets.series import FIRST_YEAR, LAST_YEAR, LEVELS, statistic_keys

_NUMBER = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}]}
_TEXT = {"type": "string", "minLength": 1}


def json_schema() -> dict:
    bases = "|".join(base.replace(".", "\\.") for base in MEASURES)
    statistic = {"type": "object", "additionalProperties": False, "required": ["key", "year", "value", "source"],
                 "properties": {"key": {"title": "统计项", "enum": list(statistic_keys())},
                                "year": {"title": "年度", "type": "integer", "minimum": FIRST_YEAR,
                                         "maximum": LAST_YEAR},
                                "value": {"title": "数值", **_NUMBER}, "source": {"title": "来源", **_TEXT}}}
    series = {"type": "object", "additionalProperties": False, "required": ["measure", "source", "values"],
              "properties": {"measure": {"title": "计量名称", "type": "string",
                                         "pattern": f"^({bases})(\\{{[^{{}}]*\\}})?$"},
                             "source": {"title": "来源", **_TEXT},
                             "values": {"title": "各年数值", "type": "object",
                                        "propertyNames": {"pattern": "^[0-9]{4}$"},
                                        "additionalProperties": _NUMBER}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://pool.example/contracts/target-series.schema.json",
        "title": "目标序列（target series）",
        "description": "培育库目标引擎读取的输入：地区层级（省 › 市 › 县），各地区各年的官方统计（常住人口万人、地区生产总值亿元、"
                       "官方指标值）与计量序列（计数为整数，金额单位万元），每项注明来源。",
        "type": "object", "additionalProperties": False, "required": ["regions"],
        "properties": {
            "$schema": {"type": "string"}, "note": {"type": "string"},
            "regions": {"title": "地区列表", "type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["code", "name", "level"],
                "properties": {
                    "code": {"title": "地区代码", "type": "string", "pattern": "^[0-9]{6}$"},
                    "name": {"title": "地区名称", **_TEXT},
                    "level": {"title": "地区级别", "enum": list(LEVELS)},
                    "parent": {"title": "上级地区代码", "type": "string", "pattern": "^[0-9]{6}$"},
                    "statistics": {"title": "官方统计", "type": "array", "items": statistic},
                    "series": {"title": "计量序列", "type": "array", "items": series}}}}},
    }
