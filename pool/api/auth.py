"""Who is calling, and how often: the bearer token check and the rate limit.

Authentication is a bearer token only (``Authorization: Bearer pool_…``): the
browser session is ignored here, so the API needs no CSRF protection and a
page cannot make an officer's browser call it.  Every request but the public
ones is counted against its user's limit (all their tokens together) before
the view runs; the acting user is then :func:`pool.api.core.viewer`.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask import current_app, g, request

from models import db, utcnow
from pool.access import tokens as api_domain
from pool.api.core import bp
from pool.api.operations import registry
from pool.api.responses import Problem

DEFAULT_RATE_LIMIT = 120  # requests per user (all their tokens) per minute
RATE_WINDOW_SECONDS = 60


def now() -> datetime:
    """The API's one reading of the wall clock (the tests replace it)."""
    return utcnow()


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
