"""The targets engine: each operator and comparator on both sides of its boundary, CAGR against the
mean of yearly rates, per-population ratios with a population change, no data, and the on-track
projection on both sides — from plain series documents and explicit dates."""
from datetime import date
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pool.targets import checks, series
from pool.targets.indicators import catalogue
from pool.targets.targetset import Comparator, Target

END = date(2023, 12, 31)  # the window 2021–2023 has closed


def doc(measures=None, stats=(), parent_stats=()):
    """A province › city document; ``measures``: key -> {year: value}; ``stats``: (key, year, value)."""
    def stat(key, year, value):
        return {"key": key, "year": year, "value": str(value), "source": "测试统计"}
    return {"regions": [
        {"code": "410000", "name": "河南省", "level": "province",
         "statistics": [stat(*s) for s in parent_stats]},
        {"code": "411500", "name": "信阳市", "level": "city", "parent": "410000",
         "statistics": [stat(*s) for s in stats],
         "series": [{"measure": key, "source": "测试序列", "values": {str(y): v for y, v in values.items()}}
                    for key, values in (measures or {}).items()]}]}


def target(indicator, test, op, value, start=2021, end=2023, base_year=None, reading="cagr", upper=None,
           range_reading="lower_bound", options=None):
    comparator = Comparator(op, F(value), F(upper) if upper else None, "", range_reading)
    return Target("T", "测试目标", "条款", "", catalogue()[indicator], test, comparator, start, end, base_year,
                  reading, "province", options or {})


def run(t, document, as_of=END):
    return checks.check(t, series.parse(document)["411500"], as_of)


SME = "transactions.count{type=transfer|licence|equity,direction=in,recipient=sme}"
PLEDGE = "pledge.amount{object=patent}"


# --- comparators and cumulative sums -----------------------------------------------------------------

@pytest.mark.parametrize("last, status", [(8, "not_met"), (9, "met")])
def test_exceeding_20_is_strict(last, status):  # 「累计超过 20 件」: 20 is not enough, 21 is
    result = run(target("sme_inbound_patents", "cumulative", ">", 20), doc({SME: {2021: 5, 2022: 7, 2023: last}}))
    assert (result.status, result.figure) == (status, F(12 + last))


@pytest.mark.parametrize("last, status", [("16000", "not_met"), ("16000.01", "met")])
def test_exactly_4_yi_is_40000_wan_and_not_more_than_it(last, status):
    result = run(target("patent_pledge_amount", "cumulative", ">", "40000"),
                 doc({PLEDGE: {2021: "11000", 2022: "13000", 2023: last}}))
    assert result.status == status
    assert "判断：40000万元 > 40000万元，不成立" in result.trace or status == "met"


@pytest.mark.parametrize("op, total, status", [(">", 100, "not_met"), (">", 101, "met"), (">=", 100, "met"),
                                               (">=", 99, "not_met"), ("<=", 100, "met"), ("<", 100, "not_met")])
def test_every_comparator_on_both_sides_of_100(op, total, status):
    result = run(target("sme_inbound_patents", "cumulative", op, 100),
                 doc({SME: {2021: 50, 2022: 0, 2023: total - 50}}))
    assert result.status == status


@pytest.mark.parametrize("total, reading, status", [(7, "lower_bound", "not_met"), (8, "lower_bound", "met"),
                                                    (11, "lower_bound", "met"), (11, "within", "not_met"),
                                                    (10, "within", "met")])
def test_a_range_is_met_at_its_lower_bound(total, reading, status):  # 「8—10家」 [R]
    key = "designations.count{kind=ip_enterprise,level=provincial}"
    result = run(target("provincial_ip_enterprises", "cumulative", "range", 8, upper=10, range_reading=reading),
                 doc({key: {2021: 0, 2022: 0, 2023: total}}))
    assert result.status == status


def test_each_year_must_hold_in_every_year():
    t = target("operation_centre_projects", "each_year", ">=", 1)
    assert run(t, doc({"operation_centre_projects": {2021: 1, 2022: 2, 2023: 1}})).status == "met"
    failed = run(t, doc({"operation_centre_projects": {2021: 1, 2022: 0, 2023: 1}}))
    assert failed.status == "not_met" and "逐年判断：2022 年 0个 ≥ 1个，不成立" in failed.trace


# --- growth ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("op, values, status", [
    (">=", {2020: 100, 2021: 120, 2022: 144, 2023: "172.8"}, "met"),  # exactly 20 % every year
    (">", {2020: 100, 2021: 120, 2022: 144, 2023: "172.8"}, "not_met"),
    (">=", {2020: 100, 2021: 120, 2022: 144, 2023: "172.79"}, "not_met"),
])
def test_exactly_20_percent_growth_every_year(op, values, status):
    result = run(target("patent_pledge_amount", "growth_each_year", op, 20, base_year=2020), doc({PLEDGE: values}))
    assert result.status == status
    assert [p.growth for p in result.series[1:3]] == [F(1, 5), F(1, 5)]


@pytest.mark.parametrize("op, status", [(">=", "met"), (">", "not_met")])
def test_average_growth_of_exactly_10_percent_compared_without_roots(op, status):
    result = run(target("patent_pledge_amount", "growth_average", op, 10, base_year=2020),
                 doc({PLEDGE: {2020: 100, 2021: 105, 2022: 130, 2023: "133.1"}}))
    assert result.status == status and result.figure == F(1331, 1000)
    assert any("(1 + 10%)^3 = 1.331" in line for line in result.trace)


def test_cagr_below_the_rate_while_the_mean_of_yearly_rates_is_above_it():
    values = {2020: 100, 2021: 200, 2022: 100, 2023: 133}  # +100 %, -50 %, +33 %: mean ≈27.7 %, CAGR < 10 %
    cagr = run(target("patent_pledge_amount", "growth_average", ">", 10, base_year=2020), doc({PLEDGE: values}))
    mean = run(target("patent_pledge_amount", "growth_average", ">", 10, base_year=2020, reading="mean"),
               doc({PLEDGE: values}))
    assert (cagr.status, mean.status) == ("not_met", "met")
    assert mean.figure == (F(1) + F(-1, 2) + F(33, 100)) / 3


@given(st.lists(st.integers(1, 10_000), min_size=2, max_size=5), st.integers(0, 60))
def test_the_mean_reading_is_met_whenever_cagr_is(values, rate):
    """The converse case cannot exist: the mean of the yearly rates is never below CAGR (AM ≥ GM),
    so a series met under CAGR is met under the mean reading, never the other way round only."""
    history = {2020 + i: v for i, v in enumerate(values)}
    end = 2020 + len(values) - 1
    cagr = run(target("patent_pledge_amount", "growth_average", ">=", rate, 2021, end, 2020), doc({PLEDGE: history}),
               date(end, 12, 31))
    mean = run(target("patent_pledge_amount", "growth_average", ">=", rate, 2021, end, 2020, reading="mean"),
               doc({PLEDGE: history}), date(end, 12, 31))
    if cagr.status == "met":
        assert mean.status == "met"


def test_growth_from_zero_is_no_data_not_a_guess():
    result = run(target("patent_pledge_amount", "growth_each_year", ">=", 20, base_year=2020),
                 doc({PLEDGE: {2020: 0, 2021: 5, 2022: 6, 2023: 8}}))
    assert result.status == "no_data" and "2020 年「专利质押融资金额」为 0，无法计算增幅" in result.trace


# --- ratios ------------------------------------------------------------------------------------------

def test_per_10000_people_with_a_population_change():
    t = target("valid_inventions_per_10k", "growth_each_year", ">=", 20, 2021, 2021, 2020)
    same = doc({"valid_inventions": {2020: 600, 2021: 720}}, [("population", 2020, 100), ("population", 2021, 100)])
    grown = doc({"valid_inventions": {2020: 600, 2021: 720}}, [("population", 2020, 100), ("population", 2021, 101)])
    assert run(t, same, date(2021, 12, 31)).status == "met"  # 6 → 7.2 per 10k: exactly +20 %
    result = run(t, grown, date(2021, 12, 31))  # 7.2 ÷ 1.01 ≈ 7.1287: +18.8 %
    assert result.status == "not_met"
    assert result.series[1].value == F(720, 101)
    assert "2021 年「万人有效发明专利拥有量」= 720 ÷ 常住人口 101 万人 = ≈7.1287件/万人" in result.trace


def test_per_million_people_and_per_gdp_unit_are_exact():
    region = series.parse(doc({"enforcement_cases": {2023: 12}, "valid_inventions": {2023: 483}},
                              [("population", 2023, "100.5"), ("gdp", 2023, 470)]))["411500"]
    from pool.targets.indicators import reading
    assert reading(catalogue()["enforcement_per_1m"], region, 2023).value == F(12 * 100 * 10, 1005)
    assert reading(catalogue()["inventions_per_gdp"], region, 2023).value == F(483, 47)
    assert reading(catalogue()["inventions_per_gdp"], region, 2023, {"gdp_unit": "10000"}).value == F(483 * 10000, 470)
    assert reading(catalogue()["valid_inventions_per_10k"], region, 2023, {"population": "population_average"}).value \
        is None  # the other reading of 「万人」 needs its own statistic


def test_no_data_when_population_is_missing_for_a_year():
    t = target("valid_inventions_per_10k", "level", ">=", "7.12", 2023, 2023)
    result = run(t, doc({"valid_inventions": {2023: 800}}, [("population", 2022, 100)]))
    assert result.status == "no_data"
    assert "缺少 2023 年「年末常住人口（万人）」（信阳市）" in result.trace


def test_a_share_and_its_zero_denominator():
    whole, part = "clusters.count{level=provincial}", "clusters.count{aid_station=yes,level=provincial}"
    t = target("aid_station_coverage", "level", ">=", 1, 2023, 2023)
    assert run(t, doc({whole: {2023: 9}, part: {2023: 9}})).status == "met"
    assert run(t, doc({whole: {2023: 9}, part: {2023: 8}})).status == "not_met"
    assert run(t, doc({whole: {2023: 0}, part: {2023: 0}})).status == "no_data"


@pytest.mark.parametrize("own, status", [("11.2", "met"), ("11.1", "not_met")])
def test_benchmark_against_the_provincial_official_value(own, status):
    t = target("ip_intensive_share", "benchmark", ">=", 0, 2021, 2023)
    result = run(t, doc(stats=[("ip_intensive_share", 2023, own)], parent_stats=[("ip_intensive_share", 2023, "11.2")]))
    assert result.status == status
    missing = run(t, doc(stats=[("ip_intensive_share", 2023, own)]))
    assert missing.status == "no_data" and "缺少 2023 年「知识产权密集型产业增加值占地区生产总值的比重」（河南省）" in missing.trace


# --- the period still running: projections -----------------------------------------------------------

@pytest.mark.parametrize("goal, status", [("6", "on_track"), ("6.01", "not_met")])
def test_level_projected_linearly_on_both_sides(goal, status):
    # from the base year 2021 (4) to the last closed year 2023 (5): +0.5 a year, so 6 in 2025
    t = target("valid_inventions", "level", ">=", goal, 2022, 2025, base_year=2021)
    result = run(t, doc({"valid_inventions": {2021: 4, 2022: 5, 2023: 5}}), date(2024, 6, 30))
    assert (result.status, result.final, result.projected) == (status, False, F(6))
    assert "按 2021—2023 年平均每年变化 +0.5件 线性外推，2025 年预计 6件" in result.trace


@pytest.mark.parametrize("goal, status", [("10.5", "on_track"), ("10.51", "not_met")])
def test_cumulative_projected_from_the_mean_of_closed_years(goal, status):
    t = target("licence_contracts", "cumulative", ">=", goal, 2023, 2025)
    result = run(t, doc({"transactions.contracts{type=licence}": {2023: 3, 2024: 4, 2025: 9}}), date(2024, 12, 31))
    assert (result.status, result.projected) == (status, F(21, 2))  # 2025's value is not closed: not used


def test_a_cumulative_sum_that_already_holds_is_met_early():
    t = target("licence_contracts", "cumulative", ">=", 10, 2023, 2025)
    result = run(t, doc({"transactions.contracts{type=licence}": {2023: 6, 2024: 4}}), date(2024, 12, 31))
    assert result.status == "met" and "累计值只增不减，已提前达到" in result.trace


def test_a_closed_year_that_failed_its_growth_cannot_be_repaired():
    t = target("patent_pledge_amount", "growth_each_year", ">=", 30, 2023, 2025, 2022)
    ok = run(t, doc({PLEDGE: {2022: 2000, 2023: 2600}}), date(2024, 3, 1))
    failed = run(t, doc({PLEDGE: {2022: 2000, 2023: 2600, 2024: 3300}}), date(2024, 12, 31))
    assert (ok.status, failed.status) == ("on_track", "not_met")


@pytest.mark.parametrize("value, status", [("121", "on_track"), ("120.99", "not_met")])
def test_average_growth_projected_on_the_required_path(value, status):
    t = target("patent_pledge_amount", "growth_average", ">=", 10, 2021, 2023, 2020)
    result = run(t, doc({PLEDGE: {2020: 100, 2021: 105, 2022: value}}), date(2022, 12, 31))
    assert result.status == status


def test_a_year_still_running_is_not_used_and_no_closed_year_is_no_data():
    t = target("sme_inbound_patents", "cumulative", ">", 20)
    assert run(t, doc({SME: {2021: 30}}), date(2021, 12, 30)).status == "no_data"
    assert run(t, doc({SME: {2021: 30}}), date(2021, 12, 31)).status == "met"


def test_a_target_per_field_holds_only_if_every_field_holds():
    t = target("matchmaking_events", "each_year", ">=", 2, 2024, 2025)
    result = run(t, doc({"matchmaking.events{field=新材料}": {2024: 2, 2025: 3},
                         "matchmaking.events{field=生物医药}": {2024: 2, 2025: 1}}), date(2025, 12, 31))
    assert result.status == "not_met"
    assert [(p.part, p.status) for p in result.parts] == [("新材料", "met"), ("生物医药", "not_met")]
    assert run(t, doc({}), date(2025, 12, 31)).status == "no_data"
