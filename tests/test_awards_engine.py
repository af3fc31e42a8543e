"""The award engine: every formula kind, every cap scope on both sides of its boundary, the
no-double rule, renewals, refusals and rounding — on the shipped programmes, from plain facts."""
from decimal import Decimal as D

import pytest

from pool.awards import engine, facts, formulas, money


def run(code, year, *fact_list, kind="enterprise", in_region=True):
    document = {"beneficiaries": [{"id": "B1", "kind": kind, "in_region": in_region, "facts": list(fact_list)}]}
    return engine.evaluate(code, facts.parse(document), year).beneficiaries[0]


def by_rule(result, rule):
    return [item for item in result.items if item.rule.id == rule]


def fact(id, type, date, **fields):
    return {"id": id, "type": type, "date": date, **fields}


# --- formula kinds ---------------------------------------------------------------------------

def test_fixed_keyed_by_level():
    result = run("xuchang-2022", 2024, fact("q", "qualification", "2024-06-01", designation="ip_enterprise", level="national"))
    [item] = by_rule(result, "XC-14")
    assert (item.status, item.amount, item.lines) == ("payable", D(20), [("city", D("20.000000"))])


def test_fixed_keyed_by_two_fields():
    result = run("anyang-2018", 2024, fact("q", "qualification", "2024-06-01", designation="ip_enterprise",
                                           level="national", subtype="demonstration"))
    assert by_rule(result, "AY-05")[0].amount == D(25)


def test_per_unit_domestic_and_foreign_and_utility_models_excluded():
    result = run("xuchang-2022", 2024,
                 fact("a", "patent_grant", "2024-01-02", kind="invention", office="CN"),
                 fact("b", "patent_grant", "2024-01-03", kind="invention", office="US"),
                 fact("c", "patent_grant", "2024-01-04", kind="invention", office="EP"),
                 fact("d", "patent_grant", "2024-01-05", kind="utility_model", office="CN"))
    assert [i.amount for i in by_rule(result, "XC-13")] == [D("0.2"), D(1), D(1)]


def test_per_unit_of_a_count():
    result = run("anyang-2018", 2024, fact("y", "yearly_counts", "2024-12-31", registered_on="2010-01-01",
                                           qualifying_invention_applications=301, qualifying_invention_grants=37),
                 kind="agency")
    assert by_rule(result, "AY-14")[0].amount == D("3.7")


@pytest.mark.parametrize("applications, paid", [(300, False), (301, True)])
def test_exceeding_is_strict(applications, paid):  # 「超过300件」 means > 300
    result = run("anyang-2018", 2024, fact("y", "yearly_counts", "2024-12-31", qualifying_invention_applications=applications,
                                           qualifying_invention_grants=1), kind="agency")
    assert by_rule(result, "AY-14")[0].status == ("payable" if paid else "ineligible")


@pytest.mark.parametrize("applications, paid", [(9, False), (10, True)])
def test_reaching_includes_the_number(applications, paid):  # 「达到10件以上」 means ≥ 10
    result = run("anyang-2018", 2024, fact("y", "yearly_counts", "2024-12-31", invention_applications=applications))
    assert by_rule(result, "AY-03")[0].status == ("payable" if paid else "ineligible")


def test_percent_with_rate_keyed_by_a_flag():
    result = run("anyang-2018", 2024,
                 fact("a", "fee", "2024-02-01", subject="P1", fee="patent_insurance", amount="0.35", full_subsidy=False),
                 fact("b", "fee", "2024-02-01", subject="P2", fee="patent_insurance", amount="0.35", full_subsidy=True))
    assert [i.amount for i in by_rule(result, "AY-11")] == [D("0.28"), D("0.35")]


@pytest.mark.parametrize("paid, expected", [("0.8", D("0.8")), ("1", D(1)), ("1.5", D(1))])
def test_min_of_actual_and_cap(paid, expected):
    result = run("anyang-2018", 2024, fact("f", "fee", "2024-03-01", subject="P", fee="annual_fee", amount=paid,
                                           granted_on="2018-03-01", patent_valid=True))
    assert by_rule(result, "AY-02")[0].amount == expected


@pytest.mark.parametrize("granted, status", [("2018-03-01", "payable"), ("2018-03-02", "ineligible")])
def test_six_years_since_grant_counts_the_anniversary_day(granted, status):
    result = run("anyang-2018", 2024, fact("f", "fee", "2024-03-01", subject="P", fee="annual_fee", amount="1",
                                           granted_on=granted, patent_valid=True))
    assert by_rule(result, "AY-02")[0].status == status


@pytest.mark.parametrize("amounts, expected", [
    (["299.99"], 5), (["300"], 5), (["300.01"], 10), (["599.99"], 10), (["600"], 15), (["1000"], 15),
    (["200", "100"], 5), (["200", "100.01"], 10), (["300", "300"], 15),  # summed per enterprise-year [R]
])
def test_tier_lookup_on_each_side_of_300_and_600(amounts, expected):
    loans = [fact(f"l{i}", "loan", f"2024-0{i + 1}-01", collateral="patent", amount=a) for i, a in enumerate(amounts)]
    [item] = by_rule(run("anyang-2018", 2024, *loans), "AY-09")
    assert item.amount == D(expected)
    assert item.facts == tuple(f"l{i}" for i in range(len(amounts)))


def test_tier_bands_are_exclusive_and_complete():
    tiers = [{"from": "0", "to": "300", "to_inclusive": True}, {"from": "300", "from_inclusive": False, "to": "600"},
             {"from": "600"}]
    for value in (D(0), D(300), D("300.000001"), D(600), D(10**6)):
        assert sum(formulas.in_band(value, t) for t in tiers) == 1


def test_missing_tier_table_is_refused_in_chinese_never_guessed():
    result = run("xuchang-2022", 2024, fact("t", "loan", "2024-01-15", collateral="trademark", amount="500",
                                            repaid_on_schedule=True, interest_paid="18"))
    [item] = by_rule(result, "XC-11")
    assert item.status == "refused" and item.payable == 0
    assert "分档标准未载于本文" in item.trace[-1] and "不作推测" in item.trace[-1]
    assert result.total == 0


def test_interest_on_the_pledged_part_at_the_lpr_of_the_day_split_between_city_and_district():
    result = run("yuanzhou-2023", 2024,
                 fact("l", "loan", "2024-03-15", collateral="patent", amount="1000", pledged_part="800", term_months=6))
    [item] = by_rule(result, "YZ-07")
    assert item.amount == D("800") * D("0.0345") * D("0.15") * 6 / 12 == D("2.07")
    assert item.lines == [("district", D("1.035000")), ("city", D("1.035000"))]
    assert item.payment_year == 2025


def test_match_of_the_provincial_award_on_two_funding_levels():
    result = run("yuanzhou-2023", 2024, fact("n", "qualification", "2024-08-01", designation="info_service_node",
                                             level="national", provincial_award="3.5"))
    assert [(i.rule.id, i.amount, i.lines[0][0]) for i in result.items] == [
        ("YZ-09-city", D("3.5"), "city"), ("YZ-09-district", D("3.5"), "district")]


@pytest.mark.parametrize("requested, expected", [("19.99", D("19.99")), ("20", D(20)), ("25", D(20))])
def test_discretionary_up_to_its_cap(requested, expected):
    result = run("anyang-2018", 2024, fact("p", "project", "2024-05-01", project="platform", requested=requested))
    assert by_rule(result, "AY-12")[0].amount == expected


# --- caps ----------------------------------------------------------------------------------

@pytest.mark.parametrize("costs, expected", [({"lawyer": "10"}, D(5)), ({"lawyer": "10.02"}, D(5)),
                                             ({"lawyer": "9.98"}, D("4.99"))])
def test_per_case_cap(costs, expected):
    result = run("anyang-2018", 2024, fact("c", "case", "2024-04-01", foreign=False, won=True, costs=costs))
    assert by_rule(result, "AY-16")[0].amount == expected


def test_annual_cap_is_reached_in_date_order_whatever_the_file_order():
    cases = [fact("late", "case", "2024-11-01", foreign=False, won=True, costs={"lawyer": "4"}),
             fact("early", "case", "2024-02-01", foreign=False, won=True, costs={"lawyer": "10"}),
             fact("mid", "case", "2024-06-01", foreign=False, won=True, costs={"lawyer": "8", "translation": "9"})]
    items = by_rule(run("anyang-2018", 2024, *cases), "AY-16")
    # translation fees are not aided in domestic cases; 5 + 4 reach the 10 cap, then 1 of the last 2
    assert [(i.facts[0], i.amount) for i in items] == [("early", D(5)), ("mid", D(4)), ("late", D(1))]


def test_domestic_and_foreign_cases_have_separate_annual_caps():
    cases = [fact(f"d{i}", "case", f"2024-0{i + 1}-01", foreign=False, won=True, costs={"lawyer": "10"}) for i in range(3)]
    cases.append(fact("f", "case", "2024-09-01", foreign=True, won=True, costs={"translation": "50"}))
    result = run("anyang-2018", 2024, *cases)
    assert [i.amount for i in by_rule(result, "AY-16")] == [D(5), D(5), D(0)]
    assert [i.amount for i in by_rule(result, "AY-17")] == [D(20)]


def test_a_lost_case_gets_nothing():
    result = run("anyang-2018", 2024, fact("c", "case", "2024-04-01", foreign=False, won=False, costs={"lawyer": "4"}))
    assert by_rule(result, "AY-16") == []


@pytest.mark.parametrize("grants, last", [(3, D(15)), (4, D(0))])
def test_beneficiary_year_cap_exactly_reached_and_exceeded(grants, last):
    offices = ("US", "EP", "JP", "KR")
    result = run("yuanzhou-2023", 2024, *[fact(f"g{i}", "patent_grant", f"2024-0{i + 1}-01", kind="invention",
                                               office=offices[i]) for i in range(grants)])
    items = by_rule(result, "YZ-01")
    assert sum(i.amount for i in items) == 45 and items[-1].amount == last


def test_the_yz01_cap_applies_to_enterprises_only():
    grants = [fact(f"g{i}", "patent_grant", f"2024-0{i + 1}-01", kind="invention", office=o)
              for i, o in enumerate(("US", "EP", "JP", "KR"))]
    assert run("yuanzhou-2023", 2024, *grants, kind="university").total == 60


def test_institution_year_cap():
    result = run("anyang-2018", 2024, fact("y", "yearly_counts", "2024-12-31", patent_pledge_lending="5000"),
                 kind="financial_institution")
    assert by_rule(result, "AY-10")[0].amount == D(50)
    result = run("anyang-2018", 2024, fact("y", "yearly_counts", "2024-12-31", patent_pledge_lending="5000.01"),
                 kind="financial_institution")
    assert by_rule(result, "AY-10")[0].amount == D(50)


def _rd(**extra):
    return fact("rd", "rd_investment", "2024-04-30", amount="99", fiscal_year=2023, tech_sme_filed=True,
                meets_hightech_standards=True, high_tech_certified=False, **extra)


def test_one_off_per_beneficiary_and_left_for_review():
    [item] = by_rule(run("xuchang-2022", 2024, _rd()), "XC-03")
    assert (item.status, item.amount) == ("review", D("9.9"))
    prior = fact("p", "prior_award", "2023-05-01", rule="XC-03", amount="3", funding_level="city")
    [item] = by_rule(run("xuchang-2022", 2024, _rd(), prior), "XC-03")
    assert (item.status, item.amount) == ("excluded", 0)


def test_one_off_per_subject():
    fees = [fact(f"f{i}", "fee", f"2024-0{i + 3}-01", subject="P", fee="annual_fee", amount="0.4",
                 granted_on="2010-01-01", patent_valid=True) for i in range(2)]
    fees.append(fact("other", "fee", "2024-06-01", subject="Q", fee="annual_fee", amount="0.4",
                     granted_on="2010-01-01", patent_valid=True))
    assert [i.amount for i in by_rule(run("anyang-2018", 2024, *fees), "AY-02")] == [D("0.4"), 0, D("0.4")]


# --- the no-double rule -------------------------------------------------------------------

def test_no_double_within_a_funding_level_keeps_the_higher_across_levels_both_pay():
    result = run("yuanzhou-2023", 2024,
                 fact("p", "prize", "2024-07-01", subject="P", level="provincial"),
                 fact("n", "prize", "2024-12-01", subject="P", level="national", grade="excellent"))
    amounts = {i.rule.id: (i.status, i.amount) for i in result.items}
    assert amounts == {"YZ-06-city": ("payable", D(5)), "YZ-06-district": ("excluded", 0),
                       "YZ-05": ("payable", D(30))}
    assert "就高不就低" in by_rule(result, "YZ-06-district")[0].conflict


def test_converted_and_not_converted_exclude_each_other_and_the_city_line_stacks():
    result = run("yuanzhou-2023", 2024, fact("g", "patent_grant", "2024-04-10", kind="invention", office="CN",
                                             converted_in_district=True, converted_on="2026-04-10",
                                             patentee_in_district=True))
    assert {i.rule.id: i.status for i in result.items} == {"YZ-02": "payable", "YZ-03": "payable",
                                                           "YZ-04": "ineligible"}
    late = run("yuanzhou-2023", 2024, fact("g", "patent_grant", "2024-04-10", kind="invention", office="CN",
                                           converted_in_district=True, converted_on="2026-04-11",
                                           patentee_in_district=True))
    assert by_rule(late, "YZ-03")[0].status == "ineligible"


@pytest.mark.parametrize("prior, status, amount", [("1", "payable", D(1)), ("2", "excluded", 0), ("3", "excluded", 0)])
def test_a_district_award_already_received_counts_keep_the_higher(prior, status, amount):
    result = run("yuanzhou-2023", 2024,
                 fact("g", "patent_grant", "2024-04-10", subject="P", kind="invention", office="CN",
                      converted_in_district=True),
                 fact("old", "prior_award", "2024-02-01", subject="P", rule="区科技奖励", amount=prior,
                      funding_level="district", conflict_group="yz-cn-grant"))
    [item] = by_rule(result, "YZ-02")
    assert (item.status, item.amount) == (status, amount)


def test_a_city_award_already_received_does_not_touch_the_district_line():
    result = run("yuanzhou-2023", 2024,
                 fact("g", "patent_grant", "2024-04-10", subject="P", kind="invention", office="CN",
                      converted_in_district=True),
                 fact("old", "prior_award", "2024-02-01", subject="P", rule="市奖励", amount="5",
                      funding_level="city", conflict_group="yz-cn-grant"))
    assert by_rule(result, "YZ-02")[0].amount == 2


def test_xuchang_stacks_prizes_of_two_levels_for_one_patent():  # 000 has no no-double rule [R]
    result = run("xuchang-2022", 2024, fact("a", "prize", "2024-03-01", subject="P", level="national"),
                 fact("b", "prize", "2024-09-01", subject="P", level="provincial"))
    assert result.total == 30


# --- new vs renewal, area, year -----------------------------------------------------------

def test_renewal_vs_first_certificate():
    first = run("xuchang-2022", 2024, fact("h", "qualification", "2024-11-01", designation="high_tech"))
    renewal = run("xuchang-2022", 2024, fact("h0", "qualification", "2018-11-01", designation="high_tech"),
                  fact("h", "qualification", "2024-11-01", designation="high_tech"))
    flagged = run("xuchang-2022", 2024, fact("h", "qualification", "2024-11-01", designation="high_tech", renewal=True))
    assert [by_rule(r, "XC-02")[0].amount for r in (first, renewal, flagged)] == [D(10), D(5), D(5)]


def test_a_renewed_designation_is_not_newly_recognised():
    result = run("xuchang-2022", 2024, fact("a", "qualification", "2021-06-01", designation="ip_enterprise", level="municipal"),
                 fact("b", "qualification", "2024-06-01", designation="ip_enterprise", level="municipal"),
                 fact("c", "qualification", "2024-09-01", designation="ip_enterprise", level="provincial"))
    assert [(i.facts[0], i.status) for i in by_rule(result, "XC-14")] == [("b", "ineligible"), ("c", "payable")]


def test_out_of_area_and_other_years_are_not_paid():
    outside = run("anyang-2018", 2024, fact("g", "patent_grant", "2024-04-10", kind="invention", office="CN"),
                  in_region=False)
    assert by_rule(outside, "AY-01")[0].status == "ineligible"
    assert run("anyang-2018", 2024, fact("g", "patent_grant", "2023-12-31", kind="invention", office="CN")).items == []


def test_missing_data_is_named_not_guessed():
    [item] = by_rule(run("xuchang-2022", 2024, fact("e", "fee", "2024-02-10", fee="evaluation", amount="2")), "XC-09")
    assert item.status == "missing" and "是否由申请人承担" in item.trace[-1]


# --- money --------------------------------------------------------------------------------

def test_only_the_payable_amount_is_rounded_half_up_to_a_fen():
    assert money.payable(D("0.0000005")) == D("0.000001")  # 0.005 元 → 0.01 元
    assert money.payable(D("0.00000049")) == D("0.000000")
    assert money.split(D("0.0000003"), [D("0.5"), D("0.5")]) == [D("0.000000"), D("0.000000")]
    assert sum(money.split(D("1.0000005"), [D("0.5"), D("0.5")])) == money.payable(D("1.0000005"))


def test_interest_is_exact_until_the_payable_amount():
    result = run("yuanzhou-2023", 2024, fact("l", "loan", "2024-10-22", collateral="patent", amount="333.33",
                                             term_months=7))
    [item] = by_rule(result, "YZ-07")
    assert item.amount == D("333.33") * D("0.0310") * D("0.15") * 7 / 12
    assert item.payable == D("0.904158")  # 9041.575… 元 → 9041.58 元
    assert sum(amount for _, amount in item.lines) == item.payable
