"""What the JSON API needs beyond the web's domain: tokens, request counting,
nothing else.

Plain Python like the rest of ``pool/``: the caller's SQLAlchemy ``session``,
plain values, an explicit ``now``/``on``/``as_of``; rows are flushed, never
committed.

Tokens are 256-bit random strings (``pool_…``).  Only their SHA-256 is stored:
a random token of that length needs no salt or slow hash — nobody can guess
one, and a leaked database does not reveal usable tokens.  The request counter
is a fixed window per user (all their tokens) kept in ``api_rate_window`` and bumped with one
atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, so every worker process
of a deployment counts against the same limit.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from models import OFFICER_ROLES, ApiRateWindow, ApiToken

from pool.kernel import text

__all__ = ["TOKEN_PREFIX", "TokenRefused", "issue_token", "revoke_token", "user_tokens",
           "authenticate", "count_request"]

TOKEN_PREFIX = "pool_"
_DISPLAYED = len(TOKEN_PREFIX) + 8  # what the token list shows of a token
MAX_NAME = 100
MAX_ACTIVE_TOKENS = 20


class TokenRefused(ValueError):
    """A token action the rules do not allow; ``str()`` is the Chinese reason."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(session, user, *, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``user`` named ``name``; returns the row and the token
    itself, which exists nowhere else afterwards (show it once).

    :raise TokenRefused: no name, a name too long, an inactive user, or
        already :data:`MAX_ACTIVE_TOKENS` tokens in use.
    """
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise TokenRefused("请填写令牌名称（用途），便于日后识别")
    if len(name) > MAX_NAME:
        raise TokenRefused(f"令牌名称不能超过 {MAX_NAME} 个字")
    if (unclean := text.refusal("令牌名称", name)) is not None:
        raise TokenRefused(unclean)
    if not getattr(user, "active", False):
        raise TokenRefused("账号已停用，不能创建令牌")
    if getattr(user, "role", None) not in OFFICER_ROLES:
        raise TokenRefused("只有工作人员账号可以使用 API")
    active = session.scalars(select(ApiToken.id).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise TokenRefused(f"有效令牌已达 {MAX_ACTIVE_TOKENS} 个，请先吊销不用的令牌")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:_DISPLAYED],
                     token_hash=_digest(secret), created_at=now)
    session.add(token)
    session.flush()
    return token, secret


def user_tokens(session, user) -> list[ApiToken]:
    """``user``'s tokens, newest first (revoked ones included)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(session, token: ApiToken, *, actor, now: datetime) -> bool:
    """Revoke ``token`` from ``now`` on; ``False`` if it was revoked already.

    :raise TokenRefused: ``actor`` does not own it.
    """
    if token.user_id != getattr(actor, "id", None):
        raise TokenRefused("只能吊销自己的令牌")
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    session.flush()
    return True


def authenticate(session, secret: str, *, now: datetime) -> ApiToken | None:
    """The unrevoked token ``secret`` of an active user, with ``last_used_at``
    set to ``now``; ``None`` for anything else."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret),
                                                  ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active or token.user.role not in OFFICER_ROLES:
        return None  # an enterprise account never reaches the API
    token.last_used_at = now
    session.flush()
    return token


def count_request(session, token: ApiToken, *, now: datetime, limit: int,
                  window_seconds: int = 60) -> int:
    """Count one request of ``token``'s user in the fixed window holding ``now``.

    The limit is per user, whichever of their tokens is used: more tokens must
    not mean more requests.  Returns 0 if it is within ``limit`` requests per
    window, else the whole seconds until the window ends (for ``Retry-After``;
    at least 1).  Refused requests count too, so hammering does not shorten
    the wait.
    """
    moment = now.timestamp()
    start = int(moment // window_seconds) * window_seconds
    table = ApiRateWindow.__table__
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"请求计数不支持数据库 {dialect}")
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(user_id=token.user_id, window_start=start, count=1)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.user_id, table.c.window_start],
                                      set_={"count": table.c.count + 1})
    count = session.execute(stmt.returning(table.c.count)).scalar_one()
    if count == 1:  # a new window: the user's older ones are of no further use
        session.execute(delete(ApiRateWindow).where(ApiRateWindow.user_id == token.user_id,
                                                    ApiRateWindow.window_start < start))
    if count <= limit:
        return 0
    return max(1, math.ceil(start + window_seconds - moment))
