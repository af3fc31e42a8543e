"""pool.eligibility.sme — 《中小企业划型标准规定》 (SPEC §2.1)."""
import json
from decimal import Decimal as D

import pytest

from pool.reference.gbt4754 import CLASSES

from pool.eligibility import sme
from pool.eligibility.sme import DEFAULT_TABLE, SizeTable, classify, format_money, format_number

SIXTEEN_GROUPS = ["农、林、牧、渔业", "工业", "建筑业", "批发业", "零售业", "交通运输业", "仓储业", "邮政业",
                  "住宿业", "餐饮业", "信息传输业", "软件和信息技术服务业", "房地产开发经营", "物业管理",
                  "租赁和商务服务业", "其他未列明行业"]


def size(code, employees=None, revenue=None, assets=None):
    return classify(code, employees, None if revenue is None else D(str(revenue)),
                    None if assets is None else D(str(assets)), DEFAULT_TABLE).size


def test_the_table_has_the_sixteen_groups_and_cites_its_sources():
    assert [g.name for g in DEFAULT_TABLE.groups.values()] == SIXTEEN_GROUPS
    raw = json.loads(sme.DATA_FILE.read_text(encoding="utf-8"))
    assert "工信部联企业〔2011〕300号" in raw["document"]
    assert "统计上大中小微型企业划分办法（2017）" in raw["mapping_document"]
    assert all(g["clause"].startswith("第四条") for g in raw["groups"])


@pytest.mark.parametrize("code, group", [
    ("A0111", "农、林、牧、渔业"), ("0511", "农、林、牧、渔业"), ("B0610", "工业"), ("C3562", "工业"), ("3562", "工业"),
    ("D4411", "工业"), ("E4710", "建筑业"), ("F5111", "批发业"), ("F5211", "零售业"), ("G5411", "交通运输业"),
    ("G5810", "交通运输业"), ("G5910", "交通运输业"), ("G5920", "仓储业"), ("G5941", "仓储业"), ("G5990", "仓储业"),
    ("G6010", "邮政业"), ("H6110", "住宿业"), ("H6210", "餐饮业"), ("I6311", "信息传输业"), ("I6421", "信息传输业"),
    ("I6513", "软件和信息技术服务业"), ("K7010", "房地产开发经营"), ("K7020", "物业管理"), ("K7030", "其他未列明行业"),
    ("K7090", "其他未列明行业"), ("L7111", "租赁和商务服务业"), ("L7212", "租赁和商务服务业"),
    ("M7320", "其他未列明行业"), ("N7721", "其他未列明行业"), ("O8010", "其他未列明行业"),
    ("Q8511", "其他未列明行业"), ("R8610", "其他未列明行业"),
])
def test_industry_code_to_group_as_the_2017_statistics_rules(code, group):
    found, _ = DEFAULT_TABLE.group_for(code)
    assert found is not None and found.name == group


@pytest.mark.parametrize("code", ["G5311", "J6621", "K7040", "P8310", "Q8411", "S9100", "T9700"])
def test_industries_outside_the_standard_have_no_group_and_a_reason(code):
    found, why = DEFAULT_TABLE.group_for(code)
    assert found is None and why
    result = classify(code, 10, D(1), D(1), DEFAULT_TABLE)
    assert result.size is None and result.missing == [] and "人工判断" in result.detail


def test_every_class_is_either_in_a_group_or_a_documented_exclusion():
    for code in CLASSES:
        found, why = DEFAULT_TABLE.group_for(code)
        assert found is not None or "未对应" not in why, code


@pytest.mark.parametrize("employees, revenue, expected", [
    (1000, 40000, "large"),
    (999, 40000, "medium"),        # SME when employees < 1000 ...
    (1000, "39999.99", "medium"),  # ... OR revenue < 40000
    (300, 2000, "medium"),
    (299, 2000, "small"),
    (300, "1999.99", "small"),
    (20, 300, "small"),
    (19, 300, "micro"),
    (20, "299.99", "micro"),
    (5000, 100, "micro"),          # one indicator below the small bound is enough for micro
])
def test_industry_or_rule(employees, revenue, expected):
    assert size("C3562", employees, revenue) == expected


@pytest.mark.parametrize("code, employees, revenue, assets, expected", [
    ("F5211", 300, 20000, None, "large"), ("F5211", 299, 20000, None, "medium"),
    ("F5211", 50, 500, None, "medium"), ("F5211", 49, 500, None, "small"), ("F5211", 10, 100, None, "small"),
    ("F5211", 10, "99.99", None, "micro"),
    ("F5111", 200, 40000, None, "large"), ("F5111", 20, 5000, None, "medium"), ("F5111", 5, 1000, None, "small"),
    ("F5111", 4, 100000, None, "micro"),
    ("E4710", None, 80000, 80000, "large"), ("E4710", None, 80000, "79999.99", "medium"),
    ("E4710", None, 6000, 5000, "medium"), ("E4710", None, "5999.99", 5000, "small"),
    ("E4710", None, 300, 300, "small"), ("E4710", None, 300, "299.99", "micro"),
    ("A0111", None, 20000, None, "large"), ("A0111", None, "19999.99", None, "medium"),
    ("A0111", None, 500, None, "medium"), ("A0111", None, "499.99", None, "small"),
    ("A0111", None, 50, None, "small"), ("A0111", None, "49.99", None, "micro"),
    ("M7320", 300, None, None, "large"), ("M7320", 299, None, None, "medium"), ("M7320", 100, None, None, "medium"),
    ("M7320", 99, None, None, "small"), ("M7320", 10, None, None, "small"), ("M7320", 9, None, None, "micro"),
    ("L7212", 300, None, 120000, "large"), ("L7212", 300, None, 119999, "medium"), ("L7212", 100, None, 8000, "medium"),
    ("L7212", 10, None, 100, "small"), ("L7212", 9, None, 10 ** 6, "micro"),
    ("K7010", None, 200000, 10000, "large"), ("K7010", None, 1000, 5000, "medium"),
    ("K7010", None, 100, 2000, "small"), ("K7010", None, 100, "1999.99", "micro"),
    ("I6311", 2000, 100000, None, "large"), ("I6311", 1999, 100000, None, "medium"),
    ("I6513", 10, 50, None, "small"), ("I6513", 10, "49.99", None, "micro"),
    ("I6513", 300, 10000, None, "large"), ("G5920", 200, 30000, None, "large"), ("G5920", 100, 1000, None, "medium"),
    ("G5411", 1000, 30000, None, "large"), ("G5411", 300, 3000, None, "medium"), ("G5411", 20, 200, None, "small"),
    ("G6010", 20, 100, None, "small"), ("H6110", 100, 2000, None, "medium"), ("H6210", 10, 100, None, "small"),
    ("K7020", 1000, 5000, None, "large"), ("K7020", 100, 500, None, "small"), ("K7020", 99, 500, None, "micro"),
])
def test_group_thresholds(code, employees, revenue, assets, expected):
    assert size(code, employees, revenue, assets) == expected


def test_only_the_groups_indicators_are_needed():
    assert size("A0111", None, 100) == "small"           # 农林牧渔: revenue only
    result = classify("C3562", 100, None, None, DEFAULT_TABLE)
    assert result.size is None and result.missing == ["operating_revenue"]
    assert "营业收入" in result.detail
    result = classify("E4710", None, D(100), None, DEFAULT_TABLE)
    assert result.missing == ["total_assets"] and result.group == "建筑业"
    result = classify(None, 10, D(1), D(1), DEFAULT_TABLE)
    assert result.missing == ["industry_code"]


def test_detail_quotes_numbers_and_thresholds():
    result = classify("C3562", 999, D("40000"), None, DEFAULT_TABLE)
    assert result.size == "medium" and result.is_sme
    assert "从业人员 999 人" in result.detail and "营业收入 40000.00 万元" in result.detail
    assert "从业人员 ≥ 1000 人且营业收入 ≥ 40000 万元" in result.detail
    large = classify("C3562", 1000, D("40000"), None, DEFAULT_TABLE)
    assert large.is_sme is False and "不属于中小企业" in large.detail


def test_classify_accepts_the_json_form_of_the_table():
    assert classify("C3562", 10, D(1), None, DEFAULT_TABLE.to_json()).size == "micro"


def test_to_json_round_trip():
    assert SizeTable.from_json(DEFAULT_TABLE.to_json()) == DEFAULT_TABLE
    assert sme.load_default_table() == DEFAULT_TABLE


def _broken(mutate):
    raw = DEFAULT_TABLE.to_json()
    mutate(raw)
    return raw


@pytest.mark.parametrize("mutate", [
    lambda raw: raw["groups"][1].pop("small"),
    lambda raw: raw["groups"][1].__setitem__("indicators", ["employees", "profit"]),
    lambda raw: raw["groups"][1]["medium"].__setitem__("revenue", 50000),  # above the large bound
    lambda raw: raw["groups"][1]["small"].__setitem__("revenue", -1),
    lambda raw: raw["groups"][2]["scope"].append("C"),                    # C already belongs to 工业
    lambda raw: raw["groups"][2]["scope"].append("C35620"),
    lambda raw: raw["groups"].append(dict(raw["groups"][0])),             # duplicate id
    lambda raw: raw.pop("groups"),
])
def test_a_malformed_table_is_refused(mutate):
    with pytest.raises(ValueError):
        SizeTable.from_json(_broken(mutate))


@pytest.mark.parametrize("value, text", [
    (D("520"), "520.00"), (D("200.2"), "200.20"), (D("199.90"), "199.90"), (D("499.995"), "499.995"),
    (D("1E+3"), "1000.00"), (0, "0.00"), (720, "720.00"), (D("0.001"), "0.001"),
])
def test_format_money_never_rounds(value, text):
    assert format_money(value) == text


def test_format_number_for_thresholds():
    assert format_number(D("500")) == "500"
    assert format_number(D("0.50")) == "0.5"
    assert format_number(D("40000")) == "40000"
