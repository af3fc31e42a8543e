"""The one place the web layer, the API and the CLI read the clock: domain code
gets dates passed in."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> datetime:
    """The wall clock in the configured zone (Asia/Shanghai); tests replace it."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def today() -> date:
    """Today's date in the configured zone (Asia/Shanghai), not the server's."""
    return now().date()
