"""Accounts: creating users, checking passwords, throttling failed logins.

Plain domain code: callers pass the session, the remote address and ``now``.
"""
import secrets
import string
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy import text as sql
from werkzeug.security import check_password_hash, generate_password_hash

from models import CITY_ADMIN, OFFICER_ROLES, ROLES, County, LoginAttempt, User

from pool.access import sessions
from pool.kernel import text

MIN_PASSWORD_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 5
# The 10,000 most common passwords (provenance: pool/data/README.md).
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "common_passwords.txt"


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
    """Why ``password`` is not acceptable, in Chinese; empty when it is.

    Length, not composition (OWASP ASVS 2.1): at least 12 characters, not one
    of the most common passwords (nor one of them followed by digits or
    symbols, as in ``password2026!``), not containing the username, and not a
    few characters repeated.
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    low = password.lower()
    if low in _common_passwords() or low.rstrip(_NOT_LETTERS) in _common_passwords():
        problems.append("密码过于常见，容易被猜中，请换一个")
    if username and username.strip().lower() in low:
        problems.append("密码不能包含用户名")
    if len(set(low)) < MIN_DISTINCT_CHARACTERS:
        problems.append(f"密码至少包含 {MIN_DISTINCT_CHARACTERS} 个不同的字符")
    return problems


_NOT_LETTERS = string.digits + string.punctuation + " "


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").split("\n")) - {""}


def generate_password() -> str:
    """A random password that satisfies ``password_problems``."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(14))
        if not password_problems(candidate) and any(c.isdigit() for c in candidate):
            return candidate


def create_user(session, *, username: str, display_name: str, role: str,
                county: County | None = None, email: str | None = None,
                password: str | None = None,
                must_change_password: bool = True) -> tuple[User, str]:
    """Add a user; return it with its password (generated when not given).

    The user must choose their own password at first login unless
    ``must_change_password`` is false: whoever created the account knows this one.

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
    if role not in ROLES:
        raise AccountError(f"未知角色 {role}", "role")
    if role != CITY_ADMIN and county is None:
        raise AccountError("县市区工作人员必须指定所属县市区", "county")
    if password is None:
        password = generate_password()
    problems = password_problems(password, username)
    if problems:
        raise AccountError("；".join(problems), "password")
    user = User(username=username, display_name=display_name or username, role=role,
                county=county if role != CITY_ADMIN else None, email=email,
                must_change_password=must_change_password)
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
    user.must_change_password = False


def find_user(session, username: str) -> User:
    """The user called ``username`` (case-insensitive).

    :raise AccountError: when there is none.
    """
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        raise AccountError(f"用户名 {username} 不存在", "username")
    return user


def set_active(session, user: User, active: bool) -> None:
    """Activate or deactivate ``user``; deactivating ends all their sessions."""
    if user.active and not active:
        sessions.end_all(session, user)
    user.active = active


def authenticate(session, username: str, password: str, *, remote_addr: str | None,
                 now: datetime, max_failures: int, window: timedelta,
                 roles: tuple[str, ...] = OFFICER_ROLES) -> User | None:
    """The active user with these credentials, or ``None``; every attempt is recorded.

    Failures are counted per username (case-insensitive) and per address (an
    address gets four times the room: several officers may share a NAT).  A
    username's count restarts after that user's own successful login; an
    address's never does, so logging in to one's own account does not buy
    guesses at another.  The lock-out backs off: see :func:`_retry_after`.

    Attempts on the same username or address are serialized — a transaction
    lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite — from the count to the
    recorded attempt, so parallel guesses cannot all slip under the limit.  The
    caller commits (or rolls back after :class:`LoginThrottled`), which
    releases the lock.

    Only accounts of ``roles`` log in here: officers at the officers' page,
    enterprises at the portal's (:mod:`pool.portal.accounts`); the other
    role's account is answered like an unknown one.

    A password hash is computed for unknown and inactive users too, so the
    answer takes as long as for a real account and does not reveal which
    usernames exist.

    :raise LoginThrottled: when either count has reached its limit.
    """
    username = (username or "").strip()
    key = username.lower()[:64]
    _serialize(session, [f"login-user:{key}"] + ([f"login-addr:{remote_addr}"] if remote_addr else []))
    waits = [_retry_after(session, LoginAttempt.username == key, max_failures, window, now,
                          since_own_success=True)]
    if remote_addr:
        waits.append(_retry_after(session, LoginAttempt.remote_addr == remote_addr,
                                  max_failures * 4, window, now, since_own_success=False))
    wait = max(waits)
    if wait > timedelta(0):
        raise LoginThrottled(wait)
    user = session.scalar(select(User).where(User.username == username))
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    ok = matches and user is not None and user.active and user.role in roles
    session.add(LoginAttempt(username=key, remote_addr=remote_addr, at=now, success=ok))
    session.flush()
    if ok:
        user.last_login_at = now
        return user
    return None


BACKOFF_MEMORY = timedelta(hours=24)


def _retry_after(session, who, limit: int, window: timedelta, now: datetime, *,
                 since_own_success: bool) -> timedelta:
    """How long ``who`` must wait (zero or negative: not at all).

    ``limit`` failures inside ``window`` lock ``who`` out until the oldest of
    them leaves it.  Whoever goes on failing waits twice as long for each
    further ``limit`` failures within :data:`BACKOFF_MEMORY` (15 min, 30 min,
    1 h, … for a limit of 5), at most that memory.
    """
    failures = select(LoginAttempt.at).where(who, LoginAttempt.success.is_(False),
                                             LoginAttempt.at >= now - BACKOFF_MEMORY)
    if since_own_success:
        last_success = select(func.max(LoginAttempt.at)).where(
            who, LoginAttempt.success.is_(True)).scalar_subquery()
        failures = failures.where(LoginAttempt.at > func.coalesce(last_success, now - BACKOFF_MEMORY))
    times = session.scalars(failures.order_by(LoginAttempt.at.desc()).limit(limit * 10)).all()
    if len(times) < limit:
        return timedelta(0)
    lock = min(window * 2 ** ((len(times) - limit) // limit), BACKOFF_MEMORY)
    return times[limit - 1] + lock - now


def _serialize(session, keys: list[str]) -> None:
    """Hold a transaction-scoped lock on each key (PostgreSQL; in a fixed order, so
    two attempts never wait for each other crosswise).  SQLite needs none: every
    transaction there begins with ``BEGIN IMMEDIATE``, one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": key})


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made as real ones are (same method and cost)."""
    return generate_password_hash(secrets.token_urlsafe(16))
