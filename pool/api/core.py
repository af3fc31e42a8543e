"""The API's frame: the blueprint, and the records that declare an operation.

Every view is declared with :func:`pool.api.operations.operation`, which
records its method, path, parameters (:class:`Param`), request and response
JSON Schemas (:class:`Reply`) as an :class:`Operation`; the same record
parses and validates the request before the view runs
(:mod:`pool.api.inputs`) and builds the OpenAPI document
(:mod:`pool.api.openapi`), so the description cannot drift from the code.

Authentication is a bearer token only (:mod:`pool.api.auth`); the acting user
is :func:`viewer`; county scoping is :mod:`pool.access.scoping`'s, as in the
web UI.  Every error inside ``/api/v1`` is an RFC 9457 problem
(:mod:`pool.api.responses`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Blueprint, g

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)

JSON = "application/json"
PROBLEM = "application/problem+json"
MAX_ID = 2**31 - 1  # ids are 32-bit integers on every backend


def viewer():
    """The user whose token authenticated this request."""
    return g.api_user


@bp.after_request
def _no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- declaring an operation ----------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """A query or header parameter: its JSON Schema (string or integer); or, ``where="path"``,
    the description of a path parameter that is not an id (always required)."""

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
    admin: bool = False  # the city administrator's only (403 for anyone else)

    @property
    def path(self) -> str:
        """The OpenAPI path (``{name}`` for each path parameter)."""
        return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", self.rule)
