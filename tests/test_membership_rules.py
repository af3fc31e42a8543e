"""The rules of leaving the pool, written once (pool.membership.rules): the functions the
proposals and the daily scan both ask, on both sides of every threshold."""
from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from pool.eligibility.policy import DEFAULT_PARAMETERS, Parameter, Policy
from pool.membership import rules

P = Policy().in_force(date(2027, 3, 1))


def figures(sales, profit):
    return SimpleNamespace(sales=None if sales is None else D(sales), profit=None if profit is None else D(profit))


# --- graduation -----------------------------------------------------------------------

@pytest.mark.parametrize("admitted, ready", [
    (date(2025, 3, 1), date(2026, 3, 1)),
    (date(2024, 2, 29), date(2025, 2, 28)),  # clamped to the month's end
])
def test_cultivated_long_enough_from_the_day_the_months_are_complete(admitted, ready):
    assert rules.graduation_ready_on(P, admitted) == ready
    assert rules.cultivated_long_enough(P, admitted, ready)
    assert not rules.cultivated_long_enough(P, admitted, date.fromordinal(ready.toordinal() - 1))


def test_rule_a_counts_products_certified_after_the_admission_day():
    admitted = date(2025, 3, 1)
    on_the_day, after = SimpleNamespace(certified_on=admitted), SimpleNamespace(certified_on=date(2025, 3, 2))
    assert rules.newly_certified([on_the_day, after], admitted) == [after]


@pytest.mark.parametrize("as_of, expected", [
    (date(2026, 12, 31), (2025, 2025, False)),  # the latest full year is the admission year
    (date(2027, 1, 1), (2025, 2026, True)),
])
def test_rule_b_compares_the_admission_year_with_the_latest_full_year(as_of, expected):
    assert rules.growth_years(date(2025, 1, 31), as_of) == expected


@pytest.mark.parametrize("base, now, holds, reached", [
    (("1000", "100"), ("1200", "120"), True, (True, True)),  # exactly +20 %
    (("1000", "100"), ("1199.99", "120"), False, (False, True)),
    (("1000", "100"), ("1200", "119.9999"), False, (True, False)),
    (("1000", "100"), ("99999999999999", "99999999999999"), True, (True, True)),
])
def test_product_growth_both_sides_of_twenty_percent(base, now, holds, reached):
    growth = rules.product_growth(P, figures(*base), figures(*now), 2025, 2026)
    assert (growth.holds, growth.reached) == (holds, reached)


def test_product_growth_needs_positive_baselines_and_every_figure():
    assert rules.product_growth(P, figures("1000", "0"), figures("5000", "500"), 2025, 2026).not_positive == "profit"
    assert rules.product_growth(P, figures("-1", "-5"), figures("5", "5"), 2025, 2026).not_positive == "sales"
    growth = rules.product_growth(P, figures("1000", None), None, 2025, 2026)
    assert not growth.holds
    assert growth.absent == ((2025, "profit"), (2026, "sales"), (2026, "profit"))


def test_graduation_growth_is_a_policy_value():
    p = Policy(DEFAULT_PARAMETERS + (Parameter("graduation_growth", D("0.5"), date(2025, 1, 1), "测试"),)
               ).in_force(date(2027, 3, 1))
    assert not rules.product_growth(p, figures("1000", "100"), figures("1200", "120"), 2025, 2026).holds
    assert rules.product_growth(p, figures("1000", "100"), figures("1500", "150"), 2025, 2026).holds


# --- expulsion ------------------------------------------------------------------------

@pytest.mark.parametrize("day, stage", [
    (date(2026, 8, 31), None),
    (date(2026, 9, 1), "no_progress_warning_months"),
    (date(2026, 11, 30), "no_progress_warning_months"),
    (date(2026, 12, 1), "no_progress_high_months"),
    (date(2027, 2, 28), "no_progress_high_months"),
    (date(2027, 3, 1), "progress_window_months"),
])
def test_no_progress_stages_begin_on_the_day_the_months_are_complete(day, stage):
    start = date(2025, 3, 1)
    assert rules.no_progress_stage(P, start, day) == stage
    assert rules.expulsion_due(P, start, day) == (stage == "progress_window_months")
    assert rules.progress_due_on(P, start) == date(2027, 3, 1)


def test_the_most_severe_stage_reached_wins_whatever_the_order_of_the_parameters():
    p = Policy(DEFAULT_PARAMETERS + (Parameter("no_progress_warning_months", 30, date(2025, 1, 1), "测试"),)
               ).in_force(date(2027, 9, 1))
    assert rules.no_progress_stage(p, date(2025, 3, 1), date(2027, 9, 1)) == "progress_window_months"


def test_the_window_restarts_at_the_last_progress():
    admitted = date(2025, 3, 1)
    assert rules.window_start(admitted, None) == admitted
    assert rules.window_start(admitted, date(2025, 2, 1)) == admitted
    assert rules.window_start(admitted, date(2025, 8, 1)) == date(2025, 8, 1)


def test_incidents_count_from_the_admission_day():
    admitted = date(2025, 3, 1)
    before, on_the_day = SimpleNamespace(effective_on=date(2025, 2, 28)), SimpleNamespace(effective_on=admitted)
    assert rules.counted_incidents([before, on_the_day], admitted) == [on_the_day]
