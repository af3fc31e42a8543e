"""The API's frame: blueprint, operation registry, token check, rate limit, problems.

Every view is declared with :meth:`Registry.operation`, which records its
method, path, parameters, request and response JSON Schemas; the same record
parses and validates the request before the view runs and builds the OpenAPI
document (:mod:`pool.api.openapi`), so the description cannot drift from the
code.

Authentication is a bearer token only (``Authorization: Bearer pool_…``): the
browser session is ignored here, so the API needs no CSRF protection and a
page cannot make an officer's browser call it.  The acting user is
:func:`viewer`; county scoping is :mod:`pool.access.scoping`'s, as in the web UI.

Every error inside ``/api/v1`` is an RFC 9457 problem
(``application/problem+json``: type, title, status, detail and, for invalid
input, ``errors: [{"path", "message"}]``), including unknown paths and methods.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from typing import Any, Callable

from flask import Blueprint, current_app, g, request, url_for
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from models import db, utcnow
from pool.access import tokens as api_domain, scoping
from pool.io import batch as eligibility
from pool.kernel import jsonutil, text
from pool.membership import lifecycle
from pool.records import edits as records
from pool.eligibility import rulebook
from pool.eligibility.contract import FIELD_LABELS as APPLICANT_LABELS
from pool.io.batch import InputProblem, InvalidInput

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)

DEFAULT_RATE_LIMIT = 120  # requests per user (all their tokens) per minute
RATE_WINDOW_SECONDS = 60
JSON = "application/json"
PROBLEM = "application/problem+json"
MAX_ID = 2**31 - 1  # ids are 32-bit integers on every backend
MAX_PROBLEMS = 100  # errors listed in one answer; the rest are counted


def now() -> datetime:
    """The API's one reading of the wall clock (the tests replace it)."""
    return utcnow()


def viewer():
    """The user whose token authenticated this request."""
    return g.api_user


# --- problems (RFC 9457) -------------------------------------------------------------

# slug -> (status, title); the type URI is the docs page's section on it.
PROBLEMS = {
    "unauthorized": (401, "需要有效的 API 令牌"),
    "not-found": (404, "资源不存在"),
    "method-not-allowed": (405, "不支持的请求方法"),
    "version-conflict": (409, "版本冲突"),
    "refused": (409, "操作不被允许"),
    "duplicate": (409, "记录已存在"),
    "precondition-failed": (412, "前提条件不成立"),
    "payload-too-large": (413, "请求体过大"),
    "invalid-input": (422, "输入有误"),
    "precondition-required": (428, "缺少 If-Match"),
    "rate-limited": (429, "请求过于频繁"),
    "server-error": (500, "服务器内部错误"),
}
# Werkzeug's own HTTP errors that have a kind of their own here.
_HTTP_KINDS = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large",
               500: "server-error"}


class Problem(Exception):
    """Raise to answer with a problem of kind ``slug`` (a key of :data:`PROBLEMS`)."""

    def __init__(self, slug: str, detail: str, *, errors=(), headers=None, **extra):
        super().__init__(detail)
        self.slug, self.detail, self.errors = slug, detail, list(errors)
        self.headers, self.extra = dict(headers or {}), extra


def problem_response(slug: str | None, status: int, detail: str, *, title: str | None = None,
                     errors=(), headers=None, **extra):
    """The ``application/problem+json`` response; ``slug`` ``None``: a plain HTTP
    error (``about:blank``, titled by its status)."""
    if slug is not None:
        kind = url_for("api.docs", _external=True) + f"#problem-{slug}"
        title = title or PROBLEMS[slug][1]
    else:
        kind = "about:blank"
    body = {"type": kind, "title": title, "status": status, "detail": detail, **extra}
    if errors:
        body["errors"] = [{"path": p.path, "message": p.message} for p in errors]
    response = current_app.response_class(jsonutil.dumps(body), status=status, mimetype=PROBLEM)
    response.headers.update(headers or {})
    return response


def json_response(data, status: int = 200, headers=None, *, indent: int | None = None):
    """``data`` as JSON, ``Decimal`` amounts exact (:mod:`pool.kernel.jsonutil`)."""
    response = current_app.response_class(jsonutil.dumps(data, indent=indent), status=status,
                                          mimetype=JSON)
    response.headers.update(headers or {})
    return response


@bp.errorhandler(Problem)
def _problem(exc: Problem):
    db.session.rollback()
    return problem_response(exc.slug, PROBLEMS[exc.slug][0], exc.detail, errors=exc.errors,
                            headers=exc.headers, **exc.extra)


@bp.errorhandler(InvalidInput)
def _invalid(exc: InvalidInput):
    """422 listing the first :data:`MAX_PROBLEMS` problems and counting the rest,
    so a huge invalid input cannot make a huge answer."""
    db.session.rollback()
    count = len(exc.problems)
    if count <= MAX_PROBLEMS:
        return problem_response("invalid-input", 422, f"输入有 {count} 处错误", errors=exc.problems)
    rest = count - MAX_PROBLEMS
    return problem_response("invalid-input", 422,
                            f"输入有 {count} 处错误，以下列出前 {MAX_PROBLEMS} 处，其余 {rest} 处未列出",
                            errors=exc.problems[:MAX_PROBLEMS], omitted_errors=rest)


@bp.errorhandler(records.RecordRefused)
def _record_refused(exc: records.RecordRefused):
    db.session.rollback()
    return problem_response("invalid-input", 422, str(exc),
                            errors=[InputProblem(exc.field or "(root)", str(exc))])


@bp.errorhandler(lifecycle.TransitionRefused)
def _transition_refused(exc: lifecycle.TransitionRefused):
    db.session.rollback()
    if isinstance(exc, lifecycle.DateRefused):  # the input is wrong, not the moment
        return problem_response("invalid-input", 422, str(exc),
                                errors=[InputProblem(exc.field, str(exc))])
    return problem_response("refused", 409, str(exc))


@bp.errorhandler(records.VersionConflict)
def _version_conflict(exc: records.VersionConflict):
    db.session.rollback()
    changes = [{"at": c.at.isoformat(), "actor": c.actor.display_name if c.actor else None,
                "version": c.version, "changes": c.changes} for c in exc.changes]
    headers = {"ETag": etag(exc.current)} if exc.current is not None else {}
    return problem_response("version-conflict", 409, str(exc), headers=headers,
                            current_version=exc.current, changes=changes)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    db.session.rollback()
    slug = _HTTP_KINDS.get(exc.code)
    headers = {"Allow": ", ".join(sorted(exc.valid_methods))} \
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods else {}
    detail = {404: "没有这个资源（或它不属于您有权查看的县市区）",
              405: f"该地址不支持 {request.method} 请求",
              413: "请求体超过大小上限",
              500: "系统出现错误，已记录日志。请稍后重试或联系管理员。"}.get(exc.code)
    return problem_response(slug, exc.code, detail or exc.description,
                            title=None if slug else exc.name, headers=headers)


def not_found():
    """The one answer for "absent" and "another county's": existence does not leak."""
    raise NotFound()


# --- ETags ------------------------------------------------------------------------------

_ETAG = re.compile(r'\s*"([0-9]{1,9})"\s*')


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version() -> int:
    """The version named by ``If-Match`` (one strong ETag of this API).

    :raise Problem: 428 without ``If-Match``; 412 for anything but a single
        ``"N"`` (``*`` included: an edit must name the version it was based on).
    """
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise Problem("precondition-required",
                      "修改须带 If-Match 请求头，值为读取时得到的 ETag（如 \"3\"），以免覆盖他人的修改")
    match = _ETAG.fullmatch(header)
    if match is None:
        raise Problem("precondition-failed",
                      f"If-Match 须为本接口返回的一个 ETag（如 \"3\"），实为 {header[:40]!r}")
    return int(match.group(1))


# --- the operation registry --------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """A query or header parameter: its JSON Schema (string or integer)."""

    name: str
    schema: dict
    description: str = ""
    required: bool = False
    where: str = "query"


@dataclass(frozen=True)
class Reply:
    """A documented response: ``schema`` ``None`` means no JSON body."""

    description: str
    schema: dict | None = None
    headers: dict = field(default_factory=dict)
    media_type: str = JSON


@dataclass
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    description: str
    tag: str
    params: tuple[Param, ...]
    body: dict | None
    body_description: str
    validate_body: bool
    replies: dict[int, Reply]
    public: bool

    @property
    def path(self) -> str:
        """The OpenAPI path (``{name}`` for each path parameter)."""
        return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", self.rule)


# Errors every authenticated operation may answer.
_AUTH_ERRORS = (401, 429)


class Registry:
    """The API's operations, in declaration order."""

    def __init__(self, blueprint: Blueprint):
        self.blueprint = blueprint
        self.operations: list[Operation] = []
        self.by_endpoint: dict[str, Operation] = {}

    def operation(self, method: str, rule: str, *, summary: str, description: str, tag: str,
                  replies: dict[int, Reply], errors: tuple[int, ...] = (),
                  params: tuple[Param, ...] = (), body: dict | None = None,
                  body_description: str = "", validate_body: bool = True,
                  public: bool = False) -> Callable:
        """Declare the view below as ``method rule`` (``rule`` relative to
        :data:`PREFIX`, Flask syntax; integer path parameters are ids);
        ``summary`` and ``description`` are what the API's users read (Chinese).

        The view receives the path parameters (those naming a county-owned
        row, :data:`RESOLVERS`, already loaded through the county scope, so an
        invisible row is 404 before anything else is looked at); ``query``, a
        dict of the declared query parameters present or defaulted, converted
        (integers, dates), if any are declared; and ``body``, the parsed JSON
        (numbers as ``Decimal``) validated against ``body`` unless
        ``validate_body`` is false, if a body is declared.  ``errors`` are the
        problem statuses it may answer besides 401/429 (added unless ``public``).
        """
        def decorator(view):
            all_replies = dict(replies)
            for status in errors + (() if public else _AUTH_ERRORS):
                all_replies.setdefault(status, problem_reply(status))
            endpoint = f"{self.blueprint.name}.{view.__name__}"
            op = Operation(method=method, rule=rule, endpoint=endpoint, summary=summary,
                           description=description, tag=tag, params=params, body=body,
                           body_description=body_description, validate_body=validate_body,
                           replies=all_replies, public=public)
            self.operations.append(op)
            self.by_endpoint[op.endpoint] = op

            @wraps(view)
            def wrapped(**path):
                kwargs = _resolved(path)
                if any(p.where == "query" for p in op.params):
                    kwargs["query"] = _query(op)
                if op.body is not None:
                    kwargs["body"] = _body(op)
                return view(**kwargs)

            self.blueprint.add_url_rule(rule, endpoint=view.__name__, view_func=wrapped,
                                        methods=[method])
            return view

        return decorator


def problem_reply(status: int) -> Reply:
    slugs = [slug for slug, (code, _t) in PROBLEMS.items() if code == status]
    titles = "；".join(PROBLEMS[s][1] for s in slugs) or "错误"
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = {"description": "Bearer", "schema": {"type": "string"}}
    if status == 429:
        headers["Retry-After"] = {"description": "重试前须等待的秒数",
                                  "schema": {"type": "string", "pattern": "^[0-9]+$"}}
    return Reply(titles, {"$ref": "#/components/schemas/Problem"}, headers, PROBLEM)


registry = Registry(bp)
operation = registry.operation


# --- request parsing -----------------------------------------------------------------------

COMPONENTS: dict[str, dict] = {}  # filled by pool.api.schemas; request bodies may $ref them
_INTEGER = re.compile(r"-?[0-9]{1,12}")


def _validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": {"schemas": COMPONENTS}},
                                format_checker=FormatChecker())


def _query(op: Operation) -> dict[str, Any]:
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


def _body(op: Operation):
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidInput([InputProblem("(root)", "须提供 JSON 请求体")])
    data = eligibility.parse_json(raw)  # InvalidInput on malformed JSON
    if op.validate_body:  # (else the view validates, e.g. pool.eligibility.applicant)
        found = schema_problems(op.body, data) + [
            InputProblem(path, message) for path, message
            in text.refusals_in(data, labels=TEXT_LABELS, multiline=MULTILINE_KEYS)]
        if found:
            raise InvalidInput(found)
    return data


# Labels of the body's text fields in messages, and where line breaks are text.
TEXT_LABELS = {**APPLICANT_LABELS, **records.LABELS, "reason": "理由", "evidence": "证据"}
MULTILINE_KEYS = frozenset({"reason", "evidence"})


def schema_problems(schema: dict, instance, root: str = "") -> list[InputProblem]:
    """Every place ``instance`` breaks ``schema``, as field paths and Chinese messages."""
    out = []
    errors = _validator(schema).iter_errors(instance)
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        base = _path(root, error.absolute_path)
        if error.validator == "required":
            missing = [k for k in error.validator_value if k not in error.instance]
            out += [InputProblem(_path(base, [k]), "必填") for k in missing]
        elif error.validator in ("additionalProperties", "unevaluatedProperties"):
            allowed = set(error.schema.get("properties", {}))
            out += [InputProblem(_path(base, [k]), "未知字段")
                    for k in error.instance if k not in allowed]
        else:
            out.append(InputProblem(base or "(root)", _message(error)))
    return out


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
        return "须为以下之一：" + "、".join(map(str, value))
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


# --- authentication and rate limit ---------------------------------------------------------

_BEARER = re.compile(r"Bearer\s+(\S+)\s*", re.IGNORECASE)
# Views of the blueprint that are not operations and need no token.
OPEN_ENDPOINTS = {"api.unknown", "api.docs", "api.home"}


@bp.before_request
def _authenticate():
    op = registry.by_endpoint.get(request.endpoint)
    if (op is not None and op.public) or (op is None and request.endpoint in OPEN_ENDPOINTS):
        return None
    match = _BEARER.fullmatch(request.headers.get("Authorization", ""))
    if match is None:
        raise Problem("unauthorized", "请在 Authorization 请求头中提供 API 令牌：Bearer <令牌>",
                      headers={"WWW-Authenticate": 'Bearer realm="pool"'})
    moment = now()
    token = api_domain.authenticate(db.session, match.group(1), now=moment)
    if token is None:
        db.session.rollback()
        raise Problem("unauthorized", "API 令牌无效、已吊销或其账号已停用",
                      headers={"WWW-Authenticate": 'Bearer realm="pool", error="invalid_token"'})
    limit = current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    wait = api_domain.count_request(db.session, token, now=moment, limit=limit,
                                    window_seconds=RATE_WINDOW_SECONDS)
    user = token.user
    db.session.commit()  # the count stands whatever the request does next
    if wait:
        raise Problem("rate-limited", f"每个用户（所有令牌合计）每分钟最多 {limit} 次请求，请 {wait} 秒后重试",
                      headers={"Retry-After": str(wait)})
    g.api_user = user
    return None


@bp.after_request
def _no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(unknown: str):
    """Any other path under the prefix: 404, or 405 if the path exists for other methods."""
    adapter = current_app.url_map.bind("localhost")
    allowed = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _args = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != "api.unknown":
            allowed.add(method)
    if "GET" in allowed:
        allowed.add("HEAD")
    if allowed:
        raise MethodNotAllowed(valid_methods=sorted(allowed))
    not_found()


# --- shared parameters ----------------------------------------------------------------------

PAGING = (
    Param("page", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}, "页码"),
    Param("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
          "每页条数（至多 100）"),
)


def paginate(stmt, query: dict):
    """One page of ``stmt`` as :func:`pool.api.schemas.page` takes it."""
    return db.paginate(stmt, page=query["page"], per_page=query["per_page"], error_out=False)


def date_param(name: str, description: str) -> Param:
    return Param(name, {"type": "string", "format": "date"}, description)


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


# Path parameter -> (the view's argument, its scoped loader).
RESOLVERS = {"enterprise_id": ("enterprise", enterprise_or_404),
             "county_id": ("county", county_or_404)}


def _resolved(path: dict) -> dict:
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
