"""pool.eligibility.criteria — the ten criteria of 附件2 and the verdict (SPEC §2)."""
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest

from pool.eligibility.applicant import InvalidApplicant, parse
from pool.eligibility.criteria import CRITERIA, PARAMETERS_USED, aggregate, check, evaluate
from pool.eligibility.outcome import STATUSES
from pool.reference.industries import DEFAULT_VERSION, IndustryEntry, IndustryTable
from pool.eligibility.policy import DEFAULT_PARAMETERS, Parameter, Policy

from .factories import (AS_OF, OMIT, applicant, industry_table, partnership, patent, product, qualification,
                        trademark, uscc)

POLICY = Policy()
TABLE = industry_table()
SHIPPED = IndustryTable(versions=[DEFAULT_VERSION])
DAY = timedelta(days=1)


def run(as_of=AS_OF, policy=POLICY, industries=TABLE, **overrides):
    return check(applicant(**overrides), as_of, policy, industries)


def result(number, **overrides):
    return run(**overrides).criterion(number)


def policy_with(key, value, valid_from=date(2025, 1, 1)):
    return Policy(DEFAULT_PARAMETERS + (Parameter(key, value, valid_from, "测试修订"),))


# --- the whole evaluation ---------------------------------------------------

def test_the_factory_applicant_is_eligible():
    evaluation = run()
    assert evaluation.verdict == "eligible"
    assert [c.status for c in evaluation.criteria] == ["pass"] * 10


def test_to_dict_is_exactly_what_the_cli_prints():
    out = run().to_dict()
    assert list(out) == ["uscc", "name", "verdict", "criteria", "warnings"]
    assert [list(c) for c in out["criteria"]] == [["id", "status", "detail"]] * 10
    assert [c["id"] for c in out["criteria"]] == list(range(1, 11))
    assert out["warnings"] == []


def test_to_record_adds_date_titles_sources_and_the_parameters_used():
    record = run().to_record()
    assert record["as_of"] == "2024-10-01"
    assert record["criteria"][5]["source"] == "附件2 第6条" and record["criteria"][5]["title"]
    assert {p["key"] for p in record["parameters"]} == set(PARAMETERS_USED) == {
        "city_region_prefix", "sme_size_table", "accepted_qualifications", "min_industrialization_rate",
        "min_rd_ratio", "min_rd_amount", "min_rd_staff_ratio"}
    assert all(p["source"] and p["valid_from"] == "2024-09-30" for p in record["parameters"])


def test_every_criterion_cites_its_clause_and_has_a_chinese_title():
    assert [c.id for c in CRITERIA] == list(range(1, 11))
    for number, rule in enumerate(CRITERIA, start=1):
        assert rule.source == f"附件2 第{number}条" and rule.title and rule.__doc__


@pytest.mark.parametrize("statuses, verdict", [
    (["pass"] * 10, "eligible"),
    (["pass"] * 9 + ["review"], "needs_review"),
    (["review", "missing", "pass"], "incomplete"),
    (["review", "missing", "fail"], "ineligible"),
    (["fail"], "ineligible"),
])
def test_aggregate(statuses, verdict):
    assert aggregate(statuses) == verdict


def test_verdicts_from_real_applicants():
    assert run(integrity={"major_accident": True}, has_rd_leader=OMIT).verdict == "ineligible"
    assert run(has_rd_leader=OMIT).verdict == "incomplete"
    assert run(brand_evidence=[]).verdict == "needs_review"
    assert run(industries=SHIPPED).verdict == "eligible"  # C3562 is in the shipped table
    assert run(industries=SHIPPED, industry_code="C1311").verdict == "needs_review"  # 稻谷加工 is not


def test_check_raises_every_input_error():
    with pytest.raises(InvalidApplicant) as info:
        check(applicant(employees=-1, name=""), AS_OF, POLICY, TABLE)
    assert {p.path for p in info.value.problems} == {"employees", "name"}


def test_evaluate_wants_a_date_and_the_snapshot_of_that_date():
    a = parse(applicant())
    with pytest.raises(TypeError):
        evaluate(a, datetime(2024, 10, 1), POLICY.in_force(AS_OF), TABLE)
    with pytest.raises(ValueError):
        evaluate(a, AS_OF, POLICY.in_force(AS_OF - DAY), TABLE)


def test_warnings_travel_with_the_verdict():
    code = uscc()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    out = run(uscc=wrong, uscc_checksum_override=True).to_dict()
    assert out["verdict"] == "eligible" and out["warnings"][0].startswith("uscc: 校验位错误")


def test_details_are_chinese_and_statuses_known():
    for c in run(employees=OMIT, patents=[], brand_evidence=[]).criteria:
        assert c.status in STATUSES and c.detail and any("\u4e00" <= ch <= "\u9fff" for ch in c.detail)


# --- 第1条 ------------------------------------------------------------------

def test_c1_pass_quotes_region_and_size():
    c = result(1)
    assert c.status == "pass" and "420202 以 4202 开头" in c.detail and "小型企业" in c.detail


def test_c1_fail_outside_huangshi():
    c = result(1, uscc=uscc("420100"))
    assert c.status == "fail" and "不以 4202 开头" in c.detail


def test_c1_registered_region_code_wins_over_the_uscc():
    assert result(1, uscc=uscc("420100"), registered_region_code="420281").status == "pass"
    assert result(1, registered_region_code="110108").status == "fail"


def test_c1_fail_not_independent_legal_person():
    assert result(1, independent_legal_person=False).status == "fail"


def test_c1_missing_legal_person_names_the_field():
    c = result(1, independent_legal_person=OMIT)
    assert c.status == "missing" and "independent_legal_person" in c.detail


def test_c1_fail_large_enterprise_and_the_or_rule():
    c = result(1, employees=1000, rd_staff=200, operating_revenue=D("40000"))
    assert c.status == "fail" and "不属于中小企业" in c.detail
    assert result(1, employees=1000, rd_staff=200, operating_revenue=D("39999.99")).status == "pass"
    assert result(1, employees=999, rd_staff=200, operating_revenue=D("90000")).status == "pass"


def test_c1_missing_size_indicator():
    c = result(1, operating_revenue=OMIT)
    assert c.status == "missing" and "operating_revenue" in c.detail


def test_c1_review_for_an_industry_outside_the_standard():
    c = result(1, industry_code="J6621")  # 商业银行服务: 金融业 is outside the standard
    assert c.status == "review" and "人工判断" in c.detail


def test_c1_fail_beats_missing():
    assert result(1, uscc=uscc("420100"), independent_legal_person=OMIT).status == "fail"


def test_c1_missing_industry_code():
    evaluation = run(industry_code=OMIT)
    assert evaluation.criterion(1).status == "missing" and evaluation.criterion(3).status == "missing"
    assert "industry_code" in evaluation.criterion(3).detail


# --- 第2条 ------------------------------------------------------------------

def test_c2_pass_quotes_the_certificate():
    c = result(2)
    assert c.status == "pass" and "高新技术企业" in c.detail and "GR202342000123" in c.detail


def test_c2_certificate_on_its_last_valid_day_and_the_day_after():
    last_day = [qualification(valid_to=AS_OF.isoformat())]
    assert result(2, qualifications=last_day).status == "pass"
    c = result(2, as_of=AS_OF + DAY, qualifications=last_day)
    assert c.status == "review" and "已于 2024-10-01 到期" in c.detail


def test_c2_certificate_from_its_first_day_not_before():
    first_day = [qualification(valid_from=AS_OF.isoformat())]
    assert result(2, qualifications=first_day).status == "pass"
    c = result(2, as_of=AS_OF - DAY, qualifications=first_day)
    assert c.status == "review" and "起才有效" in c.detail


def test_c2_review_without_qualifications_in_principle():
    c = result(2, qualifications=[])
    assert c.status == "review" and "原则上" in c.detail


def test_c2_other_types_do_not_count_unless_policy_says_so():
    tech = [qualification(type="tech_sme")]
    c = result(2, qualifications=tech)
    assert c.status == "review" and "科技型中小企业不在认可资格之列" in c.detail
    widened = policy_with("accepted_qualifications", ["high_tech", "tech_sme"])
    assert result(2, qualifications=tech, policy=widened, as_of=date(2024, 12, 31)).status == "review"
    assert result(2, qualifications=tech, policy=widened, as_of=date(2025, 1, 1)).status == "pass"


@pytest.mark.parametrize("kind", ["specialized_sme", "little_giant", "high_tech", "ip_advantage",
                                  "ip_demonstration", "ip_pilot"])
def test_c2_each_accepted_type_passes(kind):
    assert result(2, qualifications=[qualification(type=kind)]).status == "pass"


# --- 第3条 ------------------------------------------------------------------

def test_c3_pass_names_the_group():
    c = result(3)
    assert c.status == "pass" and "新装备制造业" in c.detail and "C3562" in c.detail


@pytest.mark.parametrize("code, where", [
    ("C3921", "信息通信技术制造业 › 通信设备、雷达及配套设备制造"),
    ("C2641", "新材料制造业 › "), ("M7320", "研发、设计和技术服务业 › "), ("D4620", "环保产业 › "),
])
def test_c3_passes_with_the_shipped_table_naming_group_and_category(code, where):
    c = result(3, industries=SHIPPED, industry_code=code)
    assert c.status == "pass" and f"属于专利密集型产业：{where}" in c.detail


def test_c3_detail_in_the_words_of_the_classification():
    c = result(3, industries=SHIPPED, industry_code="C3921")
    assert c.detail == "主营业务 C3921 通信系统设备制造 属于专利密集型产业：信息通信技术制造业 › 通信设备、雷达及配套设备制造"


@pytest.mark.parametrize("code", ["C1711", "C1311", "C3130"])
def test_c3_review_for_a_class_outside_the_188(code):
    c = result(3, industries=SHIPPED, industry_code=code)
    assert c.status == "review" and "不在《知识产权（专利）密集型产业统计分类（2019）》所列 188 个行业小类之中" in c.detail
    assert "原则上应属于" in c.detail


def test_c3_review_before_the_classification_was_in_force():
    c3 = CRITERIA[2]
    c = c3(parse(applicant()), date(2019, 3, 31), POLICY.in_force(date(2019, 3, 31)), SHIPPED)
    assert c.status == "review" and "2019-03-31 尚无生效" in c.detail
    assert c3(parse(applicant()), date(2019, 4, 1), POLICY.in_force(date(2019, 4, 1)), SHIPPED).status == "pass"


def test_c3_review_for_a_partial_class():
    starred = IndustryEntry("3562", "新装备制造业", "半导体器件专用设备制造", "测试", date(2019, 4, 1), "tests",
                            category="半导体器件专用设备", partial=True)
    c = result(3, industries=IndustryTable([starred]))
    assert c.status == "review" and "部分属于" in c.detail


def test_c3_review_when_ruled_out_and_corrections_apply_from_their_date():
    ruled_out = IndustryEntry("3562", "新装备制造业", "半导体器件专用设备制造", "管理员更正", date(2025, 1, 1), "admin",
                              included=False)
    listed = IndustryEntry("3562", "新装备制造业", "半导体器件专用设备制造", "测试", date(2019, 4, 1), "tests")
    table = IndustryTable([listed, ruled_out])
    assert result(3, industries=table, as_of=date(2024, 12, 31)).status == "pass"
    c = result(3, industries=table, as_of=date(2025, 1, 1))
    assert c.status == "review" and "不属于" in c.detail


def test_c3_accepts_the_code_without_letter():
    assert result(3, industry_code="3562").status == "pass"


# --- 第4条 ------------------------------------------------------------------

def test_c4_pass_quotes_product_patent_and_filing():
    c = result(4)
    assert c.status == "pass" and "ZL202310012345.6（自研）" in c.detail and "BA2024420200001" in c.detail


def test_c4_review_without_filing_in_principle():
    c = result(4, products=[product(filing_no=OMIT)])
    assert c.status == "review" and "未完成专利产品备案" in c.detail


@pytest.mark.parametrize("origin, label", [("acquired", "受让"), ("licensed", "许可")])
def test_c4_introduced_patents_count(origin, label):
    c = result(4, patents=[patent(origin=origin)])
    assert c.status == "pass" and label in c.detail


@pytest.mark.parametrize("overrides", [
    {"products": []},
    {"products": [product(main=False)]},
    {"patents": [patent(status="lapsed")]},
    {"patents": [patent(status="pending")]},
    {"patents": [patent(core=False)]},
    {"products": [product(patents=["ZL999"])]},  # unlisted: a warning, and it does not count
    {"products": [product(patents=[])]},
])
def test_c4_fail(overrides):
    assert result(4, **overrides).status == "fail"


@pytest.mark.parametrize("overrides, field", [
    ({"patents": [patent(core=OMIT)]}, "patents[0].core"),
    ({"patents": [patent(origin=OMIT)]}, "patents[0].origin"),
    ({"products": [product(main=OMIT)]}, "products[0].main"),
])
def test_c4_missing_names_the_field(overrides, field):
    c = result(4, **overrides)
    assert c.status == "missing" and field in c.detail


def test_c4_missing_when_only_an_undecidable_product_is_filed():
    products = [product(filing_no=OMIT), product(name="B", main=OMIT, filing_no="BA1")]
    assert result(4, products=products).status == "missing"


# --- 第5条 ------------------------------------------------------------------

def _patents(done, idle, **extra):
    out = [patent(number=f"ZL{i}", industrialized=True) for i in range(done)]
    out += [patent(number=f"ZL{100 + i}", industrialized=False) for i in range(idle)]
    return out + [patent(number=f"ZL{200 + i}", **extra) for i in range(1 if extra else 0)]


def test_c5_exactly_50_percent_passes():
    c = result(5, patents=_patents(2, 2), products=[])
    assert c.status == "pass" and "产业化率 50% ≥ 50%" in c.detail


def test_c5_just_under_50_percent_fails():
    c = result(5, patents=_patents(49, 51), products=[])
    assert c.status == "fail" and "49% < 50%" in c.detail
    assert result(5, patents=_patents(1, 2), products=[]).detail.endswith("33.33% < 50%")


def test_c5_only_valid_patents_count():
    patents = _patents(1, 1) + [patent(number="ZLx", status="expired", industrialized=False)] * 1
    assert result(5, patents=patents, products=[]).status == "pass"


def test_c5_fail_without_valid_patents():
    assert result(5, patents=[], products=[]).detail.startswith("无有效专利（未申报专利）")
    c = result(5, patents=[patent(status="expired")], products=[])
    assert c.status == "fail" and "均非有效状态" in c.detail


def test_c5_unknown_industrialisation():
    assert result(5, patents=_patents(1, 1, industrialized=OMIT), products=[]).status == "missing"
    assert result(5, patents=_patents(2, 0, industrialized=OMIT), products=[]).status == "pass"
    c = result(5, patents=_patents(0, 3, industrialized=OMIT), products=[])
    assert c.status == "fail" and "即使" in c.detail


def test_c5_threshold_comes_from_the_policy():
    stricter = policy_with("min_industrialization_rate", D("0.6"))
    kwargs = dict(patents=_patents(2, 2), products=[], policy=stricter)
    assert result(5, as_of=date(2024, 12, 31), **kwargs).status == "pass"
    c = result(5, as_of=date(2025, 1, 1), **kwargs)
    assert c.status == "fail" and "50% < 60%" in c.detail


# --- 第6条 ------------------------------------------------------------------

def test_c6_exactly_10_percent_passes():
    c = result(6, rd_expense=200.2, operating_revenue=D("2002"))
    assert c.status == "pass" and c.detail.startswith("研发投入占营业收入比重 10% ≥ 10%")


def test_c6_just_under_both_fails_with_the_numbers():
    c = result(6, rd_expense=D("199.9"), operating_revenue=D("2001"))
    assert c.status == "fail"
    assert c.detail == "研发投入占营业收入比重 9.99% < 10%，且研发投入 199.90 万元 < 500 万元"


def test_c6_amount_500_passes_499_99_does_not():
    c = result(6, rd_expense=D("520"), operating_revenue=D("60000"))
    assert c.status == "pass" and c.detail.startswith("研发投入 520.00 万元 ≥ 500 万元")
    assert result(6, rd_expense=D("500"), operating_revenue=D("60000")).status == "pass"
    c = result(6, rd_expense=D("499.99"), operating_revenue=D("60000"))
    assert c.status == "fail" and "499.99 万元 < 500 万元" in c.detail


def test_c6_zero_revenue_the_amount_decides():
    c = result(6, rd_expense=D("499.99"), operating_revenue=0)
    assert c.status == "fail" and "营业收入为 0" in c.detail
    assert result(6, rd_expense=D("500"), operating_revenue=0).status == "pass"


def test_c6_missing_data():
    assert result(6, rd_expense=D("600"), operating_revenue=OMIT).status == "pass"  # the amount suffices
    c = result(6, rd_expense=D("100"), operating_revenue=OMIT)
    assert c.status == "missing" and "operating_revenue" in c.detail
    c = result(6, rd_expense=OMIT)
    assert c.status == "missing" and "rd_expense" in c.detail


def test_c6_never_rounds_across_the_threshold():
    c = result(6, rd_expense=D("199.99"), operating_revenue=D("2000.1"))  # 9.99900005…%
    assert c.status == "fail" and "9.999% < 10%" in c.detail  # rounding to 2 places would say 10%


def test_c6_amount_threshold_changes_on_its_date():
    raised = policy_with("min_rd_amount", D("600"))
    kwargs = dict(rd_expense=D("550"), operating_revenue=D("60000"), policy=raised)
    assert result(6, as_of=date(2024, 12, 31), **kwargs).status == "pass"
    c = result(6, as_of=date(2025, 1, 1), assessment_year=2025, **kwargs)
    assert c.status == "fail" and "550.00 万元 < 600 万元" in c.detail


# --- 第7条 ------------------------------------------------------------------

def test_c7_exactly_20_percent_passes_without_partnership():
    c = result(7, rd_staff=20, employees=100, research_partnerships=[])
    assert c.status == "pass" and "研发人员 20 人占职工总数 100 人的 20% ≥ 20%" in c.detail


def test_c7_just_under_20_percent():
    assert result(7, rd_staff=19, employees=100, research_partnerships=[]).status == "fail"
    c = result(7, rd_staff=19, employees=100)
    assert c.status == "pass" and "19% < 20%" in c.detail and "湖北师范大学" in c.detail


def test_c7_partnership_ending_on_as_of_counts_the_day_after_not():
    ending = [partnership(valid_to=AS_OF.isoformat())]
    assert result(7, rd_staff=1, research_partnerships=ending).status == "pass"
    assert result(7, rd_staff=1, research_partnerships=ending, as_of=AS_OF + DAY).status == "fail"


def test_c7_partnership_not_yet_started():
    starting = [partnership(valid_from=(AS_OF + DAY).isoformat())]
    assert result(7, rd_staff=1, research_partnerships=starting).status == "fail"


@pytest.mark.parametrize("kind, status", [("university", "pass"), ("research_institute", "pass"),
                                          ("other", "fail")])
def test_c7_only_universities_and_research_institutes(kind, status):
    assert result(7, rd_staff=1, research_partnerships=[partnership(partner_type=kind)]).status == status


def test_c7_leader_is_required():
    c = result(7, has_rd_leader=False)
    assert c.status == "fail" and "无稳定的科研带头人" in c.detail
    c = result(7, has_rd_leader=OMIT)
    assert c.status == "missing" and "has_rd_leader" in c.detail
    assert result(7, has_rd_leader=OMIT, rd_staff=1, research_partnerships=[]).status == "fail"


def test_c7_missing_staff_figures():
    assert result(7, rd_staff=OMIT).status == "pass"  # the partnership suffices
    c = result(7, rd_staff=OMIT, research_partnerships=[])
    assert c.status == "missing" and "rd_staff" in c.detail


def test_c7_zero_employees():
    c = result(7, employees=0, rd_staff=0, research_partnerships=[])
    assert c.status == "fail" and "职工总数为 0" in c.detail


# --- 第8条 ------------------------------------------------------------------

def test_c8_pass_with_evidence():
    c = result(8)
    assert c.status == "pass" and "61234567" in c.detail and "湖北省名牌产品" in c.detail


@pytest.mark.parametrize("evidence", [[], ["  "], OMIT])
def test_c8_review_without_brand_evidence(evidence):
    assert result(8, brand_evidence=evidence).status == "review"


def test_c8_trademark_valid_on_its_last_day_not_after():
    last_day = [trademark(valid_to=AS_OF.isoformat())]
    assert result(8, trademarks=last_day).status == "pass"
    c = result(8, trademarks=last_day, as_of=AS_OF + DAY)
    assert c.status == "fail" and "已于 2024-10-01 到期" in c.detail


def test_c8_absent_valid_to_means_in_force():
    c = result(8, trademarks=[trademark(valid_to=OMIT)])
    assert c.status == "pass" and "视为有效" in c.detail


def test_c8_fail_not_owned_or_none():
    c = result(8, trademarks=[trademark(owned=False)])
    assert c.status == "fail" and "非自主商标" in c.detail
    assert result(8, trademarks=[]).status == "fail"


# --- 第9条 ------------------------------------------------------------------

FOUR = {"rules": True, "department": True, "staff": True, "budget": True}


@pytest.mark.parametrize("ip, status", [
    ({"certified_gbt29490": True}, "pass"),
    ({"certified_gbt29490": True, "rules": False}, "pass"),
    ({**FOUR, "certified_gbt29490": False}, "pass"),
    (FOUR, "pass"),
    ({**FOUR, "budget": False, "certified_gbt29490": False}, "fail"),
    ({**FOUR, "budget": False}, "missing"),
    ({"rules": True, "certified_gbt29490": False}, "missing"),
    ({}, "missing"),
])
def test_c9(ip, status):
    assert result(9, ip_management=ip).status == status


def test_c9_details():
    c = result(9, ip_management={**FOUR, "department": False, "budget": False, "certified_gbt29490": False})
    assert c.detail == "未通过 GB/T 29490 认证，且知识产权管理体系缺少：机构、保障"
    c = result(9, ip_management=OMIT)
    assert "ip_management.certified_gbt29490" in c.detail and "ip_management.rules" in c.detail


# --- 第10条 -----------------------------------------------------------------

@pytest.mark.parametrize("flag, label", [("abnormal_patent_applications", "非正常申请专利行为"),
                                         ("major_accident", "重大事故"), ("violation", "违法违规"),
                                         ("serious_dishonesty", "严重失信")])
def test_c10_any_incident_fails(flag, label):
    c = result(10, integrity={flag: True})  # the others blank: one incident is enough
    assert c.status == "fail" and label in c.detail


def test_c10_missing_when_not_declared():
    c = result(10, integrity=OMIT)
    assert c.status == "missing" and "integrity.major_accident" in c.detail
    assert result(10, integrity={"major_accident": False}).status == "missing"


# --- 上年度: the figures' year ------------------------------------------------

def test_figures_of_the_year_before_the_assessment_date_are_used():
    # AS_OF is 2024-10-01: 上年度 is 2023, i.e. assessment_year 2024.
    assert run(assessment_year=2024).verdict == "eligible"


@pytest.mark.parametrize("year", [2023, 2020])
def test_figures_of_an_earlier_year_make_criteria_1_and_6_missing(year):
    evaluation = run(assessment_year=year)
    c1, c6 = evaluation.criterion(1), evaluation.criterion(6)
    assert c6.status == "missing" and c1.status == "missing"
    for detail in (c1.detail, c6.detail):
        assert "上年度为 2023 年" in detail and f"所填年度数据为 {year - 1} 年" in detail
    assert evaluation.verdict == "incomplete"
    assert evaluation.criterion(5).status == "pass"  # patents are not yearly figures


def test_the_figures_year_follows_the_assessment_date():
    assert run(assessment_year=2025, as_of=date(2025, 1, 1)).verdict == "eligible"
    assert run(assessment_year=2024, as_of=date(2024, 12, 31)).verdict == "eligible"
    assert run(assessment_year=2024, as_of=date(2025, 1, 1)).criterion(6).status == "missing"


def test_an_assessment_year_after_the_assessment_date_is_an_input_error():
    with pytest.raises(InvalidApplicant) as info:
        run(assessment_year=2025)  # AS_OF 2024-10-01
    [problem] = info.value.problems
    assert problem.path == "assessment_year" and "申报年度 2025 晚于评估日期 2024-10-01 所在年度 2024" in problem.message
