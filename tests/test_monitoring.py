"""The daily risk scan (SPEC §4): flags, their history, idempotence, the officers' mails.

Every scenario drives explicit dates: a 30-month walk scans forward through
the thresholds (and the day before each), re-running every date to show that
a second scan changes nothing.  The helpers at the top are shared with
``test_outbox_mail`` and ``test_scheduler``.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import (
    Contact, Enterprise, OutboxMail, Patent, Product, ProductFigure, Qualification,
    ResearchPartnership, RiskFlag, RiskFlagChange, Trademark, User, YearlyFigure,
)
from pool.membership import lifecycle as lc
from pool.monitoring import scan as monitoring
from pool.records.facts import record_verdict
from pool.eligibility import rulebook as rulebooks
from pool.eligibility.policy import Policy
from pool.eligibility.rulebook import Rulebook

from . import model_factories as mf
from .concurrency import all_at_once  # noqa: F401 - used here and by other race tests
from .test_lifecycle import dy, officer  # noqa: F401 - fixtures

POLICY = Policy()
ADMITTED = date(2025, 3, 1)


def snap(on: date):
    return POLICY.in_force(on)


# --- helpers -----------------------------------------------------------------------

def healthy(session, enterprise, *, years=range(2023, 2031), qualified_until=date(2031, 12, 31)):
    """Give ``enterprise`` everything that keeps it clear of flags: figures for
    ``years`` meeting criteria 5-7, an R&D leader, a long qualification and
    the main product and trademark of criteria 4 and 8."""
    enterprise.has_rd_leader = True
    for year in years:
        session.add(YearlyFigure(enterprise_id=enterprise.id, year=year, operating_revenue=Decimal("3000"),
                                 rd_expense=Decimal("600"), total_assets=Decimal("5000"),
                                 employees=100, rd_staff=30))
    patents = [Patent(enterprise_id=enterprise.id, number=f"ZL2023{enterprise.id:04d}{n}", kind="invention",
                      status="valid", origin="self", core=True, industrialized=True) for n in range(2)]
    session.add_all(patents)
    brand(session, enterprise, patents[:1])
    if qualified_until:
        qualify(session, enterprise, date(2023, 1, 1), qualified_until)
    session.flush()
    return enterprise


def brand(session, enterprise, patents):
    """Criteria 4 and 8: a main product built on ``patents`` and an owned trademark."""
    session.add(Product(enterprise_id=enterprise.id, name="主导产品", main=True, patents=list(patents)))
    session.add(Trademark(enterprise_id=enterprise.id, reg_no=f"TM{enterprise.id}", owned=True))


def qualify(session, enterprise, valid_from, valid_to, kind="high_tech"):
    q = Qualification(enterprise_id=enterprise.id, type=kind, certificate_no=f"GR{valid_to.year}",
                      valid_from=valid_from, valid_to=valid_to)
    session.add(q)
    session.flush()
    return q


def pool_member(session, county, admitted=ADMITTED, **kw):
    """A healthy enterprise admitted on ``admitted`` (cached state, no events)."""
    enterprise = mf.enterprise(session, county, state="admitted", admitted_on=admitted,
                               state_changed_on=admitted)
    return healthy(session, enterprise, **kw)


def run(session, on: date) -> monitoring.ScanResult:
    result = monitoring.scan(session, on)
    session.commit()
    return result


def open_flags(session, enterprise_id=None) -> dict:
    """``{kind: severity}`` of the open flags (of one enterprise)."""
    stmt = select(RiskFlag.kind, RiskFlag.severity).where(RiskFlag.closed_on.is_(None))
    if enterprise_id is not None:
        stmt = stmt.where(RiskFlag.enterprise_id == enterprise_id)
    return dict(session.execute(stmt).all())


def counts(session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (RiskFlag, RiskFlagChange, OutboxMail))


def rerun_changes_nothing(session, on: date) -> None:
    before = counts(session)
    flags_before = session.execute(select(RiskFlag.id, RiskFlag.severity, RiskFlag.detail,
                                          RiskFlag.last_seen_on, RiskFlag.closed_on)).all()
    again = run(session, on)
    assert (again.raised, again.escalated, again.deescalated, again.closed, again.mails_enqueued) == (0,) * 5
    assert counts(session) == before
    assert session.execute(select(RiskFlag.id, RiskFlag.severity, RiskFlag.detail, RiskFlag.last_seen_on,
                                  RiskFlag.closed_on)).all() == flags_before


def history(session, enterprise_id, kind) -> list[tuple]:
    return session.execute(
        select(RiskFlagChange.on, RiskFlagChange.action, RiskFlagChange.severity)
        .join(RiskFlag).where(RiskFlag.enterprise_id == enterprise_id, RiskFlag.kind == kind)
        .order_by(RiskFlagChange.id)).all()


def days(first: date, last: date):
    while first <= last:
        yield first
        first += timedelta(days=1)


# --- the 30-month walk -------------------------------------------------------------

def test_thirty_months_without_progress(session, dy, officer):
    """Admitted 2025-03-01, no progress: warning on 2026-09-01 (18 months),
    high on 2026-12-01 (21), expulsion due on 2027-03-01 (24) — not a day
    before — and the qualification (to 2026-06-30) warns from 90 days before
    its end and is high the day after it.  Each date is scanned twice."""
    enterprise = pool_member(session, dy, qualified_until=date(2026, 6, 30))
    session.commit()
    expected_no_progress = {date(2026, 8, 31): None, date(2026, 9, 1): "warning",
                            date(2026, 11, 30): "warning", date(2026, 12, 1): "high",
                            date(2027, 2, 28): "high", date(2027, 3, 1): "expulsion_due"}
    expected_qualification = {date(2026, 3, 31): None, date(2026, 4, 1): "warning",
                              date(2026, 6, 30): "warning", date(2026, 7, 1): "high"}
    walk = sorted({date(2025, 3, 1) + timedelta(days=30 * i) for i in range(31)}
                  | set(expected_no_progress) | set(expected_qualification))
    seen = {}
    for day in walk:
        run(session, day)
        rerun_changes_nothing(session, day)
        seen[day] = open_flags(session, enterprise.id)
        proposal = lc.expulsion_proposal(session, enterprise, day, snap(day))
        assert (seen[day].get("no_progress") == "expulsion_due") == (proposal is not None), day
    for day, severity in expected_no_progress.items():
        assert seen[day].get("no_progress") == severity, day
    for day, severity in expected_qualification.items():
        assert seen[day].get("qualification_expiring") == severity, day
    # Nothing else was ever raised for this healthy enterprise.
    assert set().union(*seen.values()) == {"no_progress", "qualification_expiring"}
    assert history(session, enterprise.id, "no_progress") == [
        (date(2026, 9, 1), "raised", "warning"), (date(2026, 12, 1), "escalated", "high"),
        (date(2027, 3, 1), "escalated", "expulsion_due")]
    flag = session.scalar(select(RiskFlag).where(RiskFlag.kind == "no_progress"))
    assert (flag.opened_on, flag.escalated_on, flag.last_seen_on) == (
        date(2026, 9, 1), date(2027, 3, 1), walk[-1])
    assert "2025-03-01（入库）" in flag.detail and "已满 24 个月（2027-03-01 届满）" in flag.detail
    assert flag.evidence == {"window_start": "2025-03-01", "months_reached": 24, "due_on": "2027-03-01"}
    # A renewal that covers today closes the qualification flag.
    qualify(session, enterprise, date(2027, 3, 1), date(2030, 2, 28))
    session.commit()
    run(session, walk[-1] + timedelta(days=1))
    assert "qualification_expiring" not in open_flags(session, enterprise.id)
    assert history(session, enterprise.id, "qualification_expiring")[-1][1:] == ("closed", "high")


@pytest.mark.parametrize("admitted, scans", [
    # Month ends: add_months clamps, so the 18th month of 2024-08-31 ends on 2026-02-28.
    (date(2024, 8, 31), {date(2026, 2, 27): None, date(2026, 2, 28): "warning",
                         date(2026, 5, 30): "warning", date(2026, 5, 31): "high",
                         date(2026, 8, 30): "high", date(2026, 8, 31): "expulsion_due"}),
    (date(2024, 2, 29), {date(2025, 8, 28): None, date(2025, 8, 29): "warning",
                         date(2026, 2, 27): "high", date(2026, 2, 28): "expulsion_due"}),
])
def test_no_progress_months_follow_add_months(session, dy, admitted, scans):
    enterprise = pool_member(session, dy, admitted)
    for day, severity in scans.items():
        found = monitoring.assess(session, day)
        assert getattr(found.get((enterprise.id, "no_progress")), "severity", None) == severity, day
        start = lc.progress_window_start(session, enterprise, day)
        months = lc.months_without_progress(start, day)
        assert (severity is None) == (months < 18)


def test_progress_closes_and_deescalates_no_progress(session, dy, officer):
    enterprise = pool_member(session, dy)
    run(session, date(2027, 3, 1))
    assert open_flags(session, enterprise.id) == {"no_progress": "expulsion_due"}
    # A progress effective 2025-08-01 (recorded late): 19 months by 2027-03-02 → warning.
    event = lc.record_progress(session, enterprise, actor=officer, on=date(2025, 8, 1), today=mf.TODAY,
                               subtype="patent_industrialized", reason="新增产业化专利 ZL2024…")
    session.commit()
    result = run(session, date(2027, 3, 2))
    assert (result.deescalated, result.raised, result.closed) == (1, 0, 0)
    assert open_flags(session, enterprise.id) == {"no_progress": "warning"}
    assert "自 2025-08-01（上次实质性进展）起" in session.scalar(select(RiskFlag.detail))
    # Voiding that progress brings expulsion back (an escalation, with a mail).
    lc.correct(session, event, actor=officer, on=date(2027, 3, 3), today=date(2027, 3, 3), reason="误录")
    session.commit()
    result = run(session, date(2027, 3, 3))
    assert (result.escalated, result.mails_enqueued) == (1, 1)
    assert open_flags(session, enterprise.id) == {"no_progress": "expulsion_due"}
    # A progress today restarts the window: the flag closes.
    lc.record_progress(session, enterprise, actor=officer, on=date(2027, 3, 4), today=date(2027, 3, 4),
                       subtype="new_pi_product", reason="新认定专利密集型产品")
    session.commit()
    assert run(session, date(2027, 3, 4)).closed == 1
    assert open_flags(session, enterprise.id) == {}
    assert [action for _, action, _ in history(session, enterprise.id, "no_progress")] == [
        "raised", "deescalated", "escalated", "closed"]
    rerun_changes_nothing(session, date(2027, 3, 4))


def test_integrity_incident_is_expulsion_due_until_corrected(session, dy, officer):
    enterprise = pool_member(session, dy)
    run(session, date(2025, 6, 1))
    assert open_flags(session) == {}
    incident = lc.record_incident(session, enterprise, actor=officer, on=date(2025, 6, 10), today=mf.TODAY,
                                  subtype="data_fraud", reason="申报数据造假")
    session.commit()
    assert open_flags(session) == {}, "not before it is effective"
    run(session, date(2025, 6, 9))
    assert open_flags(session) == {}
    result = run(session, date(2025, 6, 10))
    assert (result.raised, result.mails_enqueued) == (1, 1)
    flag = session.scalar(select(RiskFlag))
    assert (flag.kind, flag.severity) == ("integrity_incident", "expulsion_due")
    assert "2025-06-10 数据造假：申报数据造假" in flag.detail
    assert flag.evidence["incidents"][0]["event_id"] == incident.id
    assert lc.expulsion_proposal(session, enterprise, date(2025, 6, 10), snap(date(2025, 6, 10))).rule == "b"
    lc.correct(session, incident, actor=officer, on=date(2025, 6, 12), today=mf.TODAY, reason="经核实不属实")
    session.commit()
    assert run(session, date(2025, 6, 12)).closed == 1
    assert open_flags(session) == {}


# --- annual data, drift, graduation -------------------------------------------------

def test_annual_data_missing_after_the_deadline(session, dy):
    enterprise = pool_member(session, dy, years=range(2022, 2025))  # nothing for 2025
    session.add(YearlyFigure(enterprise_id=enterprise.id, year=2025, operating_revenue=Decimal("3000"),
                             employees=100))
    session.commit()
    expected = {date(2026, 5, 31): None, date(2026, 6, 1): "warning",
                date(2026, 6, 29): "warning", date(2026, 6, 30): "high"}
    for day, severity in expected.items():
        run(session, day)
        assert open_flags(session, enterprise.id).get("annual_data_missing") == severity, day
    flag = session.scalar(select(RiskFlag).where(RiskFlag.kind == "annual_data_missing"))
    assert flag.detail == "2025 年度数据未在截止日 2026-05-31 前报送完整（缺少：研发投入、研发人员数），逾期已满 30 天"
    assert flag.evidence == {"year": 2025, "deadline": "2026-05-31", "missing": ["rd_expense", "rd_staff"]}
    # Still open in January (the 2026-05-31 deadline is the latest passed).
    run(session, date(2027, 1, 15))
    assert open_flags(session, enterprise.id)["annual_data_missing"] == "high"
    figure = session.scalar(select(YearlyFigure).where(YearlyFigure.year == 2025))
    figure.rd_expense, figure.rd_staff = Decimal("600"), 30
    session.commit()
    assert run(session, date(2027, 1, 16)).closed == 1
    assert "annual_data_missing" not in open_flags(session, enterprise.id)


def test_members_admitted_after_the_deadline_owe_nothing_yet(session, dy):
    late = pool_member(session, dy, admitted=date(2026, 6, 15), years=())
    early = pool_member(session, dy, admitted=date(2026, 5, 31), years=())
    found = monitoring.assess(session, date(2026, 7, 1))
    assert (late.id, "annual_data_missing") not in found
    assert found[(early.id, "annual_data_missing")].severity == "high"


def _drifting(session, dy, figure=None, patents=((True,), ), leader=True, partner=False):
    """A member whose 2025 figures are ``figure`` (revenue, rd, employees, staff)."""
    enterprise = mf.enterprise(session, dy, state="admitted", admitted_on=ADMITTED, has_rd_leader=leader)
    qualify(session, enterprise, date(2023, 1, 1), date(2031, 1, 1))
    if figure:
        revenue, rd, employees, staff = figure
        session.add(YearlyFigure(enterprise_id=enterprise.id, year=2025, operating_revenue=revenue,
                                 rd_expense=rd, employees=employees, rd_staff=staff))
    rows = [Patent(enterprise_id=enterprise.id, number=f"P{enterprise.id}-{n}", kind="invention",
                   status="valid", origin="self", core=True, industrialized=industrialized)
            for n, (industrialized,) in enumerate(patents)]
    session.add_all(rows)
    brand(session, enterprise, rows[:1])
    if partner:
        session.add(ResearchPartnership(enterprise_id=enterprise.id, partner="湖北理工学院",
                                        partner_type="university", valid_from=date(2024, 1, 1),
                                        valid_to=date(2027, 12, 31)))
    session.flush()
    return enterprise


def test_criteria_drift_boundaries(session, dy):
    D = Decimal
    cases = {
        "exactly 10 %": (_drifting(session, dy, (D("2002"), D("200.2"), 100, 20)), None),
        "just below 10 %": (_drifting(session, dy, (D("2002.01"), D("200.2"), 100, 20)), [6]),
        "500 万元 rescues the ratio": (_drifting(session, dy, (D("90000"), D("500"), 100, 20)), None),
        "staff 19 of 100": (_drifting(session, dy, (D("1000"), D("100"), 100, 19)), [7]),
        "partnership rescues staff": (_drifting(session, dy, (D("1000"), D("100"), 100, 19), partner=True), None),
        "no R&D leader": (_drifting(session, dy, (D("1000"), D("100"), 100, 50), leader=False, partner=True), [7]),
        "1 of 2 industrialised": (_drifting(session, dy, (D("1000"), D("100"), 100, 20),
                                            patents=((True,), (False,))), None),
        "1 of 3 industrialised": (_drifting(session, dy, (D("1000"), D("100"), 100, 20),
                                            patents=((True,), (False,), (False,))), [5]),
        "unknown could reach 50 %": (_drifting(session, dy, (D("1000"), D("100"), 100, 20),
                                               patents=((True,), (False,), (None,))), None),
        # Without a valid patent the main product has no core patent either (第4条).
        "no valid patent": (_drifting(session, dy, (D("1000"), D("100"), 100, 20), patents=()), [4, 5]),
        "no figures: not drift": (_drifting(session, dy, None), None),
        "revenue unknown, rd low": (_drifting(session, dy, (None, D("100"), 100, 20)), None),
        "zero revenue, rd low": (_drifting(session, dy, (D("0"), D("100"), 100, 20)), [6]),
        "zero employees": (_drifting(session, dy, (D("1000"), D("100"), 0, 0)), [7]),
    }
    found = monitoring.assess(session, date(2026, 3, 1))
    for name, (enterprise, failing) in cases.items():
        flag = found.get((enterprise.id, "criteria_drift"))
        assert (flag.evidence["criteria"] if flag else None) == failing, name
        if flag:
            assert flag.severity == "high"
            assert flag.detail.startswith("按 2025 年度数据及企业记录，不再符合第")
    assert "研发投入占营业收入比重 9.99995% < 10%" in found[(cases["just below 10 %"][0].id, "criteria_drift")].detail


def test_criteria_drift_agrees_with_the_criteria(session, dy):
    """Random records around the thresholds: the scan, which loads the whole
    pool's records set-based and keeps their verdicts, flags exactly the
    criteria that 资格自检's engine fails on each record loaded on its own
    through the ORM (the enterprise page's verdict) — but criterion 2, which
    is qualification_expiring's."""
    rng = random.Random(7)
    as_of = date(2026, 3, 1)
    members = []
    for _ in range(60):
        employees = rng.choice((None, 0, 10, 100, 101))
        staff = rng.choice([None] + [n for n in (0, 2, 20, 21) if employees is None or n <= (employees or 0)])
        figure = (rng.choice((None, Decimal("0"), Decimal("1000"), Decimal("1000.01"))),
                  rng.choice((None, Decimal("99.99"), Decimal("100"), Decimal("500"))), employees, staff)
        patents = tuple((rng.choice((True, False, None)),) for _ in range(rng.randint(0, 4)))
        members.append(_drifting(session, dy, figure, patents=patents,
                                 leader=rng.choice((True, False, None)), partner=rng.random() < 0.3))
    session.commit()
    found = monitoring.assess(session, as_of)
    rules = rulebooks.load(session)
    flagged = 0
    for member in members:
        session.expire_all()
        evaluation = record_verdict(session.get(Enterprise, member.id), as_of, rules)
        failing = [c.id for c in evaluation.criteria if c.status == "fail" and c.id != 2]
        flag = found.get((member.id, "criteria_drift"))
        assert (flag.evidence["criteria"] if flag else []) == failing
        flagged += bool(flag)
    assert 10 < flagged < 60  # the thresholds were straddled


def test_thresholds_and_amounts_beyond_64_bits_are_still_exact(session, dy):
    """A ratio with seven decimals, or an amount whose product with it would
    overflow 64 bits: the verdict stays exact."""
    from pool.eligibility.policy import DEFAULT_PARAMETERS, Parameter
    policy = Policy(DEFAULT_PARAMETERS + (
        Parameter("min_rd_staff_ratio", Decimal("0.2000001"), date(2025, 1, 1), "测试"),
        Parameter("min_rd_ratio", Decimal("0.15"), date(2025, 1, 1), "测试")))
    D = Decimal
    huge = D("999999999999.99")  # just under the contract's bound: 10^16 yuan, times 0.15 is exact
    cases = {
        "20 of 100 < 20.00001 %": (_drifting(session, dy, (D("1000"), D("600"), 100, 20)), [7]),
        "21 of 100": (_drifting(session, dy, (D("1000"), D("600"), 100, 21)), None),
        "huge revenue, little R&D": (_drifting(session, dy, (huge, D("100"), 100, 30)), [6]),
        "huge revenue, 500 万元": (_drifting(session, dy, (huge, D("500"), 100, 30)), None),
        # Past the contract's bound the record is no valid applicant: not judged, so no drift.
        "beyond the bound": (_drifting(session, dy, (D("1000000000000"), D("100"), 100, 30)), None),
    }
    as_of = date(2026, 3, 1)
    found = monitoring.assess(session, as_of, Rulebook(policy, rulebooks.load(session).industries))
    for name, (enterprise, failing) in cases.items():
        flag = found.get((enterprise.id, "criteria_drift"))
        assert (flag.evidence["criteria"] if flag else None) == failing, name
    assert "20% < 20.00001%" in found[(cases["20 of 100 < 20.00001 %"][0].id, "criteria_drift")].detail


def _graduation_case(session, dy, *, admitted=ADMITTED, certified=None, base=None, now=None):
    enterprise = pool_member(session, dy, admitted)
    product = Product(enterprise_id=enterprise.id, name="高性能磁材", main=True, patent_intensive=True,
                      certified_on=certified or date(2024, 6, 1))
    session.add(product)
    session.flush()
    for year, values in ((admitted.year, base), (2026, now)):
        if values:
            session.add(ProductFigure(product_id=product.id, year=year, sales=Decimal(values[0]),
                                      profit=Decimal(values[1])))
    session.flush()
    return enterprise


def test_graduation_ready_is_the_graduation_proposal(session, dy):
    as_of = date(2027, 3, 1)
    cases = [
        _graduation_case(session, dy, certified=date(2025, 3, 2)),  # (a) the day after admission
        _graduation_case(session, dy, certified=date(2025, 3, 1)),  # admission day: not "after"
        _graduation_case(session, dy, admitted=date(2026, 3, 2), certified=date(2026, 4, 1)),  # < 12 months
        _graduation_case(session, dy, admitted=date(2026, 3, 1), certified=date(2026, 4, 1)),  # 12 months
        _graduation_case(session, dy, base=("1000", "100"), now=("1200", "120")),  # (b) exactly +20 %
        _graduation_case(session, dy, base=("1000", "100"), now=("1200", "119.99")),  # profit short
        _graduation_case(session, dy, base=("1000", "0"), now=("5000", "500")),  # no baseline profit
        _graduation_case(session, dy, base=("1000", "100"), now=None),  # no 2026 figures
    ]
    found = monitoring.assess(session, as_of)
    ready = []
    for enterprise in cases:
        proposal = lc.graduation_proposal(session, enterprise, as_of, snap(as_of))
        flag = found.get((enterprise.id, "graduation_ready"))
        assert (flag is None) == (proposal is None), enterprise.id
        if flag:
            assert (flag.severity, flag.detail, flag.evidence["rule"]) == ("info", proposal.reason, proposal.rule)
            ready.append(cases.index(enterprise))
    assert ready == [0, 3, 4]


# --- the pool, history, mails ----------------------------------------------------------

def test_flags_close_when_the_enterprise_leaves_the_pool(session, dy):
    enterprise = pool_member(session, dy)
    run(session, date(2026, 9, 1))
    assert open_flags(session) == {"no_progress": "warning"}
    enterprise.state, enterprise.state_changed_on = "graduated", date(2026, 9, 10)
    session.commit()
    run(session, date(2026, 9, 9))
    assert open_flags(session) == {"no_progress": "warning"}, "still a member the day before"
    assert run(session, date(2026, 9, 10)).closed == 1
    change = session.scalar(select(RiskFlagChange).order_by(RiskFlagChange.id.desc()))
    assert (change.action, change.detail) == ("closed", "企业已不在培育库中")


def test_an_earlier_date_is_refused_and_history_is_kept(session, dy):
    pool_member(session, dy)
    run(session, date(2026, 12, 1))
    before = counts(session)
    with pytest.raises(monitoring.ScanRefused, match="早于上次扫描日期 2026-12-01"):
        monitoring.scan(session, date(2026, 11, 30))
    session.rollback()
    assert counts(session) == before
    # Looking at the past is a read: assess writes nothing.
    assert monitoring.assess(session, date(2026, 9, 1))
    assert counts(session) == before


def test_one_open_flag_per_enterprise_and_kind(session, dy):
    enterprise = pool_member(session, dy)
    row = dict(enterprise_id=enterprise.id, county_id=dy.id, kind="no_progress", severity="warning",
               opened_on=date(2026, 1, 1), last_seen_on=date(2026, 1, 1), detail="", evidence={})
    session.add(RiskFlag(**row, closed_on=date(2026, 1, 2)))
    session.add(RiskFlag(**row))
    session.flush()  # a closed one and an open one coexist
    session.add(RiskFlag(**row))
    with pytest.raises(IntegrityError):
        session.flush()


def test_officers_get_one_mail_per_scan_for_new_urgent_flags(session, dy, officer):
    yx = mf.county(session, "420222", "阳新县")
    mf.user(session, "yx_officer", county=yx)
    second = mf.user(session, "dy_second", county=dy)
    quiet = mf.user(session, "dy_inactive", county=dy)
    quiet.active = False
    mf.user(session, "dy_no_mail", county=dy).email = None
    first = pool_member(session, dy, admitted=date(2025, 3, 1))
    other = pool_member(session, dy, admitted=date(2025, 3, 5))
    session.commit()
    assert run(session, date(2026, 9, 1)).mails_enqueued == 0, "a warning mails nobody"
    result = run(session, date(2026, 12, 5))  # the first reaches 21 months, the other 21 at once
    assert (result.escalated, result.raised, result.mails_enqueued) == (1, 1, 2)
    mails = session.scalars(select(OutboxMail).order_by(OutboxMail.to_addr)).all()
    assert [m.to_addr for m in mails] == [officer.email, second.email]
    mail = mails[0]
    assert mail.subject == "【培育库】大冶市新增 2 项高风险提示（2026-12-05）"
    assert first.name in mail.text_body and other.name in mail.text_body
    assert "已满 21 个月" in mail.text_body and first.name in mail.html_body
    assert (mail.reason, mail.state, mail.county_id) == ("alert", "pending", dy.id)
    rerun_changes_nothing(session, date(2026, 12, 5))
    run(session, date(2026, 12, 6))
    assert session.scalar(select(func.count()).select_from(OutboxMail)) == 2


def test_a_long_alert_lists_fifty_and_counts_the_rest(session, dy, officer):
    for _ in range(52):
        pool_member(session, dy)
    session.commit()
    result = run(session, date(2026, 12, 1))  # 52 flags reach 21 months at once
    assert (result.raised, result.mails_enqueued) == (52, 1)
    mail = session.scalars(select(OutboxMail)).one()
    assert mail.subject == "【培育库】大冶市新增 52 项高风险提示（2026-12-01）"
    assert "50. " in mail.text_body and "51. " not in mail.text_body
    assert "……另有 2 项未列出，请登录培育库查看。" in mail.text_body
    chinese, english = mail.html_body.split('<div lang="en">')
    assert chinese.count("<tr>") == english.count("<tr>") == 50  # one row per listed flag, in each language
    assert "… 2 more not listed" in mail.text_body.split("—" * 20)[1]


def test_scan_cli_prints_the_result(app, runner, world):
    result = runner.invoke(args=["pool", "scan", "--as-of", "2026-09-01"])
    assert result.exit_code == 0, result.output
    assert "风险扫描 2026-09-01" in result.output
    assert "无实质性进展……" in result.output and "秒" in result.output
    assert "复核企业记录（1 家）……" in result.output  # world.dy_ent, the one member, judged ahead of the scan
    # world.dy_ent has no patents, figures or qualification: drift and missing data, no progress.
    assert "新增 3，升级 0，降级 0，关闭 0，未变 0" in result.output
    assert "待发提醒邮件 1 封" in result.output
    again = runner.invoke(args=["pool", "scan", "--as-of", "2026-09-01"])
    assert "新增 0，升级 0，降级 0，关闭 0，未变 3" in again.output
    earlier = runner.invoke(args=["pool", "scan", "--as-of", "2026-08-31"])
    assert earlier.exit_code == 1
    assert "早于上次扫描日期 2026-09-01" in earlier.output
    bad = runner.invoke(args=["pool", "scan", "--as-of", "2026-13-01"])
    assert bad.exit_code == 2


def test_contacts_are_not_officers(session, dy, officer):
    """Immediate mails go to officers only; contacts get the annual reminders."""
    enterprise = pool_member(session, dy)
    enterprise.contacts.append(Contact(name="李四", email="ls@example.com"))
    session.commit()
    run(session, date(2026, 12, 1))
    assert session.scalars(select(OutboxMail.to_addr)).all() == [officer.email]
    assert session.scalar(select(User.email).where(User.id == officer.id)) == officer.email
