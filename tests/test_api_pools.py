"""The pools part of the JSON API: the pools, a pool's members, one membership and its decisions —
the same domain calls as the pages, the first pool's decisions left at today's paths."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Membership

from .ladder_world import graduate_from_first_pool
from .test_api import api_app, api_client, call, tokens  # noqa: F401 - fixtures

CONTINUING = "huangshi-continuing-2024"
DAY = date(2026, 6, 30)


@pytest.fixture
def graduated(api_app, use_db, world, freeze_today):
    freeze_today(DAY)
    with use_db() as session:
        graduate_from_first_pool(session, world.dy_ent.id, date(2026, 3, 1))
        session.commit()
    return world.dy_ent.id


def path(enterprise_id, pool=CONTINUING, tail=""):
    return f"/pools/{pool}/enterprises/{enterprise_id}{tail}"


def test_the_pools_with_what_the_caller_may_count(api_client, tokens, graduated):
    listed = call(api_client, "GET", "/pools", tokens["yx"]).get_json()
    assert [p["code"] for p in listed] == ["huangshi-2024", CONTINUING, "xuchang-2022"]
    first = listed[0]
    assert first["backed_by"] == "code" and first["counts"] == {"applied": 1}  # 阳新's enterprise only
    continuing = listed[1]
    assert continuing["follows"] == "huangshi-2024" and continuing["exit_on_qualification"] == ["little_giant"]


def test_apply_admit_and_a_refusal_through_the_api(api_client, tokens, graduated, use_db):
    token = tokens["dy"]
    future = call(api_client, "POST", path(graduated, tail="/decisions"), token,
                  {"action": "apply", "on": "2026-07-01"})
    assert future.status_code == 422 and future.get_json()["errors"][0]["path"] == "on"
    applied = call(api_client, "POST", path(graduated, tail="/decisions"), token, {"action": "apply"})
    assert applied.status_code == 201 and applied.get_json()["state"] == "applied"
    early = call(api_client, "POST", path(graduated, tail="/decisions"), token,
                 {"action": "admit", "on": "2026-02-28"})
    assert early.status_code == 409 and "不符合" in early.get_json()["detail"]
    admitted = call(api_client, "POST", path(graduated, tail="/decisions"), token,
                    {"action": "admit", "on": "2026-06-30"}).get_json()
    assert admitted["state"] == "admitted" and admitted["verdict"]["verdict"] == "eligible"
    assert [e["to_state"] for e in admitted["events"]] == ["applied", "admitted"]
    members = call(api_client, "GET", f"/pools/{CONTINUING}/members?state=admitted", token).get_json()
    assert [m["enterprise"]["id"] for m in members["items"]] == [graduated]
    assert call(api_client, "POST", path(graduated, tail="/decisions"), token,
                {"action": "reject"}).status_code == 409  # admitted: nothing to reject


def test_another_county_and_unknown_pools_are_404(api_client, tokens, graduated, use_db):
    assert call(api_client, "GET", path(graduated), tokens["yx"]).status_code == 404
    assert call(api_client, "POST", path(graduated, tail="/decisions"), tokens["yx"],
                {"action": "apply"}).status_code == 404
    assert call(api_client, "GET", path(graduated, pool="nowhere"), tokens["dy"]).status_code == 404
    assert call(api_client, "GET", "/pools/nowhere/members", tokens["dy"]).status_code == 404
    assert call(api_client, "POST", path(graduated, pool="huangshi-2024", tail="/decisions"), tokens["dy"],
                {"action": "apply"}).status_code == 404
    assert call(api_client, "POST", path(graduated, tail="/decisions"), tokens["dy"],
                {"action": "dance"}).status_code == 422
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(Membership)) == 0


def test_the_first_pool_lists_its_members_by_state(api_client, tokens, graduated):
    page = call(api_client, "GET", "/pools/huangshi-2024/members?state=graduated", tokens["admin"]).get_json()
    assert [(m["enterprise"]["id"], m["state"], m["since"]) for m in page["items"]] == [
        (graduated, "graduated", "2026-03-01")]
