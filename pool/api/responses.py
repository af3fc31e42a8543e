"""What the API answers: JSON, and RFC 9457 problems for every error.

Every error inside ``/api/v1`` is an RFC 9457 problem
(``application/problem+json``: type, title, status, detail and, for invalid
input, ``errors: [{"path", "label", "message"}]``), including unknown paths and methods:
raise :class:`Problem`, or one of the domain's refusals that the handlers here
translate.  Edits name the version they were based on by its ETag
(:func:`expected_version`).
"""
from __future__ import annotations

import re

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from models import db
from pool.api.core import JSON, PROBLEM, bp
from pool.io.batch import InputProblem, InvalidInput
from pool.kernel import jsonutil
from pool.membership import lifecycle
from pool.records import changes

MAX_PROBLEMS = 100  # errors listed in one answer; the rest are counted


# --- problems (RFC 9457) -------------------------------------------------------------

# slug -> (status, title); the type URI is the docs page's section on it.
PROBLEMS = {
    "unauthorized": (401, "需要有效的 API 令牌"),
    "forbidden": (403, "仅市级管理员可以办理"),
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
        body["errors"] = [{"path": p.path, "label": getattr(p, "label", p.path), "message": p.message}
                          for p in errors]
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


@bp.errorhandler(changes.RecordRefused)
def _record_refused(exc: changes.RecordRefused):
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


@bp.errorhandler(changes.VersionConflict)
def _version_conflict(exc: changes.VersionConflict):
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
