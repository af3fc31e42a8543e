"""The what-if on kept inputs (issue #17): the daily job keeps each configured pool member's record
as the criteria read it (pool.ladder.inputs); the preview judges the pool from them — alike to
reading every record — and reads again only what no longer holds (a change, a crossed date)."""
import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from models import Enterprise, Qualification, RecordInputs
from pool.ladder import catalogue, inputs, memberships as ms, previews
from pool.monitoring import daily
from pool.records import bulk, edits

from .test_lifecycle import dy, officer  # noqa: F401 - fixtures
from .test_monitoring import pool_member

DAY = date(2026, 3, 2)
XUCHANG = "xuchang-2022"
LOCAL = "4202"  # 黄石: the draft reads the city as Huangshi instead of Xuchang (criterion 1)


@pytest.fixture(autouse=True)
def never_due(monkeypatch):
    """Kept inputs are not read afresh for being old (REJUDGE_DAYS) during these tests."""
    monkeypatch.setattr("pool.records.validity.REJUDGE_DAYS", 10_000)


def draft(session) -> dict:
    """Xuchang's criteria with criterion 1 reading the region prefix 4202 (a literal, not the parameter)."""
    version = catalogue.get(session, XUCHANG).criteria_set.in_force(DAY)
    criteria = [{"id": c.id, "title": c.title, "clause": c.clause, "rule": copy.deepcopy(c.rule)}
                for c in version.criteria]
    criteria[0]["rule"]["values"] = [LOCAL]
    return {"valid_from": "2026-04-01", "source": "测试", "criteria": criteria}


def preview(session, day=DAY) -> dict:
    return previews.preview(session, catalogue.get(session, XUCHANG), draft(session), day)


def members(session, county, actor, n: int) -> list:
    out = []
    for _ in range(n):
        enterprise = pool_member(session, county)
        ms.apply(session, enterprise, XUCHANG, actor=actor, on=DAY - timedelta(days=30), today=DAY,
                 facts={"hightech_field": "0101"})
        out.append(enterprise)
    session.commit()
    return out


def criterion_1(shown: dict) -> dict[str, tuple]:
    """uscc → (before, after) of criterion 1, for each member whose criteria change."""
    return {c["uscc"]: next((k["before"], k["after"]) for k in c["criteria"] if k["id"] == 1)
            for c in shown["changes"]}


def kept(session) -> dict[int, date]:
    return dict(session.execute(select(RecordInputs.enterprise_id, RecordInputs.as_of)).all())


def no_record_read(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a record was read although its kept inputs hold")
    monkeypatch.setattr(bulk, "records", refuse)


def test_the_preview_judges_from_kept_inputs_as_from_every_record_and_writes_nothing(session, dy, officer,
                                                                                   monkeypatch):
    enterprises = members(session, dy, officer, 3)
    fresh = preview(session)  # nothing kept yet: every record read now
    assert kept(session) == {}  # the preview writes nothing
    assert fresh["checked"] == 3
    assert criterion_1(fresh) == {e.uscc: ("fail", "pass") for e in enterprises}
    daily.run(session, DAY)
    assert kept(session) == {e.id: DAY for e in enterprises}
    no_record_read(monkeypatch)
    assert preview(session) == fresh
    assert preview(session, DAY + timedelta(days=1)) == {**fresh, "as_of": (DAY + timedelta(days=1)).isoformat()}


def test_a_record_changed_after_the_daily_job_is_read_again(session, dy, officer):
    moved, stays = members(session, dy, officer, 2)
    daily.run(session, DAY)
    edits.update_enterprise(session, moved, actor=officer, expected_version=moved.version,
                            changes={"registered_region_code": "411002"})  # now in Xuchang
    session.commit()
    shown = preview(session)
    assert criterion_1(shown) == {moved.uscc: ("pass", "fail"), stays.uscc: ("fail", "pass")}
    assert kept(session) == {moved.id: DAY, stays.id: DAY}  # still nothing written
    assert daily.run(session, DAY + timedelta(days=1)) and kept(session) == {
        moved.id: DAY + timedelta(days=1), stays.id: DAY}


def test_kept_inputs_hold_through_the_last_day_of_a_certificate_and_not_after(session, dy, officer,
                                                                               monkeypatch):
    (member,) = members(session, dy, officer, 1)
    ends = DAY + timedelta(days=5)
    session.add(Qualification(enterprise_id=member.id, type="tech_sme", certificate_no="KJ-1",
                              valid_from=date(2025, 1, 1), valid_to=ends))
    session.commit()
    daily.run(session, DAY)
    assert session.scalar(select(RecordInputs.valid_through)) == ends
    real = bulk.records
    no_record_read(monkeypatch)
    assert inputs.on(session, ends, [member.id])[member.id].inputs.as_of == DAY
    monkeypatch.setattr(bulk, "records", real)
    assert inputs.on(session, ends + timedelta(days=1), [member.id])[member.id].inputs.as_of == ends + timedelta(days=1)


def test_the_daily_job_keeps_applied_and_admitted_members_only_and_reads_again_only_what_changed(
        session, dy, officer):
    applied, rejected = members(session, dy, officer, 2)
    ms.reject(session, ms.held(session, rejected.id, XUCHANG), actor=officer, on=DAY - timedelta(days=1),
              today=DAY, reason="不符合第3条")
    session.commit()
    assert daily.run(session, DAY) and kept(session) == {applied.id: DAY}
    assert inputs.refresh(session, DAY, commit=session.commit) == 0
    edits.update_enterprise(session, applied, actor=officer, expected_version=applied.version,
                            changes={"industry_code": "C3511"})
    session.commit()
    assert inputs.refresh(session, DAY + timedelta(days=1), commit=session.commit) == 1


def test_a_record_that_is_not_a_valid_applicant_is_named_with_why_and_not_counted(session, dy, officer,
                                                                                  monkeypatch):
    broken, sound = members(session, dy, officer, 2)
    # as a repair outside the application might leave it: a region code the contract refuses
    session.execute(update(Enterprise).where(Enterprise.id == broken.id).values(registered_region_code="42"))
    session.commit()
    daily.run(session, DAY)
    assert session.scalar(select(func.count()).select_from(RecordInputs).where(RecordInputs.inputs.is_(None))) == 1
    no_record_read(monkeypatch)
    shown = preview(session)
    assert shown["checked"] == 1 and list(criterion_1(shown)) == [sound.uscc]
    (why,) = shown["unreadable"]
    assert why.startswith(f"{broken.name}：{DAY} 的企业记录无法核验") and "registered_region_code" in why


def test_money_read_back_from_kept_inputs_is_exact():
    from pool.kernel import jsonutil
    from pool.pools.inputs import Held, Inputs, from_row, to_row
    from pool.pools.fields import known_fields

    values = {name: None for name in known_fields()} | {"operating_revenue": Decimal("200.20"),
                                                         "rd_expense": Decimal("1E+3"), "employees": 7}
    read = Inputs("91420200MA4KXXXX0X", "某公司", DAY, "C3511", values,
                  (Held("tech_sme", date(2025, 1, 1), date(2027, 12, 31), True),), True, False, ("提示",))
    back = from_row(jsonutil.loads(jsonutil.dumps(to_row(read))))
    assert back == read
    assert str(back.fields["operating_revenue"]) == "200.20" and str(back.fields["rd_expense"]) == "1E+3"


def test_a_new_parameter_value_is_previewed_on_the_pool_as_it_stands_and_nothing_is_written(session, dy,
                                                                                          officer):
    from models import PoolChange
    from pool.ladder.catalogue import ChangeRefused

    enterprises = members(session, dy, officer, 2)
    daily.run(session, DAY)
    pool = catalogue.get(session, XUCHANG)
    change = {"key": "city_region_prefixes", "value": [LOCAL], "valid_from": "2026-04-01", "source": "市局通知"}
    shown = previews.preview_parameter(session, pool, change, DAY)
    assert (shown["checked"], shown["draft"]) == (2, "2026-04-01")
    assert criterion_1(shown) == {e.uscc: ("fail", "pass") for e in enterprises}
    # the same draft written as a version judges alike: a parameter is a value in the rule
    assert criterion_1(preview(session)) == criterion_1(shown)
    unchanged = previews.preview_parameter(session, pool, {**change, "value": ["4110"]}, DAY)
    assert unchanged["changes"] == [] and unchanged["checked"] == 2
    with pytest.raises(ChangeRefused, match="须晚于已有的最后一个生效日期 2022-11-25"):
        previews.preview_parameter(session, pool, {**change, "valid_from": "2022-11-25"}, DAY)
    with pytest.raises(ChangeRefused, match="没有参数 nope"):
        previews.preview_parameter(session, pool, {**change, "key": "nope"}, DAY)
    assert session.scalar(select(func.count()).select_from(PoolChange)) == 0
