"""The scan's flags per pool (issue #17): a configured pool's member holding the certificate its pool
graduates on gets that pool's graduation_ready flag — beside, never instead of, the first pool's flags."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Qualification, RiskFlag
from pool.eligibility import rulebook as rulebooks
from pool.ladder import memberships as ms
from pool.monitoring import scan as monitoring
from pool.monitoring import worklist

from .ladder_world import graduate_from_first_pool

CONTINUING = "huangshi-continuing-2024"
GRADUATED_ON = date(2026, 3, 1)
CERTIFIED = date(2026, 5, 20)
EXPIRES = date(2026, 6, 20)
TODAY = date(2026, 6, 30)


@pytest.fixture
def member(session, world):
    """The Daye enterprise: graduated from the first pool, admitted to 接续培育 the same day, and
    certified “小巨人” from CERTIFIED to EXPIRES."""
    enterprise, admin = graduate_from_first_pool(session, world.dy_ent.id, GRADUATED_ON)
    membership = ms.apply(session, enterprise, CONTINUING, actor=admin, on=GRADUATED_ON, today=TODAY)
    ms.admit(session, membership, actor=admin, on=GRADUATED_ON, today=TODAY)
    session.add(Qualification(enterprise_id=enterprise.id, type="little_giant", certificate_no="XJR-2026-01",
                              valid_from=CERTIFIED, valid_to=EXPIRES))
    session.commit()
    return enterprise, admin, membership


def pool_flags(session, enterprise_id):
    """``{(kind, pool): (severity, closed_on)}`` of every flag of the enterprise."""
    return {(f.kind, f.pool_code): (f.severity, f.closed_on) for f in session.scalars(
        select(RiskFlag).where(RiskFlag.enterprise_id == enterprise_id))}


def scan(session, day):
    result = monitoring.scan(session, day)
    session.commit()
    return result


def test_the_certificate_raises_the_pools_flag_from_its_first_day_to_its_last(session, member):
    enterprise, _admin, membership = member
    scan(session, CERTIFIED - timedelta(days=1))
    assert (("graduation_ready", CONTINUING)) not in pool_flags(session, enterprise.id)
    assert scan(session, CERTIFIED).raised == 1
    flag = session.scalar(select(RiskFlag).where(RiskFlag.pool_code == CONTINUING))
    assert (flag.kind, flag.severity, flag.county_id) == ("graduation_ready", "info", enterprise.county_id)
    assert "XJR-2026-01" in flag.detail and "出库样板企业接续培育" in flag.detail
    assert flag.evidence == {"membership_id": membership.id, "qualification": "little_giant",
                             "certificate_no": "XJR-2026-01", "valid_from": "2026-05-20", "valid_to": "2026-06-20"}
    assert scan(session, EXPIRES).raised == 0 and flag.closed_on is None  # its last day: still in force
    assert scan(session, EXPIRES + timedelta(days=1)).closed == 1
    session.refresh(flag)
    assert flag.closed_on == EXPIRES + timedelta(days=1)
    assert [(c.action, c.detail) for c in flag.changes][-1] == ("closed", "条件已消除")


def test_one_open_flag_per_enterprise_kind_and_pool(session, member, world):
    """The same kind in two pools is two flags: the first pool's proposal stays its own."""
    enterprise, _admin, _membership = member
    from .test_monitoring import pool_member
    from models import County
    other = pool_member(session, session.get(County, world.dy.id), admitted=date(2026, 1, 1))
    session.commit()
    found = monitoring.survey(session, CERTIFIED).found
    assert (enterprise.id, "graduation_ready", CONTINUING) in found
    assert all(key[2] == "huangshi-2024" for key in found if key[0] == other.id)
    assert (enterprise.id, "graduation_ready") not in monitoring.assess(session, CERTIFIED)  # SPEC §4: first pool
    scan(session, CERTIFIED)
    assert scan(session, CERTIFIED).raised == 0  # again: nothing new


def test_graduating_closes_the_flag_at_once(session, member):
    enterprise, admin, membership = member
    scan(session, CERTIFIED)
    ms.graduate(session, membership, actor=admin, on=TODAY - timedelta(days=20), today=TODAY)
    result = monitoring.follow(session, enterprise.id, TODAY - timedelta(days=20))
    session.commit()
    assert result.closed == 1
    assert pool_flags(session, enterprise.id)[("graduation_ready", CONTINUING)][1] == TODAY - timedelta(days=20)
    flag = session.scalar(select(RiskFlag).where(RiskFlag.pool_code == CONTINUING))
    assert flag.changes[-1].detail == "企业已不在培育库中"


def test_the_first_pools_task_does_not_count_another_pools_flags(session, member):
    scan(session, CERTIFIED)
    snapshot = rulebooks.load(session).policy.in_force(CERTIFIED)
    tasks = {t.key: t for t in worklist.worklist(session, None, CERTIFIED, snapshot)}
    assert "flags:graduation_ready" not in tasks
    assert tasks[f"ladder:graduate:{CONTINUING}"].count == 1


def test_the_dashboard_names_the_pool_and_filters_by_it(app, client, auth, member, freeze_today):
    freeze_today(TODAY)
    with app.app_context():
        from models import db
        monitoring.scan(db.session, CERTIFIED)
        db.session.commit()
        flag_id = db.session.scalar(select(RiskFlag.id).where(RiskFlag.pool_code == CONTINUING))
    auth.login("dy")
    page = client.get("/monitor/?pool=" + CONTINUING).get_data(as_text=True)
    assert "出库样板企业接续培育" in page and f"/monitor/flags/{flag_id}" in page
    first = client.get("/monitor/?pool=huangshi-2024").get_data(as_text=True)
    assert f"/monitor/flags/{flag_id}" not in first
    detail = client.get(f"/monitor/flags/{flag_id}").get_data(as_text=True)
    assert f"/pools/{CONTINUING}/enterprises/" in detail
    auth.logout()
    auth.login("yx")  # another county: neither the row nor the flag
    assert f"/monitor/flags/{flag_id}" not in client.get("/monitor/").get_data(as_text=True)
    assert client.get(f"/monitor/flags/{flag_id}").status_code == 404
