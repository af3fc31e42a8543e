"""A configured pool's intake rounds and county replenishment quota (issue #17): the first pool's rule
(``replenished ≤ multiplier × graduated`` per county, rounds taking no place) counted from the pool's own
membership events, under the county row lock.

The pools under test are built from Xuchang's file (许昌市高新技术企业备选库) with intake rounds and a
multiplier ``{"param": "quota_multiplier"}`` of 2, and one criterion kept — no 高企 certificate in force —
which the test enterprises meet (they graduate on a 高企 certificate, as Xuchang's members do).
"""
import json
import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import CITY_ADMIN, County, IntakeRound, Membership, MembershipEvent, Qualification, User, db
from pool.kernel.refusal import TransitionRefused
from pool.ladder import catalogue, memberships as ms, quota
from pool.membership import intake
from pool.membership.batch import Batch
from pool.membership.quota import Quota, open_intake_round
from pool.pools import definition
from pool.pools.definition import PoolDefinitionError, parse_pool

from . import model_factories as mf
from .concurrency import all_at_once
from .ladder_world import graduate_from_first_pool
from .test_api import api_app, api_client, call, tokens  # noqa: F401 - fixtures

QUOTA = "xuchang-quota"  # intake rounds, 2 places a graduation
OTHER = "xuchang-quota-b"  # the same rules: another pool, another quota
TODAY = date(2026, 6, 30)
MULTIPLIER = "replenishment_quota_multiplier"


def quota_pool(code: str, name: str) -> dict:
    raw = json.loads((definition.DATA / "xuchang-2022.json").read_text(encoding="utf-8"))
    version = raw["criteria_set"]["versions"][0]
    version["criteria"] = [c for c in version["criteria"] if c["rule"].get("hold") is False]  # 尚未认定为高企
    raw.update(code=code, name=name)
    raw["lifecycle"].update(intake_rounds=True, replenishment_quota_multiplier={"param": "quota_multiplier"})
    raw["parameters"]["quota_multiplier"] = [{"valid_from": version["valid_from"], "value": 2,
                                              "source": "测试：在培育出库企业数量的 2 倍以内增补"}]
    return raw


def _forget_pools():
    definition.shipped.cache_clear()
    definition.load.cache_clear()
    catalogue._ASSEMBLED.clear()


@pytest.fixture
def pools(monkeypatch, tmp_path):
    """The shipped pool files and the two quota pools, read afresh (and forgotten afterwards)."""
    data = tmp_path / "pools"
    shutil.copytree(definition.DATA, data)
    for code, name in ((QUOTA, "高企备选库（增补名额）"), (OTHER, "另一高企备选库（增补名额）")):
        (data / f"{code}.json").write_text(json.dumps(quota_pool(code, name), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(definition, "DATA", data)
    _forget_pools()
    yield
    _forget_pools()


@pytest.fixture
def dy(session, world, pools):
    """(大冶市, the city administrator)."""
    return session.get(County, world.dy.id), session.get(User, world.admin.id)


def applicant(session, county, admin, on: date, pool: str = QUOTA) -> Membership:
    return ms.apply(session, mf.enterprise(session, county), pool, actor=admin, on=on, today=TODAY)


def member(session, county, admin, on: date, pool: str = QUOTA) -> Membership:
    membership = applicant(session, county, admin, on, pool)
    ms.admit(session, membership, actor=admin, on=on, today=TODAY)
    return membership


def graduate(session, membership: Membership, admin, on: date) -> MembershipEvent:
    """出库 on ``on`` on a 高企 certificate from that day (the pool's exit qualification)."""
    session.add(Qualification(enterprise_id=membership.enterprise_id, type="high_tech",
                              certificate_no=f"GR{membership.id:06d}", valid_from=on, valid_to=on + timedelta(days=1095)))
    session.flush()
    session.expire(membership.enterprise, ["qualifications"])
    return ms.graduate(session, membership, actor=admin, on=on, today=TODAY)


def open_round(session, admin, opened: date, closed: date | None = None, pool: str | None = QUOTA,
               name: str = "首批") -> IntakeRound:
    """A round of ``pool`` (None: the first pool) opened (and closed) by the administrator on those days."""
    chosen = catalogue.get(session, pool) if pool else None
    row = intake.open_round(session, name=name, on=opened, today=opened, actor=admin, pool=chosen)
    if closed is not None:
        intake.close_round(session, row, on=closed, today=closed, actor=admin)
    return row


def places(session, county_id: int, on: date, pool: str = QUOTA) -> Quota:
    return quota.places(session, catalogue.get(session, pool), county_id, on)


def first_round_then_one_graduation(session, county, admin) -> tuple[Membership, Membership]:
    """Two members admitted in January's round; the first graduates on 2026-03-01: 2 places from then."""
    open_round(session, admin, date(2026, 1, 5), date(2026, 1, 31))
    a, b = member(session, county, admin, date(2026, 1, 10)), member(session, county, admin, date(2026, 1, 20))
    graduate(session, a, admin, date(2026, 3, 1))
    return a, b


# --- the definition -------------------------------------------------------------------------------------

def test_a_quota_needs_intake_rounds_and_counts():
    raw = quota_pool(QUOTA, "x")
    raw["lifecycle"]["intake_rounds"] = False
    with pytest.raises(PoolDefinitionError, match="lifecycle.replenishment_quota_multiplier: 设有增补名额的培育库须设入库批次"):
        parse_pool(raw, QUOTA)
    for bad in ("2", 0, 1.5, True, None):
        raw = quota_pool(QUOTA, "x")
        raw["parameters"]["quota_multiplier"][0]["value"] = bad
        with pytest.raises(PoolDefinitionError, match="参数 quota_multiplier 被 replenishment_quota_multiplier "
                                                      "引用，其每个取值须为正整数"):
            parse_pool(raw, QUOTA)
    raw = quota_pool(QUOTA, "x")
    raw["parameters"]["quota_multiplier"].append({"valid_from": "2026-04-01", "value": 3, "source": "会议纪要"})
    pool = parse_pool(raw, QUOTA)
    assert [pool.setting(MULTIPLIER, day) for day in (date(2026, 3, 31), date(2026, 4, 1))] == [2, 3]
    raw["lifecycle"][MULTIPLIER] = 4
    assert parse_pool(raw, QUOTA).setting(MULTIPLIER, date(2026, 4, 1)) == 4
    shipped = definition.get("xuchang-2022")
    assert shipped.setting(MULTIPLIER, TODAY) is None and not quota.has_quota(shipped)


def test_the_administrators_value_of_the_multiplier_applies_from_its_day(session, dy):
    county, admin = dy
    with pytest.raises(catalogue.ChangeRefused, match="须为正整数：0"):
        catalogue.record(session, {"kind": "parameter", "code": QUOTA, "key": "quota_multiplier",
                                   "valid_from": "2026-04-01", "value": 0, "source": "会议纪要"}, actor=admin, today=TODAY)
    catalogue.record(session, {"kind": "parameter", "code": QUOTA, "key": "quota_multiplier",
                               "valid_from": "2026-04-01", "value": 1, "source": "会议纪要"}, actor=admin, today=TODAY)
    first_round_then_one_graduation(session, county, admin)
    member(session, county, admin, date(2026, 3, 2))  # 1 of 1 × 2
    assert places(session, county.id, date(2026, 3, 31)) == Quota(1, 1, 2, 1)
    assert places(session, county.id, date(2026, 4, 1)) == Quota(1, 1, 1, 0)
    late = applicant(session, county, admin, date(2026, 4, 2))
    with pytest.raises(TransitionRefused, match=r"累计出库 1 家 × 1 = 1 个增补名额，已增补 1 家（1/1）"):
        ms.admit(session, late, actor=admin, on=date(2026, 4, 2), today=TODAY)
    early = applicant(session, county, admin, date(2026, 3, 31))
    ms.admit(session, early, actor=admin, on=date(2026, 3, 31), today=TODAY)  # the last place under × 2
    assert places(session, county.id, date(2026, 3, 31)) == Quota(1, 2, 2, 0)


# --- round admissions and replenishments ---------------------------------------------------------------

def test_inside_a_round_no_place_is_taken_outside_one_is(session, dy):
    county, admin = dy
    january = open_round(session, admin, date(2026, 1, 5), date(2026, 1, 31))
    a, b = member(session, county, admin, date(2026, 1, 10)), member(session, county, admin, date(2026, 1, 31))
    for m in (a, b):  # the round's last day is inside it
        event = m.events[-1]
        assert (event.intake_round_id, event.replenishment, event.evidence["quota"]) == (january.id, False, None)
        assert event.evidence["admission"] == "首批入库（批次 2026-01-05 起，不占增补名额）"
    assert places(session, county.id, date(2026, 2, 1)) == Quota(0, 0, 0, 0)

    c = applicant(session, county, admin, date(2026, 2, 1))
    with pytest.raises(TransitionRefused, match="^大冶市增补名额已用完：累计出库 0 家 × 2 = 0 个增补名额，已增补 0 家（0/0），不能再增补入库$"):
        ms.admit(session, c, actor=admin, on=date(2026, 2, 1), today=TODAY)
    assert c.state == "applied" and len(c.events) == 1

    graduate(session, a, admin, date(2026, 3, 1))
    assert places(session, county.id, date(2026, 2, 28)) == Quota(0, 0, 0, 0)
    assert places(session, county.id, date(2026, 3, 1)) == Quota(1, 0, 2, 2)
    event = ms.admit(session, c, actor=admin, on=date(2026, 3, 2), today=TODAY)
    assert (event.replenishment, event.intake_round_id, event.evidence["quota"]) == (
        True, None, Quota(1, 0, 2, 2).to_dict())
    assert event.evidence["admission"] == "增补入库（入库前累计出库 1 家 × 2 = 2 个增补名额，已增补 0 家（0/2））"

    d = applicant(session, county, admin, date(2026, 3, 3))
    ms.admit(session, d, actor=admin, on=date(2026, 3, 3), today=TODAY)  # the last place
    assert places(session, county.id, date(2026, 3, 3)) == Quota(1, 2, 2, 0)
    e = applicant(session, county, admin, date(2026, 3, 3))
    with pytest.raises(TransitionRefused, match="（2/2），不能再增补入库"):  # the next one
        ms.admit(session, e, actor=admin, on=date(2026, 3, 3), today=TODAY)

    ms.leave(session, d, actor=admin, on=date(2026, 3, 10), today=TODAY, reason="迁出许昌")
    assert places(session, county.id, TODAY) == Quota(1, 2, 2, 0)  # leaving frees no place
    graduate(session, b, admin, date(2026, 4, 1))
    assert ms.admit(session, e, actor=admin, on=date(2026, 4, 1), today=TODAY).replenishment
    assert places(session, county.id, TODAY) == Quota(2, 3, 4, 1)


def test_a_back_dated_replenishment_may_not_break_a_later_day(session, dy):
    county, admin = dy
    _a, b = first_round_then_one_graduation(session, county, admin)
    c, d = member(session, county, admin, date(2026, 3, 10)), member(session, county, admin, date(2026, 3, 10))
    graduate(session, b, admin, date(2026, 4, 1))  # 4 places from then
    late = applicant(session, county, admin, date(2026, 3, 5))
    with pytest.raises(TransitionRefused, match=f"^大冶市在 2026-03-10 已有增补（{d.enterprise.name}）且名额届时用完"
                                                r"（累计出库 1 家 × 2 = 2 个增补名额，已增补 2 家（2/2）），不能补记 2026-03-05 的增补$"):
        ms.admit(session, late, actor=admin, on=date(2026, 3, 5), today=TODAY)
    assert c.enterprise.name != d.enterprise.name
    with pytest.raises(TransitionRefused, match="已用完"):  # before the graduation: no place that day
        ms.admit(session, applicant(session, county, admin, date(2026, 2, 15)), actor=admin, on=date(2026, 2, 15),
                 today=TODAY)
    member(session, county, admin, date(2026, 4, 2))  # 3 of 4
    ms.admit(session, late, actor=admin, on=date(2026, 4, 1), today=TODAY)  # 4 of 4 on 04-02 still holds
    assert places(session, county.id, date(2026, 4, 2)) == Quota(2, 4, 4, 0)


def test_a_graduation_a_replenishment_stands_on_is_not_voided(session, dy):
    county, admin = dy
    a, b = first_round_then_one_graduation(session, county, admin)
    c = member(session, county, admin, date(2026, 3, 2))
    graduate(session, b, admin, date(2026, 3, 5))
    ms.void(session, b, actor=admin, on=TODAY, today=TODAY, reason="证书登记有误")  # c stands on a's places
    assert b.state == "admitted" and places(session, county.id, TODAY) == Quota(1, 1, 2, 1)
    with pytest.raises(TransitionRefused, match=f"^撤销该出库后，{c.enterprise.name} 于 2026-03-02 的增补将没有名额"
                                                r"（累计出库 0 家 × 2 = 0 个增补名额，已增补 1 家（1/0）），不能更正"):
        ms.void(session, a, actor=admin, on=TODAY, today=TODAY, reason="证书登记有误")
    assert a.state == "graduated"
    ms.void(session, c, actor=admin, on=TODAY, today=TODAY, reason="误作增补")  # frees its place …
    assert places(session, county.id, TODAY) == Quota(1, 0, 2, 2)
    ms.void(session, a, actor=admin, on=TODAY, today=TODAY, reason="证书登记有误")  # … so a's may go
    assert a.state == "admitted" and places(session, county.id, TODAY) == Quota(0, 0, 0, 0)


# --- each pool its own rounds and quota -------------------------------------------------------------------

def test_each_pool_has_its_own_rounds(session, dy):
    county, admin = dy
    with pytest.raises(TransitionRefused, match="许昌市高新技术企业备选库不设入库批次"):
        open_round(session, admin, date(2026, 1, 5), pool="xuchang-2022")
    first = open_round(session, admin, date(2026, 1, 5), pool=None)
    ours = open_round(session, admin, date(2026, 1, 5), name="备选库首批")
    with pytest.raises(TransitionRefused, match="与 2026-01-06 起的新批次重叠"):
        open_round(session, admin, date(2026, 1, 6), name="第二批")
    assert (first.pool_code, ours.pool_code) == (None, QUOTA)
    assert open_intake_round(session, date(2026, 1, 10)) == first
    assert open_intake_round(session, date(2026, 1, 10), pool_code=QUOTA) == ours
    assert intake.rounds(session) == [first] and intake.rounds(session, QUOTA) == [ours]
    with Batch.begin(session) as batch:  # the first pool's bulk registration sees its own rounds only
        assert batch.rounds == [first]

    a = member(session, county, admin, date(2026, 1, 10))
    assert a.events[-1].intake_round_id == ours.id
    intake.close_round(session, ours, on=date(2026, 1, 20), today=date(2026, 1, 20), actor=admin)
    assert open_intake_round(session, date(2026, 1, 25)) == first  # still open for the first pool: not for ours
    with pytest.raises(TransitionRefused, match="增补名额已用完"):
        ms.admit(session, applicant(session, county, admin, date(2026, 1, 25)), actor=admin, on=date(2026, 1, 25),
                 today=TODAY)

    second = open_round(session, admin, date(2026, 2, 1), name="第二批")
    member(session, county, admin, date(2026, 2, 10))
    with pytest.raises(TransitionRefused, match="在 2026-02-05 之后仍有入库记录，不能提前关闭"):
        intake.close_round(session, second, on=date(2026, 2, 5), today=date(2026, 2, 5), actor=admin)


def test_a_pools_quota_counts_its_own_events_only(session, dy, world):
    county, admin = dy
    for pool in (QUOTA, OTHER):
        open_round(session, admin, date(2026, 1, 5), date(2026, 1, 31), pool=pool)
    graduate(session, member(session, county, admin, date(2026, 1, 10), OTHER), admin, date(2026, 3, 1))
    graduate_from_first_pool(session, world.dy_ent.id, date(2026, 3, 1))  # the first pool's: not ours either
    assert places(session, county.id, TODAY, OTHER) == Quota(1, 0, 2, 2)
    assert places(session, county.id, TODAY) == Quota(0, 0, 0, 0)
    with pytest.raises(TransitionRefused, match="已用完"):
        ms.admit(session, applicant(session, county, admin, date(2026, 3, 2)), actor=admin, on=date(2026, 3, 2),
                 today=TODAY)
    member(session, county, admin, date(2026, 3, 2), OTHER)
    assert places(session, county.id, TODAY, OTHER) == Quota(1, 1, 2, 1)
    assert places(session, county.id, TODAY) == Quota(0, 0, 0, 0)
    by_county = quota.places_by_county(session, catalogue.get(session, OTHER), [county.id, world.yx.id], TODAY)
    assert by_county == {county.id: Quota(1, 1, 2, 1), world.yx.id: Quota(0, 0, 0, 0)}  # a county's own


# --- atomic under concurrent admissions -------------------------------------------------------------------

THREADS = 8
ON = date(2026, 3, 3)


def _one_place_left(app) -> tuple[int, list[int]]:
    """A graduation (2 places), one replenishment, and THREADS applicants; committed."""
    with app.app_context():
        session = db.session
        county = mf.county(session)
        admin = mf.user(session, "admin", role=CITY_ADMIN)
        first_round_then_one_graduation(session, county, admin)
        member(session, county, admin, date(2026, 3, 2))
        waiting = [applicant(session, county, admin, ON) for _ in range(THREADS)]
        assert places(session, county.id, ON) == Quota(1, 1, 2, 1)
        session.commit()
        return admin.id, [m.id for m in waiting]


def _race(app) -> None:
    admin_id, waiting = _one_place_left(app)

    def officer_request(i: int):
        session = db.session
        ms.admit(session, session.get(Membership, waiting[i]), actor=session.get(User, admin_id), on=ON, today=TODAY)
        session.commit()
        return "admitted"

    outcomes = all_at_once(app, THREADS, officer_request, join_timeout=60)
    assert outcomes.count("admitted") == 1, outcomes
    refusals = [o for o in outcomes if isinstance(o, TransitionRefused)]
    assert len(refusals) == THREADS - 1 and all("（2/2）" in str(r) for r in refusals), outcomes
    with app.app_context():
        session = db.session
        assert session.scalar(select(func.count()).select_from(MembershipEvent)
                              .where(MembershipEvent.replenishment.is_(True))) == 2
        states = session.scalars(select(Membership.state).where(Membership.id.in_(waiting)))
        assert sorted(states) == ["admitted"] + ["applied"] * (THREADS - 1)


def test_concurrent_replenishments_take_the_last_place_once(app, pools):
    """On the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    _race(app)


@pytest.mark.postgres
def test_concurrent_replenishments_take_the_last_place_once_on_postgres(pg_app, pools):
    _race(pg_app)


# --- the pages and the API ---------------------------------------------------------------------------------

def _one_graduation_and_an_applicant(use_db, world) -> int:
    """January's round closed, one graduation on 2026-03-01 (2 places), an applicant of 大冶市: its id."""
    with use_db() as session:
        county, admin = session.get(County, world.dy.id), session.get(User, world.admin.id)
        first_round_then_one_graduation(session, county, admin)
        waiting = applicant(session, county, admin, date(2026, 3, 2))
        session.commit()
        return waiting.enterprise_id


def test_the_pages_show_the_quota_and_what_an_admission_is(client, auth, world, use_db, pools, freeze_today):
    freeze_today(TODAY)
    enterprise_id = _one_graduation_and_an_applicant(use_db, world)
    page = f"/pools/{QUOTA}/enterprises/{enterprise_id}"
    auth.login("dy")
    shown = client.get(page).get_data(as_text=True)
    assert "大冶市本库增补名额（截至 2026-06-30）：累计出库 1 家 × 2 = 2 个增补名额，已增补 0 家（0/2）" in shown
    assert "当前没有开放的入库批次：入库均为增补。" in shown
    form = client.get(f"{page}/admit").get_data(as_text=True)
    assert "本次入库为增补，占用本县本库的增补名额：累计出库 1 家 × 2 = 2 个增补名额" in form
    assert client.post(f"{page}/admit", data={"on": "2026-06-30"}).status_code == 302
    assert "增补入库（入库前累计出库 1 家 × 2 = 2 个增补名额，已增补 0 家（0/2））" in client.get(page).get_data(
        as_text=True)
    listing = client.get(f"/pools/{QUOTA}/").get_data(as_text=True)
    assert "<td>大冶市</td><td>累计出库 1 家 × 2 = 2 个增补名额，已增补 1 家（1/2）</td><td>1</td>" in listing
    assert client.post(f"/actions/rounds?pool={QUOTA}", data={"name": "第二批", "on": "2026-06-30"}).status_code == 403

    auth.logout()
    auth.login("admin")
    listing = client.get(f"/pools/{QUOTA}/").get_data(as_text=True)  # the city's: every county
    assert "<td>阳新县</td><td>累计出库 0 家 × 2 = 0 个增补名额，已增补 0 家（0/0）</td><td>0</td>" in listing
    assert "<td>大冶市</td><td>累计出库 1 家 × 2 = 2 个增补名额，已增补 1 家（1/2）</td><td>1</td>" in listing
    assert client.get("/actions/rounds?pool=xuchang-2022").status_code == 404  # no rounds in that pool
    opened = client.post(f"/actions/rounds?pool={QUOTA}", data={"name": "第二批", "on": "2026-06-30"})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/actions/rounds?pool={QUOTA}")
    rounds = client.get(f"/actions/rounds?pool={QUOTA}").get_data(as_text=True)
    assert "当前开放：第二批（2026-06-30 起）" in rounds and "不超过本库累计出库数的 2 倍" in rounds
    assert "第二批" not in client.get("/actions/rounds").get_data(as_text=True)  # the first pool's page
    with use_db() as session:
        other = applicant(session, session.get(County, world.dy.id), session.get(User, world.admin.id), TODAY)
        session.commit()
        other_id, round_id = other.enterprise_id, session.scalar(select(IntakeRound.id).where(
            IntakeRound.pool_code == QUOTA, IntakeRound.closed_on.is_(None)))
    assert "入库批次“第二批”开放中：本次入库不占用增补名额。" in client.get(
        f"/pools/{QUOTA}/enterprises/{other_id}/admit").get_data(as_text=True)
    closed = client.post(f"/actions/rounds/{round_id}/close", data={"on": "2026-06-30"})
    assert closed.status_code == 302 and closed.headers["Location"].endswith(f"/actions/rounds?pool={QUOTA}")
    with use_db() as session:
        assert session.get(IntakeRound, round_id).closed_on == TODAY


def test_the_api_refuses_a_replenishment_beyond_the_quota(api_client, tokens, world, use_db, pools, freeze_today):
    freeze_today(TODAY)
    with use_db() as session:
        county, admin = session.get(County, world.dy.id), session.get(User, world.admin.id)
        open_round(session, admin, date(2026, 1, 5), date(2026, 1, 31))
        waiting = applicant(session, county, admin, date(2026, 3, 2)).enterprise_id
        session.commit()
    decisions = f"/pools/{QUOTA}/enterprises/{waiting}/decisions"
    refused = call(api_client, "POST", decisions, tokens["dy"], {"action": "admit"})
    assert refused.status_code == 409
    assert refused.get_json()["detail"].startswith("大冶市增补名额已用完：累计出库 0 家 × 2 = 0 个增补名额")

    assert call(api_client, "POST", "/intake-rounds", tokens["admin"],
                {"name": "第二批", "pool": "xuchang-2022"}).status_code == 409  # no rounds there
    assert call(api_client, "POST", "/intake-rounds", tokens["admin"],
                {"name": "第二批", "pool": "nowhere"}).status_code == 404
    opened = call(api_client, "POST", "/intake-rounds", tokens["admin"], {"name": "第二批", "pool": QUOTA})
    assert opened.status_code == 201 and opened.get_json()["pool"] == QUOTA
    listed = call(api_client, "GET", f"/intake-rounds?pool={QUOTA}", tokens["dy"]).get_json()
    assert [(r["name"], r["open_today"]) for r in listed] == [("第二批", True), ("首批", False)]
    assert call(api_client, "GET", "/intake-rounds", tokens["dy"]).get_json() == []  # the first pool has none
    admitted = call(api_client, "POST", decisions, tokens["dy"], {"action": "admit"})
    assert admitted.status_code == 201
    assert admitted.get_json()["events"][-1]["evidence"]["intake_round"]["name"] == "第二批"
