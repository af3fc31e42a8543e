"""The one place the web layer reads the clock: domain code gets dates passed in."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> date:
    """Today's date in the configured zone (Asia/Shanghai), not the server's."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
