"""Demo figures for Huangshi's targets (issue #19) that the enterprise records do not hold.

The two years before ``as_of``: 专利技术供需对接活动 recorded by the county
officers — 新材料 in 大冶市 twice a year (HS-T1 holds for it), 生物医药 in the
development zone twice and then once (it does not: HS-T1 not met, per field),
and a duplicate entry withdrawn with its reason — and the city administrator's
reported value of 重点产业知识产权运营中心项目, one a year (HS-T2 met).  Every
date follows from ``as_of``; idempotent: events already recorded, or a reported
value already on record, are left as they are.
"""
from datetime import date, datetime, time, timezone

from sqlalchemy import select

from models import County, MatchmakingEvent, RegionStatistic, User
from pool.reference import city
from pool.targets import events, statistics

# (county code, field, organiser, [(years before as_of, month, day), …])
EVENTS = (
    ("420281", "新材料", "大冶市市场监督管理局", [(2, 4, 18), (2, 10, 16), (1, 5, 20), (1, 11, 12)]),
    ("420271", "生物医药", "黄石经济技术开发区管委会", [(2, 6, 8), (2, 9, 26), (1, 7, 15)]),
)
CENTRE = "operation_centre_projects"


def seed(session, *, admin: User, as_of: date) -> int:
    """Record the demo's events and reported values; the number of events recorded now."""
    now = datetime.combine(as_of, time(9), timezone.utc)
    made = 0
    if session.scalar(select(MatchmakingEvent.id).limit(1)) is None:
        codes = {c.code: c for c in session.scalars(select(County))}
        last = None
        for code, field, organiser, days in EVENTS:
            county = codes.get(code)
            if county is None:
                continue
            for back, month, day in days:
                held = date(as_of.year - back, month, day)
                last = events.record(
                    session, county_id=county.id, held_on=held, field=field, organiser=organiser,
                    title=f"{held.year}年{field}产业专利技术供需对接会（第{made + 1}场）", participants=40 + 5 * made,
                    note=f"{organiser}通知；签到表存档", counties={county.id}, actor=admin, as_of=as_of, now=now)
                made += 1
        if last is not None:  # the same event entered twice: the second withdrawn, as an officer would
            twice = events.record(session, county_id=last.county_id, held_on=last.held_on, field=last.field,
                                  organiser=last.organiser, title=last.title, participants=last.participants,
                                  note=last.note, counties={last.county_id}, actor=admin, as_of=as_of, now=now)
            events.withdraw(session, twice, reason="重复登记", counties={last.county_id}, actor=admin, now=now)
    if session.scalar(select(RegionStatistic.id).where(RegionStatistic.key == CENTRE).limit(1)) is None:
        for back in (2, 1):
            year = as_of.year - back
            statistics.record(session, city.CITY_DIVISION_CODE, CENTRE, year, "1",
                              f"黄石市市场监督管理局《{year}年知识产权工作总结》（演示）", actor=admin, now=now,
                              as_of=as_of)
    session.flush()
    return made
