"""Locale choice: Chinese by default, English when the user switched to it."""
from flask import current_app, request, session


def select_locale() -> str:
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def switch_target(default: str) -> str:
    """Where to go back to after switching: the referrer on this site, else ``default``."""
    ref = request.referrer or ""
    if ref.startswith(request.host_url):
        return ref
    return default
