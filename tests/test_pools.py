"""Pools as data (pool.pools): the definitions load and are checked, a criteria-set version
applies from its date only, Xuchang's reserve pool on its cases, Huangshi's pool is today's check,
the what-if, and ``flask pool check --pool`` / ``flask pool pools``."""
import copy
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pool.eligibility import criteria
from pool.eligibility.applicant import InvalidApplicant, parse
from pool.eligibility.policy import Policy
from pool.eligibility.rulebook import Rulebook
from pool.kernel import jsonutil
from pool.pools import definition
from pool.pools.definition import NoCriteriaInForce, PoolDefinitionError, parse_pool
from pool.pools.evaluate import PoolEvaluation, check, compare, evaluate, what_if

from .factories import AS_OF, OMIT, applicant, industry_table, qualification, uscc
from .test_wording import applicants

XUCHANG = definition.get("xuchang-2022")
HUANGSHI = definition.get()
RULEBOOK = Rulebook(Policy(), industry_table())
XU_USCC = uscc(region="411002")
FACTS = {"hightech_field": "1.1.1"}


def xuchang(**overrides):
    """A 科技型中小企业 of 许昌 in a whole strategic-emerging class (C3911), no 高企 certificate."""
    data = {"uscc": XU_USCC, "registered_region_code": "411002", "industry_code": "C3911",
            "qualifications": [qualification(type="tech_sme", certificate_no="202441100001")]}
    return applicant(**{**data, **overrides})


def statuses(result):
    return [c.status for c in result.criteria]


# --- loading ---------------------------------------------------------------------------------------

def test_both_pools_load_with_their_programme_and_lifecycle():
    assert set(definition.load()) >= {"huangshi-2024", "xuchang-2022"}
    assert HUANGSHI.code_backed and HUANGSHI.lifecycle["intake_rounds"] is True
    assert HUANGSHI.lifecycle["replenishment_quota_multiplier"] == {"param": "quota_multiplier"}
    assert not XUCHANG.code_backed and XUCHANG.programme["document"] == "许知战联办〔2022〕4号"
    assert XUCHANG.lifecycle["graduation"]["exit_on_qualification"] == ["high_tech"]
    assert XUCHANG.lifecycle["replenishment_quota_multiplier"] is None
    assert XUCHANG.lifecycle["progress_window_months"] is None and XUCHANG.lifecycle["intake_rounds"] is False
    assert all(c.clause for c in XUCHANG.criteria_set.in_force(AS_OF).criteria)


def raw_xuchang():
    return json.loads((definition.DATA / "xuchang-2022.json").read_text(encoding="utf-8"))


def test_a_broken_definition_names_every_problem_with_its_path():
    raw = raw_xuchang()
    rules = raw["criteria_set"]["versions"][0]["criteria"]
    rules[0]["rule"]["evaluator"] = "guess"
    rules[1]["rule"] = {"evaluator": "threshold", "field": "luck", "op": "~", "value": 1}
    raw["programme"]["valid_to"] = "2020-12-31"
    raw["lifecycle"]["replenishment_quota_multiplier"] = "twice"
    with pytest.raises(PoolDefinitionError) as caught:
        parse_pool(raw, "xuchang-2022")
    said = "\n".join(caught.value.problems)
    assert "criteria_set.versions[0].criteria[0].rule: 未知的评价器 guess" in said
    assert "criteria[1].rule.field: 未知字段 luck" in said and "比较符 ~ 无效" in said
    assert "适用期起 2021-01-01 晚于适用期止 2020-12-31" in said
    assert "lifecycle.replenishment_quota_multiplier" in said
    assert all(p.startswith("xuchang-2022: ") for p in caught.value.problems)


def test_versions_out_of_order_and_a_code_not_matching_its_file_are_refused():
    raw = raw_xuchang()
    versions = raw["criteria_set"]["versions"]
    versions.append({**copy.deepcopy(versions[0]), "valid_from": "2022-01-01"})
    with pytest.raises(PoolDefinitionError) as caught:
        parse_pool(raw, "xuchang-2023")
    said = "\n".join(caught.value.problems)
    assert "版本须按生效日期先后排列" in said and "code xuchang-2022 与文件名不一致" in said


def test_bad_declarations_of_facts_tables_parameters_and_the_set_are_named():
    raw = raw_xuchang()
    raw["facts"].append({"name": "colour", "kind": "rgb"})
    raw["tables"].append({"key": "half", "kind": "industry"})
    raw["parameters"]["city_region_prefixes"] = "4110"
    raw["criteria_set"]["backed_by"] = "magic"
    with pytest.raises(PoolDefinitionError) as caught:
        parse_pool(raw, "xuchang-2022")
    said = "\n".join(caught.value.problems)
    assert "facts[4]: 事实 colour 的类型 rgb 无效" in said and "tables[1]: 分类表 half 的声明无效" in said
    assert "parameters.city_region_prefixes: 参数 city_region_prefixes 须为带日期取值的非空列表" in said
    assert "criteria_set.backed_by: 标准集的实现方式 magic 无效" in said


# --- a criteria-set version applies from its date only ----------------------------------------------

CHANGE = date(2025, 1, 1)


def later_version():
    """A later version of Xuchang's criteria that also asks for ≥ 2 valid invention patents."""
    later = copy.deepcopy(raw_xuchang()["criteria_set"]["versions"][0])
    later.update(valid_from=CHANGE.isoformat(), source="测试：拟增加发明专利要求")
    later["criteria"].append({"id": 6, "title": "有效发明专利不少于2件", "clause": "测试条款", "rule": {
        "evaluator": "threshold", "field": "valid_invention_patents", "op": ">=", "value": 2}})
    return later


def two_versions():
    raw = raw_xuchang()
    raw["criteria_set"]["versions"].append(later_version())
    return parse_pool(raw)


def test_a_new_version_applies_from_its_date_and_not_the_day_before():
    pool = two_versions()
    data = xuchang()
    before = check(pool, data, CHANGE - timedelta(days=1), RULEBOOK, FACTS)
    on = check(pool, data, CHANGE, RULEBOOK, FACTS)
    assert [c.id for c in before.criteria] == [1, 2, 3, 4, 5] and before.verdict == "eligible"
    assert on.criteria[-1].id == 6 and on.criteria[-1].status == "fail" and on.verdict == "ineligible"
    assert "有效发明专利件数 1 未满足门槛 >= 2" in on.criteria[-1].detail


def test_before_the_first_version_there_is_no_criteria_set():
    with pytest.raises(NoCriteriaInForce, match="2022-11-25"):
        check(XUCHANG, xuchang(), date(2022, 11, 24), RULEBOOK, FACTS)


# --- Xuchang's 高新技术企业备选库 (POLICIES XC-P1…P4) --------------------------------------------------

def test_a_tech_sme_in_a_strategic_emerging_class_and_a_hightech_field_is_included():
    result = check(XUCHANG, xuchang(), AS_OF, RULEBOOK, FACTS)
    assert isinstance(result, PoolEvaluation)
    assert statuses(result) == ["pass"] * 5 and result.verdict == "eligible", result.criteria
    assert "新一代信息技术产业" in result.criteria[3].detail
    assert result.criteria[1].source == "许知战联办〔2022〕4号 二(一)2"


def test_outside_the_listed_industries_an_example_leads_to_review():
    result = check(XUCHANG, xuchang(industry_code="A0111"), AS_OF, RULEBOOK,
                   {**FACTS, "rd_super_deduction": True})
    c4 = result.criteria[3]
    assert c4.status == "review" and result.verdict == "needs_review"
    assert "享受研发费用加计扣除政策：是，具备该项情形" in c4.detail and "有基础、有潜力" in c4.detail


def test_the_missing_key_industry_list_is_said_and_answers_review_never_fail():
    result = check(XUCHANG, xuchang(industry_code="A0111", patents=OMIT, products=OMIT), AS_OF, RULEBOOK,
                   {**FACTS, "engineering_centre_host": False, "above_scale": False, "rd_super_deduction": False})
    c4 = result.criteria[3]
    assert c4.status == "review", c4
    assert "许昌市重点产业目录未随系统提供" in c4.detail and "许发〔2015〕13号" in c4.detail


def test_not_a_tech_sme_fails():
    result = check(XUCHANG, xuchang(qualifications=OMIT), AS_OF, RULEBOOK, FACTS)
    assert result.criteria[1].status == "fail" and result.verdict == "ineligible"
    assert "资格核验：2024-10-01 无有效的科技型中小企业" in result.criteria[1].detail


def test_an_enterprise_already_a_high_tech_enterprise_is_not_admitted():
    quals = [qualification(type="tech_sme"), qualification(type="high_tech")]
    result = check(XUCHANG, xuchang(qualifications=quals), AS_OF, RULEBOOK, FACTS)
    assert result.criteria[4].status == "fail" and result.verdict == "ineligible"
    assert "已持有在 2024-10-01 有效的高新技术企业" in result.criteria[4].detail
    assert "不予纳入" in result.criteria[4].detail


def test_without_the_declared_field_the_verdict_is_incomplete_and_outside_the_city_fails():
    result = check(XUCHANG, xuchang(), AS_OF, RULEBOOK, {})
    assert result.criteria[2].status == "missing" and result.verdict == "incomplete"
    elsewhere = check(XUCHANG, xuchang(uscc=uscc(), registered_region_code="420202"), AS_OF, RULEBOOK, FACTS)
    assert elsewhere.criteria[0].status == "fail"


def test_bad_input_is_refused_as_today():
    with pytest.raises(InvalidApplicant):
        check(XUCHANG, xuchang(rd_staff=500, employees=10), AS_OF, RULEBOOK, FACTS)


# --- Huangshi's pool is today's check --------------------------------------------------------------

@pytest.mark.parametrize("overrides", [
    {}, {"rd_expense": Decimal("199.9"), "operating_revenue": Decimal("2002")}, {"qualifications": []},
    {"industry_code": "C1711"}, {"employees": OMIT}, {"integrity": {"violation": True}},
])
def test_the_huangshi_pool_gives_exactly_todays_check(overrides):
    data = applicant(**overrides)
    ours = check(HUANGSHI, data, AS_OF, RULEBOOK)
    today = criteria.check(data, AS_OF, RULEBOOK.policy, RULEBOOK.industries)
    assert ours == today and ours.to_record() == today.to_record()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=applicants())
def test_the_huangshi_pool_is_todays_check_for_any_applicant(data):
    try:
        today = criteria.check(data, AS_OF, RULEBOOK.policy, RULEBOOK.industries)
    except InvalidApplicant:
        with pytest.raises(InvalidApplicant):
            check(HUANGSHI, data, AS_OF, RULEBOOK)
        return
    assert check(HUANGSHI, data, AS_OF, RULEBOOK).to_record() == today.to_record()


# --- what-if ---------------------------------------------------------------------------------------

def test_what_if_lists_the_verdicts_a_draft_would_change_criterion_by_criterion():
    current = XUCHANG.criteria_set.in_force(AS_OF)
    draft = XUCHANG.parse_version(later_version())
    one, two = parse(xuchang(name="一件发明")), parse(xuchang(name="两件发明", patents=[
        {"number": "ZL1", "kind": "invention", "status": "valid"},
        {"number": "ZL2", "kind": "invention", "status": "valid"}], products=OMIT))
    changes = what_if(XUCHANG, [(one, FACTS), (two, FACTS)], AS_OF, current, draft)
    assert [c.name for c in changes] == ["一件发明", "两件发明"]
    first, second = changes
    assert (first.verdict_before, first.verdict_after, first.verdict_changed) == ("eligible", "ineligible", True)
    assert [(c.id, c.before, c.after) for c in first.criteria] == [(6, None, "fail")]
    assert not second.verdict_changed and [(c.id, c.after) for c in second.criteria] == [(6, "pass")]
    assert what_if(XUCHANG, [(one, FACTS)], AS_OF, current, current) == []


def test_a_draft_with_a_bad_rule_is_refused_before_any_preview():
    bad = {"valid_from": "2025-01-01", "source": "草案", "criteria": [
        {"id": 1, "title": "t", "clause": "c", "rule": {"evaluator": "flag", "field": "facts.unknown"}}]}
    with pytest.raises(PoolDefinitionError, match="未知字段 facts.unknown"):
        XUCHANG.parse_version(bad)


def test_evaluate_takes_a_parsed_applicant_and_an_explicit_version():
    version = XUCHANG.criteria_set.in_force(AS_OF)
    assert evaluate(XUCHANG, parse(xuchang()), AS_OF, FACTS, version).verdict == "eligible"


# --- the CLI ---------------------------------------------------------------------------------------

def write(tmp_path, obj, name):
    path = tmp_path / name
    path.write_text(jsonutil.dumps(obj), encoding="utf-8")
    return str(path)


def test_check_defaults_to_the_huangshi_pool_unchanged(runner, tmp_path):
    file = write(tmp_path, applicant(), "in.json")
    plain = runner.invoke(args=["pool", "check", file, "--as-of", "2025-06-30"])
    named = runner.invoke(args=["pool", "check", file, "--as-of", "2025-06-30", "--pool", "huangshi-2024"])
    assert plain.exit_code == named.exit_code == 0 and plain.stdout == named.stdout


def test_check_under_the_xuchang_pool_with_facts(runner, tmp_path):
    file = write(tmp_path, [xuchang(), xuchang(qualifications=OMIT, name="乙")], "in.json")
    facts = write(tmp_path, {XU_USCC: FACTS}, "facts.json")
    result = runner.invoke(args=["pool", "check", file, "--as-of", "2024-10-01", "--pool", "xuchang-2022",
                                 "--facts", facts])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [o["verdict"] for o in out] == ["eligible", "ineligible"]
    assert [c["id"] for c in out[0]["criteria"]] == [1, 2, 3, 4, 5]


def test_check_refuses_an_unknown_pool_bad_facts_and_a_date_before_the_criteria(runner, tmp_path):
    file = write(tmp_path, xuchang(), "in.json")
    unknown = runner.invoke(args=["pool", "check", file, "--pool", "nowhere"])
    assert unknown.exit_code == 2 and "nowhere" in unknown.output
    facts = write(tmp_path, {XU_USCC: {"hightech_field": 7, "colour": "red"}}, "facts.json")
    bad = runner.invoke(args=["pool", "check", file, "--pool", "xuchang-2022", "--facts", facts])
    assert bad.exit_code == 2 and bad.stdout == ""
    assert f"facts.{XU_USCC}.colour" in bad.stderr and f"facts.{XU_USCC}.hightech_field" in bad.stderr
    early = runner.invoke(args=["pool", "check", file, "--pool", "xuchang-2022", "--as-of", "2022-01-01"])
    assert early.exit_code == 2 and "2022-11-25" in early.stderr


def test_pools_lists_the_definitions(runner):
    result = runner.invoke(args=["pool", "pools", "--as-of", "2024-10-01"])
    assert result.exit_code == 0, result.output
    assert "huangshi-2024" in result.stdout and "xuchang-2022" in result.stdout
    assert "取得资格即出库：high_tech" in result.stdout
    listed = json.loads(runner.invoke(args=["pool", "pools", "--json", "--as-of", "2024-10-01"]).stdout)
    by_code = {row["code"]: row for row in listed}
    assert by_code["xuchang-2022"]["quota"] == "无" and by_code["huangshi-2024"]["intake_rounds"] is True


def test_the_xuchang_details_read_in_english_but_for_the_pool_files_own_words():
    """Data stays as written: the pool file's labels, table names and reasons, and what the
    catalogues say of an entry (quoted); everything else reads in English."""
    import re

    from pool.kernel.wording import translate

    from .test_wording import CJK, ENGLISH

    data_words = {label for _kind, label in XUCHANG.facts.values()} | {t.name for t in XUCHANG.tables.values()} \
        | {t.reason for t in XUCHANG.tables.values()}
    cases = [(xuchang(), FACTS), (xuchang(industry_code="C3921", qualifications=OMIT), {}),
             (xuchang(industry_code="A0111", registered_region_code="420202", uscc=uscc()),
              {"hightech_field": "9.9", "above_scale": True, "rd_super_deduction": False}),
             (xuchang(qualifications=[qualification()]), FACTS)]
    for data, facts in cases:
        for c in check(XUCHANG, data, AS_OF, RULEBOOK, facts).criteria:
            english = re.sub(r'"[^"]*"', "", translate(c.detail, ENGLISH))
            for word in sorted(data_words, key=len, reverse=True):
                english = english.replace(word, "")
            assert not CJK.search(english), (c.id, translate(c.detail, ENGLISH))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=applicants(), facts=st.fixed_dictionaries({}, optional={
    "hightech_field": st.sampled_from(["1.1.1", "8.2", "9.9"]), "engineering_centre_host": st.booleans(),
    "above_scale": st.booleans(), "rd_super_deduction": st.booleans()}))
def test_without_the_key_industry_list_the_industry_criterion_never_fails(data, facts):
    """XC-P1's 重点产业 list is not shipped: whatever the applicant, criterion 4 says so rather than fail."""
    try:
        applicant_ = parse(data)
    except InvalidApplicant:
        return
    c4 = evaluate(XUCHANG, applicant_, AS_OF, facts).criteria[3]
    assert c4.status in ("pass", "review", "missing"), c4
    if applicant_.industry_code and c4.status != "pass":
        assert "许昌市重点产业目录未随系统提供" in c4.detail


def test_a_high_tech_certificate_in_force_ends_a_xuchang_membership_as_graduated():
    from pool.pools.evaluate import graduating_qualification

    certified = parse(xuchang(qualifications=[qualification(type="tech_sme"), qualification()]))
    assert graduating_qualification(XUCHANG, certified, AS_OF).type == "high_tech"
    assert graduating_qualification(XUCHANG, certified, date(2023, 11, 30)) is None  # before its valid_from
    assert graduating_qualification(XUCHANG, parse(xuchang()), AS_OF) is None
    assert graduating_qualification(HUANGSHI, certified, AS_OF) is None  # Huangshi graduates by its own rules


def test_a_parameter_without_a_value_on_the_first_version_date_is_refused():
    raw = raw_xuchang()
    raw["parameters"]["city_region_prefixes"][0]["valid_from"] = "2023-01-01"
    with pytest.raises(PoolDefinitionError, match="参数 city_region_prefixes 自 2023-01-01 起才有取值"):
        parse_pool(raw, "xuchang-2022")


def _within_criterion_4(criteria, change):
    for c in criteria:
        if c["id"] == 4:
            change(c["rule"])


# Drafts that edit within a criterion (the what-if judges only the edited parts first) or around it.
EDITS = {
    "none": lambda criteria: None,
    "rd threshold raised": lambda criteria: _within_criterion_4(criteria, lambda rule: rule["any"][1]["all"][0][
        "any"][1]["all"][1].update(value=100)),
    "patents threshold raised": lambda criteria: _within_criterion_4(criteria, lambda rule: rule["any"][1]["all"][0][
        "any"][3].update(value=2)),
    "judgement dropped": lambda criteria: _within_criterion_4(criteria, lambda rule: rule["any"][1]["all"].pop()),
    "in principle": lambda criteria: _within_criterion_4(criteria, lambda rule: rule.update(in_principle=True)),
    "region literal": lambda criteria: criteria[0]["rule"].update(values=["4202", "4110"]),
    "1 for true": lambda criteria: criteria[0]["rule"].update(values=[4110]),
}


def _what_if_one_by_one(pool, applicants_, as_of, current, draft):
    """The what-if as its definition reads: each applicant evaluated under each version, then compared."""
    changes = [compare(evaluate(pool, one, as_of, facts, current, ladder),
                       evaluate(pool, one, as_of, facts, draft, ladder)) for one, facts, ladder in applicants_]
    return [(c.uscc, c.name, c.verdict_before, c.verdict_after,
             [(k.id, k.title, k.before, k.after, k.detail_before, k.detail_after) for k in c.criteria])
            for c in changes if c is not None]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(applicants(), min_size=1, max_size=8), facts=st.fixed_dictionaries({}, optional={
    "hightech_field": st.sampled_from(["1.1.1", "8.2"]), "above_scale": st.booleans()}),
    drop=st.sampled_from([None, 2, 4, 6]), edit=st.sampled_from(list(EDITS)))
def test_the_what_if_lists_what_evaluating_each_applicant_under_both_versions_lists(batch, facts, drop, edit):
    current = XUCHANG.criteria_set.in_force(AS_OF)
    later = later_version()
    later["criteria"] = [c for c in later["criteria"] if c["id"] != drop]
    EDITS[edit](later["criteria"])
    draft = XUCHANG.parse_version(later)
    parsed = []
    for data in batch:
        try:
            parsed.append((parse(data), facts, None))
        except InvalidApplicant:
            pass
    expected = _what_if_one_by_one(XUCHANG, parsed, AS_OF, current, draft)
    assert [(c.uscc, c.name, c.verdict_before, c.verdict_after,
             [(k.id, k.title, k.before, k.after, k.detail_before, k.detail_after) for k in c.criteria])
            for c in what_if(XUCHANG, parsed, AS_OF, current, draft)] == expected
