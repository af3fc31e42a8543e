"""The demo data: complete, valid and idempotent."""
from datetime import date

from sqlalchemy import func, select

from models import County, Enterprise, PoolEvent, User
from pool.demo import data as demo
from pool.eligibility import uscc

AS_OF = date(2026, 11, 23)


def test_seed_demo_is_idempotent_and_valid(session):
    first = demo.seed(session, as_of=AS_OF)
    session.commit()
    assert (first.counties, first.users, first.enterprises) == (7, 8, 60)
    again = demo.seed(session, as_of=AS_OF)
    session.commit()
    assert (again.counties, again.users, again.enterprises) == (0, 0, 0)
    assert session.scalar(select(func.count(Enterprise.id))) == 60

    enterprises = session.scalars(select(Enterprise)).all()
    assert all(uscc.is_valid(e.uscc) for e in enterprises)
    assert {e.state for e in enterprises} == {"applied", "admitted", "graduated", "expelled",
                                              "rejected"}
    assert {c.name for c in session.scalars(select(County))} >= {"大冶市", "阳新县", "黄石港区"}
    # Every enterprise's cached state is the last state of its event log.
    for e in enterprises:
        last = session.scalars(select(PoolEvent).where(PoolEvent.enterprise_id == e.id)
                               .order_by(PoolEvent.effective_on.desc(), PoolEvent.id.desc())).first()
        assert last.to_state == e.state and last.effective_on <= AS_OF


def test_seed_demo_command_prints_the_admin_account(runner, app):
    result = runner.invoke(args=["pool", "seed-demo", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    line = next(l for l in result.output.splitlines() if l.strip().startswith("admin "))
    password = line.split()[1]
    with app.app_context():
        from models import db

        admin = db.session.scalar(select(User).where(User.username == "admin"))
        assert admin.is_city_admin and admin.check_password(password)
    # A second run still prints the (unchanged) admin password.
    again = runner.invoke(args=["pool", "seed-demo", "--as-of", "2026-11-23"])
    assert password in again.output


def test_seed_demo_rejects_a_bad_date(runner, app):
    result = runner.invoke(args=["pool", "seed-demo", "--as-of", "2026-13-01"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
