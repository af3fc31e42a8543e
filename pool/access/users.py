"""Managing accounts in the UI (issue #15): the city administrator creates
officers, assigns their county, deactivates and reactivates them, resets a
password with a one-time link and signs a user out everywhere; everyone edits
their own name and e-mail.

No password is ever chosen or shown by the administrator: a new or reset
account gets a **one-time link** (256 random bits; only its SHA-256 is kept;
valid for :data:`RESET_LIFETIME`, used once) with which the user sets their
own password.  Every change writes a :class:`~models.ChangeRecord` of entity
``user_account`` (who, when, field: old → new; never a password or a link).
Plain domain code: the caller passes the session and ``now``; nothing commits.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from models import CITY_ADMIN, COUNTY_OFFICER, OFFICER_ROLES, ChangeRecord, County, PasswordReset, User

from pool.access import accounts, sessions
from pool.access.accounts import AccountError
from pool.kernel import text
from pool.kernel.wording import phrase

RESET_LIFETIME = timedelta(hours=72)
ROLE_LABELS = {CITY_ADMIN: phrase("市级管理员"), COUNTY_OFFICER: phrase("县（市、区）经办人")}
# The audited fields of an account, as the trail names them.
FIELD_LABELS = {"username": phrase("用户名"), "display_name": phrase("姓名"), "email": phrase("电子邮箱"),
                "role": phrase("角色"), "county_id": phrase("所属县（市、区）"), "active": phrase("启用"),
                "signed_out": phrase("在所有设备上退出"), "password_reset_link": phrase("密码重置链接")}
_ISSUED, _YES, _NO = phrase("已发出"), phrase("是"), phrase("否")


def describe_change(field: str, value, counties: dict) -> str:
    """One audited value as the trail shows it: a role's, a county's or a yes/no's name, not its code."""
    if value is None:
        return "—"
    if field == "role":
        return ROLE_LABELS.get(value, value)
    if field == "county_id":
        return counties.get(value, str(value))
    if field == "password_reset_link":
        return _ISSUED
    if isinstance(value, bool):
        return _YES if value else _NO
    return str(value)
EMAIL_LENGTH, NAME_LENGTH = 254, 64


def create(session, *, actor, username: str, display_name: str, role: str, county: County | None,
           email: str | None, now: datetime) -> tuple[User, str]:
    """A new account and the one-time link's secret with which its user sets a password.

    :raise AccountError: not the administrator, a taken or unclean username,
        a role without its county, a bad e-mail address.
    """
    _require_admin(actor)
    if role not in ROLE_LABELS:  # an enterprise's account is its county's invitation (pool.portal)
        raise AccountError(f"未知角色 {role}", "role")
    email = checked_email(email)
    user, _unusable = accounts.create_user(session, username=username, display_name=checked_name(display_name),
                                           role=role, county=county, email=email)
    session.flush()
    _audit(session, actor, user, "create", {"username": [None, user.username], "role": [None, role],
                                            "county_id": [None, user.county_id], "email": [None, email]})
    return user, issue_reset(session, user, actor=actor, now=now)


def update_account(session, user: User, *, actor, display_name: str | None = None, email: str | None = None,
                   role: str | None = None, county: County | None = None) -> dict:
    """Change a user's name and e-mail (the user themself or the
    administrator), role and county (the administrator).  Returns the
    changes (field → [old, new]); an officer moved to another county is
    signed out everywhere (their sessions showed the old county's data).

    :raise AccountError: not allowed, a bad value, a role without its county,
        or the last active administrator made an officer.
    """
    own = actor.id == user.id
    if not own:
        _require_admin(actor)
    wanted = {"display_name": checked_name(display_name) if display_name is not None else user.display_name,
              "email": checked_email(email) if email is not None else user.email}
    if role is not None or county is not None:
        _require_admin(actor)
        role = role or user.role
        if role not in ROLE_LABELS:
            raise AccountError(f"未知角色 {role}", "role")
        if role == COUNTY_OFFICER and county is None and user.county_id is None:
            raise AccountError("县市区经办人必须指定所属县市区", "county")
        if role != CITY_ADMIN and user.role == CITY_ADMIN:
            _require_another_admin(session, user)
        wanted["role"] = role
        wanted["county_id"] = None if role == CITY_ADMIN else (county.id if county else user.county_id)
    diff = {k: [getattr(user, k), v] for k, v in wanted.items() if getattr(user, k) != v}
    if not diff:
        return {}
    for k, (_old, new) in diff.items():
        setattr(user, k, new)
    if "county_id" in diff or "role" in diff:
        sessions.end_all(session, user)
    _audit(session, actor, user, "update", diff)
    return diff


def set_active(session, user: User, *, actor, active: bool) -> None:
    """Deactivate (ending all sessions) or reactivate an account; an
    administrator cannot deactivate themself or the last active administrator."""
    _require_admin(actor)
    if user.active == active:
        raise AccountError("该账号已停用" if not active else "该账号已是启用状态")
    if not active and user.id == actor.id:
        raise AccountError("不能停用自己的账号")
    if not active and user.role == CITY_ADMIN:
        _require_another_admin(session, user)
    accounts.set_active(session, user, active)
    _audit(session, actor, user, "update", {"active": [not active, active]})


def sign_out_everywhere(session, user: User, *, actor) -> None:
    """End every session and remember-me token of ``user``."""
    if actor.id != user.id:
        _require_admin(actor)
    sessions.end_all(session, user)
    _audit(session, actor, user, "update", {"signed_out": [None, True]})


def issue_reset(session, user: User, *, actor, now: datetime) -> str:
    """A new one-time link's secret for ``user`` (earlier unused links stop
    working); the user must then set their password with it."""
    _require_admin(actor)
    return new_link(session, user, actor=actor, now=now)


def new_link(session, user: User, *, actor, now: datetime) -> str:
    """:func:`issue_reset` for a caller that has checked ``actor`` may (an
    officer inviting an enterprise's account: :mod:`pool.portal.accounts`)."""
    if not user.active:
        raise AccountError("账号已停用，请先启用再重置密码")
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                    .values(used_at=now))
    secret = secrets.token_urlsafe(32)
    session.add(PasswordReset(user_id=user.id, token_hash=_digest(secret), created_at=now, created_by_id=actor.id,
                              expires_at=now + RESET_LIFETIME))
    session.flush()
    _audit(session, actor, user, "update", {"password_reset_link": [None, "issued"]})
    return secret


def reset_user(session, secret: str | None, *, now: datetime) -> User | None:
    """The user a one-time link is for, while it is valid (unused, unexpired)."""
    row = _reset_row(session, secret, now)
    return row.user if row is not None else None


def use_reset(session, secret: str | None, new_password: str, *, now: datetime) -> User:
    """Set the password with a one-time link, which is used up; every
    earlier session of the user ends.

    :raise AccountError: an invalid, used or expired link, or a weak password.
    """
    row = _reset_row(session, secret, now)
    if row is None:
        raise AccountError("链接无效、已使用或已过期，请联系市级管理员重新发送")
    problems = accounts.password_problems(new_password, row.user.username)
    if problems:
        raise AccountError("；".join(problems), "new_password")
    user = row.user
    user.set_password(new_password)
    user.password_changed_at, user.must_change_password = now, False
    row.used_at = now
    sessions.end_all(session, user)
    return user


def listing(session, *, query: str = "", county_id: int | None = None) -> list[User]:
    """Accounts by role, county and name; ``query`` matches any part of the
    username, the name or the e-mail address."""
    stmt = select(User).where(User.role.in_(OFFICER_ROLES))  # enterprises' accounts: pool.portal
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.username).like(like), func.lower(User.display_name).like(like),
                              func.lower(User.email).like(like)))
    if county_id is not None:
        stmt = stmt.where(User.county_id == county_id)
    return list(session.scalars(stmt.order_by(User.role, User.county_id, User.username)))


def _reset_row(session, secret, now) -> PasswordReset | None:
    if not secret or len(secret) > 100:
        return None
    row = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _digest(secret)))
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.active:
        return None
    return row


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _require_admin(actor) -> None:
    if getattr(actor, "role", None) != CITY_ADMIN:
        raise AccountError("只有市级管理员可以管理账号")


def _require_another_admin(session, user: User) -> None:
    others = session.scalar(select(func.count()).select_from(User).where(
        User.role == CITY_ADMIN, User.active.is_(True), User.id != user.id))
    if not others:
        raise AccountError("至少要保留一个启用的市级管理员账号", "role")


def checked_name(value: str | None) -> str:
    name = (value or "").strip()
    if not name:
        raise AccountError("姓名不能为空", "display_name")
    if len(name) > NAME_LENGTH:
        raise AccountError(f"姓名不能超过 {NAME_LENGTH} 个字符", "display_name")
    if (unclean := text.refusal("姓名", name)) is not None:
        raise AccountError(unclean, "display_name")
    return name


def checked_email(value: str | None) -> str | None:
    email = (value or "").strip()
    if not email:
        return None
    if len(email) > EMAIL_LENGTH or email.count("@") != 1 or "." not in email.split("@")[1] \
            or any(c.isspace() for c in email):
        raise AccountError("电子邮箱格式不正确", "email")
    return email


def _audit(session, actor, user: User, action: str, changes: dict) -> None:
    session.add(ChangeRecord(actor_id=actor.id, entity="user_account", entity_id=user.id, action=action,
                             changes=changes))
    session.flush()
