"""Login, logout, password change and "sign out everywhere"."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from models import User, db
from pool.access import accounts, sessions

from pool.web import clock, remember
from pool.web.forms import ConfirmForm, LoginForm, PasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would help phishing."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user, refused = attempt(form.username.data, form.password.data, accounts.OFFICER_ROLES,
                                "auth/login.html", form, _("用户名或密码错误"))
        if refused:
            return refused
        login_user(user)  # never Flask-Login's own remember cookie: see pool.web.remember
        if form.remember.data:
            remember.remember_device(user)
            db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


def attempt(username: str, password: str, roles, template: str, form, wrong: str):
    """One login attempt of an account of ``roles``, recorded and committed:
    ``(user, None)``, or ``(None, the page refusing it)`` — 429 while
    throttled, 401 for wrong credentials (``wrong`` says so)."""
    cfg = current_app.config
    try:
        user = accounts.authenticate(
            db.session, username, password, remote_addr=request.remote_addr, now=clock.now(),
            max_failures=cfg["LOGIN_MAX_FAILURES"], window=timedelta(minutes=cfg["LOGIN_FAILURE_WINDOW_MINUTES"]),
            roles=roles)
    except accounts.LoginThrottled as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return None, (render_template(template, form=form), 429)
    db.session.commit()
    if user is None:
        flash(wrong, "danger")
        return None, (render_template(template, form=form), 401)
    return user, None


@bp.post("/logout")
def logout():
    if ConfirmForm().validate_on_submit():
        if current_user.is_authenticated:
            sessions.logout(db.session, db.session.get(User, current_user.id),
                            remember.device_token())
            db.session.commit()
        logout_user()
        remember.forget_device()
        flash(_("您已退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.post("/sessions/end")
@login_required
def end_sessions():
    """Sign out everywhere: every browser and every remember-me token of the user."""
    if ConfirmForm().validate_on_submit():
        sessions.end_all(db.session, db.session.get(User, current_user.id))
        db.session.commit()
        logout_user()
        remember.forget_device()
        flash(_("已在所有设备上退出登录"), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        try:
            accounts.change_password(user, form.current_password.data, form.new_password.data,
                                     now=clock.now())
        except accounts.AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(str(exc))
        else:
            # Whoever holds another session of this account is out; this one goes on.
            sessions.end_all(db.session, user)
            db.session.commit()
            login_user(user)
            remember.forget_device()
            flash(_("密码已修改，其他设备上的登录已失效"), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
