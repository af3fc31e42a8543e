"""The operation registry: :func:`operation` declares a view of the API.

The declaration (an :class:`~pool.api.core.Operation`) is recorded in
:data:`registry`, in declaration order, for the OpenAPI document
(:mod:`pool.api.openapi`), and the view is wrapped so that the request is
parsed and validated (:mod:`pool.api.inputs`) before it runs.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import Blueprint

from pool.api.core import PROBLEM, Operation, Param, Reply, bp, viewer
from pool.api.inputs import parse_body, parse_query, resolve_path
from pool.api.responses import PROBLEMS, Problem

# Errors every authenticated operation may answer.
_AUTH_ERRORS = (401, 429)
ADMIN_ONLY = "仅市级管理员可以办理，其他用户 403。"


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
                  public: bool = False, admin: bool = False) -> Callable:
        """Declare the view below as ``method rule`` (``rule`` relative to
        :data:`~pool.api.core.PREFIX`, Flask syntax; integer path parameters
        are ids); ``summary`` and ``description`` are what the API's users read
        (Chinese).

        The view receives the path parameters (those naming a county-owned
        row, :data:`~pool.api.inputs.RESOLVERS`, already loaded through the
        county scope, so an invisible row is 404 before anything else is
        looked at); ``query``, a
        dict of the declared query parameters present or defaulted, converted
        (integers, dates), if any are declared; and ``body``, the parsed JSON
        (numbers as ``Decimal``) validated against ``body`` unless
        ``validate_body`` is false, if a body is declared.  ``errors`` are the
        problem statuses it may answer besides 401/429 (added unless ``public``).
        ``admin``: only the city administrator may call it — anyone else gets
        403, after the path's rows are found (so another county's is still
        404) and before the request is looked at.
        """
        def decorator(view):
            all_replies = dict(replies)
            for status in errors + ((403,) if admin else ()) + (() if public else _AUTH_ERRORS):
                all_replies.setdefault(status, problem_reply(status))
            endpoint = f"{self.blueprint.name}.{view.__name__}"
            op = Operation(method=method, rule=rule, endpoint=endpoint, summary=summary,
                           description=description + (ADMIN_ONLY if admin else ""), tag=tag,
                           params=params, body=body, body_description=body_description,
                           validate_body=validate_body, replies=all_replies, public=public,
                           admin=admin)
            self.operations.append(op)
            self.by_endpoint[op.endpoint] = op

            @wraps(view)
            def wrapped(**path):
                kwargs = resolve_path(path)
                if op.admin and not viewer().is_city_admin:
                    raise Problem("forbidden", f"只有市级管理员可以办理：{op.summary}")
                if any(p.where == "query" for p in op.params):
                    kwargs["query"] = parse_query(op)
                if op.body is not None:
                    kwargs["body"] = parse_body(op)
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
