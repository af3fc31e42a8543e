"""Criteria drift on the whole record (issue #13): the ten criteria judge each
member's stored record on the scan's date; verdicts are kept between scans
and judged again only when the record, the rules or a date in the record
moves on (:mod:`pool.monitoring.verdicts`)."""
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from models import ChangeRecord, Enterprise, Patent, RecordVerdict, Trademark, YearlyFigure
from pool.eligibility import rulebook as rulebooks
from pool.monitoring import scan as monitoring
from pool.monitoring import verdicts
from pool.records import bulk, edits, facts, parts, validity

from . import model_factories as mf
from .test_lifecycle import dy, officer  # noqa: F401 - fixtures
from .test_monitoring import open_flags, pool_member, run

DAY = date(2026, 3, 2)
REJUDGE_DAYS = validity.REJUDGE_DAYS


@pytest.fixture(autouse=True)
def never_due(monkeypatch):
    """Verdicts are not judged afresh for being old, but in the test of that."""
    monkeypatch.setattr(validity, "REJUDGE_DAYS", 10_000)


def kept(session) -> dict[int, date]:
    """``{enterprise id: the day its kept verdict was judged}``."""
    return dict(session.execute(select(RecordVerdict.enterprise_id, RecordVerdict.as_of)).all())


def drift(session, enterprise) -> list[int] | None:
    flag = session.scalar(select(monitoring.RiskFlag).where(
        monitoring.RiskFlag.enterprise_id == enterprise.id, monitoring.RiskFlag.kind == "criteria_drift",
        monitoring.RiskFlag.closed_on.is_(None)))
    return flag.evidence["criteria"] if flag else None


def test_only_a_changed_record_is_judged_again(session, dy, officer):
    a, b = pool_member(session, dy), pool_member(session, dy)
    session.commit()
    run(session, DAY)
    assert kept(session) == {a.id: DAY, b.id: DAY} and drift(session, a) is None
    # The officer records that the enterprise lost its R&D leader (第7条).
    edits.update_enterprise(session, a, actor=officer, expected_version=a.version,
                            changes={"has_rd_leader": False})
    session.commit()
    run(session, DAY + timedelta(days=1))
    assert kept(session) == {a.id: DAY + timedelta(days=1), b.id: DAY}
    assert drift(session, a) == [7] and drift(session, b) is None
    flag = session.scalar(select(monitoring.RiskFlag).where(monitoring.RiskFlag.kind == "criteria_drift"))
    assert flag.detail.startswith("按 2025 年度数据及企业记录，不再符合第7条（科研带头人、研发团队与产学研合作）：无稳定的科研带头人和研发团队")
    # Corrected: the flag closes the next day.
    edits.update_enterprise(session, a, actor=officer, expected_version=a.version,
                            changes={"has_rd_leader": True})
    session.commit()
    assert run(session, DAY + timedelta(days=2)).closed == 1
    assert drift(session, a) is None


def test_drift_covers_the_criteria_beyond_the_figures(session, dy, officer):
    """第1条 (moved out of the city), 第4条 (the main product's core patent
    lapsed, on its date), 第8条 (the trademark ended early), 第9条 and 第10条."""
    moved, lapsed, ended, unmanaged, dishonest = (pool_member(session, dy) for _ in range(5))
    session.commit()
    today = DAY
    edits.update_enterprise(session, moved, actor=officer, expected_version=moved.version,
                            changes={"registered_region_code": "110105"})
    core = session.scalars(select(Patent).where(Patent.enterprise_id == lapsed.id).order_by(Patent.id)).first()
    parts.change_part(session, core, "patent", actor=officer, today=today, expected_version=core.version,
                      values={"status": "lapsed", "status_on": date(2026, 2, 1)})
    mark = session.scalar(select(Trademark).where(Trademark.enterprise_id == ended.id))
    parts.end_part(session, mark, "trademark", actor=officer, today=today, expected_version=mark.version,
                   on=date(2026, 1, 31), reason="商标转让给母公司")
    edits.update_enterprise(session, unmanaged, actor=officer, expected_version=unmanaged.version,
                            changes={"ip_certified_gbt29490": False, "ip_rules": False})
    edits.update_enterprise(session, dishonest, actor=officer, expected_version=dishonest.version,
                            changes={"serious_dishonesty": True})
    session.commit()
    run(session, today)
    assert [drift(session, e) for e in (moved, lapsed, ended, unmanaged, dishonest)] == [
        [1], [4], [8], [9], [10]]
    # The record as of a past date: before the lapse the product still had its core patent.
    found = monitoring.assess(session, date(2026, 1, 31))
    assert (lapsed.id, "criteria_drift") not in found and (ended.id, "criteria_drift") not in found
    assert found[(moved.id, "criteria_drift")].evidence["criteria"] == [1]


def test_an_expired_certificate_is_left_to_its_own_flag(session, dy):
    member = pool_member(session, dy, qualified_until=date(2026, 1, 31))
    session.commit()
    run(session, DAY)
    assert open_flags(session, member.id) == {"qualification_expiring": "high"}


def test_a_date_in_the_record_is_crossed_without_any_change(session, dy):
    """The trademark is in force through its last day; the verdict kept on
    that day holds no longer than it, and the next day judges again."""
    member = pool_member(session, dy)
    last = DAY + timedelta(days=3)
    session.execute(update(Trademark).where(Trademark.enterprise_id == member.id).values(valid_to=last))
    session.commit()
    run(session, DAY)
    assert session.get(RecordVerdict, member.id).valid_through == last
    run(session, last)
    assert drift(session, member) is None and kept(session) == {member.id: DAY}
    run(session, last + timedelta(days=1))
    assert drift(session, member) == [8] and kept(session) == {member.id: last + timedelta(days=1)}


def test_a_new_year_judges_the_new_years_figures(session, dy):
    member = pool_member(session, dy, years=range(2023, 2026))  # no 2026 figures
    session.commit()
    run(session, date(2026, 12, 31))
    assert session.get(RecordVerdict, member.id).year == 2025
    run(session, date(2027, 1, 1))
    assert session.get(RecordVerdict, member.id).year is None  # judged again: 上年度 is now 2026


def test_a_policy_value_judges_everyone_again_from_its_date(session, dy, officer):
    members = [pool_member(session, dy) for _ in range(3)]  # R&D staff 30 of 100
    admin = mf.user(session, "admin", role="city_admin")
    session.commit()
    run(session, DAY)
    rulebooks.add_policy_value(session, key="min_rd_staff_ratio", value="0.35", valid_from=DAY + timedelta(days=5),
                               source="测试：市局通知", note="", actor=admin, today=DAY)
    session.commit()
    run(session, DAY + timedelta(days=4))
    assert set(kept(session).values()) == {DAY}
    run(session, DAY + timedelta(days=5))
    assert set(kept(session).values()) == {DAY + timedelta(days=5)}
    assert [drift(session, m) for m in members] == [[7]] * 3


def test_a_record_changed_behind_the_applications_back_is_seen_on_its_due_day(session, dy, monkeypatch):
    monkeypatch.setattr(validity, "REJUDGE_DAYS", REJUDGE_DAYS)
    member = pool_member(session, dy)
    session.commit()
    run(session, DAY)
    # A database repair: no change record, so nothing says the record moved.
    session.execute(update(Enterprise).where(Enterprise.id == member.id).values(has_rd_leader=False))
    session.commit()
    due = DAY + timedelta(days=validity._due_in(member.id, DAY))
    assert DAY < due <= DAY + timedelta(days=REJUDGE_DAYS)
    run(session, due - timedelta(days=1))
    assert drift(session, member) is None
    run(session, due)
    assert drift(session, member) == [7]


def test_assess_writes_no_verdict(session, dy):
    member = pool_member(session, dy)
    session.commit()
    assert (member.id, "criteria_drift") not in monitoring.assess(session, DAY)
    assert session.scalar(select(func.count()).select_from(RecordVerdict)) == 0


def test_every_change_record_names_its_enterprise(session, dy, officer):
    member = pool_member(session, dy)
    ids = mf.parts_of_each_kind(session, member, officer)
    product = session.get(parts.part_of("product").model, ids["product_id"])
    edits.record_product_figures(session, product, actor=officer, year=2024, sales=Decimal("100"),
                                 profit=Decimal("-5"), expected_version=None, on=date(2025, 7, 1))
    edits.record_figures(session, member, actor=officer, year=2019, expected_version=None,
                         on=date(2025, 7, 1), values={"employees": 120})
    edits.set_contacts(session, member, actor=officer, contacts=[{"name": "李四", "email": "ls@example.com",
                                                                 "receives_reminders": True}])
    records = session.scalars(select(ChangeRecord)).all()
    assert {r.entity for r in records} >= {"patent", "product", "qualification", "trademark", "partnership",
                                           "product_figure", "yearly_figure", "contact"}
    assert {r.enterprise_id for r in records} == {member.id}


def test_the_bulk_record_reads_as_the_orm_record(session, dy, officer):
    """What the scan loads set-based is what the enterprise page loads through
    the ORM: the same applicant data on any date."""
    member = pool_member(session, dy)
    mf.parts_of_each_kind(session, member, officer)
    session.add(YearlyFigure(enterprise_id=member.id, year=2020, employees=5))
    member.ip_rules, member.brand_evidence = True, ["著名商标"]
    session.commit()
    (_, record), = bulk.records(session, [member.id])
    session.expire_all()
    orm = session.get(Enterprise, member.id)
    for day in (date(2021, 6, 1), date(2025, 7, 1), DAY):
        assert facts.record_data(record, day) == facts.record_data(orm, day)
    assert list(bulk.records(session, [10 ** 9])) == []


def test_the_daily_job_judges_records_ahead_of_the_scan_in_committed_batches(session, dy):
    members = [pool_member(session, dy).id for _ in range(5)]
    session.commit()
    rules = rulebooks.load(session)
    steps = []

    def commit():
        session.commit()
        steps.append(len(kept(session)))

    @contextmanager
    def reading():  # the daily job's read-only transaction (pool.monitoring.daily)
        steps.append("read")
        yield

    assert verdicts.refresh(session, DAY, rules, members, commit=commit, batch=2, reading=reading) == 5
    # What is stale is read, then each batch is judged in a reading that ends
    # before its verdicts are written and committed.
    assert steps == ["read", 0, "read", 0, 2, "read", 2, 4, "read", 4, 5]
    assert verdicts.refresh(session, DAY, rules, members, commit=commit, batch=2) == 0
    # The scan then judges nothing more: every verdict it reads was kept before it.
    run(session, DAY)
    assert set(kept(session).values()) == {DAY}


def test_judging_ahead_of_a_scan_in_the_past_is_refused_before_writing(session, dy):
    member = pool_member(session, dy)
    member.has_rd_leader = False  # a flag records the scan's date
    session.commit()
    run(session, DAY)
    with pytest.raises(monitoring.ScanRefused, match="早于上次扫描日期"):
        monitoring.judge_records(session, DAY - timedelta(days=1), rulebooks.load(session), commit=session.commit)
    assert kept(session) == {member.id: DAY}
