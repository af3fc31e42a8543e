"""The shipped target sets: each city's example series (statuses asserted exactly), each set on a
generated history, the data's own discipline (clauses, dated [R] parameters), the series contract,
its parser naming every bad field, and the CLI."""
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from pool.targets import engine, series, targetset
from pool.targets.schema import json_schema

DATA = Path(targetset.DATA)
EXAMPLES = DATA / "examples"


def evaluate(code, region, as_of, name):
    document = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    evaluation = engine.evaluate(code, region, as_of, series.parse(document))
    return {r.target.id: r.status for r in evaluation.results}, evaluation


def test_xinyang_2021_2023():
    statuses, _ = evaluate("xinyang-2021", "411500", date(2023, 12, 31), "xinyang.series.json")
    assert statuses == {"XY-T1": "met", "XY-T2-count": "met", "XY-T2-amount": "not_met", "XY-T3": "not_met",
                        "XY-T6-amount": "not_met", "XY-T6-projects": "met", "XY-T7-amount": "met",
                        "XY-T7-projects": "met", "XY-T8": "met", "XY-T10-borrowers": "not_met",
                        "XY-T10-amount": "met"}


def test_anyang_2020():
    statuses, evaluation = evaluate("anyang-2018", "410500", date(2020, 12, 31), "anyang.series.json")
    assert statuses == {"AY-T2": "met", "AY-T4-national": "not_met", "AY-T4-provincial": "met",
                        "AY-T4-municipal": "not_met", "AY-T5": "met", "AY-T6": "met", "AY-T7": "not_met"}
    assert [r.status for r in evaluation.tracked] == ["tracked"]


def test_yuanzhou_at_the_end_of_2024_is_a_projection():
    statuses, evaluation = evaluate("yuanzhou-2023", "360902", date(2024, 12, 31), "yuanzhou.series.json")
    assert statuses == {"YZ-T1": "not_met", "YZ-T2": "on_track", "YZ-T3-valid": "on_track",
                        "YZ-T3-high-value": "on_track", "YZ-T4": "on_track", "YZ-T5": "not_met",
                        "YZ-T6-out": "on_track", "YZ-T6-in": "on_track", "YZ-T7": "on_track", "YZ-T9": "on_track"}
    assert not any(r.final for r in evaluation.results)


def test_huangshi_per_field():
    statuses, evaluation = evaluate("huangshi-2024", "420200", date(2025, 6, 30), "huangshi.series.json")
    assert statuses == {"HS-T1": "not_met", "HS-T2": "on_track"}
    [fields] = [r for r in evaluation.results if r.target.id == "HS-T1"]
    assert {p.part: p.status for p in fields.parts} == {"新材料": "on_track", "智能制造": "on_track",
                                                         "生物医药": "not_met"}


# --- each shipped set on a generated history ------------------------------------------------------------

def history(code, good=True):
    """A series document for the set's region that meets every target (``good``) or stays flat."""
    in_force = targetset.load(code).in_force(date(2030, 1, 1), targetset.load(code).regions[0])
    measures, stats = {}, []
    for t in in_force.targets + in_force.tracked:
        years = range((t.base_year or t.start) - 1, t.end + 1)
        ind = t.indicator
        for k, year in enumerate(years):
            grow = 1000 * 3 ** k if good else 1000
            if ind.operator == "official":
                stats.append({"key": ind.code, "year": year, "value": "12" if good else "10", "source": "生成"})
                continue
            for m in filter(None, (ind.measure, ind.denominator)):
                key = m.key.replace("*", "某领域")
                downward = t.comparator is not None and t.comparator.op in ("<", "<=")
                measures.setdefault(key, {})[str(year)] = 0 if downward and good else grow
        for year in years:
            for key in ("population", "gdp"):
                stats.append({"key": key, "year": year, "value": "100", "source": "生成"})
    stats = list({(s["key"], s["year"]): s for s in stats}.values())
    region = targetset.load(code).regions[0]
    return {"regions": [
        {"code": "990000", "name": "某省", "level": "province",
         "statistics": [{"key": "ip_intensive_share", "year": y, "value": "11", "source": "生成"}
                        for y in range(2015, 2031)]},
        {"code": region, "name": "某地", "level": "city", "parent": "990000", "statistics": stats,
         "series": [{"measure": k, "source": "生成", "values": v} for k, v in measures.items()]}]}


@pytest.mark.parametrize("code", targetset.codes())
def test_every_shipped_set_on_a_generated_history(code):
    region = targetset.load(code).regions[0]
    good = engine.evaluate(code, region, date(2030, 1, 1), series.parse(history(code)))
    assert {r.target.id: r.status for r in good.results} == {r.target.id: "met" for r in good.results}
    flat = engine.evaluate(code, region, date(2030, 1, 1), series.parse(history(code, good=False)))
    for result in flat.results:
        if result.target.test.startswith("growth") or result.target.test == "benchmark":
            assert result.status == "not_met", result.target.id
    early = engine.evaluate(code, region, date(2000, 6, 30), series.parse(history(code)))
    assert {r.status for r in early.results} == {"no_data"}  # no year of any window has closed


@pytest.mark.parametrize("code", targetset.codes())
def test_every_target_cites_its_clause_and_every_reading_is_a_dated_parameter(code):
    data = json.loads((DATA / f"{code}.json").read_text(encoding="utf-8"))
    for raw in data["targets"]:
        assert raw["clause"] and raw["excerpt"], raw["id"]
    readings = [key for key, spec in data["parameters"].items() if spec.get("reading")]
    assert readings
    for key in readings:
        assert "[R]" in data["parameters"][key]["values"][0]["source"], key


def test_4_yi_and_1_yi_are_written_in_wan():
    xinyang = targetset.load("xinyang-2021").in_force(date(2023, 1, 1), "411500")
    yuanzhou = targetset.load("yuanzhou-2023").in_force(date(2023, 1, 1), "360902")
    assert {t.id: t.comparator.value for t in xinyang.targets}["XY-T6-amount"] == 40000
    assert {t.id: t.comparator.value for t in yuanzhou.targets}["YZ-T4"] == 10000


def test_a_new_dated_reading_changes_later_dates_only():
    base = targetset.load("yuanzhou-2023")
    params = json.loads(json.dumps(base.raw_parameters))
    params["yz_t4_reading"]["values"].append({"from": "2025-06-01", "value": "level", "source": "测试 [R]"})
    changed = replace(base, raw_parameters=params)
    before = {t.id: t.test for t in changed.in_force(date(2025, 5, 31), "360902").targets}
    after = {t.id: t.test for t in changed.in_force(date(2025, 6, 1), "360902").targets}
    assert (before["YZ-T4"], after["YZ-T4"]) == ("cumulative", "level")


def test_unknown_set_and_region_are_refused_in_chinese():
    with pytest.raises(targetset.TargetSetError, match="未找到目标集"):
        targetset.load("wuhan-2030")
    with pytest.raises(targetset.TargetSetError, match="没有地区 420281 的目标"):
        engine.evaluate("huangshi-2024", "420281", date(2025, 1, 1), {})
    with pytest.raises(targetset.TargetSetError, match="输入中没有地区 420200"):
        engine.evaluate("huangshi-2024", "420200", date(2025, 1, 1), {})


# --- the contract ----------------------------------------------------------------------------------------

def test_the_published_schema_is_the_contract_and_accepts_the_examples():
    published = json.loads((DATA / "target-series.schema.json").read_text(encoding="utf-8"))
    assert published == json.loads(json.dumps(json_schema(), ensure_ascii=False))
    validator = jsonschema.Draft202012Validator(published)
    for path in EXAMPLES.glob("*.json"):
        validator.validate(json.loads(path.read_text(encoding="utf-8")))
        series.parse(json.loads(path.read_text(encoding="utf-8")))


def test_every_bad_field_is_named_in_chinese_with_its_path():
    document = {"regions": [
        {"code": "4102", "name": "", "level": "town", "colour": "red"},
        {"code": "420200", "name": "黄石市", "level": "city", "parent": "999999",
         "statistics": [{"key": "weather", "year": 1800, "value": "-1", "source": "x"},
                        {"key": "population", "year": 2024, "value": "243.6"}],
         "series": [{"measure": "pledge.amount{colour=red}", "source": "x", "values": {"2024": "1"}},
                    {"measure": "valid_inventions", "source": "x", "values": {"24": 1, "2025": "1.5"}}]}]}
    with pytest.raises(series.InvalidSeries) as caught:
        series.parse(document)
    text = "\n".join(caught.value.problems)
    for expected in ("第1个地区「地区代码」（regions[0].code）：须为 6 位数字的行政区划代码",
                     "「地区名称」（regions[0].name）：须为非空文本", "「地区级别」（regions[0].level）",
                     "（regions[0].colour）：不是约定的字段",
                     "「上级地区代码」（regions[1].parent）：不是本文件中另一地区的代码",
                     "第2个地区 第1项官方统计「统计项」（regions[1].statistics[0].key）",
                     "「年度」（regions[1].statistics[0].year）", "「数值」（regions[1].statistics[0].value）",
                     "「来源」（regions[1].statistics[1].source）：必填",
                     "「计量名称」（regions[1].series[0].measure）：计量 pledge.amount 不接受筛选条件 colour",
                     "（regions[1].series[1].values.24）：年度须写作",
                     "「2025 年的数值」（regions[1].series[1].values.2025）：须为不小于 0 的整数"):
        assert expected in text, text
    assert len(caught.value.problems) == 12


# --- the CLI ---------------------------------------------------------------------------------------------

def test_cli_prints_json_and_exits_2_naming_bad_fields(tmp_path):
    from click.testing import CliRunner
    from pool.cli.targets import evaluate as command

    runner = CliRunner()
    args = ["--programme", "xinyang-2021", "--region", "411500", "--as-of", "2023-12-31",
            "--series", str(EXAMPLES / "xinyang.series.json")]
    result = runner.invoke(command, args)
    assert result.exit_code == 0, result.output
    assert "目标 11 项：达到 7，按趋势可达到 0，未达到 4，缺少数据 0" in result.output
    assert "判断：40000万元 > 40000万元，不成立" in result.output and "仅为试算，未写入任何记录" in result.output
    as_json = json.loads(runner.invoke(command, args + ["--json"]).output)
    [t1] = [t for t in as_json["targets"] if t["id"] == "XY-T1"]
    assert (t1["status"], t1["figure"], t1["comparator"]["op"]) == ("met", "21", ">")
    assert [p["value"] for p in t1["series"]] == ["5", "7", "9"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"regions": [{"code": "411500", "name": "信阳市", "level": "city", "series": [
        {"measure": "pledge.amount{object=patent}", "values": {"2021": "x"}}]}]}), encoding="utf-8")
    result = runner.invoke(command, args[:6] + ["--series", str(bad)])
    assert result.exit_code == 2
    assert "有 2 处不符合目标序列约定" in result.output and "「来源」" in result.output
    assert "「2021 年的数值」（regions[0].series[0].values.2021）" in result.output
    result = runner.invoke(command, ["--programme", "xinyang-2021", "--region", "410000", "--as-of", "2023-12-31",
                                     "--series", str(EXAMPLES / "xinyang.series.json")])
    assert result.exit_code == 2 and "没有地区 410000 的目标" in result.output
    # without --series the command reads the database: tests/test_targets_records.py
