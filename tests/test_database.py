"""Column types, the migrated schema, and the append-only event log."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import AppendOnlyError, PoolEvent, User, YearlyFigure, db



def test_migrations_match_the_models(session):
    """A model change without its migration fails here, not in production."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_money_is_exact(session, world):
    fig = YearlyFigure(enterprise_id=world.dy_ent.id, year=2025,
                       operating_revenue=Decimal("2002"), rd_expense=Decimal("200.2"))
    session.add(fig)
    session.commit()
    session.expire_all()
    fig = session.get(YearlyFigure, fig.id)
    assert fig.rd_expense == Decimal("200.2")
    assert fig.rd_expense / fig.operating_revenue == Decimal("0.1")
    # SQL arithmetic on the stored integers is exact too.
    stored = session.execute(text("SELECT rd_expense * 10 - operating_revenue FROM yearly_figure")).scalar()
    assert stored == 0


def test_money_finer_than_one_yuan_is_refused(session, world):
    session.add(YearlyFigure(enterprise_id=world.dy_ent.id, year=2025,
                             operating_revenue=Decimal("0.00001")))
    with pytest.raises(Exception, match="超出精度"):
        session.flush()


def test_rd_staff_cannot_exceed_employees(session, world):
    session.add(YearlyFigure(enterprise_id=world.dy_ent.id, year=2025, employees=10, rd_staff=11))
    with pytest.raises(IntegrityError):
        session.flush()


def test_times_are_stored_utc_and_come_back_aware(session, world):
    user = session.get(User, world.dy_officer.id)
    user.last_login_at = datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc)
    session.commit()
    session.expire_all()
    again = session.get(User, world.dy_officer.id).last_login_at
    assert again == datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc)
    assert again.tzinfo is not None


def _event(world):
    return PoolEvent(enterprise_id=world.dy_ent.id, county_id=world.dy.id, kind="note",
                     effective_on=date(2025, 1, 1), reason="原始记录")


def test_events_cannot_be_changed_through_the_orm(session, world):
    ev = _event(world)
    session.add(ev)
    session.commit()
    ev.reason = "篡改"
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()
    session.delete(session.get(PoolEvent, ev.id))
    with pytest.raises(AppendOnlyError):
        session.flush()


def test_events_cannot_be_changed_in_sql_either(session, world):
    session.add(_event(world))
    session.commit()
    for sql in ("UPDATE pool_event SET reason = 'x'", "DELETE FROM pool_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(sql))
        session.rollback()
    assert session.execute(text("SELECT reason FROM pool_event")).scalar() == "原始记录"


def test_foreign_keys_are_enforced(session, world):
    session.add(YearlyFigure(enterprise_id=999999, year=2025))
    with pytest.raises(IntegrityError):
        session.flush()


def test_sqlite_connection_settings(session):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific pragmas")
    assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_officer_must_have_a_county(session, world):
    session.add(User(username="nocounty", display_name="x", password_hash="x",
                     role="county_officer"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_enterprise_state_is_constrained(session, world):
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE enterprise SET state = 'nonsense'"))
