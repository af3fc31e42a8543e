"""API tokens (``Authorization: Bearer …``) and their per-minute request counters.

* :class:`ApiToken` — one user's named token.  Only the SHA-256 of the token
  is stored (the token is shown once, when it is created); ``prefix`` is its
  first characters, enough for the owner to tell tokens apart.  A revoked
  token stays listed (``revoked_at``) and never authenticates again.
* :class:`ApiRateWindow` — how many requests a user made, with all their
  tokens together, in one fixed window (``window_start``: Unix seconds).  The
  counter lives in the database so that every worker process of a deployment
  counts against the same limit.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .user import User


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… {self.name}>"


class ApiRateWindow(db.Model):
    __tablename__ = "api_rate_window"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)
