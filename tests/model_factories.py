"""Small factories for database rows used across the tests."""
from dataclasses import dataclass
from datetime import date, datetime, timezone
from types import SimpleNamespace

from sqlalchemy import select

from models import APPROVE, CITY_ADMIN, COUNTY_OFFICER, AwardItem, County, Enterprise, User
from pool.awards import ledger, settlement, store
from pool.eligibility import uscc
from pool.records import parts

PASSWORD = "correct-horse-9"
# "Today" for actions recorded in tests of other rules: every such action is
# dated on or before it (tests of the date rule itself pass their own).
TODAY = date(2026, 11, 30)
_counter = iter(range(1, 10**9))


def county(session, code="420281", name="大冶市") -> County:
    c = County(code=code, name=name)
    session.add(c)
    session.flush()
    return c


def user(session, username, role=COUNTY_OFFICER, county=None, password=PASSWORD) -> User:
    u = User(username=username, display_name=username, role=role, county=county,
             email=f"{username}@example.gov.cn")
    u.set_password(password)
    session.add(u)
    session.flush()
    return u


def enterprise(session, county, name=None, state="applied", **fields) -> Enterprise:
    n = next(_counter)
    e = Enterprise(uscc=uscc.make("91", county.code, f"MA4T{n:05d}"),
                   name=name or f"测试企业{n}有限公司", county=county, state=state, **fields)
    session.add(e)
    session.flush()
    return e


# A part of each kind (pool.records.fields.PARTS), with only the fields each needs.
PART_OF_EACH_KIND = {
    "patent": {"number": "ZL202410000001.X", "kind": "invention"},
    "product": {"name": "高频覆铜板"},
    "qualification": {"type": "high_tech", "valid_from": "2024-01-01", "valid_to": "2027-12-31"},
    "trademark": {"reg_no": "12345678", "owned": True},
    "partnership": {"partner": "湖北理工学院", "partner_type": "university",
                    "valid_from": "2024-01-01", "valid_to": "2027-12-31"},
}


def parts_of_each_kind(session, enterprise, actor, on=date(2025, 7, 1)) -> dict[str, int]:
    """Add :data:`PART_OF_EACH_KIND` to ``enterprise``'s record; their ids as
    the API's path parameters name them (``{"patent_id": …}``)."""
    return {f"{name}_id": parts.add_part(session, enterprise, name, actor=actor, today=on,
                                         values=values).id
            for name, values in PART_OF_EACH_KIND.items()}


def high_tech(key: str, name: str, kind: str = "enterprise", fact: str = "ht-2024") -> dict:
    """A beneficiary of the award facts contract with a 高企 certificate of 2024 (许昌 XC-02: 10 万元)."""
    return {"id": key, "name": name, "kind": kind, "facts": [
        {"id": fact, "type": "qualification", "date": "2024-11-01", "designation": "high_tech"}]}


def award_settlement(session, world) -> int:
    """许昌's 2024 awards settled on :data:`TODAY`: a 高企 award for ``world``'s
    大冶市 and 阳新县 enterprises and a prize for a person (no county: the city
    administrator's alone); 大冶市's approved.  Returns the settlement's id."""
    admin, now = session.get(User, world.admin.id), datetime(2026, 11, 30, 4, tzinfo=timezone.utc)
    document = {"beneficiaries": [
        high_tech(world.dy_ent.uscc, world.dy_ent.name), high_tech(world.yx_ent.uscc, world.yx_ent.name),
        {"id": "411002198001010011", "name": "张某", "kind": "individual", "facts": [
            {"id": "pz-1", "type": "prize", "date": "2024-12-10", "subject": "ZL201810000021.1",
             "level": "municipal"}]}]}
    store.record(session, document, source="import", actor=admin, as_of=TODAY, now=now)
    row = settlement.open_settlement(session, "xuchang-2022", 2024, actor=admin, as_of=TODAY, now=now)
    settlement.compute(session, row, now=now)
    items = list(session.scalars(select(AwardItem).where(AwardItem.settlement_id == row.id)))
    ours = next(s for s in ledger.states(session, row, items).values() if s.item.enterprise_id == world.dy_ent.id)
    ledger.decide(session, row, ours, APPROVE, actor=admin, now=now)
    session.commit()
    return row.id


def snapshot(obj, *names) -> SimpleNamespace:
    """Plain values of a row, usable after its session is gone."""
    return SimpleNamespace(**{n: getattr(obj, n) for n in ("id",) + names})


@dataclass
class World:
    """Two counties, an admin, an officer per county, an enterprise in each.

    Plain snapshots, not ORM rows: tests reach the database through their own
    session, so no app context stays pushed while the test client runs (Flask
    would share ``g`` — and with it the logged-in user and the locale —
    between requests).
    """

    dy: SimpleNamespace
    yx: SimpleNamespace
    admin: SimpleNamespace
    dy_officer: SimpleNamespace
    yx_officer: SimpleNamespace
    dy_ent: SimpleNamespace
    yx_ent: SimpleNamespace

    @classmethod
    def build(cls, session) -> "World":
        dy = county(session, "420281", "大冶市")
        yx = county(session, "420222", "阳新县")
        rows = dict(
            dy=dy, yx=yx,
            admin=user(session, "admin", role=CITY_ADMIN),
            dy_officer=user(session, "dy", county=dy),
            yx_officer=user(session, "yx", county=yx),
            dy_ent=enterprise(session, dy, "大冶磁湖科技有限公司", state="admitted",
                              admitted_on=date(2025, 3, 1)),
            yx_ent=enterprise(session, yx, "阳新楚天新材料有限公司"),
        )
        session.commit()
        fields = {County: ("code", "name"), User: ("username", "role", "county_id"),
                  Enterprise: ("uscc", "name", "county_id", "state")}
        return cls(**{k: snapshot(v, *fields[type(v)]) for k, v in rows.items()})
