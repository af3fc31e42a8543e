"""The rules of leaving the pool (黄石 二(六)2; SPEC §3, §4), each written once, over plain facts.

Dates, numbers and small records in, plain answers out; no session, no
wording.  :mod:`pool.membership.proposals` loads one enterprise's facts, asks
these and words the findings an officer confirms; the daily scan
(:mod:`pool.monitoring.exits`) loads the facts of the whole pool and asks the
same functions, so a parameter is compared in one place:

* **Months.**  :func:`add_months` keeps the day of month and clamps it to the
  month's last day: 12 months after 2025-01-31 is 2026-01-31, one month after
  it 2025-02-28.  A period of N months is complete on ``add_months(start, N)``.
* **Graduation** needs ``graduation_min_months`` of cultivation
  (:func:`cultivated_long_enough`), then (a) a product certified
  patent-intensive after the admission day (:func:`newly_certified`) or (b) a
  certified product whose sales **and** profit of the latest full year both
  reached (1 + ``graduation_growth``) × those of the admission year
  (:func:`growth_years`, :func:`product_growth`).  A baseline ≤ 0 cannot show
  growth as a ratio; absent figures show none.
* **Expulsion** (a): ``progress_window_months`` whole months without progress
  since :func:`window_start` — the top stage of :func:`no_progress_stage`,
  whose lower stages (``no_progress_high_months``, ``no_progress_warning_months``)
  are SPEC §4's warnings on the way; (b) an integrity incident effective on or
  after the admission day (:func:`counted_incidents`).
"""
from __future__ import annotations

import calendar
import functools
from datetime import date
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction
from typing import Iterable, NamedTuple

from pool.eligibility.policy import Snapshot
from pool.eligibility.ratios import at_least

GROWTH_FIGURES = ("sales", "profit")  # rule (b): both must grow (the order of Growth.reached)
# The no-progress stages, most severe first: the first reached is the stage.
EXPULSION_STAGE = "progress_window_months"
NO_PROGRESS_STAGES = (EXPULSION_STAGE, "no_progress_high_months", "no_progress_warning_months")


# --- months -----------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_without_progress(start: date, as_of: date) -> int:
    """Whole months from ``start`` to ``as_of``: the largest N with
    ``add_months(start, N) <= as_of``.

    :raise ValueError: if ``as_of`` is before ``start``.
    """
    if as_of < start:
        raise ValueError(f"{as_of} 早于起算日 {start}")
    months = (as_of.year - start.year) * 12 + as_of.month - start.month
    # The month difference overshoots by one when as_of's day is before start's.
    return months - 1 if add_months(start, months) > as_of else months


# --- graduation -------------------------------------------------------------------

def graduation_ready_on(p: Snapshot, admitted: date) -> date:
    """The day the ``graduation_min_months`` of cultivation are complete."""
    return add_months(admitted, p["graduation_min_months"])


def cultivated_long_enough(p: Snapshot, admitted: date, as_of: date) -> bool:
    """Whether graduation may be proposed on ``as_of`` at all."""
    return as_of >= graduation_ready_on(p, admitted)


def newly_certified(products: Iterable, admitted: date) -> list:
    """Rule (a): of the patent-intensive products certified by the assessment
    date, those certified after the admission day (strictly), in order."""
    return [x for x in products if x.certified_on > admitted]


def growth_years(admitted: date, as_of: date) -> tuple[int, int, bool]:
    """Rule (b)'s years ``(baseline, latest, comparable)``: the admission year,
    the latest full year before ``as_of`` and whether the latter is after the
    former (if not, there is no growth to measure yet)."""
    base_year, year = admitted.year, as_of.year - 1
    return base_year, year, year > base_year


class Growth(NamedTuple):
    """Rule (b) for one product: whether it ``holds``, else why not."""

    holds: bool
    absent: tuple[tuple[int, str], ...] = ()  # (year, figure) not recorded
    not_positive: str | None = None  # the first baseline figure ≤ 0
    reached: tuple[bool, ...] = ()  # per GROWTH_FIGURES, when compared


def product_growth(p: Snapshot, base, now, base_year: int, year: int) -> Growth:
    """Rule (b) for one product from its figures of ``base_year`` (``base``)
    and ``year`` (``now``), each with ``sales`` and ``profit`` or ``None``:
    both figures of ``year`` ≥ (1 + ``graduation_growth``) × those of
    ``base_year``, compared exactly."""
    sales_was, profit_was = (None, None) if base is None else (base.sales, base.profit)
    sales_now, profit_now = (None, None) if now is None else (now.sales, now.profit)
    if sales_was is None or profit_was is None or sales_now is None or profit_now is None:
        figures = ((base_year, "sales", sales_was), (base_year, "profit", profit_was),
                   (year, "sales", sales_now), (year, "profit", profit_now))
        return Growth(False, absent=tuple((y, attr) for y, attr, value in figures if value is None))
    if sales_was <= 0:
        return Growth(False, not_positive="sales")
    if profit_was <= 0:
        return Growth(False, not_positive="profit")
    factor = _growth_factor(p["graduation_growth"])
    reached = (at_least(sales_now, sales_was, factor), at_least(profit_now, profit_was, factor))
    return Growth(reached[0] and reached[1], reached=reached)


@functools.lru_cache(maxsize=16)
def _growth_factor(growth: Decimal) -> Decimal | Fraction:
    """``1 + growth``, exactly (a Decimal compares fastest)."""
    with localcontext() as context:
        context.prec, context.traps[Inexact] = 60, True
        try:
            return 1 + growth
        except Inexact:
            return 1 + Fraction(growth)


# --- expulsion --------------------------------------------------------------------

def window_start(admitted: date, last_progress: date | None) -> date:
    """Where the no-progress window starts: the later of the admission day and
    the last (uncorrected) progress event effective by the assessment date."""
    return max(admitted, last_progress) if last_progress else admitted


def progress_due_on(p: Snapshot, start: date) -> date:
    """The day a window started on ``start`` has lasted ``progress_window_months``."""
    return add_months(start, p["progress_window_months"])


def no_progress_stage(p: Snapshot, start: date, as_of: date) -> str | None:
    """The most severe of :data:`NO_PROGRESS_STAGES` (parameter names, e.g.
    ``"no_progress_high_months"``) whose months a window started on ``start``
    has lasted on ``as_of``, or ``None`` before the first."""
    months = months_without_progress(start, as_of)
    return next((stage for stage in NO_PROGRESS_STAGES if months >= p[stage]), None)


def expulsion_due(p: Snapshot, start: date, as_of: date) -> bool:
    """Expulsion rule (a): no progress for ``progress_window_months`` whole months."""
    return no_progress_stage(p, start, as_of) == EXPULSION_STAGE


def counted_incidents(incidents: Iterable, admitted: date) -> list:
    """Expulsion rule (b): of the live incidents effective by the assessment
    date, those effective on or after the admission day, in order."""
    return [e for e in incidents if e.effective_on >= admitted]
