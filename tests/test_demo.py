"""The demo data: complete, valid, idempotent — and a history the go-live import wrote."""
import io
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from models import ChangeRecord, Contact, County, Enterprise, IntakeRound, PoolEvent, User, YearlyFigure
from models.event import INCIDENT, PROGRESS, STATE_CHANGE
from pool.demo import data as demo
from pool.eligibility import rulebook as rulebooks
from pool.eligibility import uscc
from pool.io import golive
from pool.membership.quota import quota
from pool.monitoring import scan as monitoring

AS_OF = date(2026, 11, 23)


@pytest.fixture
def seeded(session):
    result = demo.seed(session, as_of=AS_OF)
    session.commit()
    return result


def test_seed_demo_is_idempotent_and_valid(session, seeded):
    assert (seeded.counties, seeded.users, seeded.enterprises) == (7, 9, 60)  # 8 officers, 1 enterprise account
    events, changes = (session.scalar(select(func.count()).select_from(t)) for t in (PoolEvent, ChangeRecord))
    again = demo.seed(session, as_of=AS_OF)
    session.commit()
    assert (again.counties, again.users, again.enterprises) == (0, 0, 0)
    assert (again.outcome.kept, again.outcome.registered, again.outcome.events) == (60, 0, 0)
    assert golive.read_history(again.workbook) == golive.read_history(seeded.workbook)
    assert session.scalar(select(func.count(Enterprise.id))) == 60
    assert (session.scalar(select(func.count()).select_from(PoolEvent)),
            session.scalar(select(func.count()).select_from(ChangeRecord))) == (events, changes)

    enterprises = session.scalars(select(Enterprise)).all()
    assert all(uscc.is_valid(e.uscc) for e in enterprises)
    assert Counter(e.state for e in enterprises) == dict(demo.STATE_MIX) == {
        "admitted": 34, "applied": 10, "graduated": 6, "expelled": 4, "rejected": 6}
    assert {c.name for c in session.scalars(select(County))} >= {"大冶市", "阳新县", "黄石港区"}
    # Every enterprise's cached state is the last state change of its event log.
    for e in enterprises:
        last = session.scalars(select(PoolEvent).where(PoolEvent.enterprise_id == e.id,
                                                       PoolEvent.kind == STATE_CHANGE)
                               .order_by(PoolEvent.effective_on.desc(), PoolEvent.id.desc())).first()
        assert last.to_state == e.state and last.effective_on <= AS_OF
    assert session.scalar(select(func.max(PoolEvent.effective_on))) <= AS_OF
    # Seeded on another day the demo is another history: the one there is left as it is.
    later = demo.seed(session, as_of=date(2027, 3, 1))
    assert (later.enterprises, later.workbook) == (0, None)
    assert session.scalar(select(func.count(Enterprise.id))) == 60
    assert session.scalar(select(func.count(IntakeRound.id))) == 3


def test_the_demo_history_is_the_imports_and_the_next_scan_finds_work(session, seeded):
    """The rounds, admissions, graduations, expulsions and replenishments were
    written by the go-live import, by its rules; what the workbook does not
    carry was added through the record's functions; the next scan has flags
    of every kind to raise.  (One test: seeding takes seconds.)"""
    history = golive.read_history(seeded.workbook)
    assert len(history.applicants) == 60 and len(history.rounds) == 3
    rounds = session.scalars(select(IntakeRound).order_by(IntakeRound.opened_on)).all()
    assert [r.closed_on <= AS_OF for r in rounds] == [True] * 3
    assert (rounds[-1].opened_on - rounds[0].opened_on).days > 540  # about two years of history
    changes = session.scalars(select(PoolEvent).where(PoolEvent.kind == STATE_CHANGE)).all()
    admissions = [e for e in changes if e.to_state == "admitted"]
    in_rounds = [e for e in admissions if e.intake_round_id is not None]
    replenished = [e for e in admissions if e.replenishment]
    assert len(in_rounds) + len(replenished) == len(admissions) == 44 and len(replenished) == 6
    assert all(e.evidence["quota"]["left"] >= 1 for e in replenished)  # a place was free
    graduations = [e for e in changes if e.to_state == "graduated"]
    assert len(graduations) == 6
    for e in graduations:  # rule a, with the system's proposal beside it, 12 months after admission
        assert e.evidence["rule"] == "a" and e.evidence["proposal"]
        admitted = next(a for a in admissions if a.enterprise_id == e.enterprise_id)
        assert (e.effective_on - admitted.effective_on).days >= 365
    expulsions = [e for e in changes if e.to_state == "expelled"]
    assert Counter(e.evidence["basis"] for e in expulsions) == {"incident": 3, "no_progress": 1}
    facts = Counter(e.kind for e in session.scalars(select(PoolEvent).where(PoolEvent.kind.in_((PROGRESS,
                                                                                              INCIDENT)))))
    assert facts[INCIDENT] == 4 and facts[PROGRESS] > 20
    assert sum(1 for e in admissions if e.evidence.get("document")) > 0  # historical decisions stand in
    # The replenishment quota balances in every county, on every day something happened.
    policy = rulebooks.load(session).policy
    days = sorted({e.effective_on for e in changes} | {AS_OF})
    for county in session.scalars(select(County)):
        for day in days:
            places = quota(session, county.id, day, policy.in_force(day))
            assert places.replenished <= places.limit, (county.name, day)  # (``left`` stops at 0)
    used = {c.name: quota(session, c.id, AS_OF, policy.in_force(AS_OF)) for c in session.scalars(select(County))}
    assert sum(q.graduated for q in used.values()) == 6 and sum(q.replenished for q in used.values()) == 6

    # Added after the import, through pool.records (audited as the administrator's edits).
    assert session.scalar(select(func.count(Contact.id)).where(Contact.email.is_not(None),
                                                               Contact.receives_reminders)) == 60
    assert session.scalar(select(func.count(func.distinct(YearlyFigure.year)))) >= 4
    assert session.scalar(select(func.count(Enterprise.id)).where(Enterprise.address.is_(None))) == 0
    admin = session.scalar(select(User).where(User.username == "admin"))
    assert session.scalar(select(func.count(ChangeRecord.id)).where(ChangeRecord.entity == "contact",
                                                                   ChangeRecord.actor_id == admin.id)) == 60

    # The next scan: every kind of flag, no-progress ones at each stage (18, 21, 24 months).
    found = Counter(kind for _eid, kind in monitoring.assess(session, AS_OF))
    assert set(found) == {"no_progress", "integrity_incident", "graduation_ready", "qualification_expiring",
                          "annual_data_missing", "criteria_drift"}, found
    severities = Counter(c.severity for c in monitoring.assess(session, AS_OF).values() if c.kind == "no_progress")
    assert set(severities) == {"warning", "high", "expulsion_due"}
    result = monitoring.scan(session, AS_OF)
    session.commit()
    assert result.raised > 0


def test_seed_demo_command_prints_the_admin_account_and_keeps_the_workbook(runner, app):
    result = runner.invoke(args=["pool", "seed-demo", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    line = next(l for l in result.output.splitlines() if l.strip().startswith("admin "))
    password = line.split()[1]
    with app.app_context():
        from models import db

        admin = db.session.scalar(select(User).where(User.username == "admin"))
        assert admin.is_city_admin and admin.check_password(password)
    path = f"{app.instance_path}/demo_pool.xlsx"
    assert "demo_pool.xlsx" in result.output
    with open(path, "rb") as saved:
        assert len(golive.read_history(io.BytesIO(saved.read()).getvalue()).events) > 150
    portal = next(l for l in result.output.splitlines() if "企业端账号" in l).split()
    with app.app_context():
        account = db.session.scalar(select(User).where(User.username == portal[0]))
        assert account.is_enterprise and account.enterprise.state == "admitted" and account.check_password(portal[1])
    # A second run still prints the (unchanged) admin password.
    again = runner.invoke(args=["pool", "seed-demo", "--as-of", "2026-11-23"])
    assert password in again.output and "企业 0 家" in again.output


def test_seed_demo_rejects_a_bad_date(runner, app):
    result = runner.invoke(args=["pool", "seed-demo", "--as-of", "2026-13-01"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    early = runner.invoke(args=["pool", "seed-demo", "--as-of", "2025-06-30"])
    assert early.exit_code == 1 and "不早于 2026-05-30" in early.output


def test_the_demo_gives_huangshis_targets_events_per_field_and_a_reported_value(session, seeded):
    from pool.membership.history import members_on
    from pool.targets import database

    assert seeded.events == 7
    evaluation = database.evaluate(session, "huangshi-2024", "420200", AS_OF, members_on)
    statuses = {r.target.id: r.status for r in evaluation.results}
    assert statuses == {"HS-T1": "not_met", "HS-T2": "met"}
    [t1] = [r for r in evaluation.results if r.target.id == "HS-T1"]
    assert {p.part: p.status for p in t1.parts} == {"新材料": "met", "生物医药": "not_met"}
    assert demo.seed(session, as_of=date(2027, 3, 1)).events == 0  # another day: left as it is
