"""Criteria 5-7 decided once (pool.eligibility.figures): the outcomes over plain numbers
that the criteria and the daily scan both ask, on both sides of every threshold."""
from datetime import date
from decimal import Decimal as D
from decimal import localcontext
from fractions import Fraction
from types import SimpleNamespace

import pytest

from pool.eligibility.figures import (
    counts_for_c7, industrialization_outcome, rd_investment_outcome, rd_team_outcome, research_partners,
)
from pool.eligibility.policy import DEFAULT_PARAMETERS, Parameter, Policy
from pool.eligibility.ratios import at_least

AS_OF = date(2026, 3, 1)
P = Policy().in_force(AS_OF)


@pytest.mark.parametrize("valid, done, unknown, expected", [
    (2, 1, 0, True),  # exactly 50 %
    (3, 1, 0, False),  # 33 %
    (3, 1, 1, None),  # the unknown one decides
    (3, 0, 1, False),  # even with it: 33 %
    (200, 99, 0, False), (200, 100, 0, True),
    (0, 0, 0, False),  # no valid patent
])
def test_industrialization_outcome(valid, done, unknown, expected):
    assert industrialization_outcome(P, valid, done, unknown) is expected


@pytest.mark.parametrize("rd, revenue, expected", [
    (D("200.2"), D("2002"), (True, True, False)),  # exactly 10 %
    (D("200.2"), D("2002.01"), (False, False, False)),  # 9.99995 %
    (D("500"), D("90000"), (True, False, True)),  # 500 万元 rescues the ratio
    (D("499.9999"), D("90000"), (False, False, False)),
    (D("100"), D("0"), (False, False, False)),  # zero revenue: the amount decides
    (D("600"), D("0"), (True, False, True)),
    (D("100"), None, (None, None, False)),  # revenue unknown, amount short
    (D("600"), None, (True, None, True)),
    (None, D("1000"), (None, None, None)),
])
def test_rd_investment_outcome(rd, revenue, expected):
    assert rd_investment_outcome(P, rd, revenue) == expected


@pytest.mark.parametrize("leader, staff, employees, partnered, expected", [
    (True, 20, 100, False, True),  # exactly 20 %
    (True, 19, 100, False, False),
    (True, 19, 100, True, True),  # a partnership instead
    (False, 50, 100, True, False),  # no R&D leader
    (None, 50, 100, False, None),
    (True, 0, 0, False, False),  # zero employees
    (True, None, 100, False, None),
    (True, None, 100, True, True),
])
def test_rd_team_outcome(leader, staff, employees, partnered, expected):
    assert rd_team_outcome(P, leader, staff, employees, partnered)[0] is expected


def test_ratios_are_exact_beyond_a_float_and_64_bits():
    policy = Policy(DEFAULT_PARAMETERS + (
        Parameter("min_rd_staff_ratio", D("0.2000001"), date(2025, 1, 1), "测试"),
        Parameter("min_rd_ratio", D("0.15"), date(2025, 1, 1), "测试")))
    p = policy.in_force(AS_OF)
    assert rd_team_outcome(p, True, 20, 100, False)[0] is False
    assert rd_team_outcome(p, True, 2000001, 10000000, False)[0] is True
    huge = D("900000000000000")
    assert rd_investment_outcome(p, D("100"), huge)[0] is False
    assert rd_investment_outcome(p, huge * D("0.15"), huge)[0] is True


def _partnership(kind="university", valid_from=date(2024, 1, 1), valid_to=date(2026, 3, 1)):
    return SimpleNamespace(partner="湖北理工学院", partner_type=kind, valid_from=valid_from, valid_to=valid_to)


def test_research_partners_count_universities_and_institutes_in_force_both_ends_inclusive():
    assert counts_for_c7(_partnership(), AS_OF)
    assert counts_for_c7(_partnership("research_institute", valid_from=AS_OF), AS_OF)
    assert not counts_for_c7(_partnership("other"), AS_OF)
    assert not counts_for_c7(_partnership(valid_to=date(2026, 2, 28)), AS_OF)
    assert not counts_for_c7(_partnership(valid_from=date(2026, 3, 2), valid_to=date(2027, 1, 1)), AS_OF)
    first, other = _partnership(), _partnership("other")
    assert research_partners([other, first, _partnership()], AS_OF)[0] is first


def test_at_least_stays_exact_past_the_decimal_context():
    """Digits beyond any decimal context: the comparison falls back to integer ratios."""
    with localcontext() as context:
        context.prec = 200
        big = D("1" + "0" * 70 + ".000000000000000000001")
        exact, below = big * D("0.1"), big * D("0.1") - D("1e-30")
        third = D("0." + "3" * 80)
        above_third = third + D("1e-80")
    assert at_least(exact, big, D("0.1")) and not at_least(below, big, D("0.1"))
    assert at_least(D(1), D(3), third) and not at_least(D(1), D(3), above_third)
    assert at_least(20, 100, D("0.2")) and not at_least(19, 100, D("0.2"))
    assert at_least(D("120"), D("100"), Fraction(6, 5)) and not at_least(D("119.99"), D("100"), Fraction(6, 5))
