"""The whole lifecycle through the JSON API (issue #14), as the web pages do it:
intake rounds, the pool on a date, the proposals on a date, corrections with
two people, re-application and its cycles; and ``flask pool create-token``."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from models import (
    CITY_ADMIN, ApiToken, Enterprise, IntakeRound, PoolEvent, StateCorrection, User, utcnow,
)
from pool.access import tokens as api_domain
from pool.api import operations

from . import model_factories as mf
from .test_actions_web import admit_dy
from .test_api import api_app, api_client, assert_problem, call, tokens  # noqa: F401 - fixtures
from .test_records_web import save_check

TODAY = date(2026, 3, 10)
TOMORROW = "2026-03-11"


@pytest.fixture(autouse=True)
def _today(freeze_today):
    freeze_today(TODAY)


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def apply_yx(use_db, world, on=date(2025, 1, 10)):
    """Give yx_ent (cached as applied) the 申报 event behind that state."""
    with use_db() as session:
        session.add(PoolEvent(enterprise_id=world.yx_ent.id, county_id=world.yx.id,
                              kind="state_change", to_state="applied", effective_on=on, reason="申报"))
        session.get(Enterprise, world.yx_ent.id).state_changed_on = on
        session.commit()


def second_admin(use_db) -> str:
    """Another city administrator's token."""
    with use_db() as session:
        admin2 = mf.user(session, "admin2", role=CITY_ADMIN)
        _token, secret = api_domain.issue_token(session, admin2, name="admin2", now=utcnow())
        session.commit()
    return secret


# --- intake rounds -----------------------------------------------------------------------------

def test_only_the_administrator_opens_and_closes_a_round_and_only_today(api_client, tokens,  # noqa: F811
                                                                       use_db):
    dy, admin = tokens["dy"], tokens["admin"]
    forbidden = assert_problem(call(api_client, "POST", "/intake-rounds", dy, body={"name": "第一批"}),
                               403)
    assert "市级管理员" in forbidden["detail"]
    assert_problem(call(api_client, "POST", "/intake-rounds", admin,
                        body={"name": "第一批", "on": TOMORROW}), 422, "on")
    assert_problem(call(api_client, "POST", "/intake-rounds", admin,
                        body={"name": "第一批", "on": "2026-03-09"}), 422, "on")
    assert_problem(call(api_client, "POST", "/intake-rounds", admin, body={"name": "  "}), 422, "name")
    with use_db() as session:
        assert session.scalar(select(func.count(IntakeRound.id))) == 0

    created = call(api_client, "POST", "/intake-rounds", admin,
                   body={"name": "2026 年第一批", "on": TODAY.isoformat()})
    opened = ok(created, 201)
    assert created.headers["Location"].endswith(f"/api/v1/intake-rounds/{opened['id']}")
    assert opened == {"id": opened["id"], "name": "2026 年第一批", "opened_on": "2026-03-10",
                      "closed_on": None, "open_today": True, "opened_by": "admin", "closed_by": None}
    overlap = call(api_client, "POST", "/intake-rounds", admin, body={"name": "第二批"})
    assert "重叠" in assert_problem(overlap, 409)["detail"]
    assert ok(call(api_client, "GET", "/intake-rounds", dy)) == [opened]  # everyone sees the rounds
    assert ok(call(api_client, "GET", f"/intake-rounds/{opened['id']}", dy)) == opened

    close = f"/intake-rounds/{opened['id']}/close"
    assert_problem(call(api_client, "POST", close, dy, body={}), 403)
    assert_problem(call(api_client, "POST", "/intake-rounds/999/close", admin, body={}), 404)
    assert_problem(call(api_client, "POST", close, admin, body={"on": TOMORROW}), 422, "on")
    closed = ok(call(api_client, "POST", close, admin, body={"on": TODAY.isoformat()}))
    assert (closed["closed_on"], closed["closed_by"], closed["open_today"]) == ("2026-03-10", "admin", True)
    again = call(api_client, "POST", close, admin, body={})
    assert "已于 2026-03-10 关闭" in assert_problem(again, 409)["detail"]


# --- the pool on a date ------------------------------------------------------------------------

def test_the_pool_on_a_date_is_the_viewers_counties_as_the_log_says(api_client, world, tokens,  # noqa: F811
                                                                    use_db):
    admit_dy(use_db, world)  # applied 2025-02-01, admitted 2025-03-01
    apply_yx(use_db, world)  # applied 2025-01-10

    def pool(token, **query):
        return call(api_client, "GET", "/pool", token, query_string=query)

    before = ok(pool(tokens["dy"], on="2025-02-15"))
    assert [(i["name"], i["state"], i["state_label"]) for i in before["items"]] == [
        (world.dy_ent.name, "applied", "已申报")]
    assert before["on"] == "2025-02-15" and before["counts"]["applied"] == 1
    assert before["counts"]["admitted"] == 0 and before["total"] == 1

    everyone = ok(pool(tokens["admin"], on="2025-03-01"))
    assert {i["enterprise_id"]: i["state"] for i in everyone["items"]} == {
        world.dy_ent.id: "admitted", world.yx_ent.id: "applied"}
    assert [i["county"]["name"] for i in everyone["items"]] == ["大冶市", "阳新县"]
    admitted = ok(pool(tokens["admin"], on="2025-03-01", state="admitted"))
    assert [i["enterprise_id"] for i in admitted["items"]] == [world.dy_ent.id]
    assert admitted["counts"] == {**dict.fromkeys(admitted["counts"], 0), "applied": 1, "admitted": 1}
    yx_only = ok(pool(tokens["admin"], on="2025-03-01", county_id=world.yx.id))
    assert [i["enterprise_id"] for i in yx_only["items"]] == [world.yx_ent.id]

    # scoping: 阳新县 sees only its own, even when it names 大冶市
    assert ok(pool(tokens["yx"], on="2025-03-01", county_id=world.dy.id))["total"] == 0
    assert [i["enterprise_id"] for i in ok(pool(tokens["yx"], on="2025-03-01"))["items"]] == [
        world.yx_ent.id]

    assert ok(pool(tokens["dy"], on="2025-01-01"))["items"] == []
    assert ok(pool(tokens["dy"]))["on"] == "2026-03-10"  # today by default, and today is allowed
    assert ok(pool(tokens["dy"], on="2026-03-10"))["items"][0]["state"] == "admitted"
    later = assert_problem(pool(tokens["dy"], on=TOMORROW), 422, "on")
    assert later["errors"][0]["message"] == "日期 不能晚于今天（2026-03-10）"


# --- proposals on a date -----------------------------------------------------------------------

def test_the_proposals_on_a_date_with_their_findings(api_client, world, tokens, use_db):  # noqa: F811
    admit_dy(use_db, world)
    url = f"/enterprises/{world.dy_ent.id}/proposals"

    def proposals(token="dy", **query):
        return call(api_client, "GET", url, tokens[token], query_string=query)

    now = ok(proposals(as_of=TODAY.isoformat()))
    assert now["as_of"] == "2026-03-10" and now["in_pool"] is True
    assert now["enterprise"]["id"] == world.dy_ent.id
    graduation = now["graduation"]
    assert graduation["proposal"] is None
    assert set(graduation["findings"]) == {"a", "b"}
    assert "没有新认定的专利密集型产品" in graduation["findings"]["a"]["detail"]
    assert graduation["findings"]["a"]["evidence"]["ready_on"] == "2026-03-01"
    no_progress = now["expulsion"]["findings"]["a"]
    assert (no_progress["holds"], no_progress["evidence"]["due_on"]) == (False, "2027-03-01")
    assert now["expulsion"]["proposal"] is None

    ok(call(api_client, "POST", f"/enterprises/{world.dy_ent.id}/incident", tokens["dy"],
            body={"subtype": "serious_dishonesty", "reason": "列入严重失信名单", "on": "2026-03-05"}), 201)
    after = ok(proposals())  # as_of today by default
    proposal = after["expulsion"]["proposal"]
    assert (proposal["kind"], proposal["rule"]) == ("expulsion", "b")
    assert proposal["evidence"]["as_of"] == "2026-03-10" and "parameters" in proposal["evidence"]
    assert ok(proposals(as_of="2026-03-04"))["expulsion"]["proposal"] is None  # before the incident

    before = ok(proposals(as_of="2025-02-15"))
    assert before["in_pool"] is False
    assert before["graduation"] == before["expulsion"] == {"findings": None, "proposal": None}

    later = assert_problem(proposals(as_of=TOMORROW), 422, "as_of")
    assert later["errors"] == [{"path": "as_of", "label": "认定日期",
                                "message": "认定日期 不能晚于今天（2026-03-10）"}]
    assert_problem(proposals(as_of="2001-01-01"), 422, "as_of")  # before the policy took effect
    assert_problem(proposals("yx"), 404)
    assert ok(proposals("admin"))["in_pool"] is True


# --- corrections -------------------------------------------------------------------------------

def _admission(use_db, world) -> int:
    with use_db() as session:
        return session.scalar(select(PoolEvent.id).where(PoolEvent.enterprise_id == world.dy_ent.id,
                                                         PoolEvent.to_state == "admitted"))


def test_a_correction_is_asked_by_one_and_decided_by_another(api_client, world, tokens,  # noqa: F811
                                                             use_db):
    admit_dy(use_db, world)
    admission = _admission(use_db, world)
    ask = f"/enterprises/{world.dy_ent.id}/corrections"
    assert_problem(call(api_client, "POST", ask, tokens["dy"], body={"event_id": admission}), 422,
                   "reason")
    assert_problem(call(api_client, "POST", f"/enterprises/{world.yx_ent.id}/corrections", tokens["dy"],
                        body={"event_id": admission, "reason": "x"}), 404)
    with use_db() as session:
        other = session.scalar(select(PoolEvent.id).where(PoolEvent.to_state == "applied"))
    apply_yx(use_db, world)
    with use_db() as session:
        theirs = session.scalar(select(PoolEvent.id).where(PoolEvent.enterprise_id == world.yx_ent.id))
    assert_problem(call(api_client, "POST", ask, tokens["dy"],
                        body={"event_id": theirs, "reason": "x"}), 422, "event_id")
    application = call(api_client, "POST", ask, tokens["dy"], body={"event_id": other, "reason": "x"})
    assert "申报记录不能更正" in assert_problem(application, 409)["detail"]

    created = call(api_client, "POST", ask, tokens["dy"],
                   body={"event_id": admission, "reason": "入库时所依评估有误"})
    request = ok(created, 201)
    one = f"/corrections/{request['id']}"
    assert created.headers["Location"].endswith("/api/v1" + one)
    assert (request["status"], request["proposed_by"], request["event"]["id"]) == (
        "pending", "dy", admission)
    assert_problem(call(api_client, "POST", ask, tokens["dy"],
                        body={"event_id": admission, "reason": "再次"}), 409)

    # scoping: 阳新县 neither lists nor reaches it
    assert ok(call(api_client, "GET", "/corrections", tokens["yx"]))["total"] == 0
    for method, path, body in (("GET", one, None), ("POST", one + "/approve", {}),
                               ("POST", one + "/refuse", {"reason": "x"})):
        assert_problem(call(api_client, method, path, tokens["yx"], body=body), 404)
    listed = ok(call(api_client, "GET", "/corrections", tokens["dy"], query_string={"status": "pending"}))
    assert [r["id"] for r in listed["items"]] == [request["id"]]
    assert ok(call(api_client, "GET", one, tokens["admin"])) == request

    # an officer decides nothing; a refusal needs a reason
    assert_problem(call(api_client, "POST", one + "/approve", tokens["dy"], body={}), 403)
    assert_problem(call(api_client, "POST", one + "/refuse", tokens["dy"], body={"reason": "x"}), 403)
    assert_problem(call(api_client, "POST", one + "/refuse", tokens["admin"], body={}), 422, "reason")
    assert_problem(call(api_client, "POST", one + "/refuse", tokens["admin"], body={"reason": " "}), 422,
                   "reason")
    refused = ok(call(api_client, "POST", one + "/refuse", tokens["admin"], body={"reason": "评估无误"}))
    assert (refused["status"], refused["decided_by"], refused["decision_reason"]) == (
        "refused", "admin", "评估无误")
    assert_problem(call(api_client, "POST", one + "/approve", tokens["admin"], body={}), 409)

    # the proposer cannot approve their own request; another administrator can
    mine = ok(call(api_client, "POST", ask, tokens["admin"],
                   body={"event_id": admission, "reason": "入库有误"}), 201)
    own = call(api_client, "POST", f"/corrections/{mine['id']}/approve", tokens["admin"], body={})
    assert "申请人不能审批自己的更正申请" in assert_problem(own, 409)["detail"]
    approved = ok(call(api_client, "POST", f"/corrections/{mine['id']}/approve",
                       second_admin(use_db), body={"reason": "同意"}))
    assert approved["correction"]["status"] == "approved"
    assert (approved["event"]["kind"], approved["event"]["corrects_id"]) == ("correction", admission)
    assert approved["correction"]["correction_event_id"] == approved["event"]["id"]
    assert (approved["enterprise"]["state"], approved["enterprise"]["admitted_on"]) == ("applied", None)
    # …and the pool on a date follows the corrected history
    day = ok(call(api_client, "GET", "/pool", tokens["dy"], query_string={"on": "2025-03-02"}))
    assert [i["state"] for i in day["items"]] == ["applied"]
    with use_db() as session:
        assert session.scalar(select(func.count(StateCorrection.id))) == 2


# --- re-application ----------------------------------------------------------------------------

def test_a_rejected_enterprise_applies_again_in_a_later_year(api_client, world, tokens, use_db):  # noqa: F811
    apply_yx(use_db, world, date(2025, 2, 1))
    yx, base = tokens["yx"], f"/enterprises/{world.yx_ent.id}"
    ok(call(api_client, "POST", base + "/reject", yx, body={"on": "2025-07-01", "reason": "研发投入不足"}),
       201)
    first = ok(call(api_client, "GET", base + "/cycles", yx))
    assert [(c["number"], c["applied"]["effective_on"], c["decision"]["to_state"]) for c in first] == [
        (1, "2025-02-01", "rejected")]

    check_id = save_check(use_db, world.yx.id, "yx", uscc=world.yx_ent.uscc, name=world.yx_ent.name)
    stranger = save_check(use_db, world.yx.id, "yx")  # another USCC
    assert_problem(call(api_client, "POST", base + "/reapply", yx, body={"check_id": stranger}), 422,
                   "check_id")
    assert_problem(call(api_client, "POST", base + "/reapply", yx, body={}), 422, "check_id")
    same_year = call(api_client, "POST", base + "/reapply", yx,
                     body={"check_id": check_id, "on": "2025-12-20"})
    assert "须在以后的申报年度（2026 年起）" in assert_problem(same_year, 409)["detail"]
    assert_problem(call(api_client, "POST", base + "/reapply", yx,
                        body={"check_id": check_id, "on": TOMORROW}), 422, "on")
    assert_problem(call(api_client, "POST", base + "/reapply", tokens["dy"],
                        body={"check_id": check_id}), 404)

    again = ok(call(api_client, "POST", base + "/reapply", yx,
                    body={"check_id": check_id, "on": TODAY.isoformat(), "reason": "补足研发投入后再次申报"}), 201)
    assert (again["event"]["to_state"], again["enterprise"]["state"], again["check_id"]) == (
        "applied", "applied", check_id)
    cycles = ok(call(api_client, "GET", base + "/cycles", yx))
    assert [(c["number"], c["check_id"], c["decision"]) for c in cycles][1] == (2, check_id, None)
    assert cycles[1]["applied"]["reason"] == "补足研发投入后再次申报"
    twice = call(api_client, "POST", base + "/reapply", yx, body={"check_id": check_id})
    assert "只有未予入库或已退库的企业可以重新申报" in assert_problem(twice, 409)["detail"]
    assert_problem(call(api_client, "GET", base + "/cycles", tokens["dy"]), 404)


# --- tokens for scripted clients ---------------------------------------------------------------

def test_create_token_prints_the_secret_once(api_client, runner, world, use_db):  # noqa: F811
    result = runner.invoke(args=["pool", "create-token", "DY", "--name", "市大数据平台"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert re.fullmatch(r"pool_[A-Za-z0-9_-]{43}", secret)
    assert "只显示这一次" in result.stderr and secret not in result.stderr
    with use_db() as session:
        row = session.scalar(select(ApiToken))
        assert (row.user_id, row.name) == (world.dy_officer.id, "市大数据平台")
    assert ok(call(api_client, "GET", "/enterprises", secret))["total"] == 1

    unknown = runner.invoke(args=["pool", "create-token", "nobody", "--name", "x"])
    assert unknown.exit_code != 0 and "用户名 nobody 不存在" in unknown.output
    nameless = runner.invoke(args=["pool", "create-token", "dy"])
    assert nameless.exit_code != 0 and "--name" in nameless.output
    with use_db() as session:
        session.get(User, world.yx_officer.id).active = False
        session.commit()
    inactive = runner.invoke(args=["pool", "create-token", "yx", "--name", "x"])
    assert inactive.exit_code != 0 and "账号已停用，不能创建令牌" in inactive.output
    with use_db() as session:
        assert session.scalar(select(func.count(ApiToken.id))) == 1


# --- the description -------------------------------------------------------------------------

def test_every_operation_has_a_chinese_summary_and_admin_ones_say_403(api_client):  # noqa: F811
    doc = call(api_client, "GET", "/openapi.json").get_json()
    ours = [("get", "/intake-rounds"), ("post", "/intake-rounds"), ("get", "/intake-rounds/{round_id}"),
            ("post", "/intake-rounds/{round_id}/close"), ("get", "/pool"),
            ("get", "/enterprises/{enterprise_id}/proposals"), ("get", "/corrections"),
            ("get", "/corrections/{correction_id}"), ("post", "/enterprises/{enterprise_id}/corrections"),
            ("post", "/corrections/{correction_id}/approve"),
            ("post", "/corrections/{correction_id}/refuse"),
            ("get", "/enterprises/{enterprise_id}/cycles"), ("post", "/enterprises/{enterprise_id}/reapply")]
    for method, path in ours:
        assert method in doc["paths"][path], (method, path)
    admin = {(op.method.lower(), op.path) for op in operations.registry.operations if op.admin}
    assert admin == {("post", "/intake-rounds"), ("post", "/intake-rounds/{round_id}/close"),
                     ("post", "/corrections/{correction_id}/approve"),
                     ("post", "/corrections/{correction_id}/refuse")}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert re.search(r"[\u4e00-\u9fff]", op["summary"]), (method, path)
            assert ("403" in op["responses"]) == ((method, path) in admin), (method, path)
    page = api_client.get("/api/v1/docs").get_data(as_text=True)
    assert 'id="problem-forbidden"' in page


def test_the_quota_of_a_future_day_is_refused(api_client, tokens, world, freeze_today):
    freeze_today(date(2026, 3, 10))
    ok = call(api_client, "GET", "/quota?as_of=2026-03-10", tokens["dy"])
    assert ok.status_code == 200
    later = call(api_client, "GET", "/quota?as_of=2026-03-11", tokens["dy"])
    assert later.status_code == 422 and later.json["errors"][0]["path"] == "as_of"
    one = call(api_client, "GET", f"/counties/{world.dy.id}/quota?as_of=2026-03-11", tokens["dy"])
    assert one.status_code == 422
