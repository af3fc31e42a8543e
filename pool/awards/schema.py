"""The facts contract as JSON Schema 2020-12, built from :data:`pool.awards.facts.FACT_FIELDS`.

The published file ``pool/data/awards/award-facts.schema.json`` is this
function's output (``tests/test_awards_facts.py`` keeps them equal); other
systems validate against it, the engine checks with :func:`pool.awards.facts.parse`.
"""
from __future__ import annotations

from pool.awards.facts import _COMMON, BENEFICIARY_KINDS, COST_KINDS, FACT_FIELDS

_TYPES = {"str": {"type": "string", "minLength": 1}, "bool": {"type": "boolean"},
          "int": {"type": "integer", "minimum": 0},
          "money": {"anyOf": [{"type": "number", "minimum": 0},
                              {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}]},
          "date": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}


def _field(kind: str, label: str) -> dict:
    if kind.startswith("enum:"):
        spec = {"enum": kind[5:].split("|")}
    elif kind == "costs":
        spec = {"type": "object", "additionalProperties": False,
                "properties": {k: _TYPES["money"] for k in COST_KINDS}}
    else:
        spec = dict(_TYPES[kind])
    return {"title": str(label), **spec}


def json_schema() -> dict:
    facts = []
    for name, spec in FACT_FIELDS.items():
        fields = {**_COMMON, **spec}
        properties = {k.rstrip("*"): _field(kind, label) for k, (kind, label) in fields.items()}
        properties["type"] = {"title": str(_COMMON["type*"][1]), "const": name}
        facts.append({"title": name, "type": "object", "additionalProperties": False, "properties": properties,
                      "required": [k.rstrip("*") for k in fields if k.endswith("*")]})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://pool.example/contracts/award-facts.schema.json",
        "title": "奖补事实（award facts）",
        "description": "培育库奖补引擎读取的事实：每个受益人在奖补年度内记录的事件。金额单位万元，日期 YYYY-MM-DD。",
        "type": "object", "additionalProperties": False, "required": ["beneficiaries"],
        "properties": {
            "$schema": {"type": "string"}, "note": {"type": "string"},
            "beneficiaries": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["id", "kind", "facts"],
                "properties": {
                    "id": {"title": "受益人标识（统一社会信用代码等）", "type": "string", "minLength": 1},
                    "name": {"title": "受益人名称", "type": "string", "minLength": 1},
                    "kind": {"title": "受益人类别", "enum": list(BENEFICIARY_KINDS)},
                    "in_region": {"title": "是否在本行政区域内", "type": "boolean"},
                    "facts": {"title": "事实", "type": "array", "items": {"oneOf": facts}}}}}},
    }
