"""The targets part of the JSON API: the target sets as shipped, a region's evaluation from the
records as the CLI's database mode (only the regions the dashboard offers the caller), and a series
document's evaluation as the CLI's series mode, writing nothing."""
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import db
from pool.api import target_schemas
from pool.api.inputs import schema_problems
from pool.targets import targetset

from . import targets_world as tw
from .test_api import api_app, api_client, assert_problem, call, tokens  # noqa: F401 - fixtures

EXAMPLES = targetset.DATA / "examples"
# One example per city: (programme, region, as_of, series file), as tests/test_targets_sets.py reads them.
CASES = {"xinyang-2021": ("411500", "2023-12-31", "xinyang"), "anyang-2018": ("410500", "2020-12-31", "anyang"),
         "yuanzhou-2023": ("360902", "2024-12-31", "yuanzhou"), "huangshi-2024": ("420200", "2025-06-30", "huangshi")}
TODAY = date(2026, 1, 5)  # the small world's day (tests/targets_world.py)


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.series.json").read_text(encoding="utf-8"))


def request(code: str, **changes) -> dict:
    region, as_of, name = CASES[code]
    return {"programme": code, "region": region, "as_of": as_of, "series": example(name), **changes}


def cli(runner, *args) -> str:
    printed = runner.invoke(args=["pool", "targets", "evaluate", *args, "--json"])
    assert printed.exit_code == 0, printed.output
    return printed.stdout


def rows(use_db) -> dict[str, int]:
    """Rows per table, but the API's request counter: what an answer must leave as it was."""
    with use_db() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t))
                for t in db.metadata.sorted_tables if t.name != "api_rate_window"}


@pytest.fixture
def built(api_app, use_db, world, freeze_today):
    """湖北省 › 黄石市 › 大冶市, 阳新县 with records (tests/targets_world.py) and 黄石's population."""
    freeze_today(TODAY)
    with use_db() as session:
        tw.build(session, world)
        tw.population(session, world.admin.id, "420200", 2024, "240")
    return world


# --- the series mode -------------------------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(CASES))
def test_a_series_document_answers_exactly_what_the_cli_prints(api_client, runner, tokens, use_db, code):
    region, as_of, name = CASES[code]
    printed = cli(runner, "--programme", code, "--region", region, "--as-of", as_of,
                  "--series", str(EXAMPLES / f"{name}.series.json"))
    before = rows(use_db)
    body = json.dumps(request(code), ensure_ascii=False).encode()
    answer = call(api_client, "POST", "/targets/evaluate", tokens["dy"], data=body, content_type="application/json")
    assert answer.status_code == 200 and answer.content_type == "application/json"
    assert answer.get_data(as_text=True) + "\n" == printed
    assert not schema_problems(target_schemas.EVALUATION, answer.get_json())  # as documented
    assert rows(use_db) == before  # a trial evaluation writes nothing


def test_a_value_sent_as_a_json_number_reads_as_its_text(api_client, tokens):
    def evaluation(population, members):
        body = request("huangshi-2024")
        city = body["series"]["regions"][1]
        city["statistics"][0]["value"] = population
        city["series"][-1]["values"]["2024"] = members
        answer = call(api_client, "POST", "/targets/evaluate", tokens["dy"], body=body)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()

    as_text = evaluation("243.6", 86)
    assert evaluation(Decimal("243.6"), 86) == as_text
    assert evaluation(Decimal("243.6"), Decimal("86.0")) == as_text  # a whole count written 86.0, as the CLI reads it
    broken = call(api_client, "POST", "/targets/evaluate", tokens["dy"], body=request("huangshi-2024", series={
        "regions": [{"code": "420200", "name": "黄石市", "level": "city", "series": [
            {"measure": "pool.members", "source": "x", "values": {"2024": Decimal("86.5")}}]}]}))
    assert "须为不小于 0 的整数" in assert_problem(
        broken, 422, "series.regions[0].series[0].values.2024")["errors"][0]["message"]


def test_a_broken_series_document_names_every_bad_field_and_writes_nothing(api_client, tokens, use_db):
    body = request("huangshi-2024")
    regions = body["series"]["regions"]
    regions[1]["statistics"][0]["value"] = -243.6
    del regions[1]["code"]
    regions[0]["level"] = "country"
    body["series"]["extra"] = 1
    before = rows(use_db)
    answer = call(api_client, "POST", "/targets/evaluate", tokens["dy"], body=body)
    problem = assert_problem(answer, 422, "series.regions[1].statistics[0].value", "series.regions[1].code",
                             "series.regions[0].level", "series.extra")
    named = {e["path"]: e for e in problem["errors"]}
    value = named["series.regions[1].statistics[0].value"]
    assert value["label"] == "数值" and "须为不小于 0 的数值" in value["message"]
    assert named["series.regions[1].code"]["label"] == "地区代码"
    assert "第2个地区「地区代码」（regions[1].code）：必填" == named["series.regions[1].code"]["message"]
    assert rows(use_db) == before


def test_the_region_must_have_targets_and_be_in_the_document(api_client, tokens):
    county = call(api_client, "POST", "/targets/evaluate", tokens["dy"], body=request("huangshi-2024", region="420281"))
    error = assert_problem(county, 422, "region")["errors"][0]
    assert error["label"] == "地区代码" and "目标集 huangshi-2024 没有地区 420281 的目标" in error["message"]
    province_only = {"regions": [{"code": "420000", "name": "湖北省", "level": "province"}]}
    missing = call(api_client, "POST", "/targets/evaluate", tokens["dy"],
                   body=request("huangshi-2024", series=province_only))
    assert "输入中没有地区 420200" in assert_problem(missing, 422, "region")["errors"][0]["message"]


def test_the_request_itself_is_checked_field_by_field(api_client, tokens):
    unknown = call(api_client, "POST", "/targets/evaluate", tokens["dy"], body=request("huangshi-2024",
                                                                                        programme="huangshi-2030"))
    assert "未找到目标集 huangshi-2030" in assert_problem(unknown, 422, "programme")["errors"][0]["message"]
    everything = call(api_client, "POST", "/targets/evaluate", tokens["dy"],
                      body={"programme": 1, "region": "42", "as_of": "2025-13-01", "series": [], "extra": 1})
    problem = assert_problem(everything, 422, "programme", "region", "as_of", "series", "extra")
    assert {e["path"]: e["label"] for e in problem["errors"]}["as_of"] == "评估日期"
    assert_problem(call(api_client, "POST", "/targets/evaluate", tokens["dy"], body={}), 422,
                   "programme", "region", "as_of", "series")
    assert_problem(call(api_client, "POST", "/targets/evaluate", tokens["dy"], body=[]), 422, "(root)")
    assert_problem(call(api_client, "POST", "/targets/evaluate", tokens["dy"], data=b"{",
                        content_type="application/json"), 422, "(root)")


def test_the_evaluation_date_is_today_at_the_latest(api_client, tokens, freeze_today):
    freeze_today(date(2025, 6, 30))
    today = call(api_client, "POST", "/targets/evaluate", tokens["dy"], body=request("huangshi-2024"))
    assert today.status_code == 200 and today.get_json()["as_of"] == "2025-06-30"
    tomorrow = call(api_client, "POST", "/targets/evaluate", tokens["dy"],
                    body=request("huangshi-2024", as_of="2025-07-01"))
    error = assert_problem(tomorrow, 422, "as_of")["errors"][0]
    assert error["label"] == "评估日期" and error["message"] == "评估日期 不能晚于今天（2025-06-30）"


# --- the database mode ---------------------------------------------------------------------------

@pytest.mark.parametrize("user, region", [("admin", "420200"), ("admin", "420222"), ("dy", "420281")])
def test_a_region_from_the_records_answers_exactly_what_the_cli_prints(api_client, runner, tokens, built, use_db,
                                                                         user, region):
    printed = cli(runner, "--programme", "huangshi-2024", "--region", region, "--as-of", "2026-01-05")
    before = rows(use_db)
    answer = call(api_client, "GET", f"/targets/huangshi-2024/regions/{region}", tokens[user],
                  query_string={"as_of": "2026-01-05"})
    assert answer.status_code == 200 and answer.content_type == "application/json"
    assert answer.get_data(as_text=True) + "\n" == printed
    assert not schema_problems(target_schemas.EVALUATION, answer.get_json())
    assert rows(use_db) == before
    assert json.loads(printed)["notes"]  # measured from the records, and it says so


def test_the_database_mode_evaluates_as_of_today_at_the_latest(api_client, tokens, built):
    url = "/targets/yuanzhou-2023/regions/420200"
    default = call(api_client, "GET", url, tokens["admin"])
    assert default.status_code == 200 and default.get_json()["as_of"] == TODAY.isoformat()
    today = call(api_client, "GET", url, tokens["admin"], query_string={"as_of": TODAY.isoformat()})
    assert today.get_data() == default.get_data()
    tomorrow = call(api_client, "GET", url, tokens["admin"],
                    query_string={"as_of": (TODAY + timedelta(days=1)).isoformat()})
    error = assert_problem(tomorrow, 422, "as_of")["errors"][0]
    assert error["label"] == "评估日期" and "不能晚于今天（2026-01-05）" in error["message"]
    assert_problem(call(api_client, "GET", url, tokens["admin"], query_string={"as_of": "2026-13-01"}), 422, "as_of")


def test_an_unknown_programme_or_region_is_404(api_client, tokens, built):
    for path in ("/targets/huangshi-2030/regions/420200", "/targets/huangshi-2024/regions/999999",
                 "/targets/huangshi-2024/regions/abc", "/targets/huangshi-2024/regions/420200/extra"):
        assert_problem(call(api_client, "GET", path, tokens["admin"]), 404)


def test_a_county_officer_evaluates_their_own_county_only_as_on_the_dashboard(api_client, auth, tokens, built):
    def api(user, region):
        return call(api_client, "GET", f"/targets/huangshi-2024/regions/{region}", tokens[user]).status_code

    def web(user, region):
        auth.login(user)
        status = api_client.get(f"/targets/?programme=huangshi-2024&region={region}").status_code
        auth.logout()
        return status

    seen = {(user, region): api(user, region) for user in ("dy", "yx", "admin")
            for region in ("420000", "420200", "420281", "420222")}
    assert seen == {("dy", "420281"): 200, ("yx", "420222"): 200,
                    **{("admin", r): 200 for r in ("420000", "420200", "420281", "420222")},
                    **{(u, r): 404 for u, r in (("dy", "420000"), ("dy", "420200"), ("dy", "420222"),
                                                ("yx", "420000"), ("yx", "420200"), ("yx", "420281"))}}
    assert seen == {key: web(*key) for key in seen}  # never more than the page shows


# --- the target sets -------------------------------------------------------------------------------

def test_the_target_sets_as_shipped_with_their_readings(api_client, tokens, freeze_today):
    freeze_today(date(2025, 6, 30))
    listed = call(api_client, "GET", "/targets/programmes", tokens["yx"]).get_json()
    assert [p["code"] for p in listed] == list(targetset.codes())
    assert not schema_problems({"type": "array", "items": target_schemas.PROGRAMME}, listed)
    huangshi = next(p for p in listed if p["code"] == "huangshi-2024")
    assert (huangshi["city"], huangshi["region"], huangshi["issued"], huangshi["as_of"]) == (
        "黄石市", "420200", "2024-09-30", "2025-06-30")
    window = next(p for p in huangshi["parameters"] if p["key"] == "hs_window")
    assert window["reading"] is True and window["value"] == {"from": 2024, "to": 2025}
    assert [v["from"] for v in window["values"]] == ["2024-09-30"] and "[R]" in window["values"][0]["source"]
    [events] = [t for t in huangshi["targets"] if t["id"] == "HS-T1"]
    assert (events["clause"], events["test"], events["test_label"], events["window"], events["parameters"]) == (
        "二(一) L23", "each_year", "每年", {"from": 2024, "to": 2025}, ["hs_window"])
    assert events["comparator"] == {"op": ">=", "value": "2", "upper": None, "words": "以上", "reading": None}
    assert events["indicator_label"] and events["excerpt"].startswith("分领域每年组织2场")
    assert [t["indicator"] for t in huangshi["tracked"]] == ["pool_members"]
    assert {n["id"] for n in huangshi["not_evaluated"]} >= {"HS-1"}
    yuanzhou = next(p for p in listed if p["code"] == "yuanzhou-2023")
    [first] = [t for t in yuanzhou["targets"] if t["id"] == "YZ-T1"]
    assert first["comparator"]["op"] == ">=" and "yz_t1_comparator" in first["parameters"]  # a reading, resolved
    anyang = next(p for p in listed if p["code"] == "anyang-2018")
    [ranged] = [t for t in anyang["targets"] if t["id"] == "AY-T4-provincial"]
    assert ranged["comparator"] == {"op": "range", "value": "8", "upper": "10", "words": "8—10家",
                                    "reading": "lower_bound"}
    late = call(api_client, "GET", "/targets/programmes", tokens["yx"], query_string={"as_of": "2025-07-01"})
    assert_problem(late, 422, "as_of")


def test_the_path_names_its_codes_in_the_description(api_client):
    doc = call(api_client, "GET", "/openapi.json").get_json()
    parameters = doc["paths"]["/targets/{programme}/regions/{region}"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"], p["schema"]["type"]) for p in parameters] == [
        ("programme", "path", True, "string"), ("region", "path", True, "string"), ("as_of", "query", False, "string")]
    assert doc["paths"]["/targets/evaluate"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TargetEvaluationRequest"}


# --- who may call -------------------------------------------------------------------------------------

def test_without_a_token_every_targets_operation_is_401(api_client, auth, tokens, built):
    for method, path, body in (("GET", "/targets/programmes", None),
                               ("GET", "/targets/huangshi-2024/regions/420281", None),
                               ("POST", "/targets/evaluate", request("huangshi-2024"))):
        assert_problem(call(api_client, method, path, body=body), 401)
        assert_problem(call(api_client, method, path, "pool_nope", body=body), 401)
    # The browser session does not authenticate the API (no CSRF exposure): the same 401.
    auth.login("dy")
    assert_problem(call(api_client, "POST", "/targets/evaluate", body=request("huangshi-2024")), 401)
    assert_problem(call(api_client, "GET", "/targets/huangshi-2024/regions/420281"), 401)
