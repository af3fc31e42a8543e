"""How the lifecycle and the intake rounds refuse, and the one rule for their dates.

Plain Python: ``today`` is always passed in (Asia/Shanghai, read by the web,
API and CLI edges from :func:`pool.web.clock.today`), never read here.
"""
from datetime import date

from pool.kernel.wording import phrase

_FUTURE = phrase("{label} 不能晚于今天（{today}）")
_PAST = phrase("{label} {day} 早于今天（{today}）：{what}")


class TransitionRefused(ValueError):
    """A lifecycle action the rules do not allow; ``str()`` is the Chinese reason."""


class DateRefused(TransitionRefused):
    """The action's date is not allowed; ``field`` is the input holding it."""

    field = "on"


def require_not_future(on: date, today: date, label: str) -> None:
    """Every effective date is on or before ``today`` (Asia/Shanghai, passed
    by the caller): an action dated later would show now what has not
    happened, and would let its own time rules (12 months in the pool, 2
    years without progress) be met in advance.

    :raise DateRefused: ``on`` after ``today``, naming the date by ``label``.
    """
    if type(today) is not date or type(on) is not date:
        raise TypeError("日期须为 datetime.date")
    if on > today:
        raise DateRefused(_FUTURE.format(label=label, today=today.isoformat()))


def require_not_past(on: date, today: date, label: str, what: str) -> None:
    """The pattern of the policy values (:func:`pool.eligibility.rulebook.add_policy_value`):
    what takes effect from ``on`` may not be back-dated, or it would change,
    after the fact, how earlier actions count.

    :raise DateRefused: ``on`` before ``today``.
    """
    if type(today) is not date or type(on) is not date:
        raise TypeError("日期须为 datetime.date")
    if on < today:
        raise DateRefused(_PAST.format(label=label, day=on.isoformat(), today=today.isoformat(), what=what))
