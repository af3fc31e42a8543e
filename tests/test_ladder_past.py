"""A pool on a past date (issue #17): each membership's state that day from the live events — the
domain, the pool page and its export, the API, and the CLI's ``members``, ``judge`` and ``check --pool``
for the pools the administrator created."""
import csv
import io
import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import Enterprise, Membership, User
from pool.eligibility import rulebook
from pool.kernel import jsonutil
from pool.kernel.refusal import DateRefused
from pool.ladder import catalogue, memberships as ms, past, verdicts
from pool.records import facts

from . import model_factories as mf
from .ladder_world import graduate_from_first_pool
from .test_api import api_app, api_client, call, tokens  # noqa: F401 - fixtures

CONTINUING = "huangshi-continuing-2024"
FIRST = "huangshi-2024"
TODAY = date(2026, 6, 30)
GRADUATED_ON = date(2026, 3, 1)  # from the first pool (its log), for all three
APPLIED_ON = date(2026, 3, 10)
ADMITTED_ON = date(2026, 4, 1)  # D: admitted that day, still applied the day before
VOIDED_ON = date(2026, 5, 1)  # B's admission voided that day: it never happened


@pytest.fixture(autouse=True)
def _today(freeze_today):
    freeze_today(TODAY)


@pytest.fixture
def ladder(world, use_db):
    """In 接续培育: A (大冶) applied on APPLIED_ON, admitted on ADMITTED_ON; B (大冶) the same, its admission
    voided on VOIDED_ON; C (阳新) applied and admitted as A."""
    with use_db() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        b = mf.enterprise(session, session.get(Enterprise, world.dy_ent.id).county, "大冶铜都精密有限公司")
        people = {"a": world.dy_ent.id, "b": b.id, "c": world.yx_ent.id}
        for key, eid in people.items():
            enterprise, _admin = graduate_from_first_pool(session, eid, GRADUATED_ON)
            ms.decide(session, enterprise, CONTINUING, "apply", actor=admin, on=APPLIED_ON, today=TODAY)
            ms.decide(session, enterprise, CONTINUING, "admit", actor=admin, on=ADMITTED_ON, today=TODAY)
        ms.decide(session, session.get(Enterprise, b.id), CONTINUING, "void", actor=admin, on=VOIDED_ON,
                  today=TODAY, reason="入库核验有误")
        session.commit()
        return SimpleNamespace(**people, **{f"{k}_uscc": session.get(Enterprise, v).uscc for k, v in people.items()},
                               names={k: session.get(Enterprise, v).name for k, v in people.items()})


def on_day(session, day, county_ids=None, state=None, pool=CONTINUING):
    rows = past.members(session, past.members_stmt(catalogue.get(session, pool), day, county_ids, state=state))
    return {m.enterprise_id: (m.state, m.since, m.admitted_on) for m in rows}


def text(response):
    return response.get_data(as_text=True)


def csv_rows(response):
    return list(csv.reader(io.StringIO(text(response).lstrip("\ufeff"))))


# --- the domain ----------------------------------------------------------------------------------

def test_admitted_on_d_is_applied_on_d_minus_1_and_absent_before_applying(session, ladder):
    day_before = ADMITTED_ON - timedelta(days=1)
    assert on_day(session, day_before)[ladder.a] == ("applied", APPLIED_ON, None)
    assert on_day(session, ADMITTED_ON)[ladder.a] == ("admitted", ADMITTED_ON, ADMITTED_ON)
    assert on_day(session, APPLIED_ON)[ladder.a] == ("applied", APPLIED_ON, None)
    assert on_day(session, APPLIED_ON - timedelta(days=1)) == {}


def test_a_voided_admission_is_ignored_on_every_day(session, ladder):
    for day in (ADMITTED_ON, VOIDED_ON - timedelta(days=1), VOIDED_ON, TODAY):
        assert on_day(session, day)[ladder.b] == ("applied", APPLIED_ON, None)
    assert set(on_day(session, ADMITTED_ON, state="admitted")) == {ladder.a, ladder.c}
    assert past.counts(session, catalogue.get(session, CONTINUING), ADMITTED_ON, None) == {"admitted": 2, "applied": 1}


def test_it_agrees_with_one_memberships_reading_on_every_day(session, ladder):
    """The set-based rule and :func:`verdicts.membership_state_on` (one membership, in Python) say the same."""
    held = list(session.scalars(select(Membership).where(Membership.pool_code == CONTINUING)))
    for day in (APPLIED_ON - timedelta(days=1), APPLIED_ON, ADMITTED_ON - timedelta(days=1), ADMITTED_ON,
                VOIDED_ON, TODAY):
        states = {eid: state for eid, (state, _since, _admitted) in on_day(session, day).items()}
        assert states == {m.enterprise_id: verdicts.membership_state_on(m, day) for m in held
                          if verdicts.membership_state_on(m, day) is not None}
    assert {eid: s for eid, (s, _a, _b) in on_day(session, TODAY).items()} == {m.enterprise_id: m.state for m in held}


def test_county_scoping_and_search(session, ladder, world):
    assert set(on_day(session, ADMITTED_ON, [world.dy.id])) == {ladder.a, ladder.b}
    assert set(on_day(session, ADMITTED_ON, [world.yx.id])) == {ladder.c}
    assert on_day(session, ADMITTED_ON, []) == {}
    pool = catalogue.get(session, CONTINUING)
    assert past.counts(session, pool, ADMITTED_ON, [world.yx.id]) == {"admitted": 1}
    found = past.members(session, past.members_stmt(pool, ADMITTED_ON, None, search="铜都"))
    assert [m.enterprise_id for m in found] == [ladder.b]


def test_the_first_pool_on_a_day_from_its_log(session, ladder):
    before, after = on_day(session, GRADUATED_ON - timedelta(days=1), pool=FIRST), on_day(session, GRADUATED_ON, pool=FIRST)
    assert before[ladder.a] == ("admitted", date(2025, 3, 1), date(2025, 3, 1))
    assert after[ladder.a] == ("graduated", GRADUATED_ON, date(2025, 3, 1))


def test_a_day_after_today_or_before_the_pool_began_is_refused(session, ladder):
    pool = catalogue.get(session, CONTINUING)
    with pytest.raises(DateRefused, match="不能晚于今天"):
        past.check_day(session, pool, TODAY + timedelta(days=1), TODAY)
    first = pool.criteria_set.versions[0].valid_from
    past.check_day(session, pool, first, TODAY)
    with pytest.raises(DateRefused, match=f"早于出库样板企业接续培育的起始日期 {first}"):
        past.check_day(session, pool, first - timedelta(days=1), TODAY)


def test_an_event_before_the_first_version_moves_the_first_day(session, world):
    pool = catalogue.get(session, CONTINUING)
    first = pool.criteria_set.versions[0].valid_from
    admin = session.scalar(select(User).where(User.username == "admin"))
    early = first - timedelta(days=30)
    ms.decide(session, session.get(Enterprise, world.dy_ent.id), CONTINUING, "apply", actor=admin, on=early,
              today=TODAY)
    assert past.first_day(session, pool) == early
    past.check_day(session, pool, early, TODAY)
    with pytest.raises(DateRefused):
        past.check_day(session, pool, early - timedelta(days=1), TODAY)


# --- the pool page and its export ----------------------------------------------------------------

def test_the_page_on_a_day_lists_that_days_states(client, auth, ladder):
    auth.login("dy")
    before = text(client.get(f"/pools/{CONTINUING}/?as_of=2026-03-31"))
    assert "2026-03-31 的名单" in before and ladder.names["a"] in before and ladder.names["b"] in before
    assert "培育中" not in before.split('id="members"')[1]
    admitted = text(client.get(f"/pools/{CONTINUING}/?as_of=2026-04-01&state=admitted"))
    table = admitted.split('id="members"')[1]
    assert ladder.names["a"] in table and ladder.names["b"] not in table and "培育中" in table
    assert 'value="2026-04-01"' in admitted  # the form keeps the day
    assert ladder.names["c"] not in admitted  # 阳新's


def test_another_countys_officer_sees_none_of_them_on_the_page_or_the_export(client, auth, ladder):
    auth.login("yx")
    page = text(client.get(f"/pools/{CONTINUING}/?as_of=2026-04-01"))
    assert ladder.names["c"] in page and ladder.names["a"] not in page and ladder.names["b"] not in page
    rows = csv_rows(client.get(f"/pools/{CONTINUING}/?as_of=2026-04-01&format=csv"))
    assert [r[0] for r in rows[1:]] == [ladder.names["c"]]


def test_the_export_on_a_day_says_the_day(client, auth, ladder):
    auth.login("dy")
    rows = csv_rows(client.get(f"/pools/{CONTINUING}/?as_of=2026-03-31&format=csv"))
    assert rows[0][3] == "2026-03-31 的状态"
    assert sorted((r[0], r[3], r[5]) for r in rows[1:]) == sorted(
        [(ladder.names["a"], "已申报", ""), (ladder.names["b"], "已申报", "")])
    admitted = csv_rows(client.get(f"/pools/{CONTINUING}/?as_of=2026-04-01&format=csv&state=admitted"))
    assert [(r[0], r[4], r[5]) for r in admitted[1:]] == [(ladder.names["a"], "2026-04-01", "2026-04-01")]
    response = client.get(f"/pools/{CONTINUING}/?as_of=2026-03-31&format=xlsx")
    assert "2026-03-31" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in book.worksheets[0][1]][3] == "2026-03-31 的状态"
    about = {row[0].value: row[1].value for row in book["说明"].iter_rows()}
    assert about["名单日期"] == "2026-03-31"


@pytest.mark.parametrize("asked, message", [
    ("2026-07-01", "晚于今天"), ("2024-09-29", "早于出库样板企业接续培育的起始日期 2024-09-30"),
    ("30/06/2026", "YYYY-MM-DD"),
])
def test_a_day_refused_is_said_on_the_page_in_chinese(client, auth, ladder, asked, message):
    auth.login("dy")
    for path in (f"/pools/{CONTINUING}/?as_of={asked}", f"/pools/{CONTINUING}/?as_of={asked}&format=csv"):
        response = client.get(path)
        assert response.status_code == 422 and message in text(response)
        assert response.mimetype == "text/html"  # no file of a day that cannot be shown


# --- the API -------------------------------------------------------------------------------------

def members(api_client, token, query, pool=CONTINUING):
    return call(api_client, "GET", f"/pools/{pool}/members?{query}", token)


def test_the_api_lists_a_pool_on_a_day(api_client, tokens, ladder):
    before = members(api_client, tokens["dy"], "as_of=2026-03-31").get_json()
    assert {(m["enterprise"]["id"], m["state"], m["admitted_on"]) for m in before["items"]} == {
        (ladder.a, "applied", None), (ladder.b, "applied", None)}
    admitted = members(api_client, tokens["dy"], "as_of=2026-04-01&state=admitted").get_json()
    assert [(m["enterprise"]["id"], m["since"]) for m in admitted["items"]] == [(ladder.a, "2026-04-01")]
    assert members(api_client, tokens["dy"], "as_of=2026-04-01&per_page=1&page=2").get_json()["total"] == 2
    other = members(api_client, tokens["yx"], "as_of=2026-04-01").get_json()
    assert [m["enterprise"]["id"] for m in other["items"]] == [ladder.c]
    first = members(api_client, tokens["dy"], "as_of=2026-02-28", pool=FIRST).get_json()
    assert {m["enterprise"]["id"]: m["state"] for m in first["items"]} == {ladder.a: "admitted", ladder.b: "admitted"}


@pytest.mark.parametrize("asked, message", [("2026-07-01", "不能晚于今天"), ("2024-09-29", "起始日期 2024-09-30")])
def test_the_api_refuses_a_day_after_today_or_before_the_pool(api_client, tokens, ladder, asked, message):
    response = members(api_client, tokens["dy"], f"as_of={asked}")
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert error["path"] == "as_of" and message in error["message"]


# --- the CLI -------------------------------------------------------------------------------------

def test_members_on_a_day_as_json_and_csv(runner, ladder):
    result = runner.invoke(args=["pool", "members", "--pool", CONTINUING, "--as-of", "2026-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["as_of"] == "2026-03-31" and out["count"] == 3
    assert {m["uscc"]: m["state"] for m in out["members"]} == {
        ladder.a_uscc: "applied", ladder.b_uscc: "applied", ladder.c_uscc: "applied"}
    dy = json.loads(runner.invoke(args=["pool", "members", "--pool", CONTINUING, "--as-of", "2026-04-01",
                                        "--county", "大冶市", "--format", "json"]).stdout)
    assert {m["uscc"]: m["state"] for m in dy["members"]} == {ladder.a_uscc: "admitted", ladder.b_uscc: "applied"}
    by_code = runner.invoke(args=["pool", "members", "--pool", CONTINUING, "--as-of", "2026-04-01",
                                  "--county", "420222", "--state", "admitted"])
    rows = list(csv.reader(io.StringIO(by_code.stdout.lstrip("\ufeff"))))
    assert rows[0][3] == "2026-04-01 的状态" and [r[1] for r in rows[1:]] == [ladder.c_uscc]
    first = json.loads(runner.invoke(args=["pool", "members", "--pool", FIRST, "--as-of", "2026-03-01",
                                           "--format", "json"]).stdout)
    assert {m["uscc"]: m["state"] for m in first["members"]} == {
        ladder.a_uscc: "graduated", ladder.b_uscc: "graduated", ladder.c_uscc: "graduated"}


@pytest.mark.parametrize("args, message", [
    (["--pool", "nowhere"], "未找到培育库 nowhere"),
    (["--pool", CONTINUING, "--as-of", "2026-07-01"], "不能晚于今天"),
    (["--pool", CONTINUING, "--as-of", "2024-09-29"], "起始日期 2024-09-30"),
    (["--pool", CONTINUING, "--county", "火星县"], "未找到县（市、区）火星县"),
])
def test_members_refuses_with_exit_2_in_chinese(runner, ladder, args, message):
    result = runner.invoke(args=["pool", "members", *args])
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_judge_the_members_stored_records_on_a_day(runner, ladder, use_db):
    result = runner.invoke(args=["pool", "judge", "--pool", CONTINUING, "--as-of", "2026-04-01", "--county", "大冶市"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {o["uscc"]: o["state"] for o in out} == {ladder.a_uscc: "admitted", ladder.b_uscc: "applied"}
    assert all(o["pool"] == CONTINUING and o["as_of"] == "2026-04-01" and o["verdict"] == "eligible" for o in out)
    with use_db() as session:  # the membership page's verdict, the same
        expected = verdicts.evaluate(session, session.get(Enterprise, ladder.a), CONTINUING, ADMITTED_ON, {})
    assert next(o for o in out if o["uscc"] == ladder.a_uscc)["criteria"] == expected.to_dict()["criteria"]
    before = json.loads(runner.invoke(args=["pool", "judge", ladder.a_uscc, "--pool", CONTINUING,
                                            "--as-of", "2026-02-28"]).stdout)
    assert before[0]["state"] is None and before[0]["verdict"] == "ineligible"  # not yet graduated from the first


def test_judge_under_the_first_pool_is_the_enterprise_pages_ten_criteria(runner, ladder, use_db):
    result = runner.invoke(args=["pool", "judge", ladder.c_uscc, ladder.a_uscc, "--pool", FIRST, "--as-of", "2026-02-28"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [o["uscc"] for o in out] == [ladder.c_uscc, ladder.a_uscc]  # as asked
    assert [o["state"] for o in out] == ["admitted", "admitted"]
    with use_db() as session:
        expected = facts.record_verdict(session.get(Enterprise, ladder.a), date(2026, 2, 28), rulebook.load(session))
    assert out[1]["verdict"] == expected.verdict and out[1]["criteria"] == expected.to_dict()["criteria"]
    assert [c["id"] for c in out[1]["criteria"]] == list(range(1, 11))


@pytest.mark.parametrize("args, message", [
    (["91420281MA4X00000X", "--pool", CONTINUING], "未找到统一社会信用代码为 91420281MA4X00000X 的企业"),
    (["--pool", "nowhere"], "未找到培育库 nowhere"),
    (["--pool", CONTINUING, "--as-of", "2026-07-01"], "不能晚于今天"),
    (["--pool", CONTINUING, "--county", "大冶市", "X"], "不再按县（市、区）或状态筛选"),
])
def test_judge_refuses_with_exit_2_in_chinese(runner, ladder, args, message):
    result = runner.invoke(args=["pool", "judge", *args])
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_judge_before_any_policy_is_refused(runner, ladder):
    result = runner.invoke(args=["pool", "judge", ladder.a_uscc, "--pool", FIRST, "--as-of", "2001-01-01"])
    assert result.exit_code == 2 and "没有生效的政策参数" in result.stderr


def test_check_finds_a_pool_the_administrator_created_and_its_dated_values(runner, world, use_db, tmp_path):
    from .test_pools import FACTS, XU_USCC, xuchang

    with use_db() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        catalogue.record(session, {"kind": "create", "code": "huangshi-hightech-reserve", "template": "xuchang-2022",
                                   "name": "黄石市高新技术企业备选库", "source": "纪要", "valid_from": "2026-06-01"},
                         actor=admin, today=TODAY)
        catalogue.record(session, {"kind": "parameter", "code": "huangshi-hightech-reserve",
                                   "key": "city_region_prefixes", "valid_from": "2026-06-15", "value": ["4202"],
                                   "source": "市局通知"}, actor=admin, today=TODAY)
        session.commit()
    file, facts_file = tmp_path / "in.json", tmp_path / "facts.json"
    file.write_text(jsonutil.dumps(xuchang()), encoding="utf-8")
    facts_file.write_text(jsonutil.dumps({XU_USCC: FACTS}), encoding="utf-8")

    def verdict(day):
        result = runner.invoke(args=["pool", "check", str(file), "--pool", "huangshi-hightech-reserve",
                                     "--facts", str(facts_file), "--as-of", day])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["verdict"]
    assert verdict("2026-06-14") == "eligible"  # a 许昌 enterprise, before the value for 黄石
    assert verdict("2026-06-15") == "ineligible"  # from that value on, 4202 is the city
    listed = runner.invoke(args=["pool", "pools"])
    assert "huangshi-hightech-reserve  黄石市高新技术企业备选库" in listed.stdout
