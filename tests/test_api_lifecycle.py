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


