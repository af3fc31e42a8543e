"""Access control for every request, failing closed.

Every endpoint needs a logged-in, active user unless it is on ``PUBLIC``;
city-administrator pages add :func:`admin_required`.  An enterprise's account
reaches only the portal (and its own password and sessions); officers never
the portal.  County scoping of the
data itself is :mod:`pool.access.scoping`'s job; :func:`enterprise_or_404` is the one
way views load an enterprise.
"""
from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import db
from pool.access import scoping

PUBLIC = {"auth.login", "portal.login", "users.reset", "static", "bootstrap.static", "main.set_language", "main.healthz"}
# What a user who must first change their password may still reach.
BEFORE_PASSWORD_CHANGE = {"auth.password", "auth.logout", "auth.end_sessions", "users.reset"}
# Blueprints that authenticate every request themselves (bearer tokens).
SELF_AUTHENTICATED = {"api"}
# An enterprise's account reaches its portal and its own password and sessions, nothing else;
# officers do not use the portal.
PORTAL = {"portal", "portal_awards"}
ENTERPRISE_ALSO = {"auth.password", "auth.logout", "auth.end_sessions", "main.set_language"}


def require_login():
    """``before_request`` hook: anonymous users go to the login page, users
    whose password someone else chose go to the password change."""
    if request.endpoint in PUBLIC or request.endpoint is None \
            or request.blueprint in SELF_AUTHENTICATED:
        return None
    if not current_user.is_authenticated:
        from pool.extensions import login_manager

        return login_manager.unauthorized()
    if current_user.must_change_password and request.endpoint not in BEFORE_PASSWORD_CHANGE:
        flash(_("首次登录请先设置您自己的密码"), "warning")
        return redirect(url_for("auth.password"))
    if current_user.is_enterprise:
        if request.blueprint in PORTAL or request.endpoint in ENTERPRISE_ALSO:
            return None
        if request.endpoint == "main.index":
            return redirect(url_for("portal.home"))
        abort(404)  # as for another county's enterprise: nothing here is theirs, not even its existence
    if request.blueprint in PORTAL:
        abort(404)
    return None


def admin_required(view):
    """Only the city administrator; everyone else gets 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_city_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def enterprise_or_404(enterprise_id: int):
    """The enterprise if the current user may see it.

    :raise 404: if it does not exist or belongs to another county — the same
        answer, so that existence does not leak.
    """
    enterprise = scoping.get_enterprise(db.session, current_user, enterprise_id)
    if enterprise is None:
        abort(404)
    return enterprise


def child_or_404(model, child_id, *, enterprise_id: int | None = None):
    """The ``model`` row ``child_id`` if the current user may see it (and, if given, it is
    ``enterprise_id``'s) — :func:`pool.access.scoping.get_child`.

    :raise 404: absent or out of scope alike.
    """
    row = scoping.get_child(db.session, current_user, model, child_id, enterprise_id=enterprise_id)
    if row is None:
        abort(404)
    return row
