"""专利技术供需对接活动 as records: recorded (never after today, in the officer's own county, every bad input
named by its label), counted per field and year on both sides of the year end, withdrawn (not counted, kept,
audited, append-only), HS-T1 judged per field from them, and the drill-down listing the events counted."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from models import AppendOnlyError, ChangeRecord, MatchmakingEvent, MatchmakingWithdrawal, User
from pool.membership.history import members_on
from pool.targets import database, events, records
from pool.targets.measures import parse_key
from pool.targets.results import MET, NO_DATA, NOT_MET

from . import targets_world as tw

AS_OF = date(2026, 1, 5)


@pytest.fixture
def built(session):
    return tw.build(session)


def hold(session, built, held_on, field="新材料", county="dy", as_of=AS_OF, **extra):
    """Record an event of ``field`` held in the county ``county`` (``dy`` or ``yx``) on ``held_on``."""
    county_id = getattr(built, county).id
    actor = session.get(User, built.admin.id)
    fields = {"title": f"{field}专利技术供需对接会", "organiser": "黄石市市场监督管理局", **extra}
    row = events.record(session, county_id=county_id, held_on=held_on, field=field, counties={county_id},
                        actor=actor, as_of=as_of, now=tw.NOW, **fields)
    session.commit()
    return row


count = tw.measured


def test_an_event_held_today_counts_and_one_held_tomorrow_is_refused(session, built):
    hold(session, built, AS_OF, as_of=AS_OF)
    with pytest.raises(events.EventRefused) as refused:
        hold(session, built, AS_OF + timedelta(days=1), as_of=AS_OF)
    assert "「举办日期」" in refused.value.problems["held_on"] and "不能晚于今天" in refused.value.problems["held_on"]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(MatchmakingEvent)) == 1
    assert count(session, "matchmaking.events{field=新材料}", 2026, "420281") == 1


def test_31_december_counts_for_its_year_and_1_january_for_the_next(session, built):
    hold(session, built, date(2024, 12, 31))
    hold(session, built, date(2025, 1, 1))
    assert count(session, "matchmaking.events{field=新材料}", 2024, "420281") == 1
    assert count(session, "matchmaking.events{field=新材料}", 2025, "420281") == 1
    assert count(session, "matchmaking.events{field=生物医药}", 2024, "420281") == 0
    assert count(session, "matchmaking.events", 2024, "420222") == 0  # another county's
    assert count(session, "matchmaking.events", 2024, "420281", "420222") == 1  # the city: the sum


def test_a_withdrawn_event_is_not_counted_stays_on_record_and_is_audited(session, built):
    kept, gone = hold(session, built, date(2024, 5, 1)), hold(session, built, date(2024, 6, 1))
    admin = session.get(User, built.admin.id)
    with pytest.raises(events.EventRefused) as refused:
        events.withdraw(session, gone, reason="  ", counties={built.dy.id}, actor=admin, now=tw.NOW)
    assert refused.value.problems == {"reason": "「撤回原因」：必填"}
    with pytest.raises(events.EventRefused):  # not the actor's county
        events.withdraw(session, gone, reason="重复登记", counties={built.yx.id}, actor=admin, now=tw.NOW)
    events.withdraw(session, gone, reason="重复登记", counties={built.dy.id}, actor=admin, now=tw.NOW)
    session.commit()
    assert count(session, "matchmaking.events{field=新材料}", 2024, "420281") == 1
    measure = parse_key("matchmaking.events{field=新材料}")[0]
    assert records.rows(session, measure, 2024, tw.county_ids(session, "420281"), members_on) == [kept]
    assert session.get(MatchmakingEvent, gone.id).withdrawal.reason == "重复登记"
    with pytest.raises(events.EventRefused) as again:
        events.withdraw(session, gone, reason="再撤一次", counties={built.dy.id}, actor=admin, now=tw.NOW)
    assert "已于" in again.value.problems["reason"]
    trail = session.scalars(select(ChangeRecord.action).where(ChangeRecord.entity == "matchmaking_event",
                                                              ChangeRecord.entity_id == gone.id)
                            .order_by(ChangeRecord.id)).all()
    assert trail == ["create", "withdraw"]
    # never changed or deleted: not through the ORM, not in SQL
    gone.title = "改名"
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()
    for sql in ("UPDATE matchmaking_event SET title = 'x'", "DELETE FROM matchmaking_withdrawal"):
        with pytest.raises(Exception):
            session.execute(text(sql))
        session.rollback()
    assert session.scalar(select(func.count()).select_from(MatchmakingWithdrawal)) == 1


def test_bad_input_names_every_field_by_its_label_and_writes_nothing(session, built):
    admin = session.get(User, built.admin.id)
    with pytest.raises(events.EventRefused) as refused:
        events.record(session, county_id=built.yx.id, held_on=None, field=" 新 材料 ", title="", organiser="x" * 201,
                      participants=-1, note="", counties={built.dy.id}, actor=admin, as_of=AS_OF, now=tw.NOW)
    problems = refused.value.problems
    assert problems == {
        "county_id": "「举办县（市、区）」：只能登记本县（市、区）举办的活动", "held_on": "「举办日期」：必填",
        "field": "「领域」：不能含空格和英文逗号、等号、花括号、竖线、星号（领域名称用于分领域计数）",
        "title": "「活动名称」：必填", "organiser": "「主办单位」：至多 200 个字",
        "participants": "「参加人数」：须为 0 至 1000000 之间的整数"}
    assert session.scalar(select(func.count()).select_from(MatchmakingEvent)) == 0
    # the field is trimmed, the participants optional, a field no event used before is welcome
    row = events.record(session, county_id=built.dy.id, held_on=AS_OF, field="  海洋经济 ", title="对接会",
                        organiser="大冶市市场监督管理局", participants=None, note="", counties={built.dy.id},
                        actor=admin, as_of=AS_OF, now=tw.NOW)
    assert (row.field, row.participants) == ("海洋经济", None)
    with pytest.raises(events.EventRefused) as ancient:
        events.record(session, county_id=built.dy.id, held_on=date(1948, 12, 31), field="x", title="x",
                      organiser="x", counties={built.dy.id}, actor=admin, as_of=AS_OF, now=tw.NOW)
    assert ancient.value.problems == {"held_on": "「举办日期」：须在 1949 年或以后"}
    assert events.fields(session, [built.dy.id]) == ["海洋经济"] and events.fields(session, [built.yx.id]) == []


def test_hs_t1_holds_only_if_every_field_holds_each_year(session, built):
    for day in (date(2024, 3, 1), date(2024, 9, 1), date(2025, 3, 1), date(2025, 12, 31)):
        hold(session, built, day, field="新材料")  # 2 a year: met
    for day in (date(2024, 4, 1), date(2024, 10, 1), date(2025, 4, 1)):
        hold(session, built, day, field="生物医药", county="yx")  # 2 then 1: not met
    gone = hold(session, built, date(2025, 5, 1), field="生物医药", county="yx")  # withdrawn: not the second
    events.withdraw(session, gone, reason="误录", counties={built.yx.id}, actor=None, now=tw.NOW)
    hold(session, built, date(2023, 6, 1), field="旧领域")  # before the window: no part of its own
    hold(session, built, date(2026, 1, 2), field="新领域")  # the running year: not closed, no part yet
    session.commit()
    evaluation = database.evaluate(session, "huangshi-2024", "420200", AS_OF, members_on)
    [t1] = [r for r in evaluation.results if r.target.id == "HS-T1"]
    assert t1.status == NOT_MET
    assert {p.part: p.status for p in t1.parts} == {"新材料": MET, "生物医药": NOT_MET}
    assert {p.part: [pt.value for pt in p.series] for p in t1.parts} == {"新材料": [2, 2], "生物医药": [2, 1]}
    # a county's own: 大冶 holds 新材料 only
    county = database.evaluate(session, "huangshi-2024", "420281", AS_OF, members_on)
    assert [r.status for r in county.results if r.target.id == "HS-T1"] == [MET]


def test_hs_t1_without_any_event_is_no_data_and_says_where_to_record_them(session, built):
    hold(session, built, date(2023, 6, 1))  # outside the window
    evaluation = database.evaluate(session, "huangshi-2024", "420200", AS_OF, members_on)
    [t1] = [r for r in evaluation.results if r.target.id == "HS-T1"]
    assert t1.status == NO_DATA and not t1.parts
    assert any("2024—2025 年没有登记任何「专利技术供需对接活动（场）」" in step for step in t1.trace)


def test_migration_0022_goes_down_and_up_again(tmp_path):
    tables = {"matchmaking_event", "matchmaking_withdrawal"}
    down, up, triggers = tw.down_and_up(tmp_path / "round-trip.sqlite3", "0021")
    assert not tables & down and tables <= up
    # region_statistic was copied to widen its key: its append-only triggers came back with it
    assert {"region_statistic_no_update", "region_statistic_no_delete", "matchmaking_event_no_update",
            "matchmaking_withdrawal_no_delete"} <= triggers
