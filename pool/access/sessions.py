"""Sessions the server can end: the session generation and remember-me tokens.

A signed session cookie names its user as ``"<id>:<generation>"``
(``User.get_id``); it is honoured only while the user is active and their
``session_generation`` is unchanged.  Raising the generation therefore ends
every session of the user at once, including copies of a cookie captured
before: logout, a password change, deactivation and "sign out everywhere" do.

A remember-me token is 256 random bits kept by one device (browser) in a
cookie; only its SHA-256 is stored (like API tokens, a random secret of that
length needs no slow hash).  It expires after ``lifetime`` (14 days by
default), a new login on the device replaces the device's token, logout
deletes it, and "sign out everywhere" deletes all of the user's tokens.

Plain domain code: the caller passes the session and ``now``; rows are
flushed, never committed.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from models import RememberToken, User

REMEMBER_LIFETIME = timedelta(days=14)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def user_for_session_id(session, value: str | None) -> User | None:
    """The active user whose current session id is ``value``, else ``None``.

    A bare user id (a cookie from before sessions could be revoked) or an old
    generation is refused.
    """
    user_id, sep, generation = (value or "").partition(":")
    if not sep or not user_id.isdigit() or not generation.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def end_all(session, user: User) -> None:
    """End every session of ``user`` and delete all their remember-me tokens."""
    user.session_generation += 1
    session.execute(delete(RememberToken).where(RememberToken.user_id == user.id))
    session.flush()


def logout(session, user: User, device_token: str | None) -> None:
    """End ``user``'s sessions and forget this device's remember-me token.

    Other devices keep their own remember-me tokens (and log in again with
    them); a copied session cookie, from this device or any other, is dead.
    """
    user.session_generation += 1
    if device_token:
        session.execute(delete(RememberToken).where(
            RememberToken.token_hash == _digest(device_token), RememberToken.user_id == user.id))
    session.flush()


def remember(session, user: User, *, now: datetime, replacing: str | None = None,
             lifetime: timedelta = REMEMBER_LIFETIME) -> str:
    """A new remember-me token for ``user`` on this device; returns the secret.

    ``replacing`` is the token the device holds already (of whichever user):
    it is deleted, so a device never holds more than one.  The user's expired
    tokens are deleted on the way.
    """
    if replacing:
        session.execute(delete(RememberToken).where(
            RememberToken.token_hash == _digest(replacing)))
    session.execute(delete(RememberToken).where(
        RememberToken.user_id == user.id, RememberToken.expires_at <= now))
    secret = secrets.token_urlsafe(32)
    session.add(RememberToken(user_id=user.id, token_hash=_digest(secret), created_at=now,
                              expires_at=now + lifetime))
    session.flush()
    return secret


def user_for_remember_token(session, secret: str | None, *, now: datetime) -> User | None:
    """The active user holding this unexpired token, else ``None``."""
    if not secret or len(secret) > 128:
        return None
    user = session.scalar(select(User).join(RememberToken).where(
        RememberToken.token_hash == _digest(secret), RememberToken.expires_at > now))
    return user if user is not None and user.active else None
