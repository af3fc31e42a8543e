"""Demo data: Huangshi's counties, accounts and a pool of 60 enterprises with
two years of history — brought in the way a city brings its existing pool in.

The enterprises and everything that happened to them are a go-live workbook
(:mod:`pool.io.golive`) built in memory — the rounds and events of
:mod:`pool.demo.story`, the records of :mod:`pool.demo.applicants` — read back
with :func:`pool.io.golive.read_history` and written with
:func:`pool.io.golive.replay` by the city administrator, the path the 上线导入
page and ``flask pool import-history`` take: every admission, graduation and
expulsion is checked by the lifecycle's own rules on its own day.  What the
workbook does not carry (addresses, contacts, the figures of the other years,
patent titles) is added afterwards by :mod:`pool.demo.details`; a year's award
settlement to click through by :mod:`pool.demo.awards`; the matchmaking events
and a reported value for Huangshi's targets by :mod:`pool.demo.targets`.
``flask pool seed-demo`` keeps the workbook as ``instance/demo_pool.xlsx``.

Deterministic (a seeded ``random.Random``) and idempotent: counties are keyed
by code, users by username, and the enterprises by the import itself —
importing the same workbook again keeps every enterprise as it is
(:attr:`pool.io.golive.Outcome.kept`).  Every date is derived from ``as_of``,
never from the clock; a demo seeded with another ``as_of`` (``make run`` on
another day) is a different history, and is left as it is.
"""
import io
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models import CITY_ADMIN, COUNTY_OFFICER, ENTERPRISE, County, Enterprise, User

from pool.access import accounts
from pool.demo import applicants, awards, details, ladder, story, targets
from pool.demo.vocabulary import (  # noqa: F401 - the bulk generator reads them here
    GIVEN, INDUSTRIES, NAME_PARTS, PARTNERS, SUFFIXES, SURNAMES, money as _money,
)
from pool.eligibility import rulebook as rulebooks
from pool.io import golive
from pool.monitoring.annual import last_deadline_before
from pool.reference import city

# How many enterprises end in each state (60 in all).
STATE_MIX = tuple(Counter(story.FINAL_STATE.get(s, "admitted") for s, _round, counties in story.CAST
                          for _county in counties).items())


@dataclass
class DemoResult:
    counties: int = 0
    users: int = 0
    enterprises: int = 0
    credentials: list = None  # [(username, password, role, county)] of users created now
    workbook: bytes | None = None  # the go-live workbook of the demo pool now in the database
    outcome: golive.Outcome | None = None  # what its import did
    awards: object = None  # the award year opened for the demo (pool.demo.awards), if any
    ladder: int = 0  # memberships of 接续培育 created (pool.demo.ladder)
    events: int = 0  # matchmaking events recorded for Huangshi's targets (pool.demo.targets)


def seed(session, *, as_of: date, seed: int = 2024) -> DemoResult:
    """Create whatever of the demo data is missing; return what was created.

    :raise ValueError: ``as_of`` too early for two years of history
        (:func:`pool.demo.story.earliest_as_of`).
    :raise pool.io.golive.HistoryRefused: the demo's history does not replay
        into this database (e.g. one of its own rounds overlaps the demo's).
    """
    rng = random.Random(seed)
    rulebook = rulebooks.load(session)
    rounds, members = story.plan(as_of, rng, policy_from=min(p.valid_from for p in rulebook.policy.parameters))
    result = DemoResult(credentials=[])
    counties = _counties(session, result)
    _users(session, counties, result)
    admin = session.scalar(select(User).where(User.username == "admin"))
    yearly = [applicants.figures(m, as_of, rng) for m in members]
    records = [applicants.applicant(m, counties[m.county], yearly[k], as_of, rng) for k, m in enumerate(members)]
    buffer = io.BytesIO()
    golive.write_template(buffer, counties=[c.name for c in counties], applicants=records, rounds=rounds,
                          events=[row for m, data in zip(members, records) for row in m.rows(data["uscc"])])
    workbook = buffer.getvalue()
    history = golive.read_history(workbook)
    present = set(session.scalars(select(Enterprise.uscc).where(Enterprise.uscc.in_([d["uscc"] for d in records]))))
    savepoint = session.begin_nested()
    try:
        result.outcome = golive.replay(session, history, actor=admin, today=as_of, rulebook=rulebook)
    except golive.HistoryRefused:
        savepoint.rollback()
        if present:  # the demo seeded on another day: a different history, left as it is
            return result
        raise
    savepoint.commit()
    result.workbook, result.enterprises = workbook, result.outcome.registered
    deadline = rulebook.policy.in_force(as_of)["annual_data_deadline"]
    due_year = last_deadline_before(as_of, deadline).year - 1
    made = {e.uscc: e for e in session.scalars(select(Enterprise).where(
        Enterprise.uscc.in_([d["uscc"] for d in records if d["uscc"] not in present])))}
    for m, data, figures in zip(members, records, yearly):
        if data["uscc"] in made:
            details.complete(session, made[data["uscc"]], m, figures, due_year=due_year, actor=admin, as_of=as_of,
                             rng=rng)
    session.flush()
    _enterprise_account(session, counties[0], result)
    result.awards = awards.seed(session, admin=admin, as_of=as_of)
    result.ladder = ladder.seed(session, admin=admin, as_of=as_of)
    result.events = targets.seed(session, admin=admin, as_of=as_of)
    return result


def _enterprise_account(session, county: County, result) -> None:
    """A portal account for the first member of the first county still in the pool
    (its own login: /portal/login with the USCC)."""
    member = session.scalar(select(Enterprise).where(Enterprise.county_id == county.id, Enterprise.state == "admitted")
                            .order_by(Enterprise.id).limit(1))
    if member is None or session.scalar(select(User.id).where(User.username == member.uscc)):
        return
    user, password = accounts.create_user(session, username=member.uscc, display_name=f"{member.name}联系人",
                                          role=ENTERPRISE, county=county, email=f"contact-{member.id}@example.com")
    user.enterprise_id = member.id
    result.users += 1
    result.credentials.append((member.uscc, password, ENTERPRISE, county.name))
    session.flush()


def _counties(session, result) -> list[County]:
    counties, result.counties = city.ensure_counties(session)
    return counties


def _users(session, counties, result) -> None:
    wanted = [("admin", "市局管理员", CITY_ADMIN, None)]
    wanted += [(f"officer_{slug}", f"{name}工作人员", COUNTY_OFFICER, county)
               for (code, name, slug), county in zip(city.COUNTIES, counties)]
    for username, display, role, county in wanted:
        if session.scalar(select(User.id).where(User.username == username)):
            continue
        user, password = accounts.create_user(
            session, username=username, display_name=display, role=role, county=county,
            email=f"{username}@example.gov.cn")
        result.users += 1
        result.credentials.append((username, password, role, county.name if county else "全市"))
    session.flush()
