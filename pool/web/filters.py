"""Jinja filters: local time, money, dates — display only, never arithmetic."""
from datetime import date, datetime
from functools import lru_cache
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale, get_translations, gettext, lazy_gettext as _l

from pool.awards import money
from pool.kernel.wording import translate
from pool.membership import history
from pool.io import workbook
from pool.records.fields import LEVEL_LABELS, PATENT_STATUS_LABELS
from pool.records.directory import STATE_LABELS


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


def wan_exact(value: Decimal | str | None) -> str:
    """An award amount in 万元 (a ``Decimal`` or its text) as exact as it is paid (to 0.01 元), no
    trailing zeros; '—' when unknown."""
    if value is None:
        return "—"
    return money.wan(Decimal(value))


def iso(value: date | None) -> str:
    return value.isoformat() if value else ""


_YES_NO = {True: _l("是"), False: _l("否"), None: _l("未填写")}


def wording(text: str | None) -> str:
    """A text the domain wrote in Chinese (a criterion's detail, a flag, a refusal) in the reader's language."""
    if not text:
        return ""
    text = str(text)
    locale = get_locale()
    if locale.language == "zh":
        return text
    return _translated(text, str(locale))


@lru_cache(maxsize=4096)
def _translated(text: str, locale: str) -> str:
    """:func:`wording` for a language other than Chinese; the catalogues do not change while the app runs."""
    return translate(text, get_translations().gettext)


def yes_no(value: bool | None) -> str:
    return str(_YES_NO[value])


def state_label(value: str) -> str:
    label = STATE_LABELS.get(value)
    return gettext(label) if label else value


# The contract's enumeration codes and their Chinese labels (shared with the Excel template).
ENUM_LABELS = {
    "qualification": workbook.QUALIFICATION_LABELS,
    "patent_kind": workbook.PATENT_KIND_LABELS,
    "patent_status": PATENT_STATUS_LABELS,
    "patent_origin": workbook.PATENT_ORIGIN_LABELS,
    "partner_type": workbook.PARTNER_TYPE_LABELS,
    "qualification_level": LEVEL_LABELS,
}


def label(value: str | None, kind: str) -> str:
    """The Chinese label of an enumeration code; the code itself if unknown."""
    if value is None:
        return ""
    return wording(ENUM_LABELS[kind].get(value, value))


EVENT_KINDS = {"progress": _l("实质性进展"), "incident": _l("诚信事件"), "review": _l("复核决定"),
               "outcome": _l("接续培育及成果"), "correction": _l("更正"), "note": _l("备注")}
REVIEW_DECISIONS = {"waive": _l("认可"), "refuse": _l("不认可")}


def event_label(event) -> str:
    """What a timeline entry says happened: the move, or the kind and its subtype."""
    if event.to_state:
        before = state_label(event.from_state) if event.from_state else ""
        return f"{before} → {state_label(event.to_state)}" if before else state_label(event.to_state)
    kind = str(EVENT_KINDS.get(event.kind, event.kind))
    subtypes = {**history.PROGRESS_TYPES, **history.INCIDENT_TYPES, **history.OUTCOME_TYPES,
                **REVIEW_DECISIONS}
    return f"{kind} · {wording(subtypes.get(event.subtype, event.subtype))}" if event.subtype else kind


VERDICT_LABELS = {"eligible": _l("符合入库条件"), "ineligible": _l("不符合入库条件"),
                  "needs_review": _l("需人工审核"), "incomplete": _l("资料不全")}
STATUS_LABELS = {"pass": _l("符合"), "fail": _l("不符合"), "review": _l("需审核"), "missing": _l("缺少数据")}


def verdict_label(value: str) -> str:
    return str(VERDICT_LABELS.get(value, value))


def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def init_app(app) -> None:
    app.jinja_env.filters.update(
        local_time=local_time, wan=wan, wan_exact=wan_exact, iso=iso, yes_no=yes_no, state_label=state_label,
        label=label, event_label=event_label, wording=wording, verdict_label=verdict_label, status_label=status_label,
    )
    from pool.web.clock import today
    app.jinja_env.globals["print_day"] = today  # the printed page's footer
