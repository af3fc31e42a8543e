"""Bulk demo data (``seed-demo --enterprises N``): valid, consistent, reproducible, guarded."""
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from models import County, Enterprise, Patent, PoolEvent, Product, RiskFlag, YearlyFigure
from models.event import STATE_CHANGE
from pool.demo import bulk as demo_bulk
from pool.eligibility import uscc

AS_OF = date(2026, 6, 30)


def _snapshot(session):
    return [(e.uscc, e.name, e.state, e.admitted_on, e.state_changed_on)
            for e in session.scalars(select(Enterprise).order_by(Enterprise.id))]


def test_bulk_enterprises_are_valid_unique_and_match_their_event_log(session):
    result = demo_bulk.generate(session, enterprises=300, years=5, as_of=AS_OF, seed=7)
    session.commit()
    assert result.enterprises == 300 and result.rows["enterprise"] == 300
    enterprises = session.scalars(select(Enterprise)).all()
    codes = [e.uscc for e in enterprises]
    assert len(set(codes)) == 300 and all(uscc.is_valid(c) for c in codes)
    assert {e.county.name for e in enterprises} == {c.name for c in session.scalars(select(County))}
    assert set(Counter(e.state for e in enterprises)) == {"applied", "admitted", "graduated",
                                                          "expelled", "rejected"}
    events = {}
    for ev in session.scalars(select(PoolEvent).where(PoolEvent.kind == STATE_CHANGE)
                              .order_by(PoolEvent.effective_on, PoolEvent.id)):
        events.setdefault(ev.enterprise_id, []).append(ev)
    for e in enterprises:
        log = events[e.id]
        assert log[0].to_state == "applied" and log[0].from_state is None
        assert all(a.to_state == b.from_state for a, b in zip(log, log[1:]))
        assert (log[-1].to_state, log[-1].effective_on) == (e.state, e.state_changed_on)
        assert log[-1].effective_on <= AS_OF and log[-1].county_id == e.county_id
        admitted = [ev.effective_on for ev in log if ev.to_state == "admitted"]
        assert e.admitted_on == (admitted[0] if admitted else None)
        if e.state == "graduated":
            assert (log[-1].effective_on - e.admitted_on).days >= 366  # 12 months in the pool
    # Five years of figures each, ending the year before as_of, R&D staff within employees.
    years = session.execute(select(YearlyFigure.enterprise_id, func.min(YearlyFigure.year),
                                   func.max(YearlyFigure.year), func.count())
                            .group_by(YearlyFigure.enterprise_id)).all()
    assert {(lo, hi, n) for _e, lo, hi, n in years} == {(2021, 2025, 5)} and len(years) == 300
    assert session.scalar(select(func.count()).where(YearlyFigure.rd_staff > YearlyFigure.employees)) == 0
    main = session.scalars(select(Product).where(Product.main.is_(True))).first()
    assert main.patents and all(p.enterprise_id == main.enterprise_id for p in main.patents)
    # Flags come from the scan, never from the generator.
    assert session.scalar(select(func.count(RiskFlag.id))) == 0


def test_bulk_generation_is_reproducible_for_a_seed(app):
    from models import db

    def run(seed):
        with app.app_context():
            demo_bulk.generate(db.session, enterprises=40, years=3, as_of=AS_OF, seed=seed)
            shot = _snapshot(db.session)
            db.session.rollback()
            return shot

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_bulk_refuses_a_database_with_enterprises_unless_appending(session):
    demo_bulk.generate(session, enterprises=5, years=1, as_of=AS_OF)
    session.commit()
    with pytest.raises(demo_bulk.BulkRefused, match="--append"):
        demo_bulk.generate(session, enterprises=5, years=1, as_of=AS_OF)
    added = demo_bulk.generate(session, enterprises=5, years=1, as_of=AS_OF, append=True)
    session.commit()
    assert added.enterprises == 5
    assert session.scalar(select(func.count(Enterprise.id))) == 10
    assert len(set(session.scalars(select(Enterprise.uscc)))) == 10
    # Explicit ids left the sequences usable: a normal ORM insert still works.
    session.add(Patent(enterprise_id=1, number="ZL-after", kind="invention", status="valid"))
    session.commit()


def test_bulk_rejects_empty_sizes(session):
    with pytest.raises(ValueError):
        demo_bulk.generate(session, enterprises=0, years=5, as_of=AS_OF)
    with pytest.raises(ValueError):
        demo_bulk.generate(session, enterprises=1, years=0, as_of=AS_OF)


def test_seed_demo_command_bulk_generates_then_refuses_then_scans(runner, app):
    args = ["pool", "seed-demo", "--as-of", "2026-06-30", "--enterprises", "25", "--years", "2"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "企业 25 家" in result.output and "flask pool scan --as-of 2026-06-30" in result.output
    assert "admin " in result.output  # the accounts are printed as for the small demo

    refused = runner.invoke(args=args)
    assert refused.exit_code == 1 and "--append" in refused.output

    appended = runner.invoke(args=args + ["--append", "--scan"])
    assert appended.exit_code == 0, appended.output
    assert "风险扫描 2026-06-30" in appended.output
    with app.app_context():
        from models import db

        assert db.session.scalar(select(func.count(Enterprise.id))) == 50
        assert db.session.scalar(select(func.count(RiskFlag.id))) > 0


def test_seed_demo_without_enterprises_is_still_the_small_demo(runner, app):
    result = runner.invoke(args=["pool", "seed-demo", "--as-of", "2026-06-30"])
    assert result.exit_code == 0 and "企业 60 家" in result.output
    bad = runner.invoke(args=["pool", "seed-demo", "--enterprises", "0"])
    assert bad.exit_code == 2
