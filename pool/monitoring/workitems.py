"""Risk flags as work items (issue #15): acknowledged, assigned, commented, with their history.

The scan decides whether a flag is open and how severe; people decide who
looks after it.  Each action writes one :class:`~models.RiskFlagNote` (who,
when, what) and, for acknowledging and assigning, the flag's current
``acknowledged_*`` / ``assigned_to`` (so lists can filter on them).  Only a
user who may act for the flag's county acts on it; a flag is assigned to an
active officer of its county or to a city administrator.  A closed flag
takes comments (why it was closed) but is neither acknowledged nor assigned.
Nothing here commits; ``now`` is passed in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from models import CITY_ADMIN, COUNTY_OFFICER, RiskFlag, RiskFlagNote, User
from models.monitoring import ACKNOWLEDGED, ASSIGNED, COMMENTED

from pool.access.scoping import may_act_for
from pool.kernel import text

COMMENT_LENGTH = 1000


class FlagRefused(ValueError):
    """An action on a flag that is not allowed; ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def acknowledge(session, flag: RiskFlag, *, actor, now: datetime) -> RiskFlagNote:
    """Mark an open flag as seen by ``actor`` (once; a second time is refused)."""
    _require(flag, actor, open_only=True)
    if flag.acknowledged_at is not None:
        raise FlagRefused("该风险提示已有人确认知悉")
    flag.acknowledged_by_id, flag.acknowledged_at = actor.id, now
    return _note(session, flag, actor, ACKNOWLEDGED, now)


def assign(session, flag: RiskFlag, *, actor, assignee_id: int | None, now: datetime) -> RiskFlagNote:
    """Give an open flag to ``assignee_id`` (``None``: take it back from whoever has it)."""
    _require(flag, actor, open_only=True)
    assignee = None
    if assignee_id is not None:
        assignee = next((u for u in assignees(session, flag.county_id) if u.id == assignee_id), None)
        if assignee is None:
            raise FlagRefused("只能指派给本县（市、区）的在职经办人或市级管理员", "assignee")
    if flag.assigned_to_id == assignee_id:
        raise FlagRefused("该风险提示已由此人负责" if assignee else "该风险提示尚未指派", "assignee")
    flag.assigned_to_id = assignee_id
    return _note(session, flag, actor, ASSIGNED, now, assignee_id=assignee_id,
                 text=f"指派给{assignee.display_name}" if assignee else "取消指派")


def comment(session, flag: RiskFlag, *, actor, text_: str, now: datetime) -> RiskFlagNote:
    """Leave a comment (required, plain text, at most :data:`COMMENT_LENGTH` characters)."""
    _require(flag, actor, open_only=False)
    body = (text_ or "").strip()
    if not body:
        raise FlagRefused("请填写处理意见", "text")
    if len(body) > COMMENT_LENGTH:
        raise FlagRefused(f"处理意见不能超过 {COMMENT_LENGTH} 个字符", "text")
    unclean = text.refusal("处理意见", body, multiline=True)
    if unclean is not None:
        raise FlagRefused(unclean, "text")
    return _note(session, flag, actor, COMMENTED, now, text=body)


def assignees(session, county_id: int) -> list[User]:
    """Who a flag of ``county_id`` may be given to: its active officers, then the city administrators."""
    return list(session.scalars(
        select(User).where(User.active.is_(True), or_(
            (User.role == COUNTY_OFFICER) & (User.county_id == county_id), User.role == CITY_ADMIN))
        .order_by(User.role.desc(), User.display_name, User.id)))


@dataclass(frozen=True)
class Entry:
    """One line of a flag's history: the scan's or a person's."""

    at: datetime | date
    who: str  # "风险扫描" or the person
    action: str  # Chinese
    text: str


_SCAN_ACTIONS = {"raised": "发现", "escalated": "升级", "deescalated": "降级", "closed": "关闭"}
_NOTE_ACTIONS = {ACKNOWLEDGED: "确认知悉", ASSIGNED: "指派", COMMENTED: "处理意见"}


def history(flag: RiskFlag) -> list[Entry]:
    """The scan's changes (by day) and people's notes (by time), oldest first;
    a note made on a scan's day comes after that scan."""
    entries = [(c.on, 0, c.id, Entry(c.on, "风险扫描", _SCAN_ACTIONS[c.action], c.detail)) for c in flag.changes]
    entries += [(n.at.date(), 1, n.id, Entry(n.at, n.actor.display_name, _NOTE_ACTIONS[n.action], n.text))
                for n in flag.notes]
    return [entry for *_key, entry in sorted(entries, key=lambda e: e[:3])]


def _require(flag: RiskFlag, actor, *, open_only: bool) -> None:
    if not may_act_for(actor, flag.county_id):
        raise FlagRefused("无权处理其他县（市、区）的风险提示")
    if open_only and flag.closed_on is not None:
        raise FlagRefused(f"该风险提示已于 {flag.closed_on.isoformat()} 关闭")


def _note(session, flag, actor, action, now, *, assignee_id=None, text="") -> RiskFlagNote:
    note = RiskFlagNote(flag_id=flag.id, at=now, actor_id=actor.id, action=action, assignee_id=assignee_id,
                        text=text)
    session.add(note)
    session.flush()
    session.expire(flag, ["notes"])
    return note
