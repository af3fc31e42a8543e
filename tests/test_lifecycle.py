"""Pool lifecycle (SPEC §3): transitions, reviews, quota, intake rounds, pool on a date.

Every scenario runs over explicit dates.  The helpers at the top are shared
with ``test_lifecycle_proposals`` and ``test_lifecycle_concurrency``.
"""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import CITY_ADMIN, Enterprise, IntakeRound, PoolEvent, Product, ProductFigure
from models.event import OUTCOME, REVIEW, STATE_CHANGE
from pool.membership import intake
from pool.membership import lifecycle as lc
from pool.eligibility.criteria import aggregate, check
from pool.eligibility.policy import Policy

from . import factories as af
from . import model_factories as mf

POLICY = Policy()


def snap(on: date):
    return POLICY.in_force(on)


def evaluation(on: date, review=(), fail=(), missing=()) -> dict:
    """A verdict record shaped like ``Evaluation.to_record()``."""
    def status(i):
        return ("fail" if i in fail else "missing" if i in missing
                else "review" if i in review else "pass")
    criteria = [{"id": i, "status": status(i), "detail": f"第{i}条的说明", "title": f"条件{i}",
                 "source": f"附件2 第{i}条"} for i in range(1, 11)]
    return {"verdict": aggregate(c["status"] for c in criteria), "criteria": criteria,
            "as_of": on.isoformat(), "parameters": []}


def open_round(session, opened: date, closed: date | None, name="首批") -> IntakeRound:
    intake = IntakeRound(name=name, opened_on=opened, closed_on=closed)
    session.add(intake)
    session.flush()
    return intake


def applicant(session, county, officer, on: date) -> Enterprise:
    enterprise = mf.enterprise(session, county)
    lc.apply(session, enterprise, actor=officer, on=on, today=on)
    return enterprise


def admit(session, enterprise, officer, on: date, **kw):
    kw.setdefault("evaluation", evaluation(on))
    return lc.admit(session, enterprise, actor=officer, on=on, today=on, snapshot=snap(on), **kw)


def member(session, county, officer, admitted: date) -> Enterprise:
    """An enterprise applied the day before and admitted on ``admitted``."""
    enterprise = applicant(session, county, officer, date.fromordinal(admitted.toordinal() - 1))
    admit(session, enterprise, officer, admitted)
    return enterprise


def certify(session, enterprise, certified_on: date, name="专利密集型产品") -> Product:
    product = Product(enterprise_id=enterprise.id, name=name, patent_intensive=True,
                      certified_on=certified_on)
    session.add(product)
    session.flush()
    return product


def figures(session, product, year: int, sales: str, profit: str) -> ProductFigure:
    figure = ProductFigure(product_id=product.id, year=year, sales=Decimal(sales),
                           profit=Decimal(profit))
    session.add(figure)
    session.flush()
    return figure


def graduate_by_new_product(session, enterprise, officer, on: date):
    """Certify a product the day after admission and graduate by rule (a) on ``on``."""
    certify(session, enterprise, date.fromordinal(enterprise.admitted_on.toordinal() + 1))
    return lc.graduate(session, enterprise, actor=officer, on=on, today=on, rule="a",
                       reason="新增专利密集型产品", snapshot=snap(on))


def event_count(session) -> int:
    return session.scalar(select(func.count(PoolEvent.id)))


def refused(session, match: str, action, *args, **kwargs) -> lc.TransitionRefused:
    """Assert that ``action`` is refused with ``match`` and writes nothing."""
    before_events = event_count(session)
    before_rows = session.execute(select(Enterprise.id, Enterprise.state, Enterprise.admitted_on,
                                         Enterprise.state_changed_on)).all()
    with pytest.raises(lc.TransitionRefused, match=match) as info:
        action(*args, **kwargs)
    session.flush()
    assert event_count(session) == before_events
    after_rows = session.execute(select(Enterprise.id, Enterprise.state, Enterprise.admitted_on,
                                        Enterprise.state_changed_on)).all()
    assert after_rows == before_rows
    return info.value


@pytest.fixture
def dy(session):
    return mf.county(session, "420281", "大冶市")


@pytest.fixture
def officer(session, dy):
    return mf.user(session, "dy_officer", county=dy)


# --- apply, admit, reject ------------------------------------------------------

def test_apply_records_the_first_event(session, dy, officer):
    enterprise = mf.enterprise(session, dy)
    event = lc.apply(session, enterprise, actor=officer, on=date(2025, 1, 10), today=mf.TODAY)
    assert (event.kind, event.from_state, event.to_state) == (STATE_CHANGE, None, "applied")
    assert (event.actor_id, event.effective_on, event.county_id) == (officer.id, date(2025, 1, 10), dy.id)
    assert event.recorded_at is not None
    assert enterprise.state_changed_on == date(2025, 1, 10)
    refused(session, "已有申报记录", lc.apply, session, enterprise, actor=officer,
            on=date(2025, 1, 11), today=mf.TODAY)


def test_admission_in_an_intake_round(session, dy, officer):
    intake = open_round(session, date(2025, 1, 1), date(2025, 3, 31))
    enterprise = applicant(session, dy, officer, date(2025, 1, 10))
    record = evaluation(date(2025, 2, 1))
    event = admit(session, enterprise, officer, date(2025, 2, 1), evaluation=record)
    assert (event.from_state, event.to_state, event.replenishment) == ("applied", "admitted", False)
    assert event.intake_round_id == intake.id
    assert event.evidence["evaluation"] == record
    assert event.evidence["quota"] is None
    assert "首批" in event.reason
    assert (enterprise.state, enterprise.admitted_on, enterprise.state_changed_on) == (
        "admitted", date(2025, 2, 1), date(2025, 2, 1))


def test_a_real_evaluation_record_can_be_admitted_after_review(session, dy, officer):
    """The record ``pool.eligibility.criteria`` stores is what ``admit`` accepts."""
    open_round(session, date(2024, 9, 1), None)
    outside_table = af.industry_table("C3130")  # criterion 3 (industry) becomes review
    record = check(af.applicant(), af.AS_OF, POLICY, outside_table).to_record()
    assert record["verdict"] == "needs_review"
    enterprise = applicant(session, dy, officer, af.AS_OF)
    refused(session, "尚未决定：第3条", admit, session, enterprise, officer, af.AS_OF, evaluation=record)
    admit(session, enterprise, officer, af.AS_OF, evaluation=record,
          reviews={3: ("waive", "主营半导体检测设备，属专利密集型产业")})
    assert enterprise.state == "admitted"


def test_needs_review_is_refused_until_every_review_is_resolved_with_a_reason(session, dy, officer):
    open_round(session, date(2025, 1, 1), None)
    enterprise = applicant(session, dy, officer, date(2025, 1, 10))
    on = date(2025, 2, 1)
    record = evaluation(on, review=(2, 3))
    assert record["verdict"] == "needs_review"
    refused(session, "尚未决定：第2条、第3条", admit, session, enterprise, officer, on, evaluation=record)
    refused(session, "尚未决定：第3条", admit, session, enterprise, officer, on, evaluation=record,
            reviews={2: ("waive", "持有省级专精特新证书，待国家认定")})
    refused(session, "第3条的复核决定须写明理由", admit, session, enterprise, officer, on,
            evaluation=record, reviews={2: ("waive", "理由"), 3: ("waive", "  ")})
    refused(session, "不予豁免第3条（主营不属专利密集型产业）", admit, session, enterprise, officer, on,
            evaluation=record,
            reviews={2: ("waive", "理由"), 3: ("refuse", "主营不属专利密集型产业")})
    refused(session, "第5条结果为 pass，不是待复核条件", admit, session, enterprise, officer, on,
            evaluation=record, reviews={2: ("waive", "理由"), 3: ("waive", "理由"), 5: ("waive", "理由")})
    refused(session, "须为 waive 或 refuse", admit, session, enterprise, officer, on,
            evaluation=record, reviews={2: ("waive", "理由"), 3: ("accept", "理由")})

    event = admit(session, enterprise, officer, on, evaluation=record,
                  reviews={2: ("waive", "持有省级专精特新证书"), 3: ("waive", "主营属新材料制造")})
    reviews = session.scalars(select(PoolEvent).where(PoolEvent.kind == REVIEW)
                              .order_by(PoolEvent.id)).all()
    assert [(r.subtype, r.evidence["criterion_id"], r.reason, r.actor_id) for r in reviews] == [
        ("waive", 2, "持有省级专精特新证书", officer.id), ("waive", 3, "主营属新材料制造", officer.id)]
    assert reviews[0].evidence["detail"] == "第2条的说明"
    assert event.evidence["reviews"] == [
        {"criterion_id": 2, "decision": "waive", "reason": "持有省级专精特新证书"},
        {"criterion_id": 3, "decision": "waive", "reason": "主营属新材料制造"}]


def test_verdicts_that_do_not_allow_admission(session, dy, officer):
    open_round(session, date(2025, 1, 1), None)
    enterprise = applicant(session, dy, officer, date(2025, 1, 10))
    on = date(2025, 2, 1)
    refused(session, "“不符合”.*第5条 fail", admit, session, enterprise, officer, on,
            evaluation=evaluation(on, fail=(5,), review=(2,)), reviews={2: ("waive", "理由")})
    refused(session, "“资料不全”.*第6条 missing", admit, session, enterprise, officer, on,
            evaluation=evaluation(on, missing=(6,)))
    forged = evaluation(on, review=(2,)) | {"verdict": "eligible"}
    refused(session, "自相矛盾", admit, session, enterprise, officer, on, evaluation=forged)
    refused(session, "评估日期 2025-02-02 晚于办理日期 2025-02-01", admit, session, enterprise,
            officer, on, evaluation=evaluation(date(2025, 2, 2)))
    refused(session, "格式不正确", admit, session, enterprise, officer, on, evaluation={"verdict": "eligible"})


def test_reject_needs_a_reason_and_records_the_refused_review(session, dy, officer):
    enterprise = applicant(session, dy, officer, date(2025, 1, 10))
    on = date(2025, 2, 1)
    record = evaluation(on, review=(3,))
    refused(session, "须写明理由", lc.reject, session, enterprise, actor=officer, on=on, today=on, reason=" ")
    event = lc.reject(session, enterprise, actor=officer, on=on, today=on, reason="主营业务不属专利密集型产业",
                      evaluation=record, reviews={3: ("refuse", "主营为普通五金加工")})
    assert (event.from_state, event.to_state, enterprise.state) == ("applied", "rejected", "rejected")
    review = session.scalar(select(PoolEvent).where(PoolEvent.kind == REVIEW))
    assert (review.subtype, review.evidence["criterion_id"], review.reason) == ("refuse", 3, "主营为普通五金加工")
    assert event.evidence["evaluation"]["verdict"] == "needs_review"


# --- illegal transitions ---------------------------------------------------------

def test_illegal_transitions_are_refused_and_write_nothing(session, dy, officer):
    open_round(session, date(2025, 1, 1), date(2025, 3, 31))
    applied = applicant(session, dy, officer, date(2025, 1, 10))
    admitted = member(session, dy, officer, date(2025, 2, 1))
    rejected = applicant(session, dy, officer, date(2025, 1, 10))
    lc.reject(session, rejected, actor=officer, on=date(2025, 2, 1), today=mf.TODAY, reason="不符合")
    on = date(2027, 6, 1)
    s = snap(on)

    refused(session, "当前状态为“已申报”，不能培育出库", lc.graduate, session, applied, actor=officer,
            on=on, today=on, rule="a", reason="x", snapshot=s)
    refused(session, "当前状态为“已申报”，不能退库", lc.expel, session, applied, actor=officer,
            on=on, today=on, basis="no_progress", reason="x", snapshot=s)
    refused(session, "当前状态为“培育中”，不能入库", admit, session, admitted, officer, date(2025, 3, 1))
    refused(session, "当前状态为“培育中”，不能不予入库", lc.reject, session, admitted, actor=officer,
            on=on, today=on, reason="x")
    refused(session, "当前状态为“未予入库”，不能入库", admit, session, rejected, officer, date(2025, 3, 1))
    refused(session, "当前状态为“未予入库”，不能退库", lc.expel, session, rejected, actor=officer,
            on=on, today=on, basis="no_progress", reason="x", snapshot=s)
    refused(session, "当前状态为“已申报”，不能记录实质性进展", lc.record_progress, session, applied,
            actor=officer, on=on, today=on, subtype="new_pi_product", reason="x")
    refused(session, "当前状态为“未予入库”，不能记录诚信事件", lc.record_incident, session, rejected,
            actor=officer, on=on, today=on, subtype="tax_evasion", reason="x")
    refused(session, "当前状态为“培育中”，不能标记接续培育", lc.record_outcome, session, admitted,
            actor=officer, on=on, today=on, subtype="continued_cultivation", reason="x")
    refused(session, "未知的实质性进展类型", lc.record_progress, session, admitted, actor=officer,
            on=on, today=on, subtype="new_trademark", reason="x")
    refused(session, "退库依据须为 no_progress 或 incident", lc.expel, session, admitted,
            actor=officer, on=on, today=on, basis="boredom", reason="x", snapshot=s)
    refused(session, "条件须为 a 或 b", lc.graduate, session, admitted, actor=officer, on=on, today=on,
            rule="c", reason="x", snapshot=s)

    lc.expel(session, admitted, actor=officer, on=on, today=on, basis="no_progress", reason="两年无进展",
             snapshot=s)
    later = date(2027, 7, 1)
    refused(session, "当前状态为“已退库”，不能培育出库", lc.graduate, session, admitted,
            actor=officer, on=later, today=later, rule="a", reason="x", snapshot=snap(later))
    refused(session, "当前状态为“已退库”，不能入库", admit, session, admitted, officer, later)


def test_an_event_cannot_be_dated_before_the_last_state_change(session, dy, officer):
    open_round(session, date(2025, 1, 1), None)
    enterprise = applicant(session, dy, officer, date(2025, 1, 10))
    refused(session, "入库日期 2025-01-09 早于该企业上次状态变更日期 2025-01-10", admit,
            session, enterprise, officer, date(2025, 1, 9), evaluation=evaluation(date(2025, 1, 1)))
    admit(session, enterprise, officer, date(2025, 2, 1))
    refused(session, "早于该企业上次状态变更日期 2025-02-01", lc.record_progress, session,
            enterprise, actor=officer, on=date(2025, 1, 31), today=mf.TODAY,
            subtype="new_pi_product", reason="x")


def test_an_officer_cannot_act_for_another_county(session, dy, officer):
    yx = mf.county(session, "420222", "阳新县")
    enterprise = mf.enterprise(session, yx)
    refused(session, "无权办理阳新县的企业", lc.apply, session, enterprise, actor=officer,
            on=date(2025, 1, 10), today=mf.TODAY)
    admin = mf.user(session, "admin", role=CITY_ADMIN)
    lc.apply(session, enterprise, actor=admin, on=date(2025, 1, 10), today=mf.TODAY)


# --- outcomes and corrections ------------------------------------------------------

def test_graduated_enterprise_continued_cultivation_and_outcomes(session, dy, officer):
    open_round(session, date(2025, 1, 1), date(2025, 3, 31))
    enterprise = member(session, dy, officer, date(2025, 2, 1))
    graduate_by_new_product(session, enterprise, officer, date(2026, 2, 1))
    refused(session, "须先标记接续培育", lc.record_outcome, session, enterprise, actor=officer,
            on=date(2026, 3, 1), today=mf.TODAY, subtype="little_giant", reason="获评国家级专精特新“小巨人”")
    lc.record_outcome(session, enterprise, actor=officer, on=date(2026, 3, 1), today=mf.TODAY,
                      subtype="continued_cultivation", reason="纳入接续培育名单")
    refused(session, "已于 2026-03-01 标记为接续培育", lc.record_outcome, session, enterprise,
            actor=officer, on=date(2026, 4, 1), today=mf.TODAY, subtype="continued_cultivation", reason="重复")
    lc.record_outcome(session, enterprise, actor=officer, on=date(2027, 7, 1), today=date(2027, 7, 1),
                      subtype="little_giant",
                      reason="获评国家级专精特新“小巨人”", evidence={"文号": "工信厅企业函〔2027〕1号"})
    outcomes = session.scalars(select(PoolEvent).where(PoolEvent.kind == OUTCOME)
                               .order_by(PoolEvent.id)).all()
    assert [o.subtype for o in outcomes] == ["continued_cultivation", "little_giant"]
    assert outcomes[1].evidence == {"文号": "工信厅企业函〔2027〕1号"}
    assert enterprise.state == "graduated"  # outcomes are not transitions


def test_corrections_are_new_events_and_state_changes_cannot_be_voided(session, dy, officer):
    open_round(session, date(2025, 1, 1), None)
    enterprise = member(session, dy, officer, date(2025, 2, 1))
    incident = lc.record_incident(session, enterprise, actor=officer, on=date(2025, 5, 1), today=mf.TODAY,
                                  subtype="data_fraud", reason="申报数据与税务数据不符")
    correction = lc.correct(session, incident, actor=officer, on=date(2025, 5, 10), today=mf.TODAY,
                            reason="系统比对口径错误，经核实数据真实")
    assert (correction.kind, correction.corrects_id, correction.subtype) == ("correction", incident.id, "incident")
    assert correction.evidence["corrected"]["reason"] == "申报数据与税务数据不符"
    assert session.get(PoolEvent, incident.id).reason == "申报数据与税务数据不符"  # untouched
    refused(session, "已被更正", lc.correct, session, incident, actor=officer,
            on=date(2025, 5, 11), today=mf.TODAY, reason="再次更正")
    admission = session.scalar(select(PoolEvent).where(PoolEvent.to_state == "admitted"))
    refused(session, "状态变更与复核决定不能撤销", lc.correct, session, admission, actor=officer,
            on=date(2025, 5, 11), today=mf.TODAY, reason="误操作")


# --- quota and intake rounds -----------------------------------------------------------

@pytest.fixture
def dy_history(session, dy, officer):
    """大冶市: 首批 round 2025-01-01..03-31; E1-E4 admitted, E5 rejected on 2025-02-01;
    E3 expelled 2025-06-02 after an incident; E1, E2 graduated 2026-02-01;
    R1-R4 replenished 2026-03-01 (quota 4/4)."""
    open_round(session, date(2025, 1, 1), date(2025, 3, 31))
    e = {f"E{i}": member(session, dy, officer, date(2025, 2, 1)) for i in range(1, 5)}
    e["E5"] = applicant(session, dy, officer, date(2025, 1, 10))
    lc.reject(session, e["E5"], actor=officer, on=date(2025, 2, 1), today=mf.TODAY, reason="第5条不符合")
    lc.record_incident(session, e["E3"], actor=officer, on=date(2025, 6, 1), today=mf.TODAY,
                       subtype="major_accident", reason="发生重大安全事故")
    lc.expel(session, e["E3"], actor=officer, on=date(2025, 6, 2), today=mf.TODAY, basis="incident",
             reason="重大安全事故，予以退库", snapshot=snap(date(2025, 6, 2)))
    for name in ("E1", "E2"):
        graduate_by_new_product(session, e[name], officer, date(2026, 2, 1))
    for i in range(1, 5):
        e[f"R{i}"] = member(session, dy, officer, date(2026, 3, 1))
    return e


def test_county_graduates_two_replenishes_four_and_the_fifth_is_refused(session, dy, officer, dy_history):
    on = date(2026, 3, 1)
    assert lc.quota(session, dy.id, date(2026, 1, 31), snap(date(2026, 1, 31))) == lc.Quota(0, 0, 0, 0)
    assert lc.quota(session, dy.id, date(2026, 2, 1), snap(date(2026, 2, 1))) == lc.Quota(2, 0, 4, 4)
    assert lc.quota(session, dy.id, on, snap(on)) == lc.Quota(2, 4, 4, 0)
    replenished = session.scalars(select(PoolEvent).where(PoolEvent.replenishment.is_(True))).all()
    assert len(replenished) == 4
    assert all(ev.intake_round_id is None for ev in replenished)
    assert replenished[-1].evidence["quota"] == {"graduated": 2, "replenished": 3, "limit": 4, "left": 1}

    fifth = applicant(session, dy, officer, date(2026, 3, 1))
    error = refused(session, "增补名额已用完", admit, session, fifth, officer, date(2026, 3, 2))
    assert str(error) == ("大冶市增补名额已用完：累计出库 2 家 × 2 = 4 个增补名额，"
                          "已增补 4 家（4/4），不能再增补入库")


def test_expulsions_free_no_quota(session, dy, officer, dy_history):
    on = date(2026, 5, 1)
    lc.record_incident(session, dy_history["R1"], actor=officer, on=on, today=on, subtype="tax_evasion",
                       reason="偷漏税")
    lc.expel(session, dy_history["R1"], actor=officer, on=on, today=on, basis="incident", reason="偷漏税",
             snapshot=snap(on))
    assert lc.quota(session, dy.id, on, snap(on)) == lc.Quota(2, 4, 4, 0)
    sixth = applicant(session, dy, officer, on)
    refused(session, r"4/4", admit, session, sixth, officer, on)


def test_quota_is_per_county(session, dy, officer, dy_history):
    yx = mf.county(session, "420222", "阳新县")
    yx_officer = mf.user(session, "yx_officer", county=yx)
    on = date(2026, 3, 2)
    assert lc.quota(session, yx.id, on, snap(on)) == lc.Quota(0, 0, 0, 0)
    refused(session, "阳新县增补名额已用完.*（0/0）", admit, session,
            applicant(session, yx, yx_officer, on), yx_officer, on)


def test_round_admission_consumes_no_quota_and_the_day_after_it_closes_it_does(session, dy, officer, dy_history):
    intake = open_round(session, date(2026, 6, 1), date(2026, 6, 30), name="第二批")
    last_day, day_after = date(2026, 6, 30), date(2026, 7, 1)
    inside = applicant(session, dy, officer, date(2026, 5, 20))
    event = admit(session, inside, officer, last_day)
    assert (event.replenishment, event.intake_round_id) == (False, intake.id)
    assert lc.quota(session, dy.id, last_day, snap(last_day)) == lc.Quota(2, 4, 4, 0)

    # The quota is full: outside the round the same admission is a replenishment, refused.
    outside = applicant(session, dy, officer, date(2026, 5, 20))
    refused(session, "4/4", admit, session, outside, officer, day_after)
    # A third graduation frees two places; now the admission counts against them.
    graduate_by_new_product(session, dy_history["R1"], officer, date(2027, 3, 1))
    on = date(2027, 3, 2)
    event = admit(session, outside, officer, on)
    assert (event.replenishment, event.intake_round_id) == (True, None)
    assert lc.quota(session, dy.id, on, snap(on)) == lc.Quota(3, 5, 6, 1)


def test_admission_the_day_after_a_round_closes_is_a_replenishment(session, dy, officer):
    open_round(session, date(2025, 1, 1), date(2025, 1, 31))
    graduated = member(session, dy, officer, date(2025, 1, 15))
    graduate_by_new_product(session, graduated, officer, date(2026, 1, 15))
    open_round(session, date(2026, 6, 1), date(2026, 6, 30), name="第二批")
    inside, after = (applicant(session, dy, officer, date(2026, 5, 1)) for _ in range(2))
    assert admit(session, inside, officer, date(2026, 6, 30)).replenishment is False
    on = date(2026, 7, 1)
    assert lc.quota(session, dy.id, on, snap(on)) == lc.Quota(1, 0, 2, 2)
    assert admit(session, after, officer, on).replenishment is True
    assert lc.quota(session, dy.id, on, snap(on)) == lc.Quota(1, 1, 2, 1)


def test_a_back_dated_replenishment_cannot_overfill_a_later_date(session, dy, officer):
    open_round(session, date(2025, 1, 1), date(2025, 1, 31))
    first, second = (member(session, dy, officer, date(2025, 1, 15)) for _ in range(2))
    graduate_by_new_product(session, first, officer, date(2026, 1, 15))
    for _ in range(2):
        member(session, dy, officer, date(2026, 5, 1))  # 2/2
    graduate_by_new_product(session, second, officer, date(2026, 9, 1))  # limit 4 from here
    late = applicant(session, dy, officer, date(2026, 1, 20))
    refused(session, "在 2026-05-01 已有增补（.*）且名额届时用完.*（2/2）.*不能补记 2026-03-01 的增补",
            admit, session, late, officer, date(2026, 3, 1))
    assert admit(session, late, officer, date(2026, 9, 1)).replenishment is True


# --- the pool on a date ----------------------------------------------------------------

def test_pool_on_dates_across_the_history(session, dy, officer, dy_history):
    e = {name: ent.id for name, ent in dy_history.items()}
    assert lc.pool_on(session, date(2024, 12, 31)) == {}
    assert lc.pool_on(session, date(2025, 1, 10)) == {e["E5"]: "applied"}
    assert lc.pool_on(session, date(2025, 1, 31)) == {e[n]: "applied" for n in ("E1", "E2", "E3", "E4", "E5")}
    on_2025_end = lc.pool_on(session, date(2025, 12, 31))
    assert on_2025_end == {e["E1"]: "admitted", e["E2"]: "admitted", e["E3"]: "expelled",
                           e["E4"]: "admitted", e["E5"]: "rejected"}
    assert lc.members_on(session, date(2025, 12, 31)) == sorted([e["E1"], e["E2"], e["E4"]])
    assert lc.members_on(session, date(2025, 6, 1)) == sorted([e["E1"], e["E2"], e["E3"], e["E4"]])
    assert lc.members_on(session, date(2025, 6, 2)) == sorted([e["E1"], e["E2"], e["E4"]])
    assert lc.pool_on(session, date(2026, 2, 28))[e["R1"]] == "applied"
    assert lc.members_on(session, date(2026, 3, 1)) == sorted(
        [e["E4"], e["R1"], e["R2"], e["R3"], e["R4"]])
    assert lc.pool_on(session, date(2026, 3, 1))[e["E1"]] == "graduated"


def test_pool_on_is_scoped_by_county_and_one_query(session, dy, officer, dy_history):
    yx = mf.county(session, "420222", "阳新县")
    yx_officer = mf.user(session, "yx_officer", county=yx)
    open_round(session, date(2026, 6, 1), None, name="第二批")
    yx_member = member(session, yx, yx_officer, date(2026, 6, 1))
    on = date(2026, 6, 1)
    assert lc.members_on(session, on, county_ids=[yx.id]) == [yx_member.id]
    assert yx_member.id not in lc.members_on(session, on, county_ids=[dy.id])
    assert yx_member.id in lc.members_on(session, on)

    statements = []
    from sqlalchemy import event as sa_event
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(engine, "before_cursor_execute", listener)
    try:
        lc.pool_on(session, on)
    finally:
        sa_event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1


def test_same_day_events_are_ordered_by_id(session, dy, officer):
    open_round(session, date(2025, 1, 1), None)
    enterprise = applicant(session, dy, officer, date(2025, 2, 1))
    admit(session, enterprise, officer, date(2025, 2, 1))  # applied and admitted the same day
    assert lc.pool_on(session, date(2025, 2, 1)) == {enterprise.id: "admitted"}


# --- no effective date after today ---------------------------------------------------

TODAY, TOMORROW = date(2026, 11, 30), date(2026, 12, 1)
LATER = "生效日期 不能晚于今天（2026-11-30）"


def test_every_action_may_be_dated_today_but_not_tomorrow(session, dy, officer):
    """Tomorrow refused (nothing written), today accepted, for each kind of event."""
    enterprise = mf.enterprise(session, dy)
    for on in (TOMORROW, TODAY):
        kw = dict(actor=officer, on=on, today=TODAY)
        if on == TOMORROW:
            refused(session, LATER, lc.apply, session, enterprise, **kw)
            continue
        lc.apply(session, enterprise, **kw)
    rejected = applicant(session, dy, officer, date(2026, 11, 1))
    refused(session, LATER, lc.reject, session, rejected, actor=officer, on=TOMORROW, today=TODAY,
            reason="x")
    lc.reject(session, rejected, actor=officer, on=TODAY, today=TODAY, reason="x")
    refused(session, LATER, lc.admit, session, enterprise, actor=officer, on=TOMORROW, today=TODAY,
            evaluation=evaluation(TOMORROW), snapshot=snap(TOMORROW))
    open_round(session, date(2026, 1, 1), None)
    lc.admit(session, enterprise, actor=officer, on=TODAY, today=TODAY, evaluation=evaluation(TODAY),
             snapshot=snap(TODAY))
    facts = (("progress", lc.record_progress, "new_pi_product"),
             ("incident", lc.record_incident, "tax_evasion"))
    for _name, record, subtype in facts:
        refused(session, LATER, record, session, enterprise, actor=officer, on=TOMORROW,
                today=TODAY, subtype=subtype, reason="x")
        event = record(session, enterprise, actor=officer, on=TODAY, today=TODAY, subtype=subtype,
                       reason="x")
    refused(session, LATER, lc.correct, session, event, actor=officer, on=TOMORROW, today=TODAY,
            reason="x")
    lc.correct(session, event, actor=officer, on=TODAY, today=TODAY, reason="x")


def test_an_expulsion_dated_in_the_future_is_refused_and_the_enterprise_stays(session, dy, officer):
    """The reported case: an expulsion dated 2029-12-31 made the enterprise
    expelled now; a graduation dated 12 months ahead got round the waiting time."""
    open_round(session, date(2026, 1, 1), None)
    enterprise = member(session, dy, officer, date(2026, 6, 1))
    lc.record_incident(session, enterprise, actor=officer, on=date(2026, 7, 1), today=TODAY,
                       subtype="tax_evasion", reason="偷漏税")
    refused(session, "生效日期 不能晚于今天（2026-11-30）", lc.expel, session, enterprise,
            actor=officer, on=date(2029, 12, 31), today=TODAY, basis="incident", reason="x",
            snapshot=snap(date(2029, 12, 31)))
    assert enterprise.state == "admitted"
    certify(session, enterprise, date(2026, 6, 2))
    refused(session, LATER, lc.graduate, session, enterprise, actor=officer, on=date(2027, 6, 1),
            today=TODAY, rule="a", reason="x", snapshot=snap(date(2027, 6, 1)))
    lc.expel(session, enterprise, actor=officer, on=TODAY, today=TODAY, basis="incident",
             reason="偷漏税", snapshot=snap(TODAY))
    assert enterprise.state == "expelled"


def test_outcomes_and_graduation_may_be_dated_today_not_tomorrow(session, dy, officer):
    open_round(session, date(2025, 1, 1), None)
    enterprise = member(session, dy, officer, date(2025, 1, 10))
    certify(session, enterprise, date(2025, 1, 11))
    refused(session, LATER, lc.graduate, session, enterprise, actor=officer, on=TOMORROW,
            today=TODAY, rule="a", reason="x", snapshot=snap(TOMORROW))
    lc.graduate(session, enterprise, actor=officer, on=TODAY, today=TODAY, rule="a", reason="x",
                snapshot=snap(TODAY))
    refused(session, LATER, lc.record_outcome, session, enterprise, actor=officer, on=TOMORROW,
            today=TODAY, subtype="continued_cultivation", reason="x")
    lc.record_outcome(session, enterprise, actor=officer, on=TODAY, today=TODAY,
                      subtype="continued_cultivation", reason="x")


def test_intake_rounds_open_and_close_today_only(session, dy):
    admin = mf.user(session, "boss", role=CITY_ADMIN)
    for on, match in ((TOMORROW, "开始日期 不能晚于今天（2026-11-30）"),
                      (date(2026, 11, 29), "开始日期 2026-11-29 早于今天（2026-11-30）")):
        with pytest.raises(lc.DateRefused, match=match):
            intake.open_round(session, name="首批", on=on, today=TODAY, actor=admin)
    assert session.scalar(select(func.count(IntakeRound.id))) == 0
    opened = intake.open_round(session, name="首批", on=TODAY, today=TODAY, actor=admin)
    for on, match in ((TOMORROW, "结束日期 不能晚于今天（2026-11-30）"),
                      (date(2026, 11, 29), "结束日期 2026-11-29 早于今天（2026-11-30）")):
        with pytest.raises(lc.DateRefused, match=match):
            intake.close_round(session, opened, on=on, today=TODAY, actor=admin)
        assert opened.closed_on is None
    intake.close_round(session, opened, on=TODAY, today=TODAY, actor=admin)
    assert opened.closed_on == TODAY
