"""Registering many applicants at once (pool.records.registration.register_applicants,
the go-live import's path) writes what registering each on its own writes, and
refuses what that refuses — item by item; and the lifecycle under a Batch
(pool.membership.batch) decides as it does without one."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Application, ChangeRecord, Enterprise, IntakeRound, PoolEvent, User
from pool.eligibility import applications
from pool.eligibility import rulebook as rulebooks
from pool.eligibility.applicant import InvalidApplicant
from pool.eligibility.criteria import check
from pool.membership import lifecycle
from pool.membership.batch import Batch
from pool.membership.quota import open_intake_round
from pool.records.changes import RecordRefused
from pool.records.registration import register_applicant, register_applicants

from . import factories as af

ON = date(2025, 6, 30)
TODAY = date(2025, 7, 15)


@pytest.fixture
def people(session, world):
    return {name: session.get(User, getattr(world, key).id) for name, key in
            (("dy", "dy_officer"), ("admin", "admin"))}


def data(n: int, **overrides) -> dict:
    return af.applicant(**{"uscc": af.uscc("420281", f"MA4BT{n:04d}"), "name": f"批量登记企业{n}有限公司",
                           "county": "大冶市", **overrides})


def written(session, enterprise: Enterprise) -> dict:
    """Everything registering wrote for ``enterprise`` as stored, without ids, clocks and its own name.
    The row's version is not compared but the audit's is, against the row's: one at a time the 申报
    updates the row just inserted; many at once it is written with it."""
    session.expire_all()
    e = session.get(Enterprise, enterprise.id)
    skip = {"id", "uscc", "name", "name_key", "version", "created_at", "updated_at"}
    columns = {c.key: getattr(e, c.key) for c in Enterprise.__table__.c if c.key not in skip}
    parts = {part: sorted(tuple(sorted((c.key, repr(getattr(row, c.key))) for c in type(row).__table__.c
                                       if c.key not in ("id", "enterprise_id", "recorded_at", "created_at",
                                                        "updated_at")))
                          for row in getattr(e, part))
             for part in ("qualifications", "patents", "products", "trademarks", "partnerships", "figures")}
    links = sorted((p.name, sorted(x.number for x in p.patents)) for p in e.products)
    events = [(v.kind, v.from_state, v.to_state, v.effective_on, re.sub(r"#\d+", "#N", v.reason), v.evidence)
              for v in session.scalars(select(PoolEvent).where(PoolEvent.enterprise_id == e.id))]
    audits = [(r.entity, r.action, r.version == (e.version if r.entity == "enterprise" else 1), {k: v for k, v in r.changes.items()
                                               if k not in ("application_id", "uscc", "name")})
              for r in session.scalars(select(ChangeRecord).where(ChangeRecord.enterprise_id == e.id)
                                       .order_by(ChangeRecord.id))]
    checks = session.scalars(select(Application).where(Application.enterprise_id == e.id)).all()
    return {"columns": columns, "parts": parts, "links": links, "events": events, "audits": audits,
            "checks": sorted((a.verdict, a.as_of) for a in checks)}


def test_many_at_once_write_what_one_at_a_time_writes(session, people):
    rules = rulebooks.load(session)
    one, _ = register_applicant(session, data(1), actor=people["dy"], as_of=ON, on=ON, today=TODAY, rulebook=rules)
    # an unlinked check of the second one's USCC, saved earlier: registering links it, as it links the first's
    earlier = data(2)
    applications.save(session, data=earlier, evaluation=check(earlier, ON, rules.policy, rules.industries),
                      county_id=one.county_id, actor=people["dy"])
    alone = data(1)
    applications.save(session, data=alone, evaluation=check(alone, ON, rules.policy, rules.industries),
                      county_id=one.county_id, actor=people["dy"])  # linked at once: its enterprise exists
    with Batch.begin(session) as batch:
        [two] = register_applicants(session, [(data(2), ON)], actor=people["dy"], rulebook=rules, today=TODAY,
                                    batch=batch)
        batch.flush()
    assert isinstance(two, Enterprise)
    mine, theirs = written(session, one), written(session, two)
    assert theirs == mine
    assert len(theirs["checks"]) == 2 and len(theirs["events"]) == 1 and theirs["audits"]


def test_each_item_is_refused_as_registering_it_alone_would_be(session, people, world):
    rules = rulebooks.load(session)
    taken = session.get(Enterprise, world.dy_ent.id)
    items = [
        (data(1), ON),
        (data(2, employees=-1), ON),  # invalid data
        (data(3, county="不存在县"), ON),  # unknown county
        ({**data(4), "uscc": taken.uscc}, ON),  # registered already
        (data(1), ON),  # the same USCC twice in one go
        (data(5), date(2025, 8, 1)),  # after today
        (data(6, county="阳新县"), ON),  # a county the officer may not act for
    ]
    with Batch.begin(session) as batch:
        results = register_applicants(session, items, actor=people["dy"], rulebook=rules, today=TODAY, batch=batch)
    assert isinstance(results[0], Enterprise)
    assert isinstance(results[1], InvalidApplicant)
    assert [type(r) for r in results[2:]] == [RecordRefused] * 5
    assert "未知的县（市、区）" in str(results[2])
    assert "已登记，不能重复登记" in str(results[3]) and "已登记，不能重复登记" in str(results[4])
    assert "不能晚于今天" in str(results[5])
    assert "无权为阳新县登记企业" in str(results[6])
    for n in (2, 3, 5, 6):  # alone, each is refused with the same words
        with pytest.raises((InvalidApplicant, RecordRefused)) as alone, session.begin_nested():
            register_applicant(session, items[n][0], actor=people["dy"], as_of=items[n][1], on=items[n][1],
                               today=TODAY, rulebook=rules)
        assert str(alone.value) == str(results[n])
    session.flush()
    registered = session.scalars(select(Enterprise.uscc).where(Enterprise.name.like("批量登记企业%"))).all()
    assert registered == [data(1)["uscc"]]


def test_the_round_open_on_a_day_is_the_same_read_whole_or_asked_of_the_database(session, people):
    admin = people["admin"]
    for name, opened, closed in (("一", date(2024, 3, 1), date(2024, 3, 31)), ("二", date(2024, 6, 1), None)):
        session.add(IntakeRound(name=name, opened_on=opened, closed_on=closed, opened_by_id=admin.id))
    session.flush()
    with Batch.begin(session) as batch:
        rounds = batch.rounds
    expected = {date(2024, 2, 29): None, date(2024, 3, 1): "一", date(2024, 3, 31): "一", date(2024, 4, 1): None,
                date(2024, 6, 1): "二", date(2026, 1, 1): "二"}
    for day, name in expected.items():
        asked = open_intake_round(session, day)
        assert open_intake_round(session, day, rounds) is asked
        assert (asked.name if asked else None) == name


def test_a_batch_writes_a_fresh_enterprises_events_when_it_flushes_and_refuses_as_the_lifecycle_does(
        session, people):
    rules = rulebooks.load(session)
    with Batch.begin(session) as batch:
        [e] = register_applicants(session, [(data(1), ON)], actor=people["dy"], rulebook=rules, today=TODAY,
                                  batch=batch)
        assert batch.fresh(e)
        with pytest.raises(lifecycle.TransitionRefused, match="已有申报记录"):
            lifecycle.apply(session, e, actor=people["dy"], on=ON, today=TODAY, batch=batch)
        with pytest.raises(lifecycle.TransitionRefused, match="不能记录实质性进展"):
            lifecycle.record_progress(session, e, actor=people["dy"], on=ON, today=TODAY, subtype="other",
                                      reason="其他", batch=batch)
        lifecycle.reject(session, e, actor=people["dy"], on=ON, today=TODAY, reason="不予入库", batch=batch)
        assert session.is_modified(e)  # the rejection is not flushed on its own
        batch.flush()
    states = session.execute(select(PoolEvent.to_state).where(PoolEvent.enterprise_id == e.id)
                             .order_by(PoolEvent.id)).scalars().all()
    assert states == ["applied", "rejected"] and session.get(Enterprise, e.id).state == "rejected"


def test_rows_a_batch_numbers_take_the_numbers_the_database_would_give(session, people):
    """SQLite: the batch numbers new rows itself (max + 1, …); PostgreSQL: its sequences do."""
    rules = rulebooks.load(session)
    before = session.scalar(select(func.max(Enterprise.id)))
    with Batch.begin(session) as batch:
        made = register_applicants(session, [(data(n), ON) for n in (1, 2, 3)], actor=people["dy"],
                                   rulebook=rules, today=TODAY, batch=batch)
        batch.flush()
    alone, _ = register_applicant(session, data(4), actor=people["dy"], as_of=ON, on=ON, today=TODAY,
                                  rulebook=rules)  # numbered by the database again, after them
    ids = [e.id for e in made] + [alone.id]
    if session.get_bind().dialect.name == "sqlite":
        assert ids == [before + 1, before + 2, before + 3, before + 4]
    assert ids == sorted(ids) and len(set(ids)) == 4 and ids[0] > before
