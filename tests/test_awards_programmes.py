"""The shipped programmes, each evaluated on its city's example facts (results asserted exactly),
the data's own discipline (clauses, dated [R] parameters), the facts contract and the CLI."""
import json
from decimal import Decimal as D
from pathlib import Path

import jsonschema
import pytest

from pool.awards import engine, facts, programme
from pool.awards.schema import json_schema

EXAMPLES = Path(programme.DATA) / "examples"


def evaluate(code, name, year=2024):
    document = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    evaluation = engine.evaluate(code, facts.parse(document), year)
    return {b.name: sorted((i.rule.id, i.subject, i.status, str(i.payable)) for i in b.items)
            for b in evaluation.beneficiaries}, evaluation


def test_xuchang_2024():
    results, evaluation = evaluate("xuchang-2022", "xuchang-2024.facts.json")
    assert results["许昌甲电气有限公司"] == sorted([
        ("XC-02", "ht-1", "payable", "10.000000"), ("XC-14", "ipe-1", "payable", "10.000000"),
        ("XC-09", "ZY2024-01", "payable", "6.000000"), ("XC-09", "ZY2024-02", "payable", "4.000000"),
        ("XC-10", "ZY2024-01", "payable", "2.000000"), ("XC-11", "2024", "refused", "0"),
        ("XC-13", "ZL202310000011.1", "payable", "0.200000"), ("XC-13", "ZL202310000012.X", "payable", "0.200000"),
        ("XC-13", "US11999888B2", "payable", "1.000000")])
    assert results["许昌乙机械有限公司"] == [("XC-02", "ht-2", "payable", "5.000000")]
    assert results["许昌丙科技有限公司"] == [("XC-03", "rd-2023", "review", "10.000000")]
    assert results["张某"] == [("XC-12", "ZL201810000021.1", "payable", "5.000000")]
    assert evaluation.total == D("53.4")


def test_anyang_2024():
    results, evaluation = evaluate("anyang-2018", "anyang-2024.facts.json")
    assert results["安阳甲精密有限公司"] == sorted([
        ("AY-02", "ZL201710000031.1", "payable", "1.000000"), ("AY-03", "cnt", "payable", "1.000000"),
        ("AY-05", "ipe-1", "payable", "15.000000"), ("AY-09", "2024", "payable", "5.000000"),
        ("AY-16", "（2024）豫05民初1号", "payable", "5.000000"), ("AY-16", "（2024）豫05民初2号", "payable", "5.000000"),
        ("AY-16", "（2024）豫05民初3号", "payable", "0.000000")])
    assert results["安阳乙重工有限公司"] == sorted([
        ("AY-09", "2024", "payable", "15.000000"), ("AY-11", "ZL202010000041.1", "payable", "0.300000"),
        ("AY-11", "ZL202120000042.2", "payable", "0.240000")])
    assert results["安阳某银行科技支行"] == [("AY-10", "lend", "payable", "50.000000")]
    assert results["安阳某专利代理事务所"] == [("AY-13", "ag", "payable", "5.000000"), ("AY-14", "ag", "payable", "10.000000")]
    assert evaluation.total == D("112.54")


def test_yuanzhou_2024_paid_in_2025():
    results, evaluation = evaluate("yuanzhou-2023", "yuanzhou-2024.facts.json")
    assert results["袁州甲科技有限公司"] == sorted([
        ("YZ-01", "US11223344B2", "payable", "15.000000"), ("YZ-01", "EP4012345B1", "payable", "15.000000"),
        ("YZ-01", "JP7654321B2", "payable", "15.000000"), ("YZ-01", "KR102345678B1", "payable", "0.000000"),
        ("YZ-02", "ZL202210000001.1", "payable", "2.000000"), ("YZ-03", "ZL202210000001.1", "payable", "1.000000"),
        ("YZ-04", "ZL202210000001.1", "ineligible", "0"), ("YZ-02", "ZL202210000002.X", "ineligible", "0"),
        ("YZ-03", "ZL202210000002.X", "ineligible", "0"), ("YZ-04", "ZL202210000002.X", "payable", "1.000000"),
        ("YZ-06-city", "ZL202210000001.1", "payable", "5.000000"),
        ("YZ-06-district", "ZL202210000001.1", "payable", "20.000000"),
        ("YZ-07", "JK2024-001", "payable", "4.140000"), ("YZ-07", "JK2024-002", "payable", "5.860000"),
        ("YZ-08-evaluation", "JK2024-001", "payable", "1.500000"),
        ("YZ-08-guarantee", "JK2024-002", "payable", "5.000000")])
    assert results["袁州乙材料有限公司"] == sorted([
        ("YZ-02", "ZL202110000003.3", "ineligible", "0"), ("YZ-03", "ZL202110000003.3", "ineligible", "0"),
        ("YZ-04", "ZL202110000003.3", "payable", "1.000000"), ("YZ-05", "ZL201910000009.9", "payable", "40.000000"),
        ("YZ-06-city", "ZL201910000009.9", "payable", "5.000000"),
        ("YZ-06-district", "ZL201910000009.9", "excluded", "0")])
    assert results["袁州丙信息服务有限公司"] == [("YZ-09-city", "node-1", "payable", "10.000000"),
                                        ("YZ-09-district", "node-1", "payable", "10.000000")]
    assert evaluation.total == D("156.5")
    lines = {}
    for b in evaluation.beneficiaries:
        for item in b.items:
            assert item.payment_year == 2025
            for level, amount in item.lines:
                lines[level] = lines.get(level, 0) + amount
    assert lines == {"city": D(26), "district": D("130.5")}  # YZ-07 split 50/50, city lines 1 + 5 + 5 + 5 + 10


def test_a_programme_out_of_its_period_is_refused():
    with pytest.raises(programme.ProgrammeError, match="不适用"):
        engine.evaluate("yuanzhou-2023", [], 2026)


@pytest.mark.parametrize("code", programme.codes())
def test_every_rule_cites_its_clause_and_every_parameter_its_source(code):
    data = json.loads((programme.DATA / f"{code}.json").read_text(encoding="utf-8"))
    for rule in data["rules"]:
        assert rule["clause"] and rule["excerpt"], rule["id"]
    readings = [key for key, spec in data["parameters"].items() if spec.get("reading")]
    assert readings  # the [R] readings are parameters with their default
    for key in readings:
        assert "[R]" in data["parameters"][key]["values"][0]["source"], key
    programme.load(code).in_force(2024)


def test_a_new_dated_value_changes_later_years_only():
    base = programme.load("anyang-2018")
    params = json.loads(json.dumps(base.raw_parameters))
    params["ay02_cap"]["values"].append({"from": "2025-01-01", "value": "2", "source": "test"})
    from dataclasses import replace
    changed = replace(base, raw_parameters=params)
    assert changed.in_force(2024).parameters["ay02_cap"] == "1"
    assert changed.in_force(2025).parameters["ay02_cap"] == "2"


def test_the_published_schema_is_the_contract_and_accepts_the_examples():
    published = json.loads((programme.DATA / "award-facts.schema.json").read_text(encoding="utf-8"))
    assert published == json.loads(json.dumps(json_schema(), ensure_ascii=False))
    validator = jsonschema.Draft202012Validator(published)
    for path in EXAMPLES.glob("*.json"):
        validator.validate(json.loads(path.read_text(encoding="utf-8")))


def test_every_bad_field_is_named_in_chinese_with_its_path():
    document = {"beneficiaries": [{"id": "B", "kind": "robot", "facts": [
        {"id": "a", "type": "loan", "date": "2024-13-01", "collateral": "patent", "amount": "-1"},
        {"id": "a", "type": "fee", "date": "2024-01-01", "fee": "evaluation", "amount": "1", "colour": "red"},
        {"id": "b", "type": "meteor", "date": "2024-01-01"}]}]}
    with pytest.raises(facts.InvalidFacts) as caught:
        facts.parse(document)
    text = "\n".join(caught.value.problems)
    for expected in ("「受益人类别」（beneficiaries[0].kind）", "「发生日期」（beneficiaries[0].facts[0].date）",
                     "「贷款金额（万元）」（beneficiaries[0].facts[0].amount）：须为不小于 0 的金额",
                     "（beneficiaries[0].facts[1].colour）：不是约定的字段",
                     "「事实类别」（beneficiaries[0].facts[2].type）"):
        assert expected in text, text
    assert len(caught.value.problems) == 5


def test_cli_prints_and_exits_2_on_bad_facts(runner, tmp_path):
    def invoke(*args):
        return runner.invoke(args=["pool", "awards", "evaluate", *args])

    result = invoke(str(EXAMPLES / "xuchang-2024.facts.json"), "--programme", "xuchang-2022", "--year", "2024")
    assert result.exit_code == 0, result.output
    assert "合计 53.4 万元" in result.output and "分档标准未载于本文" in result.output
    assert "仅为试算，未写入任何记录" in result.output
    as_json = json.loads(invoke(str(EXAMPLES / "yuanzhou-2024.facts.json"), "--programme", "yuanzhou-2023", "--year",
                                "2024", "--json").output)
    assert as_json["total"] == "156.500000"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"beneficiaries": [{"id": "B", "kind": "enterprise", "facts": [
        {"id": "x", "type": "loan", "date": "2024-01-01", "collateral": "gold", "amount": "x"}]}]}))
    result = invoke(str(bad), "--programme", "anyang-2018", "--year", "2024")
    assert result.exit_code == 2
    assert "有 2 处不符合" in result.output and "「质押物」" in result.output and "「贷款金额（万元）」" in result.output


def test_the_cli_computes_with_the_administrators_parameter_values(app, runner):
    from datetime import date, datetime, timezone

    from models import db
    from pool.awards import parameters

    with app.app_context():
        parameters.record(db.session, "xuchang-2022", "xc11_trademark_interest_tiers", valid_from=date(2024, 1, 1),
                          text='[{"to": "500", "to_inclusive": true, "amount": "5"}]', source="奖补办法 第五条",
                          actor=None, as_of=date(2026, 11, 30), now=datetime.now(timezone.utc))
        db.session.commit()
    result = runner.invoke(args=["pool", "awards", "evaluate", str(EXAMPLES / "xuchang-2024.facts.json"),
                                 "--programme", "xuchang-2022", "--year", "2024"])
    assert "合计 58.4 万元" in result.output and "分档标准未载于本文" not in result.output  # 53.4 + the 5 万元 tier
