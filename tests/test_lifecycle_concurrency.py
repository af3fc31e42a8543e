"""The replenishment quota holds under concurrent admissions (SPEC §3: "atomically").

N officers' requests, each in its own thread, app context and session, admit
N different applicants of one county as replenishments at the same moment
(a barrier releases them together) while only 2 places are left: exactly 2
succeed.  On PostgreSQL the county row lock serializes them; on SQLite the
``BEGIN IMMEDIATE`` of every transaction does.
"""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Enterprise, PoolEvent, User, db
from pool.membership import lifecycle as lc

from . import model_factories as mf
from .concurrency import all_at_once
from .test_lifecycle import applicant, evaluation, graduate_by_new_product, member, open_round, snap

THREADS = 8
ON = date(2026, 3, 1)


def _county_with_two_places_left(app) -> tuple[int, int, list[int]]:
    """One graduation (2 places), and THREADS applicants; committed."""
    with app.app_context():
        session = db.session
        county = mf.county(session)
        officer = mf.user(session, "dy_officer", county=county)
        open_round(session, date(2025, 1, 1), date(2025, 1, 31))
        graduate_by_new_product(session, member(session, county, officer, date(2025, 1, 15)),
                                officer, date(2026, 1, 15))
        applicants = [applicant(session, county, officer, date(2026, 2, 1)) for _ in range(THREADS)]
        assert lc.quota(session, county.id, ON, snap(ON)) == lc.Quota(1, 0, 2, 2)
        session.commit()
        return county.id, officer.id, [e.id for e in applicants]


def _admit_all_at_once(app, officer_id: int, enterprise_ids: list[int]) -> list:
    def officer_request(i: int):
        session = db.session
        lc.admit(session, session.get(Enterprise, enterprise_ids[i]), actor=session.get(User, officer_id),
                 on=ON, today=ON, evaluation=evaluation(ON), snapshot=snap(ON))
        session.commit()
        return "admitted"

    return all_at_once(app, len(enterprise_ids), officer_request, join_timeout=60)


def _race(app) -> None:
    county_id, officer_id, enterprise_ids = _county_with_two_places_left(app)
    outcomes = _admit_all_at_once(app, officer_id, enterprise_ids)

    admitted = [o for o in outcomes if o == "admitted"]
    refusals = [o for o in outcomes if isinstance(o, lc.TransitionRefused)]
    assert len(admitted) == 2, outcomes
    assert len(refusals) == THREADS - 2, outcomes
    assert all("（2/2）" in str(r) for r in refusals)
    with app.app_context():
        session = db.session
        assert lc.quota(session, county_id, ON, snap(ON)) == lc.Quota(1, 2, 2, 0)
        replenished = session.scalar(select(func.count(PoolEvent.id))
                                     .where(PoolEvent.replenishment.is_(True)))
        states = session.scalars(select(Enterprise.state).where(Enterprise.id.in_(enterprise_ids)))
        assert replenished == 2
        assert sorted(states) == ["admitted"] * 2 + ["applied"] * (THREADS - 2)


def test_concurrent_replenishments_respect_the_quota(app):
    """On the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    _race(app)


@pytest.mark.postgres
def test_concurrent_replenishments_respect_the_quota_on_postgres(pg_app):
    _race(pg_app)
