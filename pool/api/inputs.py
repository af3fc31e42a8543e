"""What a request brings in: path, query and body, parsed and checked before the view runs.

An operation's path parameters that name a county-owned row are loaded through
the county scope (:data:`RESOLVERS`), so an invisible row is 404 before
anything else is looked at; its declared query parameters are converted
(integers, dates) and its JSON body (numbers as ``Decimal``) validated against
the declared schemas, with field paths and Chinese messages
(:func:`schema_problems`).  Also the parameters and look-ups views share:
paging, dates, the policy in force on a date.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import request
from jsonschema import Draft202012Validator, FormatChecker

from models import AwardSettlement, IntakeRound, StateCorrection, db
from pool.access import scoping
from pool.api.core import MAX_ID, Operation, Param, viewer
from pool.api.responses import not_found
from pool.eligibility import rulebook
from pool.eligibility.contract import FIELD_LABELS as APPLICANT_LABELS
from pool.io import batch as eligibility
from pool.io.batch import InputProblem, InvalidInput
from pool.kernel import text
from pool.web.clock import today
from pool.kernel.refusal import DateRefused, require_not_future
from pool.records import changes
from pool.targets import targetset

# --- request parsing -----------------------------------------------------------------------

COMPONENTS: dict[str, dict] = {}  # filled by pool.api.schemas; request bodies may $ref them
_INTEGER = re.compile(r"-?[0-9]{1,12}")


def _validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": {"schemas": COMPONENTS}},
                                format_checker=FormatChecker())


def parse_query(op: Operation) -> dict[str, Any]:
    values, problems = {}, []
    for param in op.params:
        if param.where != "query":
            continue
        raw = request.args.get(param.name)
        if raw is None or raw == "":
            if param.required:
                problems.append(InputProblem(param.name, "必填"))
            elif "default" in param.schema:
                values[param.name] = param.schema["default"]
            continue
        value: Any = raw
        if param.schema.get("type") == "integer":
            if not _INTEGER.fullmatch(raw):
                problems.append(InputProblem(param.name, f"须为整数，实为 {raw[:40]!r}"))
                continue
            value = int(raw)
        found = schema_problems(param.schema, value, param.name)
        if found:
            problems += found
            continue
        if param.schema.get("format") == "date":
            value = date.fromisoformat(value)
        values[param.name] = value
    if problems:
        raise InvalidInput(problems)
    return values


def parse_body(op: Operation):
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidInput([InputProblem("(root)", "须提供 JSON 请求体")])
    data = eligibility.parse_json(raw)  # InvalidInput on malformed JSON
    if op.validate_body:  # (else the view validates, e.g. pool.eligibility.applicant)
        named = titles(op.body)
        found = schema_problems(op.body, data) + [
            InputProblem(path, message, named.get(path)) for path, message
            in text.refusals_in(data, labels={**TEXT_LABELS, **named}, multiline=MULTILINE_KEYS)]
        if found:
            raise InvalidInput(found)
    return data


# Labels of the body's text fields in messages, and where line breaks are text.
TEXT_LABELS = {**APPLICANT_LABELS, **changes.LABELS, "reason": "理由", "evidence": "证据"}
MULTILINE_KEYS = frozenset({"reason", "evidence"})


def titles(schema: dict) -> dict[str, str]:
    """The labels a body schema gives its fields: each property's ``title``
    (they win over :data:`TEXT_LABELS`, where one name may mean another field)."""
    if "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    return {k: v["title"] for k, v in schema.get("properties", {}).items() if "title" in v}


def schema_problems(schema: dict, instance, root: str = "") -> list[InputProblem]:
    """Every place ``instance`` breaks ``schema``, as field paths and Chinese messages."""
    out = []
    errors = _validator(schema).iter_errors(instance)
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        base = _path(root, error.absolute_path)
        if error.validator == "required":
            missing = [k for k in error.validator_value if k not in error.instance]
            properties = error.schema.get("properties", {})
            out += [_labelled(_path(base, [k]), properties.get(k), "必填") for k in missing]
        elif error.validator in ("additionalProperties", "unevaluatedProperties"):
            allowed = set(error.schema.get("properties", {}))
            out += [InputProblem(_path(base, [k]), "未知字段")
                    for k in error.instance if k not in allowed]
        else:
            out.append(_labelled(base or "(root)", error.schema, _message(error)))
    return out


_AT = re.compile(r"「([^」]*)」（([^）]*)）：")


def contract_problems(messages: list[str], root: str = "") -> list[InputProblem]:
    """A data contract's Chinese problems (``…「label」（path）：reason``, as the
    award facts' and the target series' readers write them) as the API's, each
    at its JSON path under ``root`` (a path ``$`` is the document itself)."""
    out = []
    for message in messages:
        found = _AT.search(message)
        label, path = found.groups() if found else (None, "")
        path = path.removeprefix("$").removeprefix(".")
        joined = f"{root}.{path}" if root and path else root or path
        out.append(InputProblem(joined or "(root)", message, label))
    return out


def _labelled(path: str, schema, message: str) -> InputProblem:
    """The problem named by the field's label, the ``title`` of its schema, which
    also begins the message (as the domain's refusals do: ``授权日须为日期
    YYYY-MM-DD``); an object's title is a name for documents, not a label."""
    if isinstance(schema, dict) and "title" in schema and "properties" not in schema:
        return InputProblem(path, schema["title"] + message, schema["title"])
    return InputProblem(path, message)


def _path(base: str, parts) -> str:
    path = base
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


_TYPES = {"string": "文字", "integer": "整数", "number": "数值", "boolean": "true 或 false",
          "object": "对象", "array": "数组", "null": "null"}


def _message(error) -> str:
    v, value = error.validator, error.validator_value
    if v == "type":
        wanted = value if isinstance(value, list) else [value]
        return "须为" + "或".join(_TYPES.get(t, t) for t in wanted)
    if v == "enum":
        return "须为以下之一：" + "、".join("null" if c is None else str(c) for c in value)
    if v == "format":
        return {"date": "须为日期 YYYY-MM-DD"}.get(value, f"格式须为 {value}")
    if v in ("minimum", "maximum"):
        return f"须{'不小于' if v == 'minimum' else '不大于'} {value}"
    if v in ("minLength", "maxLength"):
        return f"长度须{'至少' if v == 'minLength' else '至多'} {value} 个字"
    if v == "minItems":
        return f"至少 {value} 项"
    if v == "pattern":
        return "格式不正确"
    return error.message


# --- shared parameters ----------------------------------------------------------------------

PAGING = (
    Param("page", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}, "页码"),
    Param("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
          "每页条数（至多 100）"),
)


def paginate(stmt, query: dict):
    """One page of ``stmt`` as :func:`pool.api.schemas.page` takes it."""
    return db.paginate(stmt, page=query["page"], per_page=query["per_page"], error_out=False)


IF_MATCH = Param("If-Match", {"type": "string"}, "读取时得到的 ETag，如 \"3\"",
                 required=True, where="header")


def date_param(name: str, description: str) -> Param:
    return Param(name, {"type": "string", "format": "date"}, description)


def day_until_today(query: dict, name: str, label: str) -> date:
    """The date ``name`` of a parsed query (default today), which may not be
    after today (:func:`pool.kernel.refusal.require_not_future`).

    :raise InvalidInput: a later date, at ``name``.
    """
    day = query.get(name) or today()
    try:
        require_not_future(day, today(), label)
    except DateRefused as exc:
        raise InvalidInput([InputProblem(name, str(exc), label)]) from None
    return day


def effective_on(body: dict) -> date:
    """The body's ``on`` (a date its schema checked), default today; the domain
    refuses a date after today itself (a 422 naming ``on``)."""
    return date.fromisoformat(body["on"]) if "on" in body else today()


def enterprise_or_404(enterprise_id: int):
    """The enterprise if the token's user may see it (:func:`pool.access.scoping.get_enterprise`).

    :raise 404: absent or another county's — the same answer.
    """
    found = scoping.get_enterprise(db.session, viewer(), enterprise_id) \
        if enterprise_id <= MAX_ID else None
    if found is None:
        not_found()
    return found


def county_or_404(county_id: int):
    """The county if the token's user may see it (:func:`pool.access.scoping.counties`).

    :raise 404: absent or another county.
    """
    found = next((c for c in scoping.counties(db.session, viewer()) if c.id == county_id), None)
    if found is None:
        not_found()
    return found


def round_or_404(round_id: int):
    """The intake round (the city's, visible to everyone).

    :raise 404: absent.
    """
    found = db.session.get(IntakeRound, round_id) if round_id <= MAX_ID else None
    if found is None:
        not_found()
    return found


def settlement_or_404(settlement_id: int):
    """The award settlement (the city's, visible to everyone; its items are
    county-scoped where they are read).

    :raise 404: absent.
    """
    found = db.session.get(AwardSettlement, settlement_id) if settlement_id <= MAX_ID else None
    if found is None:
        not_found()
    return found


def correction_or_404(correction_id: int):
    """The correction request if the token's user may see its enterprise.

    :raise 404: absent or another county's — the same answer.
    """
    found = scoping.get_child(db.session, viewer(), StateCorrection, correction_id)
    if found is None:
        not_found()
    return found


def target_set_or_404(code: str):
    """The shipped target set ``code`` (:func:`pool.targets.targetset.load`).

    :raise 404: no such target set.
    """
    if code not in targetset.codes():
        not_found()
    return targetset.load(code)


def target_region_or_404(code: str):
    """The stored region ``code`` if the token's user may evaluate it
    (:func:`pool.access.scoping.target_regions`, as the dashboard offers it).

    :raise 404: absent, or not the officer's own county — the same answer.
    """
    found = next((r for r in scoping.target_regions(db.session, viewer()) if r.code == code), None)
    if found is None:
        not_found()
    return found


# Path parameter -> (the view's argument, its scoped loader).
RESOLVERS = {"enterprise_id": ("enterprise", enterprise_or_404),
             "county_id": ("county", county_or_404),
             "round_id": ("intake_round", round_or_404),
             "correction_id": ("correction", correction_or_404),
             "settlement_id": ("settlement", settlement_or_404),
             "programme": ("target_set", target_set_or_404),
             "region": ("region", target_region_or_404)}


def resolve_path(path: dict) -> dict:
    out = {}
    for name, value in path.items():
        argument, load = RESOLVERS.get(name, (name, None))
        out[argument] = load(value) if load else value
    return out


def policy_on(on: date, path: str):
    """The policy values in force on ``on``.

    :raise InvalidInput: (at ``path``) if some parameter has no value on ``on``
        — a date before the policy took effect.
    """
    return require_complete(rulebook.load_policy(db.session), on, path)


def require_complete(policy, on: date, path: str):
    """The complete snapshot of ``policy`` on ``on``.

    :raise InvalidInput: (at ``path``) unless every parameter is in force.
    """
    try:
        return rulebook.complete_snapshot(policy, on)
    except rulebook.NoPolicyInForce as exc:
        raise InvalidInput([InputProblem(path, str(exc))]) from None
