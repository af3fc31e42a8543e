"""The one place the web layer, the API and the CLI read the clock: domain code
gets dates passed in."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import gettext as _


def now() -> datetime:
    """The wall clock in the configured zone (Asia/Shanghai); tests replace it."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def today() -> date:
    """Today's date in the configured zone (Asia/Shanghai), not the server's."""
    return now().date()


def asked_day(day: date) -> tuple[date | None, str | None]:
    """The past day ``?as_of=`` asks for (a page showing the record as it stood then),
    or ``(None, message)`` (today, or a bad value: shown, not a 500)."""
    text = (request.args.get("as_of") or "").strip()
    if not text:
        return None, None
    try:
        asked = date.fromisoformat(text)
    except ValueError:
        return None, _("查看日期须为 YYYY-MM-DD 格式的日期（实为 %(text)s）", text=text[:20])
    if asked > day:
        return None, _("查看日期 %(asked)s 晚于今天 %(day)s：只能查看过去某日的记录", asked=asked, day=day)
    return (asked if asked < day else None), None
