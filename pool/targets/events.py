"""专利技术供需对接活动 (matchmaking events): recorded by officers, withdrawn with a reason, listed, exported.

Huangshi's plan asks for 「分领域每年组织2场以上的专利技术供需对接活动」 (seed 004
二(一)): the events are records like any other the targets count
(:func:`pool.targets.records.query`, ``matchmaking.events{field=…}``).  An event
is held on a day (never after today) in a county, in a field (领域: free text,
trimmed — the policy names no list, :func:`fields` offers those already used),
with a title, an organiser, the number of participants if known and a note
citing the evidence.  A county officer records and withdraws their own county's
events only; the city administrator any county's (``counties``: the counties the
actor may act for, passed in by the caller — the access context sits above this
one).  Nothing is changed or deleted: a mistaken event is withdrawn (reason, who,
when), is no longer counted and stays on the list; both steps are audited.

Every refusal names the field by its label, and nothing is written.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from datetime import date, datetime, tzinfo

from sqlalchemy import extract, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from models import ChangeRecord, County, MatchmakingEvent, MatchmakingWithdrawal
from pool.kernel import text
from pool.kernel.refusal import DateRefused, require_not_future
from pool.kernel.wording import phrase
from pool.targets.series import FIRST_YEAR

LABELS = {"county_id": phrase("举办县（市、区）"), "held_on": phrase("举办日期"), "field": phrase("领域"),
          "title": phrase("活动名称"), "organiser": phrase("主办单位"), "participants": phrase("参加人数"),
          "note": phrase("活动情况与佐证材料"), "reason": phrase("撤回原因")}
LIMITS = {"field": 40, "title": 200, "organiser": 200, "note": 2000, "reason": 1000}
MAX_PARTICIPANTS = 1_000_000
HEADER = (phrase("举办日期"), phrase("县（市、区）"), phrase("领域"), phrase("活动名称"), phrase("主办单位"),
          phrase("参加人数"), phrase("活动情况与佐证材料"), phrase("登记人"), phrase("登记时间"), phrase("撤回"))

_REQUIRED = phrase("「{label}」：必填")
_TOO_LONG = phrase("「{label}」：至多 {limit} 个字")
_FIELD_CHARS = phrase("「{label}」：不能含空格和英文逗号、等号、花括号、竖线、星号（领域名称用于分领域计数）")
_TOO_EARLY = phrase("「{label}」：须在 {year} 年或以后")
_NOT_YOURS = phrase("「{label}」：只能登记本县（市、区）举办的活动")
_PARTICIPANTS = phrase("「{label}」：须为 0 至 {limit} 之间的整数")
_WITHDRAWN = phrase("该活动已于 {at} 撤回")
_AT_ONCE = phrase("有人刚刚撤回了这场活动；请刷新页面查看")
_WITHDRAWN_MARK = phrase("已撤回：{reason!s}")
# Whitespace and the characters of a measure key (matchmaking.events{field=…}) cannot be in a field.
_BAD_FIELD = re.compile(r"[\s,={}|*]")


class EventRefused(ValueError):
    """Nothing was written; ``problems`` maps each input's name to why, in Chinese, naming its label."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("；".join(problems.values()))
        self.problems = problems


def _text(problems: dict, name: str, value, *, required: bool = True, multiline: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    label = LABELS[name]
    if not value:
        if required:
            problems[name] = _REQUIRED.format(label=label)
    elif len(value) > LIMITS[name]:
        problems[name] = _TOO_LONG.format(label=label, limit=LIMITS[name])
    else:
        refused = text.refusal(label, value, multiline=multiline)
        if refused is not None:
            problems[name] = refused
    return value


def record(session, *, county_id: int | None, held_on: date | None, field: str | None, title: str | None,
           organiser: str | None, participants: int | None = None, note: str | None = "",
           counties: Collection[int], actor, as_of: date, now: datetime) -> MatchmakingEvent:
    """Record one event held in ``county_id`` (one of ``counties``, those the actor may act for).

    :raise EventRefused: every bad input, each naming its label; nothing written.
    """
    problems: dict[str, str] = {}
    if county_id is None:
        problems["county_id"] = _REQUIRED.format(label=LABELS["county_id"])
    elif county_id not in counties:
        problems["county_id"] = _NOT_YOURS.format(label=LABELS["county_id"])
    if held_on is None:
        problems["held_on"] = _REQUIRED.format(label=LABELS["held_on"])
    elif held_on.year < FIRST_YEAR:
        problems["held_on"] = _TOO_EARLY.format(label=LABELS["held_on"], year=FIRST_YEAR)
    else:
        try:
            require_not_future(held_on, as_of, f"「{LABELS['held_on']}」")
        except DateRefused as exc:
            problems["held_on"] = str(exc)
    field = _text(problems, "field", field)
    if "field" not in problems and _BAD_FIELD.search(field):
        problems["field"] = _FIELD_CHARS.format(label=LABELS["field"])
    title, organiser = _text(problems, "title", title), _text(problems, "organiser", organiser)
    note = _text(problems, "note", note, required=False, multiline=True)
    if participants is not None and (type(participants) is not int or not 0 <= participants <= MAX_PARTICIPANTS):
        problems["participants"] = _PARTICIPANTS.format(label=LABELS["participants"], limit=MAX_PARTICIPANTS)
    if problems:
        raise EventRefused(problems)
    row = MatchmakingEvent(county_id=county_id, held_on=held_on, field=field, title=title, organiser=organiser,
                           participants=participants, note=note, entered_by_id=_id(actor), entered_at=now)
    session.add(row)
    session.flush()
    changes = {"county_id": county_id, "held_on": held_on.isoformat(), "field": field, "title": title,
               "organiser": organiser, "participants": participants, "note": note}
    session.add(ChangeRecord(actor_id=_id(actor), at=now, entity="matchmaking_event", entity_id=row.id,
                             action="create", changes={k: [None, v] for k, v in changes.items()},
                             effective_on=held_on))
    return row


def withdraw(session, event: MatchmakingEvent, *, reason: str | None, counties: Collection[int], actor,
             now: datetime) -> MatchmakingWithdrawal:
    """Withdraw ``event``: from now on it is not counted; the event and its withdrawal stay on record.

    :raise EventRefused: not the actor's county, no reason, or withdrawn already (by someone at this moment).
    """
    problems: dict[str, str] = {}
    if event.county_id not in counties:
        problems["county_id"] = _NOT_YOURS.format(label=LABELS["county_id"])
    if event.withdrawal is not None:
        problems["reason"] = _WITHDRAWN.format(at=event.withdrawal.withdrawn_at.date().isoformat())
    reason = _text(problems, "reason", reason, multiline=True)
    if problems:
        raise EventRefused(problems)
    row = MatchmakingWithdrawal(event_id=event.id, reason=reason, withdrawn_by_id=_id(actor), withdrawn_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise EventRefused({"reason": _AT_ONCE}) from None
    session.add(ChangeRecord(actor_id=_id(actor), at=now, entity="matchmaking_event", entity_id=event.id,
                             action="withdraw", changes={"withdrawn": [False, True]}, reason=reason))
    session.expire(event, ["withdrawal"])
    return row


def _id(actor) -> int | None:
    return actor.id if actor is not None else None


def listing(county_ids: Collection[int], *, q: str = "", year: int | None = None, withdrawn: bool = False,
            oldest_first: bool = False):
    """``SELECT`` of the events of ``county_ids``: searched in field and title, of one year, withdrawn ones
    only if asked, by date (newest first unless ``oldest_first``)."""
    stmt = select(MatchmakingEvent).where(MatchmakingEvent.county_id.in_(list(county_ids)))
    if q:
        pattern = text.like_pattern(q)
        stmt = stmt.where(or_(MatchmakingEvent.field.like(pattern, escape="\\"),
                              MatchmakingEvent.title.like(pattern, escape="\\")))
    if year is not None:
        stmt = stmt.where(extract("year", MatchmakingEvent.held_on) == year)
    if not withdrawn:
        stmt = stmt.where(~MatchmakingEvent.withdrawal.has())
    order = (MatchmakingEvent.held_on, MatchmakingEvent.id)
    return stmt.order_by(*(order if oldest_first else (o.desc() for o in order)))


def years(session, county_ids: Collection[int]) -> list[int]:
    """The years in which these counties' events were held, latest first (the list's year filter)."""
    held = extract("year", MatchmakingEvent.held_on)
    stmt = select(held).where(MatchmakingEvent.county_id.in_(list(county_ids))).distinct()
    return sorted((int(y) for y in session.scalars(stmt)), reverse=True)


def fields(session, county_ids: Collection[int]) -> list[str]:
    """The fields already used in these counties, the most used first: suggestions, not a closed list."""
    used = func.count(MatchmakingEvent.id)
    stmt = (select(MatchmakingEvent.field).where(MatchmakingEvent.county_id.in_(list(county_ids)))
            .group_by(MatchmakingEvent.field).order_by(used.desc(), MatchmakingEvent.field))
    return list(session.scalars(stmt))


def export_rows(session, stmt, zone: tzinfo) -> Iterator[tuple]:
    """The rows of :data:`HEADER` for the events ``stmt`` (:func:`listing`) selects, times in ``zone``."""
    names = dict(session.execute(select(County.id, County.name)).all())
    stmt = stmt.options(selectinload(MatchmakingEvent.withdrawal), selectinload(MatchmakingEvent.entered_by))
    for event in session.scalars(stmt):
        gone = event.withdrawal
        yield (event.held_on.isoformat(), names.get(event.county_id, ""), event.field, event.title, event.organiser,
               event.participants if event.participants is not None else "", event.note,
               event.entered_by.display_name if event.entered_by else "", event.entered_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
               _WITHDRAWN_MARK.format(reason=gone.reason) if gone else "")
