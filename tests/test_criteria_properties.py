"""Properties of the criteria that must hold for any data (Hypothesis)."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pool.eligibility.applicant import parse
from pool.eligibility.criteria import aggregate, evaluate
from pool.eligibility.outcome import STATUSES
from pool.eligibility.ratios import ratio
from pool.eligibility.policy import Policy

from .factories import AS_OF, OMIT, applicant, industry_table, partnership, patent, qualification

SNAPSHOT = Policy().in_force(AS_OF)
TABLE = industry_table()
RANK = {"fail": 0, "missing": 1, "review": 2, "pass": 3}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

amounts = st.decimals(min_value=0, max_value=10 ** 6, places=2, allow_nan=False, allow_infinity=False)
ratios = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)


def status(number, data, as_of=AS_OF):
    snapshot = SNAPSHOT if as_of == AS_OF else Policy().in_force(as_of)
    return evaluate(parse(data), as_of, snapshot, TABLE).criterion(number).status


@SETTINGS
@given(rd=amounts, extra=amounts, revenue=st.one_of(amounts, st.just(OMIT)))
def test_more_rd_never_turns_c6_from_pass_to_fail(rd, extra, revenue):
    before = status(6, applicant(rd_expense=rd, operating_revenue=revenue))
    after = status(6, applicant(rd_expense=rd + extra, operating_revenue=revenue))
    assert RANK[after] >= RANK[before]


@SETTINGS
@given(rd=amounts, revenue=amounts, extra=amounts)
def test_more_revenue_never_helps_c6(rd, revenue, extra):
    # Except from zero: SPEC makes the ratio test fail at zero revenue, while
    # any positive revenue below rd_expense / 10 % passes it.
    assume(revenue > 0)
    before = status(6, applicant(rd_expense=rd, operating_revenue=revenue))
    after = status(6, applicant(rd_expense=rd, operating_revenue=revenue + extra))
    assert RANK[after] <= RANK[before]


flags = st.sampled_from([True, False, OMIT])


@SETTINGS
@given(existing=st.lists(flags, max_size=8), added=st.integers(1, 3))
def test_more_valid_industrialised_patents_never_lower_c5(existing, added):
    patents = [patent(number=f"ZL{i}", industrialized=flag) for i, flag in enumerate(existing)]
    more = patents + [patent(number=f"ZLN{i}", industrialized=True) for i in range(added)]
    before = status(5, applicant(patents=patents, products=[]))
    after = status(5, applicant(patents=more, products=[]))
    assert RANK[after] >= RANK[before]  # fail < missing < pass: a known good patent only helps


@SETTINGS
@given(employees=st.integers(1, 5000), share=ratios, more=st.integers(0, 50), partner=st.booleans())
def test_more_rd_staff_never_turns_c7_from_pass_to_fail(employees, share, more, partner):
    staff = int(employees * share)
    partners = [partnership()] if partner else []
    before = status(7, applicant(employees=employees, rd_staff=staff, research_partnerships=partners))
    after = status(7, applicant(employees=employees, rd_staff=min(employees, staff + more),
                                research_partnerships=partners))
    assert RANK[after] >= RANK[before]


@SETTINGS
@given(days=st.integers(-800, 800), length=st.integers(0, 1200))
def test_c2_counts_a_certificate_exactly_on_the_days_it_covers(days, length):
    start = AS_OF + timedelta(days=days)
    end = start + timedelta(days=length)
    result = status(2, applicant(qualifications=[qualification(valid_from=start.isoformat(),
                                                                valid_to=end.isoformat())]))
    assert (result == "pass") == (start <= AS_OF <= end)


@SETTINGS
@given(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=10))
def test_verdict_order_fail_missing_review_pass(statuses):
    verdict = aggregate(statuses)
    if "fail" in statuses:
        assert verdict == "ineligible"
    elif "missing" in statuses:
        assert verdict == "incomplete"
    elif "review" in statuses:
        assert verdict == "needs_review"
    else:
        assert verdict == "eligible"
    # Turning any status into a worse one never gives a better verdict.
    order = ["eligible", "needs_review", "incomplete", "ineligible"]
    worse = [{"pass": "review", "review": "missing", "missing": "fail", "fail": "fail"}[s] for s in statuses]
    assert order.index(aggregate(worse)) >= order.index(verdict)


@SETTINGS
@given(numerator=amounts, denominator=amounts, threshold=ratios)
def test_ratio_text_agrees_with_the_exact_comparison(numerator, denominator, threshold):
    assume(denominator > 0)
    passed, text = ratio(numerator, denominator, threshold)
    assert passed == (numerator >= threshold * denominator)  # exact: few digits, no rounding here
    shown = Decimal(text.split("%")[0])
    assert (shown >= threshold * 100) == passed  # the figure shown never contradicts the sign
    assert (" ≥ " in text) == passed


@SETTINGS
@given(employees=st.one_of(st.integers(0, 3000), st.just(OMIT)),
       revenue=st.one_of(amounts, st.just(OMIT)), rd=st.one_of(amounts, st.just(OMIT)),
       leader=flags, legal=flags, patents=st.lists(st.builds(
           lambda core, ind, st_: patent(core=core, industrialized=ind, status=st_),
           flags, flags, st.sampled_from(["valid", "expired"])), max_size=4, unique_by=lambda p: id(p)),
       as_of=st.dates(date(2024, 9, 30), date(2030, 12, 31)))
def test_any_valid_applicant_gets_ten_known_statuses_and_chinese_details(employees, revenue, rd, leader, legal,
                                                                        patents, as_of):
    for i, item in enumerate(patents):
        item["number"] = f"ZL{i}"
    data = applicant(employees=employees, rd_staff=0 if employees is not OMIT else OMIT, operating_revenue=revenue,
                     rd_expense=rd, has_rd_leader=leader, independent_legal_person=legal, patents=patents)
    evaluation = evaluate(parse(data), as_of, Policy().in_force(as_of), TABLE)
    assert [c.id for c in evaluation.criteria] == list(range(1, 11))
    for c in evaluation.criteria:
        assert c.status in STATUSES and c.detail
    assert evaluation.verdict == aggregate(c.status for c in evaluation.criteria)
