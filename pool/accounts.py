"""Accounts: creating users, checking passwords, throttling failed logins.

Plain domain code: callers pass the session, the remote address and ``now``.
"""
import secrets
import string
from datetime import datetime, timedelta

from sqlalchemy import func, select

from models import CITY_ADMIN, COUNTY_OFFICER, County, LoginAttempt, User

from . import text

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A request about an account that cannot be carried out; ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LoginThrottled(Exception):
    """Too many failed attempts recently; ``retry_after`` is a timedelta."""

    def __init__(self, retry_after: timedelta):
        super().__init__(f"登录失败次数过多，请 {max(1, int(retry_after.total_seconds() // 60) + 1)} 分钟后再试")
        self.retry_after = retry_after


def password_problems(password: str, username: str = "") -> list[str]:
    """Why ``password`` is not acceptable, in Chinese; empty when it is."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    classes = sum(
        any(c in group for c in password)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not c.isalnum() for c in password)
    if classes < 2:
        problems.append("密码须包含字母、数字、符号中的至少两类")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    return problems


def generate_password() -> str:
    """A random password that satisfies ``password_problems``."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(14))
        if not password_problems(candidate) and any(c.isdigit() for c in candidate):
            return candidate


def create_user(session, *, username: str, display_name: str, role: str,
                county: County | None = None, email: str | None = None,
                password: str | None = None) -> tuple[User, str]:
    """Add a user; return it with its password (generated when not given).

    :raise AccountError: on a taken username, a bad role/county pairing or a
        weak password.
    """
    username = username.strip()
    if not username:
        raise AccountError("用户名不能为空", "username")
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise AccountError(f"用户名 {username} 已存在", "username")
    for field, label, value in (("username", "用户名", username),
                                ("display_name", "姓名", display_name), ("email", "电子邮箱", email)):
        if (unclean := text.refusal(label, value)) is not None:
            raise AccountError(unclean, field)
    if role not in (CITY_ADMIN, COUNTY_OFFICER):
        raise AccountError(f"未知角色 {role}", "role")
    if role == COUNTY_OFFICER and county is None:
        raise AccountError("县市区工作人员必须指定所属县市区", "county")
    if password is None:
        password = generate_password()
    problems = password_problems(password, username)
    if problems:
        raise AccountError("；".join(problems), "password")
    user = User(username=username, display_name=display_name or username, role=role,
                county=county if role == COUNTY_OFFICER else None, email=email)
    user.set_password(password)
    session.add(user)
    return user, password


def change_password(user: User, current: str, new: str, now: datetime) -> None:
    """Replace ``user``'s password after checking the current one.

    :raise AccountError: when the current password is wrong or the new one weak.
    """
    if not user.check_password(current):
        raise AccountError("当前密码不正确", "current_password")
    if current == new:
        raise AccountError("新密码不能与当前密码相同", "new_password")
    problems = password_problems(new, user.username)
    if problems:
        raise AccountError("；".join(problems), "new_password")
    user.set_password(new)
    user.password_changed_at = now


def authenticate(session, username: str, password: str, *, remote_addr: str | None,
                 now: datetime, max_failures: int, window: timedelta) -> User | None:
    """The active user with these credentials, or ``None``; every attempt is recorded.

    Throttling counts failures per username and per address inside ``window``
    (an address gets more room: several officers may share a NAT).

    :raise LoginThrottled: when either count has reached its limit.
    """
    username = (username or "").strip()
    since = now - window
    _check_throttle(session, LoginAttempt.username == username, max_failures, since, window, now)
    if remote_addr:
        _check_throttle(session, LoginAttempt.remote_addr == remote_addr,
                        max_failures * 4, since, window, now)
    user = session.scalar(select(User).where(User.username == username))
    ok = user is not None and user.active and user.check_password(password or "")
    session.add(LoginAttempt(username=username[:64], remote_addr=remote_addr, at=now, success=ok))
    if ok:
        user.last_login_at = now
        return user
    return None


def _check_throttle(session, who, limit, since, window, now) -> None:
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(who, LoginAttempt.success.is_(True),
                                                LoginAttempt.at >= since))
    failures = select(LoginAttempt.at).where(who, LoginAttempt.success.is_(False),
                                             LoginAttempt.at >= since)
    if last_success is not None:
        # A success resets the count: only failures after it matter.
        failures = failures.where(LoginAttempt.at > last_success)
    times = session.scalars(failures.order_by(LoginAttempt.at.desc()).limit(limit)).all()
    if len(times) >= limit:
        raise LoginThrottled(times[-1] + window - now)
