"""Jinja filters: local time, money, dates — display only, never arithmetic."""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l

from pool.directory import STATE_LABELS


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time shown in the configured zone (Asia/Shanghai)."""
    if value is None:
        return ""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.astimezone(zone).strftime(fmt)


def wan(value: Decimal | None) -> str:
    """万元 with two decimals and thousands separators; '—' when unknown."""
    if value is None:
        return "—"
    return f"{value:,.2f}"


def iso(value: date | None) -> str:
    return value.isoformat() if value else ""


_YES_NO = {True: _l("是"), False: _l("否"), None: _l("未填写")}
# The domain's labels, marked here so that the message catalogue extracts them.
_STATE_MESSAGES = [_l("申报"), _l("入库培育中"), _l("出库"), _l("退库"), _l("未入库")]


def yes_no(value: bool | None) -> str:
    return str(_YES_NO[value])


def state_label(value: str) -> str:
    label = STATE_LABELS.get(value)
    return gettext(label) if label else value


def init_app(app) -> None:
    app.jinja_env.filters.update(
        local_time=local_time, wan=wan, iso=iso, yes_no=yes_no, state_label=state_label,
    )
