"""The JSON API /api/v1: tokens, county scoping through every operation, ETags,
the rate limit, problem details, eligibility as the CLI, lifecycle actions."""
import hashlib
import json
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import pool.api
from app import create_app
from models import (
    ApiRateWindow, ApiToken, Application, ChangeRecord, County, Enterprise, IntakeRound,
    PoolEvent, RiskFlag, User, db, utcnow,
)
from pool.access import tokens as api_domain
from pool.kernel import jsonutil
from pool.membership import corrections, lifecycle
from pool.eligibility.contract import SCHEMA as CONTRACT
from pool.reference import city
from pool.api import auth
from pool.web.clock import today

from . import factories as af
from . import model_factories as mf
from .conftest import make_config

NOW = datetime(2026, 3, 2, 8, 0, 15, tzinfo=timezone.utc)


def with_api(app):
    """``app`` with the API registered (``pool.api.init_app``), whether or not
    ``app.py`` does it already."""
    if "api" not in app.blueprints:
        pool.api.init_app(app)
    return app


@pytest.fixture
def api_app(app):
    return with_api(app)


@pytest.fixture
def api_client(api_app, client):
    """The suite's test client (the one ``auth`` logs in), on the app with the API."""
    return client


@pytest.fixture
def tokens(api_app, world):
    """A token per user of the world: ``{"dy", "yx", "admin"}`` → the token."""
    out = {}
    with api_app.app_context():
        for key, user in (("dy", world.dy_officer), ("yx", world.yx_officer), ("admin", world.admin)):
            _token, out[key] = api_domain.issue_token(db.session, db.session.get(User, user.id),
                                                      name=f"{key} 测试", now=utcnow())
        db.session.commit()
    return out


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def call(client, method, path, token=None, body=None, headers=None, **kwargs):
    """One API request; ``body`` is sent as exact JSON (``Decimal`` kept)."""
    headers = {**(bearer(token) if token else {}), **(headers or {})}
    if body is not None:
        kwargs.update(data=jsonutil.dumps(body), content_type="application/json")
    return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def assert_problem(response, status, *paths):
    """A full RFC 9457 problem with ``status``; ``paths`` among its errors."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    named = [e["path"] for e in body.get("errors", [])]
    for path in paths:
        assert path in named, body
    return body


def dy_applicant(**overrides) -> dict:
    """The factory's applicant, as an enterprise of 大冶市 in C3130 钢压延加工
    (outside the 188 patent-intensive classes: criterion 3 is ``review``), with
    figures for 2024 (上年度 of the assessments on 2025-06-30)."""
    values = dict(uscc=af.uscc("420281"), county="大冶市", industry_code="C3130", assessment_year=2025)
    return af.applicant(**dict(values, **overrides))


# --- tokens: the page, hashing, revocation ---------------------------------------------------

def _page(response) -> str:
    return response.get_data(as_text=True)


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(api_client, auth, world, use_db):
    auth.login("dy")
    assert api_client.get("/account/tokens").status_code == 200
    created = api_client.post("/account/tokens", data={"name": "市大数据平台"})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(pool_[A-Za-z0-9_-]{43})"', _page(created)).group(1)

    with use_db() as session:
        row = session.scalar(select(ApiToken))
        assert row.name == "市大数据平台" and row.user_id == world.dy_officer.id
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret.startswith(row.prefix) and len(row.prefix) < len(secret) // 2
        stored = [str(getattr(row, c.key)) for c in ApiToken.__table__.columns]
        assert not any(secret in value for value in stored)
        assert row.last_used_at is None

    again = _page(api_client.get("/account/tokens"))
    assert secret not in again and row.prefix in again and "市大数据平台" in again
    assert call(api_client, "GET", "/enterprises", secret).status_code == 200
    with use_db() as session:
        assert session.scalar(select(ApiToken)).last_used_at is not None
    assert "从未使用" not in _page(api_client.get("/account/tokens"))


def test_a_revoked_token_answers_401_at_once(api_client, auth, use_db, world, tokens):
    with use_db() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == world.dy_officer.id))
    auth.login("dy")
    listing = _page(api_client.get("/account/tokens"))
    assert "data-confirm=" in listing and "吊销" in listing
    assert call(api_client, "GET", "/enterprises", tokens["dy"]).status_code == 200

    response = api_client.post(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert_problem(call(api_client, "GET", "/enterprises", tokens["dy"]), 401)
    assert "已于" in _page(api_client.get("/account/tokens"))
    with use_db() as session:
        assert session.get(ApiToken, token_id).revoked_at is not None


def test_nobody_revokes_or_sees_another_users_tokens(api_client, auth, use_db, world, tokens):
    with use_db() as session:
        yx_token = session.scalar(select(ApiToken).where(ApiToken.user_id == world.yx_officer.id))
        yx_id, yx_prefix = yx_token.id, yx_token.prefix
    auth.login("dy")
    assert yx_prefix not in _page(api_client.get("/account/tokens"))
    assert api_client.post(f"/account/tokens/{yx_id}/revoke").status_code == 404
    assert call(api_client, "GET", "/enterprises", tokens["yx"]).status_code == 200


def test_the_token_page_needs_a_login_and_a_name(api_client, auth, world):
    assert api_client.get("/account/tokens").status_code == 302
    auth.login("dy")
    response = api_client.post("/account/tokens", data={"name": "  "})
    assert response.status_code == 422
    assert "pool_" not in _page(response)


def test_token_rules_in_the_domain(session, world):
    officer = session.get(User, world.dy_officer.id)
    with pytest.raises(api_domain.TokenRefused, match="名称"):
        api_domain.issue_token(session, officer, name=" ", now=NOW)
    token, secret = api_domain.issue_token(session, officer, name="脚本", now=NOW)
    assert api_domain.authenticate(session, secret, now=NOW) is token
    assert api_domain.authenticate(session, secret + "x", now=NOW) is None
    assert api_domain.authenticate(session, "Basic abc", now=NOW) is None
    with pytest.raises(api_domain.TokenRefused, match="自己的"):
        api_domain.revoke_token(session, token, actor=session.get(User, world.admin.id), now=NOW)
    assert api_domain.revoke_token(session, token, actor=officer, now=NOW) is True
    assert api_domain.revoke_token(session, token, actor=officer, now=NOW) is False
    assert api_domain.authenticate(session, secret, now=NOW) is None

    _token, second = api_domain.issue_token(session, officer, name="另一个", now=NOW)
    officer.active = False
    assert api_domain.authenticate(session, second, now=NOW) is None
    with pytest.raises(api_domain.TokenRefused, match="停用"):
        api_domain.issue_token(session, officer, name="第三个", now=NOW)


def test_a_user_may_hold_a_bounded_number_of_live_tokens(session, world):
    officer = session.get(User, world.dy_officer.id)
    made = [api_domain.issue_token(session, officer, name=f"t{i}", now=NOW)[0]
            for i in range(api_domain.MAX_ACTIVE_TOKENS)]
    with pytest.raises(api_domain.TokenRefused, match="已达"):
        api_domain.issue_token(session, officer, name="one more", now=NOW)
    api_domain.revoke_token(session, made[0], actor=officer, now=NOW)
    api_domain.issue_token(session, officer, name="one more", now=NOW)


# --- authentication --------------------------------------------------------------------------

def test_requests_without_a_valid_bearer_token_get_401(api_client, auth, tokens):
    missing = assert_problem(call(api_client, "GET", "/enterprises"), 401)
    assert "Bearer" in missing["detail"]
    response = call(api_client, "GET", "/enterprises", headers={"Authorization": "Bearer pool_nope"})
    assert_problem(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    basic = call(api_client, "GET", "/enterprises",
                 headers={"Authorization": f"Basic {tokens['dy']}"})
    assert_problem(basic, 401)
    # The browser session does not authenticate the API (no CSRF exposure).
    auth.login("dy")
    assert_problem(call(api_client, "POST", "/eligibility", body=af.applicant()), 401)


def test_a_deactivated_users_token_stops_working(api_client, use_db, world, tokens):
    with use_db() as session:
        session.get(User, world.dy_officer.id).active = False
        session.commit()
    assert_problem(call(api_client, "GET", "/enterprises", tokens["dy"]), 401)


# --- county scoping through every operation --------------------------------------------------

@pytest.fixture
def dy_history(api_app, use_db, world):
    """Things of 大冶市 for every list: an event and an open risk flag of dy_ent."""
    with use_db() as session:
        enterprise = session.get(Enterprise, world.dy_ent.id)
        lifecycle.record_progress(session, enterprise, actor=session.get(User, world.dy_officer.id),
                                  on=date(2025, 6, 1), today=mf.TODAY,
                                  subtype="new_pi_product", reason="新产品认定")
        session.add(RiskFlag(enterprise_id=enterprise.id, county_id=world.dy.id, kind="no_progress",
                             severity="warning", opened_on=date(2026, 1, 5),
                             last_seen_on=date(2026, 1, 5), detail="18 个月无进展"))
        session.commit()


def lifecycle_rows(session, world) -> dict[str, int]:
    """An intake round (the city's) and a pending correction of dy_ent's
    admission (大冶市's), as the API's path parameters name them."""
    officer = session.get(User, world.dy_officer.id)
    events = [PoolEvent(enterprise_id=world.dy_ent.id, county_id=world.dy.id, kind="state_change",
                        to_state=state, effective_on=on, reason="测试")
              for state, on in (("applied", date(2025, 2, 1)), ("admitted", date(2025, 3, 1)))]
    session.add_all(events)
    intake = IntakeRound(name="首批", opened_on=date(2025, 1, 1), closed_on=date(2025, 3, 31))
    session.add(intake)
    session.flush()
    request = corrections.propose(session, events[1], actor=officer, reason="入库有误")
    session.commit()
    return {"round_id": intake.id, "correction_id": request.id}


def _document(client):
    return call(client, "GET", "/openapi.json").get_json()


def _mentions(data, county_id: int, enterprise_id: int) -> bool:
    """Whether a JSON answer names the county or the enterprise anywhere."""
    if isinstance(data, dict):
        if data.get("county_id") == county_id or data.get("enterprise_id") == enterprise_id:
            return True
        if isinstance(data.get("county"), dict) and data["county"].get("id") == county_id:
            return True
        return any(_mentions(v, county_id, enterprise_id) for v in data.values())
    if isinstance(data, list):
        return any(_mentions(v, county_id, enterprise_id) for v in data)
    return False


def _state(use_db, enterprise_id):
    with use_db() as session:
        e = session.get(Enterprise, enterprise_id)
        events = session.scalar(select(func.count()).select_from(PoolEvent)
                                .where(PoolEvent.enterprise_id == enterprise_id))
        audited = session.scalar(select(func.count()).select_from(ChangeRecord))
        return e.state, e.version, e.name, events, audited


def test_another_countys_token_cannot_read_or_change_anything(api_client, world, tokens, use_db,
                                                              dy_history):
    """Every operation of the document, with 阳新县's token against 大冶市's data:
    each id of 大冶市 is 404, no list names 大冶市, and nothing changes."""
    with use_db() as session:
        part_ids = mf.parts_of_each_kind(session, session.get(Enterprise, world.dy_ent.id),
                                         session.get(User, world.dy_officer.id))
        session.commit()
        lifecycle_ids = lifecycle_rows(session, world)
        settlement_id = mf.award_settlement(session, world)
        city.ensure_regions(session, list(session.scalars(select(County))))  # the targets' regions
        session.commit()
    before = _state(use_db, world.dy_ent.id)
    ids = {"enterprise_id": world.dy_ent.id, "county_id": world.dy.id, "settlement_id": settlement_id,
           "programme": "huangshi-2024", "region": world.dy.code, "pool": "huangshi-2024", **part_ids,
           **lifecycle_ids}
    doc, checked = _document(api_client), []
    for path, item in doc["paths"].items():
        for method in item:
            params = re.findall(r"{(\w+)}", path)
            url = path.format(**ids)
            body = {} if method in ("post", "patch") else None
            headers = {"If-Match": f'"{before[1]}"'} if method == "patch" else {}
            answer = call(api_client, method.upper(), url, tokens["yx"], body=body, headers=headers)
            if params == ["round_id"]:  # the city's, not a county's: seen by all, changed by one
                assert answer.status_code == (200 if method == "get" else 403), path
            elif params == ["settlement_id"]:  # the city's, with only the officer's own items in it
                assert answer.status_code == 200, path
                assert not _mentions(answer.get_json(), world.dy.id, world.dy_ent.id), path
            elif params == ["pool"]:  # a pool is the city's: its members as the caller's county sees them
                assert answer.status_code == 200, path
                assert not _mentions(answer.get_json(), world.dy.id, world.dy_ent.id), path
            elif params:
                assert_problem(answer, 404)
            elif method == "get":
                assert answer.status_code == 200, (path, answer.get_data(as_text=True))
                assert not _mentions(answer.get_json(), world.dy.id, world.dy_ent.id), path
                # …and the same list with a filter naming 大冶市 is empty, not 大冶市's.
                narrowed = call(api_client, "GET", url, tokens["yx"],
                                query_string={"county_id": world.dy.id,
                                              "enterprise_id": world.dy_ent.id})
                assert not _mentions(narrowed.get_json(), world.dy.id, world.dy_ent.id), path
            checked.append((method, path))
    assert len(checked) == sum(len(item) for item in doc["paths"].values()) >= 15
    assert _state(use_db, world.dy_ent.id) == before

    # Not vacuous: 大冶市's own officer and the city administrator do see it all.
    for who in ("dy", "admin"):
        for path in ("/enterprises", "/events", "/risk-flags", "/quota", "/pool", "/corrections",
                     f"/awards/settlements/{settlement_id}"):
            seen = call(api_client, "GET", path, tokens[who]).get_json()
            assert _mentions(seen, world.dy.id, world.dy_ent.id), (who, path)
        for path in (f"/enterprises/{world.dy_ent.id}", f"/counties/{world.dy.id}/quota",
                     f"/corrections/{lifecycle_ids['correction_id']}",
                     f"/targets/huangshi-2024/regions/{world.dy.code}"):
            assert call(api_client, "GET", path, tokens[who]).status_code == 200, (who, path)


def test_an_officer_cannot_register_an_enterprise_in_another_county(api_client, tokens, use_db):
    answer = call(api_client, "POST", "/enterprises", tokens["yx"], body=dy_applicant())
    assert_problem(answer, 422, "county")
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 0
        assert session.scalar(select(func.count()).select_from(Enterprise)) == 2


def test_admitting_on_another_countys_check_is_refused(api_client, world, tokens, use_db):
    created = call(api_client, "POST", "/enterprises", tokens["dy"], body=dy_applicant())
    check_id = created.get_json()["checks"][0]["id"]
    answer = call(api_client, "POST", f"/enterprises/{world.yx_ent.id}/admit", tokens["yx"],
                  body={"check_id": check_id})
    assert_problem(answer, 422, "check_id")


# --- reading and registering enterprises -----------------------------------------------------

def test_the_list_filters_and_pages(api_client, world, tokens, use_db):
    with use_db() as session:
        county = session.get(County, world.dy.id)
        for i in range(3):
            mf.enterprise(session, county, f"大冶分页企业{i}")
        session.commit()
    page = call(api_client, "GET", "/enterprises", tokens["admin"],
                query_string={"per_page": 2, "page": 2, "county_id": world.dy.id}).get_json()
    assert page["total"] == 4 and page["pages"] == 2 and page["page"] == 2
    assert len(page["items"]) == 2
    found = call(api_client, "GET", "/enterprises", tokens["admin"],
                 query_string={"q": "分页企业1"}).get_json()
    assert [e["name"] for e in found["items"]] == ["大冶分页企业1"]
    admitted = call(api_client, "GET", "/enterprises", tokens["admin"],
                    query_string={"state": "admitted"}).get_json()
    assert [e["id"] for e in admitted["items"]] == [world.dy_ent.id]
    bad = call(api_client, "GET", "/enterprises", tokens["admin"],
               query_string={"state": "nonsense", "per_page": 101, "page": "x"})
    assert_problem(bad, 422, "state", "per_page", "page")


def test_register_an_applicant_then_read_the_full_record(api_client, tokens, use_db):
    data = dy_applicant(rd_expense=Decimal("200.2"), operating_revenue=Decimal("2002"))
    created = call(api_client, "POST", "/enterprises", tokens["dy"], body=data,
                   query_string={"as_of": "2025-06-30"})
    assert created.status_code == 201, created.get_data(as_text=True)
    record = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/enterprises/{record['id']}")
    assert created.headers["ETag"] == f'"{record["version"]}"'
    assert record["state"] == "applied" and record["county"]["name"] == "大冶市"
    assert [p["number"] for p in record["patents"]] == [p["number"] for p in data["patents"]]
    assert record["products"][0]["patents"] == ["ZL202310012345.6"]
    assert record["qualifications"][0]["type"] == "high_tech"
    assert record["trademarks"][0]["reg_no"] == "61234567"
    assert record["partnerships"][0]["partner"] == "湖北师范大学"
    assert record["checks"][0]["as_of"] == "2025-06-30"
    # Money stays exact: 200.2 万元 is sent and read back as 200.2, not 200.19999…
    figure = json.loads(created.get_data(as_text=True), parse_float=Decimal)["figures"][0]
    assert figure["rd_expense"] == Decimal("200.2") and figure["year"] == 2024

    fetched = call(api_client, "GET", f"/enterprises/{record['id']}", tokens["dy"])
    assert fetched.get_json() == record and fetched.headers["ETag"] == created.headers["ETag"]

    again = call(api_client, "POST", "/enterprises", tokens["dy"], body=data)
    assert "已登记" in assert_problem(again, 409)["detail"]


def test_registering_invalid_data_names_every_field(api_client, tokens):
    bad = dy_applicant(rd_staff=500, employees=10)
    bad["patents"][0]["kind"] = "gadget"
    answer = call(api_client, "POST", "/enterprises", tokens["dy"], body=bad)
    assert_problem(answer, 422, "rd_staff", "patents[0].kind")
    early = call(api_client, "POST", "/enterprises", tokens["dy"], body=dy_applicant(),
                 query_string={"as_of": "2001-01-01"})
    assert_problem(early, 422, "as_of")


# --- ETag / If-Match -------------------------------------------------------------------------

def test_edits_need_the_version_they_were_based_on(api_client, world, tokens, use_db):
    url = f"/enterprises/{world.dy_ent.id}"
    etag = call(api_client, "GET", url, tokens["dy"]).headers["ETag"]
    assert etag == '"1"'
    change = {"address": "大冶市罗桥街道 1 号", "has_rd_leader": True}

    assert_problem(call(api_client, "PATCH", url, tokens["dy"], body=change), 428)
    for bad in ("*", 'W/"1"', "1", '"1", "2"'):
        assert_problem(call(api_client, "PATCH", url, tokens["dy"], body=change,
                            headers={"If-Match": bad}), 412)

    saved = call(api_client, "PATCH", url, tokens["dy"], body=change, headers={"If-Match": etag})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.headers["ETag"] == '"2"'
    assert saved.get_json()["address"] == change["address"] and saved.get_json()["version"] == 2

    # Another client still holding version 1 is told who changed what since.
    stale = call(api_client, "PATCH", url, tokens["admin"], body={"address": "别处"},
                 headers={"If-Match": etag})
    conflict = assert_problem(stale, 409)
    assert conflict["current_version"] == 2 and stale.headers["ETag"] == '"2"'
    assert conflict["changes"][0]["actor"] == "dy"
    assert conflict["changes"][0]["changes"]["address"] == [None, change["address"]]
    with use_db() as session:
        assert session.get(Enterprise, world.dy_ent.id).address == change["address"]
        records = session.scalars(select(ChangeRecord)
                                  .where(ChangeRecord.entity == "enterprise")).all()
        assert [(r.version, r.actor_id) for r in records] == [(2, world.dy_officer.id)]


def test_edits_refuse_unknown_fields_and_bad_values(api_client, world, tokens):
    url = f"/enterprises/{world.dy_ent.id}"
    headers = {"If-Match": '"1"'}
    answer = call(api_client, "PATCH", url, tokens["dy"], headers=headers,
                  body={"uscc": "X", "ip_rules": "yes", "name": ""})
    assert_problem(answer, 422, "uscc", "ip_rules", "name")
    region = call(api_client, "PATCH", url, tokens["dy"], headers=headers,
                  body={"registered_region_code": "12"})
    assert "6 位数字" in assert_problem(region, 422, "registered_region_code")["detail"]
    malformed = call(api_client, "PATCH", url, tokens["dy"], headers=headers,
                     data='{"name": ', content_type="application/json")
    assert_problem(malformed, 422, "(root)")


# --- the rate limit --------------------------------------------------------------------------

def test_the_rate_limit_answers_429_with_retry_after_per_user(api_app, api_client, tokens,
                                                             monkeypatch):
    api_app.config["API_RATE_LIMIT"] = 2
    clock = [NOW]
    monkeypatch.setattr(auth, "now", lambda: clock[0])
    for _ in range(2):
        assert call(api_client, "GET", "/quota", tokens["dy"]).status_code == 200
    limited = call(api_client, "GET", "/quota", tokens["dy"])
    assert_problem(limited, 429)
    assert limited.headers["Retry-After"] == "45"  # 08:00:15 → the window ends at 08:01:00
    assert call(api_client, "GET", "/quota", tokens["yx"]).status_code == 200  # another user

    clock[0] = NOW + timedelta(seconds=44)
    assert call(api_client, "GET", "/quota", tokens["dy"]).headers["Retry-After"] == "1"
    clock[0] = NOW + timedelta(seconds=45)  # the next window
    assert call(api_client, "GET", "/quota", tokens["dy"]).status_code == 200


def test_more_tokens_do_not_mean_more_requests(api_app, api_client, world, tokens, use_db,
                                               monkeypatch):
    """The limit is the user's, whichever of their (up to 20) tokens is used."""
    api_app.config["API_RATE_LIMIT"] = 3
    monkeypatch.setattr(auth, "now", lambda: NOW)
    with use_db() as session:
        officer = session.get(User, world.dy_officer.id)
        more = [api_domain.issue_token(session, officer, name=f"第{i}个", now=NOW)[1] for i in range(3)]
        session.commit()
    own = [tokens["dy"], *more]
    statuses = [call(api_client, "GET", "/quota", own[i % 4]).status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert call(api_client, "GET", "/quota", tokens["yx"]).status_code == 200


def test_the_limit_is_shared_by_every_worker(api_app, database_url, tokens, monkeypatch):
    """Two app instances on one database (two worker processes) count together."""
    api_app.config["API_RATE_LIMIT"] = 3
    other = with_api(create_app(make_config(database_url)))
    other.config["API_RATE_LIMIT"] = 3
    monkeypatch.setattr(auth, "now", lambda: NOW)
    clients = [api_app.test_client(), other.test_client()]
    statuses = [call(clients[i % 2], "GET", "/quota", tokens["dy"]).status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    with other.app_context():
        db.engine.dispose()


def test_the_counter_keeps_only_the_current_window(session, world):
    officer = session.get(User, world.dy_officer.id)
    token, _secret = api_domain.issue_token(session, officer, name="计数", now=NOW)
    waits = [api_domain.count_request(session, token, now=NOW, limit=2) for _ in range(3)]
    assert waits == [0, 0, 45]
    later = NOW + timedelta(minutes=5)
    assert api_domain.count_request(session, token, now=later, limit=2) == 0
    rows = session.scalars(select(ApiRateWindow)).all()
    assert [(r.window_start, r.count) for r in rows] == [(int(later.timestamp()) // 60 * 60, 1)]


# --- errors as problem details ---------------------------------------------------------------

def test_unknown_paths_and_methods_are_problems_too(api_client, world, tokens):
    assert_problem(call(api_client, "GET", "/nothing/here", tokens["dy"]), 404)
    assert_problem(call(api_client, "GET", "/enterprises/99999999999", tokens["dy"]), 404)
    wrong = call(api_client, "DELETE", f"/enterprises/{world.dy_ent.id}", tokens["dy"])
    assert_problem(wrong, 405)
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "PATCH"}
    assert_problem(call(api_client, "PUT", "/eligibility", tokens["dy"]), 405)


def test_the_web_keeps_its_own_error_pages(api_client, auth, world):
    auth.login("dy")
    response = api_client.get("/enterprises/999999")
    assert response.status_code == 404 and response.content_type.startswith("text/html")


# --- eligibility: exactly what `flask pool check` prints -------------------------------------

@pytest.mark.parametrize("many", [False, True], ids=["one", "array"])
def test_eligibility_answers_exactly_what_the_cli_prints(api_client, runner, tokens, tmp_path, many):
    second = af.applicant(name="乙企业", rd_expense=Decimal("200.2"), operating_revenue=Decimal("2002"),
                          uscc="91420202MA4ABCD1X0", uscc_checksum_override=True, assessment_year=2025)
    data = [af.applicant(assessment_year=2025), second] if many else second
    path = tmp_path / "in.json"
    path.write_text(jsonutil.dumps(data), encoding="utf-8")
    printed = runner.invoke(args=["pool", "check", str(path), "--as-of", "2025-06-30"])
    assert printed.exit_code == 0, printed.output

    answer = api_client.post("/api/v1/eligibility?as_of=2025-06-30", headers=bearer(tokens["dy"]),
                             data=path.read_bytes(), content_type="application/json")
    assert answer.status_code == 200 and answer.content_type == "application/json"
    assert answer.get_data(as_text=True) + "\n" == printed.stdout
    assert "warnings" in printed.stdout and "10%" in printed.stdout


def test_eligibility_problems_are_the_clis(api_client, runner, tokens, tmp_path, use_db):
    bad = af.applicant(rd_staff=500, employees=10)
    bad["patents"][0]["kind"] = "gadget"
    del bad["name"]
    path = tmp_path / "bad.json"
    path.write_text(jsonutil.dumps([af.applicant(), bad]), encoding="utf-8")
    printed = runner.invoke(args=["pool", "check", str(path)])
    assert printed.exit_code == 2
    cli_problems = {line.strip() for line in printed.stderr.splitlines()[1:]}

    answer = api_client.post("/api/v1/eligibility", headers=bearer(tokens["dy"]),
                             data=path.read_bytes(), content_type="application/json")
    body = assert_problem(answer, 422, "[1].rd_staff", "[1].patents[0].kind", "[1].name")
    assert {f"{e['path']}: {e['message']}" for e in body["errors"]} == cli_problems
    with use_db() as session:  # evaluating writes nothing
        assert session.scalar(select(func.count()).select_from(Application)) == 0


def test_eligibility_on_a_date_before_the_policy_is_invalid(api_client, tokens):
    early = call(api_client, "POST", "/eligibility", tokens["dy"], body=af.applicant(),
                 query_string={"as_of": "2001-01-01"})
    assert "没有生效" in assert_problem(early, 422, "as_of")["errors"][0]["message"]
    assert_problem(call(api_client, "POST", "/eligibility", tokens["dy"],
                        query_string={"as_of": "2025-02-30"}, body=af.applicant()), 422, "as_of")
    assert_problem(call(api_client, "POST", "/eligibility", tokens["dy"]), 422, "(root)")


# --- lifecycle actions -----------------------------------------------------------------------

@pytest.fixture
def registered(api_client, tokens):
    """A 大冶市 applicant registered through the API: ``(enterprise id, check id)``.
    Its check is needs_review on criterion 3 (C3130 is not patent-intensive)."""
    record = call(api_client, "POST", "/enterprises", tokens["dy"], body=dy_applicant(),
                  query_string={"as_of": "2025-06-30"}).get_json()
    return record["id"], record["checks"][0]["id"]


def open_round(use_db, on=date(2025, 1, 1)):
    with use_db() as session:
        session.add(IntakeRound(name="首批", opened_on=on))
        session.commit()


WAIVE_3 = [{"criterion_id": 3, "decision": "waive", "reason": "主营属专利密集型产业（市局认定）"}]


def test_admit_on_a_saved_check_with_its_review_decided(api_client, tokens, registered, use_db):
    enterprise_id, check_id = registered
    open_round(use_db)
    url = f"/enterprises/{enterprise_id}/admit"
    undecided = call(api_client, "POST", url, tokens["dy"], body={"check_id": check_id})
    assert "第3条" in assert_problem(undecided, 409)["detail"]

    admitted = call(api_client, "POST", url, tokens["dy"],
                    body={"check_id": check_id, "reviews": WAIVE_3})
    assert admitted.status_code == 201, admitted.get_data(as_text=True)
    result = admitted.get_json()
    assert result["event"]["to_state"] == "admitted" and result["check_id"] == check_id
    assert result["enterprise"]["state"] == "admitted"
    assert result["event"]["intake_round_id"] is not None

    twice = call(api_client, "POST", url, tokens["dy"],
                 body={"check_id": check_id, "reviews": WAIVE_3})
    assert "当前状态为“培育中”" in assert_problem(twice, 409)["detail"]
    events = call(api_client, "GET", "/events", tokens["dy"],
                  query_string={"enterprise_id": enterprise_id}).get_json()["items"]
    assert [(e["kind"], e["subtype"]) for e in events] == [
        ("state_change", None), ("review", "waive"), ("state_change", None)]


@pytest.fixture
def june_2026(freeze_today):
    """A fixed today: the factory's certificate runs to 2026-11-30, after which 第2条 needs review."""
    freeze_today(date(2026, 6, 1))


def test_admit_on_an_inline_applicant_evaluated_and_saved_now(june_2026, api_client, app, tokens, registered,
                                                             use_db):
    enterprise_id, check_id = registered
    with app.app_context():
        this_year = today().year
    open_round(use_db)
    url = f"/enterprises/{enterprise_id}/admit"
    other = call(api_client, "POST", url, tokens["dy"],
                 body={"applicant": af.applicant(), "reviews": WAIVE_3})
    assert_problem(other, 422, "applicant.uscc")
    invalid = call(api_client, "POST", url, tokens["dy"],
                   body={"applicant": dy_applicant(employees=-1), "reviews": WAIVE_3})
    assert_problem(invalid, 422, "applicant.employees")
    both = call(api_client, "POST", url, tokens["dy"],
                body={"applicant": dy_applicant(), "check_id": check_id})
    assert_problem(both, 422, "applicant")
    assert_problem(call(api_client, "POST", url, tokens["dy"], body={}), 422, "check_id")

    admitted = call(api_client, "POST", url, tokens["dy"],
                    body={"applicant": dy_applicant(assessment_year=this_year), "reviews": WAIVE_3})
    assert admitted.status_code == 201, admitted.get_data(as_text=True)
    new_check = admitted.get_json()["check_id"]
    assert new_check != check_id
    with use_db() as session:
        saved = session.get(Application, new_check)
        assert saved.enterprise_id == enterprise_id and saved.as_of == today()


def test_admission_outside_a_round_needs_quota(api_client, tokens, registered):
    enterprise_id, check_id = registered
    answer = call(api_client, "POST", f"/enterprises/{enterprise_id}/admit", tokens["dy"],
                  body={"check_id": check_id, "reviews": WAIVE_3})
    assert "增补名额已用完" in assert_problem(answer, 409)["detail"]
    quota = call(api_client, "GET", "/quota", tokens["dy"])
    assert [(q["county"]["name"], q["limit"], q["left"]) for q in quota.get_json()] == [("大冶市", 0, 0)]


def test_reject_with_a_reason(api_client, tokens, registered):
    enterprise_id, check_id = registered
    url = f"/enterprises/{enterprise_id}/reject"
    assert_problem(call(api_client, "POST", url, tokens["dy"], body={"reason": "   "}), 422, "reason")
    refused = call(api_client, "POST", url, tokens["dy"],
                   body={"reason": "不认可第3条", "check_id": check_id,
                         "reviews": [{"criterion_id": 3, "decision": "refuse",
                                      "reason": "主营不属专利密集型"}]})
    assert refused.status_code == 201, refused.get_data(as_text=True)
    assert refused.get_json()["enterprise"]["state"] == "rejected"


def test_facts_incident_and_expulsion(api_client, world, tokens):
    base = f"/enterprises/{world.dy_ent.id}"
    progress = call(api_client, "POST", base + "/progress", tokens["dy"],
                    body={"subtype": "other", "reason": "新增备案", "on": "2025-08-01",
                          "evidence": {"filing_no": "BA2025420200009"}})
    assert progress.status_code == 201
    assert progress.get_json()["event"]["evidence"] == {"filing_no": "BA2025420200009"}
    # only the officer's judgement is typed; the other kinds are recognised from the record
    for subtype in ("gossip", "patent_product_filing"):
        assert_problem(call(api_client, "POST", base + "/progress", tokens["dy"],
                            body={"subtype": subtype, "reason": "x"}), 422, "subtype")

    early = call(api_client, "POST", base + "/expel", tokens["dy"],
                 body={"basis": "incident", "reason": "失信", "on": "2025-09-01"})
    assert "不符合退库条件" in assert_problem(early, 409)["detail"]
    incident = call(api_client, "POST", base + "/incident", tokens["dy"],
                    body={"subtype": "serious_dishonesty", "reason": "列入严重失信名单", "on": "2025-09-01"})
    assert incident.status_code == 201
    asked = call(api_client, "POST", base + "/expel", tokens["dy"],
                 body={"basis": "incident", "reason": "严重失信", "on": "2025-09-02"})
    assert asked.status_code == 202, asked.get_data(as_text=True)  # the county asks the city
    assert asked.get_json()["exit_request"]["status"] == "pending"
    assert asked.get_json()["enterprise"]["state"] == "admitted"
    expelled = call(api_client, "POST", base + "/expel", tokens["admin"],  # the city expels itself
                    body={"basis": "incident", "reason": "严重失信", "on": "2025-09-02"})
    assert expelled.status_code == 201, expelled.get_data(as_text=True)
    assert expelled.get_json()["enterprise"]["state"] == "expelled"
    graduate = call(api_client, "POST", base + "/graduate", tokens["dy"],
                    body={"rule": "a", "reason": "新产品", "on": "2025-09-03"})
    assert "当前状态为“已退库”" in assert_problem(graduate, 409)["detail"]
    assert_problem(call(api_client, "POST", base + "/graduate", tokens["dy"],
                        body={"rule": "a", "reason": "x", "on": "2001-01-01"}), 422, "on")


def test_an_action_dated_after_today_is_invalid_input_naming_on(api_client, world, tokens,
                                                                 freeze_today, use_db):
    freeze_today(date(2026, 11, 30))
    base = f"/enterprises/{world.dy_ent.id}"
    for kind, body in (("incident", {"subtype": "serious_dishonesty", "reason": "失信"}),
                       ("progress", {"subtype": "other", "reason": "备案"})):
        later = call(api_client, "POST", f"{base}/{kind}", tokens["dy"], body={**body, "on": "2026-12-01"})
        assert assert_problem(later, 422, "on")["detail"] == "生效日期 不能晚于今天（2026-11-30）"
    with use_db() as session:
        assert session.scalar(select(func.count(PoolEvent.id)).where(
            PoolEvent.enterprise_id == world.dy_ent.id, PoolEvent.kind != "state_change")) == 0
    expel = call(api_client, "POST", base + "/expel", tokens["dy"],
                 body={"basis": "incident", "reason": "失信", "on": "2029-12-31"})
    assert_problem(expel, 422, "on")
    today = call(api_client, "POST", base + "/incident", tokens["dy"],
                 body={"subtype": "serious_dishonesty", "reason": "失信", "on": "2026-11-30"})
    assert today.status_code == 201, today.get_data(as_text=True)


# --- reads: quota, risk flags, events --------------------------------------------------------

def test_risk_flags_are_the_open_ones(api_client, world, tokens, use_db, dy_history):
    with use_db() as session:
        session.add(RiskFlag(enterprise_id=world.dy_ent.id, county_id=world.dy.id,
                             kind="annual_data_missing", severity="high", opened_on=date(2025, 6, 1),
                             last_seen_on=date(2025, 7, 1), closed_on=date(2025, 7, 2)))
        session.commit()
    flags = call(api_client, "GET", "/risk-flags", tokens["dy"]).get_json()
    assert [(f["kind"], f["enterprise_name"]) for f in flags["items"]] == [
        ("no_progress", "大冶磁湖科技有限公司")]
    none = call(api_client, "GET", "/risk-flags", tokens["dy"], query_string={"severity": "high"})
    assert none.get_json()["total"] == 0


def test_the_event_log_by_date_range(api_client, world, tokens, dy_history):
    def events(**query):
        return call(api_client, "GET", "/events", tokens["admin"], query_string=query)

    since = events(**{"from": "2025-06-01"}).get_json()["items"]
    assert [e["subtype"] for e in since] == ["new_pi_product"]
    assert events(to="2025-05-31").get_json()["total"] == 0
    assert events(kind="incident").get_json()["total"] == 0
    assert_problem(events(**{"from": "2025-07-01", "to": "2025-06-01"}), 422, "to")
    assert_problem(events(**{"from": "yesterday"}), 422, "from")


def test_one_countys_quota(api_client, world, tokens):
    quota = call(api_client, "GET", f"/counties/{world.dy.id}/quota", tokens["dy"],
                 query_string={"as_of": "2025-07-01"}).get_json()
    assert quota == {"county": {"id": world.dy.id, "code": "420281", "name": "大冶市"},
                     "as_of": "2025-07-01", "multiplier": 2, "graduated": 0, "replenished": 0,
                     "limit": 0, "left": 0}
    everyone = call(api_client, "GET", "/quota", tokens["admin"]).get_json()
    assert {q["county"]["name"] for q in everyone} == {"大冶市", "阳新县"}


# --- the description -------------------------------------------------------------------------

def test_the_document_is_openapi_31_with_the_contract_as_applicant(api_client):
    doc = _document(api_client)
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "/api/v1"}]
    applicant = doc["components"]["schemas"]["Applicant"]
    assert applicant == {k: v for k, v in CONTRACT.items() if k not in ("$schema", "$id")}
    eligibility = doc["paths"]["/eligibility"]["post"]
    assert eligibility["requestBody"]["content"]["application/json"]["schema"]["oneOf"][0] == {
        "$ref": "#/components/schemas/Applicant"}
    assert doc["paths"]["/openapi.json"]["get"]["security"] == []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if path != "/openapi.json":
                assert "401" in op["responses"] and "429" in op["responses"], (method, path)
            problems = [r for s, r in op["responses"].items() if s >= "400"]
            assert all("application/problem+json" in r["content"] for r in problems)


def test_the_docs_page_renders_the_document_without_external_scripts(api_client):
    page = api_client.get("/api/v1/docs")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    text = _page(page)
    for anchor in ("op-check_eligibility", "op-update_enterprise", "problem-version-conflict",
                   "schema-Applicant"):
        assert f'id="{anchor}"' in text
    assert not re.search(r'<script[^>]+src="(https?:)?//', text)
    home = api_client.get("/api/v1/").get_json()
    assert home["openapi"].endswith("/api/v1/openapi.json")
