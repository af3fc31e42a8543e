"""The configurable evaluators (pool.pools.evaluators): each status on both sides of its
boundary, AND/OR, 原则上, and the checks that name what a rule tree gets wrong."""
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from pool.eligibility.applicant import parse
from pool.pools import inputs
from pool.pools.evaluators import Context, combine, AND_ORDER, OR_ORDER, evaluate_node
from pool.pools.rules import check_node
from pool.pools.tables import SHIPPED, not_shipped

from .factories import AS_OF, OMIT, applicant, qualification

KEY_INDUSTRIES = not_shipped("key", "某市重点产业目录", "industry", "原文未列出")
TABLES = {**SHIPPED, "key": KEY_INDUSTRIES}
LABELS = {"centre": "工程技术研究中心依托企业", "field": "高新技术领域", "licence": "许可证"}


def run(node, as_of=AS_OF, facts=None, params=None, **overrides):
    ctx = Context(inputs.of(parse(applicant(**overrides)), as_of), as_of, facts or {}, params or {}, TABLES, LABELS)
    outcome = evaluate_node(node, ctx)
    assert evaluate_node(node, replace(ctx, explain=False)) == (outcome[0], "")  # the what-if's first pass
    return outcome


def node(evaluator, **arguments):
    return {"evaluator": evaluator, **arguments}


# --- has_qualification: in force on as_of, both days inclusive -------------------------------------

TECH = qualification(type="tech_sme", valid_from="2024-01-01", valid_to="2024-10-01")


@pytest.mark.parametrize("as_of, expected", [(date(2024, 10, 1), "pass"), (date(2024, 10, 2), "fail"),
                                             (date(2024, 1, 1), "pass"), (date(2023, 12, 31), "fail")])
def test_has_qualification_counts_a_certificate_in_force_on_both_end_days(as_of, expected):
    status, detail = run(node("has_qualification", types=["tech_sme"]), as_of, qualifications=[TECH])
    assert status == expected, detail
    assert "科技型中小企业" in detail and as_of.isoformat() in detail


def test_has_qualification_absent_list_is_none_and_in_principle_makes_it_review():
    assert run(node("has_qualification", types=["tech_sme"]), qualifications=OMIT)[0] == "fail"
    status, detail = run(node("has_qualification", types=["tech_sme"], in_principle=True), qualifications=OMIT)
    assert status == "review" and detail.startswith("原则上")


def test_holding_a_qualification_that_must_not_be_held_fails_naming_it():
    refuse = node("has_qualification", types=["high_tech"], hold=False)
    status, detail = run(refuse, qualifications=[qualification()])
    assert status == "fail" and "不予纳入" in detail and "2026-11-30" in detail
    expired = qualification(valid_to=(AS_OF - timedelta(days=1)).isoformat())
    assert run(refuse, qualifications=[expired])[0] == "pass"


# --- industry_in: shipped, starred and not-shipped tables -------------------------------------------

def test_industry_in_a_whole_class_passes_a_starred_one_is_review_and_outside_fails():
    strategic = node("industry_in", tables=["strategic_emerging_2018"])
    status, detail = run(strategic, industry_code="C3911")
    assert status == "pass" and "新一代信息技术产业" in detail
    status, detail = run(strategic, industry_code="C3921")
    assert status == "review" and "带 * 号" in detail
    status, detail = run(strategic, industry_code="A0111")
    assert status == "fail" and "A0111" in detail
    assert run(strategic, industry_code=OMIT)[0] == "missing"


def test_a_table_the_system_does_not_ship_answers_review_with_the_reason_never_fail():
    both = node("industry_in", tables=["strategic_emerging_2018", "key"])
    status, detail = run(both, industry_code="A0111")
    assert status == "review" and "某市重点产业目录未随系统提供（原文未列出）" in detail
    assert run(both, industry_code="C3911")[0] == "pass"


# --- field_in: values (exact or prefix) and a shipped table -----------------------------------------

def test_field_in_values_by_prefix_on_both_sides():
    region = node("field_in", field="region_code", values=["4110"], match="prefix")
    assert run(region, registered_region_code="411002")[0] == "pass"
    status, detail = run(region, registered_region_code="420202")
    assert status == "fail" and "420202" in detail and "4110" in detail
    exact = node("field_in", field="region_code", values=["4110"])
    assert run(exact, registered_region_code="411002")[0] == "fail"


def test_field_in_a_table_covers_the_items_below_a_listed_one():
    field = node("field_in", field="facts.field", table="hightech_fields_2016")
    status, detail = run(field, facts={"field": "1.1.1"})
    assert status == "pass" and "电子信息" in detail
    assert run(field, facts={"field": "1.1.9"})[0] == "pass"  # within 1.1 软件
    assert run(field, facts={"field": "9.1"})[0] == "fail"
    status, detail = run(field)
    assert status == "missing" and "高新技术领域（facts.field）" in detail
    assert run(node("field_in", field="facts.field", table="key"), facts={"field": "1"})[0] == "review"


# --- threshold, flag, document_present, judgement ---------------------------------------------------

@pytest.mark.parametrize("op, amount, expected", [
    (">=", "500", "pass"), (">=", "499.99", "fail"), (">", "500", "fail"), (">", "500.01", "pass"),
    ("<=", "500", "pass"), ("<", "500", "fail"), ("==", "500", "pass")])
def test_threshold_compares_exactly_at_its_boundary(op, amount, expected):
    status, detail = run(node("threshold", field="rd_expense", op=op, value=500), rd_expense=Decimal(amount))
    assert status == expected, detail
    assert amount in detail and "500" in detail


def test_threshold_reads_a_dated_parameter_and_is_missing_without_the_figure():
    rule = node("threshold", field="rd_expense", op=">=", value={"param": "floor"})
    assert run(rule, params={"floor": 700}, rd_expense=Decimal("720"))[0] == "pass"
    assert run(rule, params={"floor": 800}, rd_expense=Decimal("720"))[0] == "fail"
    status, detail = run(rule, params={"floor": 800}, rd_expense=OMIT)
    assert status == "missing" and "rd_expense" in detail
    assert run({**rule, "in_principle": True}, params={"floor": 800}, rd_expense=Decimal("720"))[0] == "review"


def test_threshold_on_a_count_derived_from_a_list():
    rule = node("threshold", field="valid_patents", op=">=", value=1)
    assert run(rule)[0] == "pass"
    assert run(rule, patents=OMIT, products=OMIT)[0] == "fail"


def test_flag_is_yes_no_or_missing():
    rule = node("flag", field="facts.centre")
    assert run(rule, facts={"centre": True}) == ("pass", "工程技术研究中心依托企业：是，具备该项情形")
    assert run(rule, facts={"centre": False}) == ("fail", "工程技术研究中心依托企业：否，不具备该项情形")
    assert run(rule)[0] == "missing"
    assert run(node("flag", field="has_rd_leader"), has_rd_leader=OMIT)[0] == "missing"
    assert run({**rule, "in_principle": True}, facts={"centre": False})[0] == "review"


def test_document_present_on_both_sides():
    brand = node("document_present", kind="brand_evidence")
    assert run(brand)[0] == "pass"
    assert run(brand, brand_evidence=["  "]) == ("fail", "材料核验：未提供品牌影响力证明材料")
    licence = node("document_present", kind="facts.licence")
    assert run(licence, facts={"licence": "许可证 2024-01"})[0] == "pass"
    assert run(licence, facts={"licence": ""})[0] == "fail"
    assert run(licence)[0] == "missing"


def test_judgement_is_always_review():
    status, detail = run(node("judgement", question="有基础、有潜力"))
    assert status == "review" and "有基础、有潜力" in detail


# --- AND / OR ---------------------------------------------------------------------------------------

def test_and_or_follow_the_status_order():
    assert combine(["pass", "review", "missing"], AND_ORDER) == "missing"
    assert combine(["review", "fail", "missing"], AND_ORDER) == "fail"
    assert combine(["fail", "missing", "review"], OR_ORDER) == "review"
    assert combine(["fail", "missing"], OR_ORDER) == "missing"
    yes, no = node("flag", field="facts.centre"), node("threshold", field="rd_expense", op=">=", value=10_000)
    facts = {"centre": True}
    assert run({"all": [yes, no]}, facts=facts)[0] == "fail"
    assert run({"any": [yes, no]}, facts=facts)[0] == "pass"
    assert run({"any": [no, node("flag", field="facts.centre")]})[0] == "missing"
    status, detail = run({"all": [yes, node("judgement", question="有潜力")]}, facts=facts)
    assert status == "review" and "；" in detail


# --- checking a rule tree ---------------------------------------------------------------------------

CHECK = {"facts": {"centre": "bool", "field": "code"}, "tables": TABLES, "params": {"floor": 5}}


@pytest.mark.parametrize("bad, named", [
    (node("magic"), "未知的评价器 magic"),
    (node("threshold", field="salary", op=">=", value=1), "未知字段 salary"),
    (node("threshold", field="rd_expense", op="≥", value=1), "比较符 ≥ 无效"),
    (node("threshold", field="rd_expense", op=">=", value="many"), "门槛 many 不是数值"),
    (node("flag", field="rd_expense"), "评价器 flag 需要 bool"),
    (node("industry_in", tables=["nope"]), "未知分类表 nope"),
    (node("field_in", field="facts.field", table="key"), "不能用于评价器 field_in"),
    (node("has_qualification", types=["knighthood"]), "未知资格类型 knighthood"),
    (node("threshold", field="rd_expense", op=">=", value={"param": "ceiling"}), "未声明的参数 ceiling"),
    (node("flag"), "缺少参数 field"),
    (node("flag", field="facts.centre", colour="red"), "不接受参数 colour"),
    ({"any": []}, "组合须列出至少一项"),
])
def test_a_bad_rule_is_named_with_its_path(bad, named):
    problems = check_node({"all": [node("judgement", question="x"), bad]}, "rule", **CHECK)
    assert len(problems) == 1 and named in problems[0] and problems[0].startswith("rule.all[1]"), problems


def test_a_sound_rule_has_no_problem():
    rule = {"any": [node("flag", field="facts.centre"),
                    node("threshold", field="rd_expense", op=">=", value={"param": "floor"})]}
    assert check_node(rule, "rule", **CHECK) == []


def test_a_float_fact_is_compared_by_its_shortest_repr_never_its_binary_value():
    rule = node("threshold", field="facts.share", op="<=", value="0.1")
    status, detail = run(rule, facts={"share": 0.1})
    assert status == "pass", detail
