"""The web layer: blueprints, login wiring, error pages, security headers."""
from flask import current_app, g, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from models import User, db
from pool import database
from pool.extensions import login_manager

from pool.access import sessions

from pool.web import access, filters, remember
from pool.web.forms import ConfirmForm

ERROR_TITLES = {
    400: _l("请求有误"), 401: _l("需要登录"), 403: _l("没有权限"), 404: _l("页面不存在"),
    405: _l("不支持的操作"), 409: _l("数据冲突"), 413: _l("上传文件过大"),
    422: _l("数据有误"), 429: _l("操作过于频繁"), 500: _l("服务器内部错误"),
}


def init_app(app) -> None:
    from pool.web import (
        actions, auth, award_facts, award_programmes, awards, checks, corrections, enterprises, exits, flags,
        golive, intake, ladder, main, monitor, parts, pool_admin, portal, portal_awards, record_book, records,
        reference, reports, reviews, rules, target_events, target_statistics, targets, users,
    )

    for module in (auth, main, enterprises, checks, rules, reference, records, parts, record_book, reports,
                   actions, corrections, exits, intake, monitor, flags, golive, users, portal, reviews, awards,
                   award_facts, award_programmes, portal_awards, targets, target_statistics, target_events, ladder,
                   pool_admin):
        app.register_blueprint(module.bp)
    filters.init_app(app)
    remember.init_app(app)
    app.before_request(_read_only_views)  # first: before the login check reads the user
    app.teardown_request(_end_read_only)
    app.before_request(access.require_login)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    # formdata=None: the layout's logout button must not read the request body
    # (an error page for a too-large upload would read it again and fail).
    app.context_processor(lambda: {"logout_form": ConfirmForm(formdata=None),
                                   "get_locale": get_locale})

    login_manager.login_view = "auth.login"
    login_manager.blueprint_login_views = {"portal": "portal.login"}
    login_manager.login_message = _l("请先登录")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)


# A page shown (GET, HEAD) only reads; the API counts every request against the
# rate limit, so its transactions write.
READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def _read_only_views():
    """Pages shown read without a lock (SQLite): they never wait for a save or the scan.
    (A session already in a transaction — an app context held open across requests,
    as some tests do — goes on as it began.)"""
    if request.method in READ_ONLY_METHODS and request.blueprint not in access.SELF_AUTHENTICATED \
            and not db.session().in_transaction():
        g.read_only_token = database.begin_read_only()


def _end_read_only(_exc=None):
    """The read-only transaction ends with its request (it wrote nothing), so that
    a session outliving the request writes in the next one."""
    token = g.pop("read_only_token", None)
    if token is not None:
        if db.session().in_transaction():
            db.session.rollback()
        database.end_read_only(token)


def _load_user(session_id: str):
    return sessions.user_for_session_id(db.session, session_id)


STATIC_ENDPOINTS = {"static", "bootstrap.static"}


def _security_headers(response):
    if request.endpoint not in STATIC_ENDPOINTS:
        # Pages and API answers carry enterprise data: no browser or proxy keeps them.
        response.headers["Cache-Control"] = "no-store"
    hsts = current_app.config.get("HSTS_SECONDS") or 0
    if hsts > 0:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(hsts)}")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'")
    return response


def _http_error(exc: HTTPException):
    if exc.code and exc.code < 400:
        return exc
    title = ERROR_TITLES.get(exc.code, exc.name)
    # Keep what the exception says besides its body, e.g. Allow on a 405.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    if request.path.startswith("/api/"):
        return {"type": "about:blank", "title": str(title), "status": exc.code}, exc.code, headers
    return render_template("errors/error.html", code=exc.code, title=title,
                           description=_error_description(exc)), exc.code, headers


def _error_description(exc: HTTPException) -> str:
    if exc.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        return _("上传的文件超过 %(mb)s MB 上限，请拆分后分批上传。", mb=limit // 1024 // 1024)
    if exc.code == 400 and str(getattr(exc, "description", "")).startswith("The CSRF"):
        return _("表单已过期或来源无效，请刷新页面后重试。")
    if exc.code == 500:
        # Unhandled exceptions arrive here (outside testing); Flask has logged them.
        return _("系统出现错误，已记录日志。请稍后重试或联系管理员。")
    return ""
