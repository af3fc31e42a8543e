"""The remember-me cookie: one random token per browser (see :mod:`pool.access.sessions`).

Flask-Login's own remember cookie (``user id|HMAC``, the same at every login,
valid until the secret key changes) is never set: ``login_user`` is always
called without ``remember``.  This module's cookie carries a token stored
hashed in ``remember_token``; a request without a live session but with a
valid token is logged in again (not "fresh").
"""
from flask import current_app, g, request
from flask_login import login_user

from models import db, utcnow
from pool.access import sessions
from pool.extensions import login_manager

COOKIE = "pool_remember"


def init_app(app) -> None:
    login_manager.request_loader(_load_from_cookie)
    app.after_request(_write_cookie)


def device_token() -> str | None:
    """The remember-me token this browser sent, if any."""
    return request.cookies.get(COOKIE)


def remember_device(user) -> None:
    """Give this browser a new token for ``user`` (replacing the one it has)."""
    g.remember_token = sessions.remember(
        db.session, user, now=utcnow(), replacing=device_token(),
        lifetime=current_app.config["REMEMBER_COOKIE_DURATION"])


def forget_device() -> None:
    """Delete this browser's cookie with the response."""
    g.remember_token = ""


def _load_from_cookie(_request):
    secret = device_token()
    if not secret:
        return None
    user = sessions.user_for_remember_token(db.session, secret, now=utcnow())
    if user is None:
        forget_device()
        return None
    # Into the session, so that the following requests need not look the token up.
    login_user(user, fresh=False)
    return user


def _write_cookie(response):
    token = g.pop("remember_token", None)
    cfg = current_app.config
    if token:
        response.set_cookie(COOKIE, token, max_age=cfg["REMEMBER_COOKIE_DURATION"],
                            secure=cfg["REMEMBER_COOKIE_SECURE"], httponly=True,
                            samesite=cfg["REMEMBER_COOKIE_SAMESITE"])
    elif token == "":
        response.delete_cookie(COOKIE, secure=cfg["REMEMBER_COOKIE_SECURE"], httponly=True,
                               samesite=cfg["REMEMBER_COOKIE_SAMESITE"])
    return response
