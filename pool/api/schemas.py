"""The API's resources: each JSON Schema beside the function that produces it.

Schemas registered with :func:`component` appear under
``components/schemas`` of the OpenAPI document; request bodies are validated
against them and the Schemathesis tests check every response against them.
The applicant is the interchange contract itself (``pool/data/applicant.schema.json``).
"""
from __future__ import annotations

from datetime import date, datetime

from models.event import KINDS
from models.ip_assets import PARTNER_TYPES, PATENT_KINDS, PATENT_ORIGINS, PATENT_STATUSES
from models.ip_assets import QUALIFICATION_TYPES
from models.enterprise import STATES
from models.monitoring import FLAG_KINDS, SEVERITIES
from pool.records import changes, edits as records, parts
from pool.records.fields import PARTS
from pool.eligibility.contract import SCHEMA as APPLICANT_SCHEMA
from pool.membership.history import STATE_LABELS

from pool.api.core import MAX_ID
from pool.api.inputs import COMPONENTS


def component(name: str, schema: dict) -> dict:
    """Register ``schema`` as ``#/components/schemas/<name>``; returns the ``$ref``."""
    COMPONENTS[name] = schema
    return ref(name)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"]}


def one_or_many(schema: dict) -> dict:
    """One ``schema`` object, or an array of them (as ``flask pool check`` reads)."""
    return {"oneOf": [schema, {"type": "array", "items": schema}]}


def obj(properties: dict, *, optional: tuple[str, ...] = (), **extra) -> dict:
    """A closed object whose properties are all required except ``optional``."""
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": [k for k in properties if k not in optional], **extra}


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
TEXT = {"type": "string"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
FLAG = {"type": ["boolean", "null"]}
AMOUNT = {"type": ["number", "null"], "description": "万元，精确十进制"}
COUNT = {"type": ["integer", "null"], "minimum": 0}
ANY_OBJECT = {"type": "object"}

# The contract as shipped; only its file identity ($schema, $id) is left out,
# because inside an OpenAPI 3.1 document the dialect is the document's and a
# relative $id would re-base the schema on another URI.
APPLICANT = component("Applicant", {k: v for k, v in APPLICANT_SCHEMA.items()
                                    if k not in ("$schema", "$id")})

PROBLEM = component("Problem", {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": TEXT, "status": {"type": "integer"}, "detail": TEXT,
        "errors": {"type": "array", "items": obj({
            "path": TEXT, "label": {**TEXT, "description": "字段的中文名称，如“资格证书 第1行 有效期止”"},
            "message": TEXT}), "description": "逐项的错误，至多 100 项"},
        "omitted_errors": {"type": "integer", "minimum": 1,
                           "description": "超出 100 项而未列出的错误数"},
        "current_version": {"type": ["integer", "null"]},
        "changes": {"type": "array", "items": ANY_OBJECT},
    },
})


# --- eligibility -----------------------------------------------------------------------

EVALUATION = component("Evaluation", obj({
    "uscc": TEXT, "name": TEXT,
    "verdict": {"enum": ["eligible", "ineligible", "needs_review", "incomplete"]},
    "criteria": {"type": "array", "items": obj({
        "id": {"type": "integer", "minimum": 1, "maximum": 10},
        "status": {"enum": ["pass", "fail", "review", "missing"]}, "detail": TEXT})},
    "warnings": {"type": "array", "items": TEXT},
}, description="`flask pool check` 的输出"))


# --- counties and quota ------------------------------------------------------------------

COUNTY = component("County", obj({"id": ID, "code": TEXT, "name": TEXT}))


def county(row) -> dict:
    return {"id": row.id, "code": row.code, "name": row.name}


QUOTA = component("Quota", obj({
    "county": COUNTY, "as_of": DATE, "multiplier": {"type": "integer"},
    "graduated": {"type": "integer", "description": "累计出库"},
    "replenished": {"type": "integer", "description": "累计增补"},
    "limit": {"type": "integer", "description": "multiplier × graduated"},
    "left": {"type": "integer", "description": "剩余增补名额"},
}, description="县（市、区）的增补名额（黄石 二(六)2）"))


def quota(row, as_of: date, places, multiplier: int) -> dict:
    return {"county": county(row), "as_of": as_of.isoformat(), "multiplier": multiplier,
            **places.to_dict()}


# --- enterprises ---------------------------------------------------------------------------

STATE = {"enum": list(STATES), "description": "；".join(f"{k} {v}" for k, v in STATE_LABELS.items())}
VERSION = {"type": "integer", "minimum": 1, "description": "与 ETag 相同；修改时放在 If-Match"}

SUMMARY_PROPERTIES = {
    "id": ID, "uscc": TEXT, "name": TEXT, "county": COUNTY, "state": STATE,
    "state_label": TEXT, "admitted_on": nullable(DATE), "state_changed_on": nullable(DATE),
    "version": VERSION,
}
ENTERPRISE_SUMMARY = component("EnterpriseSummary", obj(SUMMARY_PROPERTIES))


def enterprise_summary(e) -> dict:
    return {"id": e.id, "uscc": e.uscc, "name": e.name, "county": county(e.county),
            "state": e.state, "state_label": STATE_LABELS[e.state],
            "admitted_on": iso(e.admitted_on), "state_changed_on": iso(e.state_changed_on),
            "version": e.version}


# The editable facts (pool.records.edits.ENTERPRISE_FIELDS): read as stored, written by PATCH.
EDITABLE = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "address": {"type": ["string", "null"], "maxLength": 200},
    "industry_code": {"type": ["string", "null"], "maxLength": 200,
                      "description": "GB/T 4754-2017 行业小类，如 C3562"},
    "registered_region_code": {"type": ["string", "null"], "maxLength": 200,
                               "description": "6 位行政区划代码"},
    **{f: FLAG for f in changes.FLAG_FIELDS},
    "brand_evidence": {"type": "array", "items": {"type": "string", "maxLength": 500}},
}
assert set(EDITABLE) == set(changes.ENTERPRISE_FIELDS)

ENTERPRISE_CHANGES = component("EnterpriseChanges", {
    "type": "object", "additionalProperties": False, "properties": EDITABLE,
    "description": "要修改的字段（未列出的不变）；文字留空即清除（名称除外）",
})

CONTACT = obj({"id": ID, "name": TEXT, "title": nullable(TEXT), "email": nullable(TEXT),
               "phone": nullable(TEXT), "receives_reminders": {"type": "boolean"}})
QUALIFICATION = obj({"id": ID, "type": {"enum": list(QUALIFICATION_TYPES)},
                     "certificate_no": nullable(TEXT), "valid_from": DATE, "valid_to": DATE})
PATENT = obj({"id": ID, "number": TEXT, "title": nullable(TEXT),
              "kind": {"enum": list(PATENT_KINDS)}, "status": {"enum": list(PATENT_STATUSES)},
              "origin": {"enum": list(PATENT_ORIGINS) + [None]}, "core": FLAG,
              "industrialized": FLAG})
PRODUCT = obj({"id": ID, "name": TEXT, "main": FLAG, "filing_no": nullable(TEXT),
               "patent_intensive": FLAG, "certified_on": nullable(DATE),
               "patents": {"type": "array", "items": TEXT, "description": "专利号"},
               "figures": {"type": "array", "items": obj({
                   "year": {"type": "integer"}, "sales": AMOUNT, "profit": AMOUNT,
                   "version": VERSION})}})
TRADEMARK = obj({"id": ID, "reg_no": TEXT, "name": nullable(TEXT), "owned": {"type": "boolean"},
                 "valid_to": nullable(DATE)})
PARTNERSHIP = obj({"id": ID, "partner": TEXT, "partner_type": {"enum": list(PARTNER_TYPES)},
                   "valid_from": DATE, "valid_to": DATE})
FIGURE = obj({"year": {"type": "integer"}, "operating_revenue": AMOUNT, "total_assets": AMOUNT,
              "rd_expense": AMOUNT, "employees": COUNT, "rd_staff": COUNT, "version": VERSION})
CHECK = obj({"id": ID, "as_of": DATE, "verdict": TEXT, "created_at": DATETIME})


def _list(item: dict) -> dict:
    return {"type": "array", "items": item}


ENTERPRISE = component("Enterprise", obj({
    **SUMMARY_PROPERTIES, **EDITABLE,
    "uscc_checksum_override": {"type": "boolean"},
    "contacts": _list(CONTACT), "qualifications": _list(QUALIFICATION),
    "patents": _list(PATENT), "products": _list(PRODUCT), "trademarks": _list(TRADEMARK),
    "partnerships": _list(PARTNERSHIP), "figures": _list(FIGURE),
    "checks": {**_list(CHECK), "description": "关联的资格自检记录（入库可引用其 id）"},
    "created_at": DATETIME, "updated_at": DATETIME,
}, description="企业的全部记录；ETag 即 version"))


def enterprise(e, *, product_figures, checks) -> dict:
    """The full record; ``product_figures`` maps product id → its figures."""
    return {
        **enterprise_summary(e), **records.enterprise_values(e),
        "uscc_checksum_override": bool(e.uscc_checksum_override),
        "contacts": [{"id": c.id, "name": c.name, "title": c.title, "email": c.email,
                      "phone": c.phone, "receives_reminders": bool(c.receives_reminders)}
                     for c in e.contacts],
        "qualifications": [{"id": q.id, "type": q.type, "certificate_no": q.certificate_no,
                            "valid_from": iso(q.valid_from), "valid_to": iso(q.valid_to)}
                           for q in e.qualifications],
        "patents": [{"id": p.id, "number": p.number, "title": p.title, "kind": p.kind,
                     "status": p.status, "origin": p.origin, "core": p.core,
                     "industrialized": p.industrialized} for p in e.patents],
        "products": [{"id": p.id, "name": p.name, "main": p.main, "filing_no": p.filing_no,
                      "patent_intensive": p.patent_intensive, "certified_on": iso(p.certified_on),
                      "patents": [n.number for n in p.patents],
                      "figures": [{"year": f.year, "sales": f.sales, "profit": f.profit,
                                   "version": f.version} for f in product_figures.get(p.id, [])]}
                     for p in e.products],
        "trademarks": [{"id": t.id, "reg_no": t.reg_no, "name": t.name, "owned": bool(t.owned),
                        "valid_to": iso(t.valid_to)} for t in e.trademarks],
        "partnerships": [{"id": r.id, "partner": r.partner, "partner_type": r.partner_type,
                          "valid_from": iso(r.valid_from), "valid_to": iso(r.valid_to)}
                         for r in e.partnerships],
        "figures": [{"year": f.year, **{k: getattr(f, k) for k in changes.FIGURE_FIELDS},
                     "version": f.version} for f in e.figures],
        "checks": [{"id": a.id, "as_of": iso(a.as_of), "verdict": a.verdict,
                    "created_at": iso(a.created_at)} for a in checks],
        "created_at": iso(e.created_at), "updated_at": iso(e.updated_at),
    }


def page_of(item: dict, name: str) -> dict:
    return component(name, obj({
        "items": _list(item), "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 0},
    }))


def page(result, serialize) -> dict:
    """A Flask-SQLAlchemy pagination as the API's page object."""
    return {"items": [serialize(row) for row in result.items], "total": result.total,
            "page": result.page, "per_page": result.per_page, "pages": result.pages}


# --- the event log ---------------------------------------------------------------------------

EVENT = component("Event", obj({
    "id": ID, "enterprise_id": ID, "county_id": ID, "kind": {"enum": list(KINDS)},
    "subtype": nullable(TEXT), "from_state": {"enum": list(STATES) + [None]},
    "to_state": {"enum": list(STATES) + [None]}, "effective_on": DATE, "recorded_at": DATETIME,
    "actor": nullable(TEXT), "reason": TEXT, "evidence": ANY_OBJECT,
    "replenishment": {"type": "boolean"}, "corrects_id": nullable(ID),
    "intake_round_id": nullable(ID),
}, description="培育库事件（只追加，不修改）"))


def event(ev) -> dict:
    return {"id": ev.id, "enterprise_id": ev.enterprise_id, "county_id": ev.county_id,
            "kind": ev.kind, "subtype": ev.subtype, "from_state": ev.from_state,
            "to_state": ev.to_state, "effective_on": iso(ev.effective_on),
            "recorded_at": iso(ev.recorded_at),
            "actor": ev.actor.display_name if ev.actor else None, "reason": ev.reason or "",
            "evidence": ev.evidence or {}, "replenishment": bool(ev.replenishment),
            "corrects_id": ev.corrects_id, "intake_round_id": ev.intake_round_id}


# --- risk flags ----------------------------------------------------------------------------------

RISK_FLAG = component("RiskFlag", obj({
    "id": ID, "enterprise_id": ID, "enterprise_name": TEXT, "county_id": ID,
    "kind": {"enum": list(FLAG_KINDS)}, "severity": {"enum": list(SEVERITIES)},
    "opened_on": DATE, "last_seen_on": DATE, "escalated_on": nullable(DATE),
    "detail": TEXT, "evidence": ANY_OBJECT,
}, description="监测发现的未关闭风险提示（SPEC §4）"))


def risk_flag(f) -> dict:
    return {"id": f.id, "enterprise_id": f.enterprise_id, "enterprise_name": f.enterprise.name,
            "county_id": f.county_id, "kind": f.kind, "severity": f.severity,
            "opened_on": iso(f.opened_on), "last_seen_on": iso(f.last_seen_on),
            "escalated_on": iso(f.escalated_on), "detail": f.detail or "",
            "evidence": f.evidence or {}}



# --- the parts of a record ------------------------------------------------------------------
# Built from the parts' field specs (pool.records.fields.PARTS): labels as titles,
# kinds as types, choices as enums, the limits the domain keeps.

PART_PATENTS = {"type": "array", "title": "所依专利", "description": "该企业专利的专利号",
                "items": {"type": "string", "title": "专利号", "minLength": 1, "maxLength": 32}}
RENEWS_ID = {**nullable(ID), "title": "续期自", "description": "所续期的原证书 id"}
PART_REASON = {"type": ["string", "null"], "maxLength": 2000, "title": "理由",
               "description": "修改的理由或依据（可选），随修改记录保存"}


def part_field(spec, *, null: bool, write: bool = False) -> dict:
    """One field (:class:`pool.records.fields.Field`) titled by its label;
    ``write``: with the limits a request must keep."""
    if spec.kind == "choice":
        return {"title": spec.label, "enum": list(spec.choices) + ([None] if null else []),
                "description": "；".join(f"{k} {v}" for k, v in spec.choices.items())}
    schema = {"text": {"type": "string"}, "flag": {"type": "boolean"}, "day": dict(DATE),
              "office": {"type": "string", "description": "两位字母的国家或组织代码，如 CN、US、EP"}
              }[spec.kind]
    if write and spec.kind == "text":
        schema["maxLength"] = spec.max_length
    if write and spec.kind == "office":
        schema["pattern"] = "^[A-Za-z]{2}$"
    return {"title": spec.label, **(nullable(schema) if null else schema)}


def _part_schema(part) -> dict:
    fields = {k: part_field(f, null=not f.required) for k, f in part.fields.items()}
    extras = {"product": {"patents": PART_PATENTS},
              "qualification": {"renews_id": RENEWS_ID}}.get(part.name, {})
    return component(part.name.capitalize(), obj(
        {"id": ID, **fields, **extras, "version": VERSION},
        description=f"{part.label}；ETag 即 version"))


PART_ITEMS = {name: _part_schema(p) for name, p in PARTS.items()}


def part_item(spec, row) -> dict:
    """A row of the part ``spec`` as :data:`PART_ITEMS` describes it."""
    values = parts.values_of(spec, row)
    extras = {"renews_id": row.renews_id} if spec.name == "qualification" else {}
    return {"id": row.id, **{k: iso(v) if isinstance(v, date) else v for k, v in values.items()},
            **extras, "version": row.version}


def part_body(name: str, part, *, required=(), description: str = "") -> dict:
    """A request body: ``part``'s fields (a required one never null) and a reason;
    the ``required`` fields must be given."""
    properties = {k: part_field(f, null=not (f.required or k in required), write=True)
                  for k, f in part.fields.items()}
    if part.name == "product":
        properties["patents"] = PART_PATENTS
    return component(name, {"type": "object", "additionalProperties": False,
                             "description": description, "required": list(required),
                             "properties": {**properties, "reason": PART_REASON}})


CHANGE = component("Change", obj({
    "id": ID, "version": {"type": ["integer", "null"], "description": "这次修改后的版本"},
    "action": {"type": "string", "description": "create 新增；update 修改"},
    "actor": {**nullable(TEXT), "description": "经办人"},
    "recorded_at": {**DATETIME, "description": "登记时间"},
    "effective_on": {**nullable(DATE), "description": "生效日期（更正向来如此的事则为 null）"},
    "changes": {"type": "object", "description": "字段 → [原值, 新值]（日期为 YYYY-MM-DD）",
                "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2}},
    "reason": {**nullable(TEXT), "description": "理由"},
}, description="一条修改记录"))


def change(record) -> dict:
    """A :class:`~models.ChangeRecord` as :data:`CHANGE` describes it."""
    return {"id": record.id, "version": record.version, "action": record.action,
            "actor": record.actor.display_name if record.actor else None,
            "recorded_at": iso(record.at), "effective_on": iso(record.effective_on),
            "changes": record.changes or {}, "reason": record.reason}
