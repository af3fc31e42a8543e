"""工作台 (issue #15): the officer's tasks of the day, scoped to their county."""
from datetime import date, timedelta

from sqlalchemy import update

from models import Qualification
from pool.eligibility.policy import Policy
from pool.monitoring import worklist

from . import model_factories as mf
from .test_lifecycle import dy, officer  # noqa: F401 - fixtures
from .test_monitoring import pool_member, qualify, run

TODAY = date(2026, 4, 1)  # before the 2026-05-31 deadline of the 2025 figures
POLICY = Policy()


def tasks(session, counties, day=TODAY) -> dict[str, worklist.Task]:
    return {t.key: t for t in worklist.worklist(session, counties, day, POLICY.in_force(day))}


def test_flags_certificates_and_missing_figures_are_the_days_tasks(session, dy):
    drifting = pool_member(session, dy)
    drifting.has_rd_leader = False
    ending = pool_member(session, dy, qualified_until=None)
    qualify(session, ending, date(2023, 5, 1), TODAY + timedelta(days=90))  # the 90th day: due
    late = pool_member(session, dy, years=range(2023, 2025))  # nothing for 2025
    session.commit()
    run(session, TODAY)
    found = tasks(session, [dy.id])
    assert found["flags:high"].count == 1 and found["flags:high"].items[0].enterprise_id == drifting.id
    assert found["flags:high"].oldest == TODAY
    expiring = found["expiring"]
    assert (expiring.count, expiring.oldest, expiring.params) == (1, TODAY + timedelta(days=90), {"days": 90})
    assert expiring.items[0].enterprise_id == ending.id and "有效期" not in expiring.label
    annual = found["annual"]
    assert (annual.count, annual.params) == (1, {"year": 2025, "day": "2026-05-31"})
    assert annual.items[0].enterprise_id == late.id


def test_a_certificate_ending_on_the_91st_day_is_not_yet_a_task(session, dy):
    member = pool_member(session, dy, qualified_until=None)
    qualify(session, member, date(2023, 5, 1), TODAY + timedelta(days=91))
    session.commit()
    assert "expiring" not in tasks(session, [dy.id])


def test_a_renewal_that_starts_in_time_takes_the_certificate_off_the_list(session, dy):
    renewed, gap = pool_member(session, dy, qualified_until=None), pool_member(session, dy, qualified_until=None)
    end = TODAY + timedelta(days=30)
    for member, starts in ((renewed, end + timedelta(days=1)), (gap, end + timedelta(days=2))):
        qualify(session, member, date(2023, 5, 1), end)
        qualify(session, member, starts, starts + timedelta(days=1095))
    session.commit()
    expiring = tasks(session, [dy.id])["expiring"]
    assert [i.enterprise_id for i in expiring.items] == [gap.id]


def test_after_the_deadline_the_flags_carry_the_missing_figures(session, dy):
    pool_member(session, dy, years=range(2023, 2025))
    session.commit()
    assert "annual" in tasks(session, [dy.id], date(2026, 5, 31))
    assert "annual" not in tasks(session, [dy.id], date(2026, 6, 1))


def test_an_officer_sees_only_their_county(session, dy):
    yx = mf.county(session, "420222", "阳新县")
    member = pool_member(session, yx)
    member.has_rd_leader = False
    session.commit()
    run(session, TODAY)
    assert "flags:high" not in tasks(session, [dy.id])
    assert tasks(session, [dy.id, yx.id])["flags:high"].count == 1
    assert tasks(session, None)["flags:high"].count == 1


def test_the_home_page_lists_the_tasks_with_links(client, auth, session, dy, officer, freeze_today):
    member = pool_member(session, dy)
    member.has_rd_leader = False
    session.execute(update(Qualification).where(Qualification.enterprise_id == member.id)
                    .values(valid_to=TODAY + timedelta(days=10)))
    session.commit()
    run(session, TODAY)
    freeze_today(TODAY)
    auth.login("dy_officer")
    page = client.get("/").text
    assert "工作台" in page and "高风险提示" in page and "/monitor/?severity=high" in page
    assert "资格证书 90 天内到期（未见续期）" in page and "还有 10 天" in page
    assert f"/enterprises/{member.id}" in page


def test_the_home_page_reads_in_english(client, auth, use_db, freeze_today):
    with use_db() as session:  # no app context held across the requests (it would keep the locale)
        county = mf.county(session, "420281", "大冶市")
        mf.user(session, "dy_officer", county=county)
        member = pool_member(session, county, qualified_until=TODAY + timedelta(days=10))
        member.has_rd_leader = False
        session.commit()
        run(session, TODAY)
    freeze_today(TODAY)
    auth.login("dy_officer")
    client.get("/lang/en")
    english = client.get("/").text
    assert "Tasks" in english and "High-risk alerts" in english and "工作台" not in english
    assert "Certificates ending within 90 days (no renewal recorded)" in english and "in 10 days" in english


def test_nothing_to_do_says_so(client, auth, session, dy, officer, freeze_today):
    session.commit()
    freeze_today(TODAY)
    auth.login("dy_officer")
    assert "今天没有待办事项。" in client.get("/").text


def test_pending_corrections_are_the_administrators_task(session, dy, officer):
    from pool.membership import corrections

    from .test_lifecycle import member, open_round
    open_round(session, date(2025, 1, 1), date(2025, 3, 31))
    admitted = member(session, dy, officer, date(2025, 2, 1))
    event = corrections.correctable(session, admitted)
    corrections.propose(session, event, actor=officer, reason="误录入库")
    session.commit()
    found = tasks(session, None)["corrections"]
    assert found.count == 1 and found.items[0].enterprise_id == admitted.id
    assert found.items[0].detail == "误录入库"
