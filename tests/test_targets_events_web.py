"""The matchmaking events' pages: the officer records an event (the form kept and each field named on a
refusal), sees and withdraws only their own county's (another county's is 404), searches, filters by year,
orders by date and exports the list; the dashboard's HS-T1 figure follows, and links to the events counted."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from models import MatchmakingEvent, User
from pool.targets import events

from . import targets_world as tw

TODAY = date(2026, 1, 5)
DASHBOARD = "/targets/?programme=huangshi-2024&region=420200&as_of=2026-01-05"


@pytest.fixture
def built(app, use_db, freeze_today):
    freeze_today(TODAY)
    with use_db() as session:
        return tw.build(session)


def held(use_db, world, county, day, field="新材料", title=None):
    with use_db() as session:
        county_id = getattr(world, county).id
        row = events.record(session, county_id=county_id, held_on=day, field=field, title=title or f"{field}对接会",
                            organiser="市市场监管局", counties={county_id}, actor=session.get(User, world.admin.id),
                            as_of=TODAY, now=tw.NOW)
        session.commit()
        return row.id


def form(**changes):
    data = {"county_id": "", "held_on": "2025-11-20", "field": "新材料", "title": "新材料专利技术供需对接会",
            "organiser": "大冶市市场监督管理局", "participants": "60", "note": "通知：大市监〔2025〕12号"}
    return {**data, **changes}


def body(response):
    return response.get_data(as_text=True)


def test_an_officer_records_an_event_of_their_county_only(client, auth, built, use_db):
    auth.login("dy")
    page = body(client.get("/targets/events/new"))
    assert 'list="field-suggestions"' in page and "阳新县" not in page
    made = client.post("/targets/events/new", data=form(county_id=str(built.dy.id)))
    assert made.status_code == 303
    other = client.post("/targets/events/new", data=form(county_id=str(built.yx.id), title="阳新的活动"))
    assert other.status_code == 422 and "「举办县（市、区）」：只能登记本县（市、区）举办的活动" in body(other)
    with use_db() as session:
        rows = session.scalars(select(MatchmakingEvent)).all()
        assert [(r.county_id, r.field, r.participants) for r in rows] == [(built.dy.id, "新材料", 60)]
    # the field used is offered next time
    assert '<option value="新材料">' in body(client.get("/targets/events/new"))


def test_tomorrow_is_refused_and_the_form_keeps_what_was_typed(client, auth, built, use_db):
    auth.login("dy")
    response = client.post("/targets/events/new", data=form(county_id=str(built.dy.id), held_on="2026-01-06",
                                                            field="", participants="-3"))
    page = body(response)
    assert response.status_code == 422
    assert "「举办日期」 不能晚于今天（2026-01-05）" in page and "「领域」：必填" in page
    assert "「参加人数」：须为 0 至 1000000 之间的整数" in page
    assert 'value="新材料专利技术供需对接会"' in page and "大市监〔2025〕12号" in page
    today = client.post("/targets/events/new", data=form(county_id=str(built.dy.id), held_on="2026-01-05"))
    assert today.status_code == 303
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(MatchmakingEvent)) == 1


def test_each_officer_sees_and_withdraws_only_their_own_countys_events(client, auth, built, use_db):
    own, other = held(use_db, built, "dy", date(2025, 3, 1)), held(use_db, built, "yx", date(2025, 4, 1), "生物医药")
    auth.login("dy")
    listed = body(client.get("/targets/events/"))
    assert "新材料对接会" in listed and "生物医药对接会" not in listed
    assert client.get(f"/targets/events/{other}").status_code == 404
    assert client.post(f"/targets/events/{other}/withdraw", data={"reason": "x"}).status_code == 404
    empty = client.post(f"/targets/events/{own}/withdraw", data={"reason": ""})
    assert empty.status_code == 422 and "「撤回原因」：必填" in body(empty)
    assert 'data-confirm=' in body(client.get(f"/targets/events/{own}"))
    assert client.post(f"/targets/events/{own}/withdraw", data={"reason": "日期录错"}).status_code == 303
    shown = body(client.get(f"/targets/events/{own}"))
    assert "日期录错" in shown and 'id="withdraw-form"' not in shown
    assert "新材料对接会" not in body(client.get("/targets/events/"))
    assert "新材料对接会" in body(client.get("/targets/events/?withdrawn=1"))
    auth.logout()
    auth.login("admin")
    assert "生物医药对接会" in body(client.get("/targets/events/"))
    with use_db() as session:
        assert session.get(MatchmakingEvent, other).withdrawal is None


def test_the_list_searches_filters_by_year_orders_by_date_and_exports(client, auth, built, use_db):
    held(use_db, built, "dy", date(2024, 12, 31), "新材料", "岁末对接会")
    held(use_db, built, "dy", date(2025, 1, 1), "生物医药", "新年对接会")
    held(use_db, built, "yx", date(2025, 6, 1), "新材料", "年中对接会")
    auth.login("admin")
    newest = body(client.get("/targets/events/"))
    assert newest.index("年中对接会") < newest.index("新年对接会") < newest.index("岁末对接会")
    oldest = body(client.get("/targets/events/?order=oldest"))
    assert oldest.index("岁末对接会") < oldest.index("新年对接会") < oldest.index("年中对接会")
    in_2025 = body(client.get("/targets/events/?year=2025"))
    assert "岁末对接会" not in in_2025 and "新年对接会" in in_2025
    found = body(client.get("/targets/events/?q=生物"))
    assert "新年对接会" in found and "年中对接会" not in found
    workbook = client.get("/targets/events/events.xlsx?year=2025")
    assert workbook.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(workbook.get_data())).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("举办日期", "县（市、区）", "领域")
    assert sorted(r[3] for r in rows[1:]) == ["年中对接会", "新年对接会"]
    auth.logout()
    auth.login("yx")
    csv = client.get("/targets/events/events.csv").get_data().decode("utf-8-sig")
    assert "年中对接会" in csv and "新年对接会" not in csv


def test_recording_an_event_changes_hs_t1_and_its_figure_lists_the_events(client, auth, built, use_db):
    for day in (date(2024, 3, 1), date(2024, 9, 1), date(2025, 3, 1)):
        held(use_db, built, "dy", day)
    auth.login("admin")
    before = body(client.get(DASHBOARD))
    assert 'id="target-HS-T1"' in before and "events-link" in before
    link = "/targets/records?measure=matchmaking.events%7Bfield%3D%E6%96%B0%E6%9D%90%E6%96%99%7D&amp;year=2025"
    assert link in before  # each field's figure links to its events
    card = before.split('id="target-HS-T1"', 1)[1].split('id="target-HS-T2"', 1)[0]
    assert 'data-status="not_met"' in card
    made = client.post("/targets/events/new", data=form(county_id=str(built.dy.id), held_on="2025-12-31"))
    assert made.status_code == 303
    after = body(client.get(DASHBOARD)).split('id="target-HS-T1"', 1)[1].split('id="target-HS-T2"', 1)[0]
    assert 'data-status="met"' in after and 'data-status="not_met"' not in after
    counted = body(client.get("/targets/records?programme=huangshi-2024&region=420200&as_of=2026-01-05"
                              "&measure=matchmaking.events{field=新材料}&year=2025"))
    assert "新材料专利技术供需对接会" in counted and "新材料对接会" in counted and "主办单位" in counted
    auth.logout()
    auth.login("yx")  # 阳新 sees its own county's figure only: none of 大冶's events
    assert client.get("/targets/records?programme=huangshi-2024&region=420281&as_of=2026-01-05"
                      "&measure=matchmaking.events{field=新材料}&year=2025").status_code == 404
