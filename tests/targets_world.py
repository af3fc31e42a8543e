"""A small world for the targets' database mode: 湖北省 › 黄石市 › 大冶市, 阳新县 with records on year boundaries."""
from datetime import date, datetime, timezone

from models import AwardFact, Enterprise, Patent, PoolEvent, Qualification
from pool.reference import city
from pool.targets import statistics

from . import model_factories as mf

NOW = datetime(2026, 1, 5, 8, tzinfo=timezone.utc)


def patent(session, enterprise, number, granted_on, kind="invention", **fields):
    row = Patent(enterprise_id=enterprise.id, number=number, kind=kind, status=fields.pop("status", "valid"),
                 granted_on=granted_on, office=fields.pop("office", "CN"), **fields)
    session.add(row)
    return row


def state(session, enterprise, to_state, on):
    session.add(PoolEvent(enterprise_id=enterprise.id, county_id=enterprise.county_id, kind="state_change",
                          to_state=to_state, effective_on=on, reason="测试"))


def loan(session, enterprise, fact_id, on, amount, collateral="patent", withdrawn=False):
    session.add(AwardFact(beneficiary_key=enterprise.uscc, beneficiary_name=enterprise.name,
                          beneficiary_kind="enterprise", enterprise_id=enterprise.id, county_id=enterprise.county_id,
                          fact_id=fact_id, type="loan", date=on, subject=fact_id, source="officer",
                          data={"id": fact_id, "type": "loan", "date": on.isoformat(), "subject": fact_id,
                                "collateral": collateral, "amount": amount},
                          withdrawn_at=NOW if withdrawn else None))


def build(session, world=None):
    """Regions, two counties' records around the 2024/2025 year end; returns the world
    (:class:`tests.model_factories.World`, built here unless given)."""
    world = world or mf.World.build(session)
    dy, yx = session.get(Enterprise, world.dy_ent.id), session.get(Enterprise, world.yx_ent.id)
    from models import County
    city.ensure_regions(session, [session.get(County, world.dy.id), session.get(County, world.yx.id)])
    # 大冶: granted 31 Dec 2024 (counts in 2024), 1 Jan 2025 (counts in 2025), one undated
    patent(session, dy, "ZL2024-A", date(2024, 12, 31), application_date=date(2012, 5, 1))
    patent(session, dy, "ZL2025-B", date(2025, 1, 1), application_date=date(2020, 1, 1))
    patent(session, dy, "ZL-UNDATED", None)
    patent(session, dy, "ZL-LAPSED", date(2020, 6, 1), status="lapsed", status_on=date(2025, 6, 30))
    patent(session, dy, "UM-2024", date(2024, 3, 3), kind="utility_model")
    # 阳新: one invention granted 2024
    patent(session, yx, "ZL-YX-1", date(2024, 7, 7))
    # members: 大冶 admitted 2024-12-31 (member at 2024 year end), 阳新 admitted 2025-01-01
    state(session, dy, "admitted", date(2024, 12, 31))
    state(session, yx, "admitted", date(2025, 1, 1))
    # 阳新 graduates 31 Dec 2025: not a member at 2025 year end
    state(session, yx, "graduated", date(2025, 12, 31))
    loan(session, dy, "ln-1", date(2024, 12, 31), "300")
    loan(session, dy, "ln-2", date(2025, 1, 1), "200")
    loan(session, dy, "ln-3", date(2024, 5, 1), "999", withdrawn=True)
    loan(session, dy, "ln-4", date(2024, 6, 1), "50", collateral="trademark")
    session.add(Qualification(enterprise_id=dy.id, type="ip_advantage", level="national",
                              valid_from=date(2024, 12, 31), valid_to=date(2027, 12, 31)))
    session.add(Qualification(enterprise_id=yx.id, type="ip_demonstration", level="national",
                              valid_from=date(2025, 1, 1), approved_on=date(2025, 1, 1), valid_to=date(2028, 1, 1)))
    session.commit()
    return world


def county_ids(session, *codes) -> list[int]:
    from sqlalchemy import select

    from models import County
    return [c.id for c in session.scalars(select(County).where(County.code.in_(codes)))]


def measured(session, key, year, *codes):
    """The records' value of the measure ``key`` in ``year`` for the counties ``codes``, or the reason they
    cannot say."""
    from pool.membership.history import members_on
    from pool.targets import records
    from pool.targets.measures import parse_key

    got, reason = records.value(session, parse_key(key)[0], year, county_ids(session, *codes), members_on)
    return got if reason is None else reason


def population(session, admin_id, code="420281", year=2024, value="88.5"):
    from models import User
    actor = session.get(User, admin_id)
    row = statistics.record(session, code, "population", year, value, "大冶市统计公报 2024", actor=actor, now=NOW)
    session.commit()
    return row


def down_and_up(path, revision) -> tuple[set[str], set[str], set[str]]:
    """A SQLite database at ``path`` migrated to the head, down to ``revision`` and up again: its tables after
    going down, its tables and its triggers after coming back."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from app import create_app
    from models import db

    from .conftest import make_config

    app = create_app(make_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        downgrade(revision=revision)
        down = set(inspect(db.engine).get_table_names())
        upgrade()
        up = set(inspect(db.engine).get_table_names())
        triggers = set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        db.session.remove()
        db.engine.dispose()
    return down, up, triggers
