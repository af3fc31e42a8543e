"""Graduation and expulsion proposals (SPEC §3), and their confirmation, over explicit dates."""
from datetime import date

import pytest
from sqlalchemy import select

from models import PoolEvent
from pool.membership import lifecycle as lc

from . import model_factories as mf
from .test_lifecycle import (  # noqa: F401 - fixtures
    certify, dy, figures, member, officer, open_round, refused, snap,
)

ADMITTED = date(2025, 1, 31)  # month-end: exercises the clamped month arithmetic


@pytest.fixture
def enterprise(session, dy, officer):
    open_round(session, date(2025, 1, 1), None)
    return member(session, dy, officer, ADMITTED)


def graduation(session, enterprise, on):
    return lc.graduation_proposal(session, enterprise, on, snap(on))


def expulsion(session, enterprise, on):
    return lc.expulsion_proposal(session, enterprise, on, snap(on))


# --- months ------------------------------------------------------------------------

@pytest.mark.parametrize("start, months, expected", [
    (date(2025, 1, 31), 12, date(2026, 1, 31)),
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 1, 31), 24, date(2027, 1, 31)),
    (date(2025, 11, 30), 3, date(2026, 2, 28)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
    (date(2025, 12, 15), 0, date(2025, 12, 15)),
])
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert lc.add_months(start, months) == expected


@pytest.mark.parametrize("start, as_of, expected", [
    (date(2025, 1, 31), date(2025, 1, 31), 0),
    (date(2025, 1, 31), date(2025, 2, 27), 0),
    (date(2025, 1, 31), date(2025, 2, 28), 1),
    (date(2025, 1, 31), date(2027, 1, 30), 23),
    (date(2025, 1, 31), date(2027, 1, 31), 24),
    (date(2025, 3, 15), date(2025, 4, 14), 0),
    (date(2025, 3, 15), date(2025, 4, 15), 1),
])
def test_months_without_progress_counts_whole_months(start, as_of, expected):
    assert lc.months_without_progress(start, as_of) == expected
    # Consistent with the due date: N whole months have passed iff add_months(start, N) <= as_of.
    assert lc.add_months(start, expected) <= as_of < lc.add_months(start, expected + 1)


def test_months_without_progress_refuses_a_date_before_the_start():
    with pytest.raises(ValueError):
        lc.months_without_progress(date(2025, 2, 1), date(2025, 1, 31))


# --- graduation (a) --------------------------------------------------------------------

def test_graduation_a_not_one_day_early(session, officer, enterprise):
    certify(session, enterprise, date(2025, 6, 1), name="高纯铜箔")
    assert graduation(session, enterprise, date(2026, 1, 30)) is None
    error = refused(session, "培育须满 12 个月（2026-01-31 起），截至 2026-01-30 尚未届满",
                    lc.graduate, session, enterprise, actor=officer, on=date(2026, 1, 30), today=mf.TODAY,
                    rule="a", reason="新增专利密集型产品", snapshot=snap(date(2026, 1, 30)))
    assert "不符合培育出库条件（a）" in str(error)

    proposal = graduation(session, enterprise, date(2026, 1, 31))
    assert (proposal.kind, proposal.rule) == ("graduation", "a")
    assert "“高纯铜箔”（2025-06-01 认定）" in proposal.reason
    assert "已培育满 12 个月（2026-01-31 届满）" in proposal.reason
    assert proposal.evidence["new_products"][0]["certified_on"] == "2025-06-01"
    assert {p["key"] for p in proposal.evidence["parameters"]} == {
        "graduation_min_months", "graduation_growth"}

    event = lc.graduate(session, enterprise, actor=officer, on=date(2026, 1, 31), today=mf.TODAY, rule="a",
                        reason="新增专利密集型产品 1 件", evidence={"证书号": "PIP-2025-001"},
                        snapshot=snap(date(2026, 1, 31)))
    assert (event.from_state, event.to_state, event.reason) == ("admitted", "graduated", "新增专利密集型产品 1 件")
    assert event.evidence["rule"] == "a"
    assert event.evidence["proposal"]["reason"] == proposal.reason
    assert event.evidence["officer"] == {"证书号": "PIP-2025-001"}
    assert (enterprise.state, enterprise.state_changed_on, enterprise.admitted_on) == (
        "graduated", date(2026, 1, 31), ADMITTED)
    assert graduation(session, enterprise, date(2026, 2, 1)) is None  # no longer in the pool


def test_graduation_a_needs_a_product_certified_after_admission(session, officer, enterprise):
    certify(session, enterprise, ADMITTED, name="入库当日认定")
    certify(session, enterprise, date(2026, 3, 1), name="未来认定")
    assert graduation(session, enterprise, date(2026, 2, 1)) is None
    findings = lc.graduation_assessment(session, enterprise, date(2026, 2, 1), snap(date(2026, 2, 1)))
    assert "入库后至 2026-02-01 没有新认定的专利密集型产品" in findings["a"].detail
    assert graduation(session, enterprise, date(2026, 3, 1)).rule == "a"


def test_graduation_needs_a_reason(session, officer, enterprise):
    certify(session, enterprise, date(2025, 6, 1))
    on = date(2026, 2, 1)
    refused(session, "培育出库须写明理由", lc.graduate, session, enterprise, actor=officer, on=on, today=on,
            rule="a", reason="", snapshot=snap(on))


# --- graduation (b) ----------------------------------------------------------------------

@pytest.fixture
def certified(session, enterprise):
    """A product certified before admission (so rule (a) never holds), baseline 2025."""
    product = certify(session, enterprise, date(2024, 5, 1), name="稀土永磁电机")
    figures(session, product, 2025, sales="100", profit="50")
    return product


def test_graduation_b_with_exactly_twenty_percent(session, officer, enterprise, certified):
    figures(session, certified, 2026, sales="120", profit="60")
    assert graduation(session, enterprise, date(2026, 12, 31)) is None  # 2026 not yet a full year
    on = date(2027, 1, 1)
    proposal = graduation(session, enterprise, on)
    assert (proposal.kind, proposal.rule) == ("graduation", "b")
    assert "销售额 120.00 万元 ≥ 100.00 万元 × (1 + 20%) = 120.00 万元" in proposal.reason
    assert "利润 60.00 万元 ≥ 50.00 万元 × (1 + 20%) = 60.00 万元" in proposal.reason
    assert proposal.evidence["products"][0]["sales"] == {"2025": "100", "2026": "120", "required": "120.00"}
    refused(session, "不符合培育出库条件（a）", lc.graduate, session, enterprise, actor=officer,
            on=on, today=on, rule="a", reason="x", snapshot=snap(on))
    lc.graduate(session, enterprise, actor=officer, on=on, today=on, rule="b", reason="销售额及利润均增长 20%",
                snapshot=snap(on))
    assert enterprise.state == "graduated"


@pytest.mark.parametrize("sales, profit, failing", [
    ("119.99", "60", "销售额 119.99 万元 < 100.00 万元 × (1 + 20%) = 120.00 万元"),
    ("120", "59.995", "利润 59.995 万元 < 50.00 万元 × (1 + 20%) = 60.00 万元"),
    ("119.9999", "59.9999", "销售额 119.9999 万元 <"),
])
def test_graduation_b_just_below_twenty_percent_fails(session, officer, enterprise, certified,
                                                      sales, profit, failing):
    figures(session, certified, 2026, sales=sales, profit=profit)
    on = date(2027, 1, 1)
    assert graduation(session, enterprise, on) is None
    error = refused(session, "不符合培育出库条件（b）", lc.graduate, session, enterprise,
                    actor=officer, on=on, today=on, rule="b", reason="x", snapshot=snap(on))
    assert failing in str(error)


def test_graduation_b_cannot_use_a_loss_making_baseline(session, enterprise):
    product = certify(session, enterprise, date(2024, 5, 1), name="亏损产品")
    figures(session, product, 2025, sales="100", profit="-5")
    figures(session, product, 2026, sales="300", profit="80")
    on = date(2027, 1, 1)
    assert graduation(session, enterprise, on) is None
    finding = lc.graduation_assessment(session, enterprise, on, snap(on))["b"]
    assert "入库年度（2025 年）利润 -5.00 万元 ≤ 0，无法按比例衡量增长" in finding.detail


def test_graduation_b_needs_the_figures_of_both_years(session, enterprise, certified):
    on = date(2027, 1, 1)
    finding = lc.graduation_assessment(session, enterprise, on, snap(on))["b"]
    assert not finding.holds
    assert "缺少2026 年度销售额、2026 年度利润数据" in finding.detail


def test_graduation_b_needs_a_full_year_after_the_admission_year(session, enterprise, certified):
    figures(session, certified, 2026, sales="200", profit="100")
    on = date(2026, 6, 1)  # 16 months in, but the latest full year is 2025 = the admission year
    finding = lc.graduation_assessment(session, enterprise, on, snap(on))["b"]
    assert "最近完整年度 2025 年不晚于入库年度 2025 年" in finding.detail
    assert graduation(session, enterprise, on) is None


def test_graduation_b_any_certified_product_suffices(session, enterprise, certified):
    figures(session, certified, 2026, sales="100", profit="50")  # no growth
    other = certify(session, enterprise, date(2024, 8, 1), name="钕铁硼磁体")
    figures(session, other, 2025, sales="10", profit="1")
    figures(session, other, 2026, sales="13", profit="2")
    proposal = graduation(session, enterprise, date(2027, 1, 1))
    assert proposal.rule == "b" and "钕铁硼磁体" in proposal.reason
    assert "稀土永磁电机" not in proposal.reason  # only the product that shows it


# --- expulsion ----------------------------------------------------------------------------

def test_expulsion_exactly_at_24_months_without_progress(session, officer, enterprise):
    assert expulsion(session, enterprise, date(2027, 1, 30)) is None
    error = refused(session, "尚未到期", lc.expel, session, enterprise, actor=officer,
                    on=date(2027, 1, 30), today=date(2027, 1, 30), basis="no_progress", reason="两年无进展",
                    snapshot=snap(date(2027, 1, 30)))
    assert "自 2025-01-31（入库）起已 23 个月无实质性进展；期限 24 个月，2027-01-31 届满" in str(error)

    proposal = expulsion(session, enterprise, date(2027, 1, 31))
    assert (proposal.kind, proposal.rule) == ("expulsion", "a")
    assert proposal.evidence["months_without_progress"] == 24
    assert proposal.evidence["due_on"] == "2027-01-31"
    event = lc.expel(session, enterprise, actor=officer, on=date(2027, 1, 31), today=date(2027, 1, 31),
                     basis="no_progress",
                     reason="两年内未取得实质性进展", snapshot=snap(date(2027, 1, 31)))
    assert (event.to_state, event.evidence["basis"], event.evidence["rule"]) == (
        "expelled", "no_progress", "a")
    assert event.evidence["proposal"]["rule"] == "a"


def test_a_progress_event_restarts_the_window(session, officer, enterprise):
    progress = lc.record_progress(session, enterprise, actor=officer, on=date(2025, 12, 15), today=mf.TODAY,
                                  subtype="patent_product_filing", reason="新增专利产品备案",
                                  evidence={"备案号": "BA2025420200009"})
    assert lc.progress_window_start(session, enterprise, date(2025, 12, 14)) == ADMITTED
    assert lc.progress_window_start(session, enterprise, date(2025, 12, 15)) == date(2025, 12, 15)
    assert expulsion(session, enterprise, date(2027, 1, 31)) is None
    assert expulsion(session, enterprise, date(2027, 12, 14)) is None
    proposal = expulsion(session, enterprise, date(2027, 12, 15))
    assert proposal.rule == "a" and "自 2025-12-15（上次实质性进展）起" in proposal.reason

    # Voiding the progress by a correction restores the window from admission.
    lc.correct(session, progress, actor=officer, on=date(2027, 2, 1), today=date(2027, 2, 1), reason="备案被撤销")
    assert lc.progress_window_start(session, enterprise, date(2027, 2, 1)) == ADMITTED
    assert expulsion(session, enterprise, date(2027, 2, 1)).rule == "a"


def test_an_incident_proposes_expulsion_at_once(session, officer, enterprise):
    lc.record_incident(session, enterprise, actor=officer, on=date(2025, 4, 10), today=mf.TODAY,
                       subtype="abnormal_patent_applications", reason="被通报非正常专利申请 3 件")
    assert expulsion(session, enterprise, date(2025, 4, 9)) is None
    proposal = expulsion(session, enterprise, date(2025, 4, 10))
    assert (proposal.kind, proposal.rule) == ("expulsion", "b")
    assert "2025-04-10 非正常申请专利：被通报非正常专利申请 3 件" in proposal.reason
    refused(session, "不符合退库条件（a）", lc.expel, session, enterprise, actor=officer,
            on=date(2025, 4, 10), today=mf.TODAY,
            basis="no_progress", reason="x", snapshot=snap(date(2025, 4, 10)))
    event = lc.expel(session, enterprise, actor=officer, on=date(2025, 4, 10), today=mf.TODAY,
                     basis="incident",
                     reason="非正常申请专利，予以退库", snapshot=snap(date(2025, 4, 10)))
    assert event.evidence["proposal"]["evidence"]["incidents"][0]["subtype"] == "abnormal_patent_applications"


def test_a_corrected_incident_proposes_nothing(session, officer, enterprise):
    incident = lc.record_incident(session, enterprise, actor=officer, on=date(2025, 4, 10), today=mf.TODAY,
                                  subtype="tax_evasion", reason="税务通报")
    lc.correct(session, incident, actor=officer, on=date(2025, 4, 20), today=mf.TODAY, reason="通报对象为同名企业")
    assert expulsion(session, enterprise, date(2025, 4, 20)) is None


def test_proposals_replay_a_past_date(session, officer, enterprise):
    """A scan replayed for a date when the enterprise was still in the pool."""
    certify(session, enterprise, date(2025, 6, 1))
    lc.graduate(session, enterprise, actor=officer, on=date(2026, 3, 1), today=mf.TODAY,
                rule="a", reason="新增产品",
                snapshot=snap(date(2026, 3, 1)))
    assert graduation(session, enterprise, date(2026, 2, 1)).rule == "a"
    assert graduation(session, enterprise, date(2026, 3, 1)) is None
    assert lc.progress_window_start(session, enterprise, date(2026, 2, 1)) == ADMITTED
    assert lc.progress_window_start(session, enterprise, date(2026, 3, 1)) is None
    assert lc.progress_window_start(session, enterprise, date(2025, 1, 30)) is None


def test_proposals_need_the_snapshot_of_their_date(session, enterprise):
    with pytest.raises(ValueError, match="参数快照日期"):
        lc.graduation_proposal(session, enterprise, date(2026, 2, 1), snap(date(2026, 1, 1)))


def test_proposals_write_nothing(session, officer, enterprise):
    lc.record_incident(session, enterprise, actor=officer, on=date(2025, 4, 10), today=mf.TODAY,
                       subtype="other_violation", reason="环保处罚")
    count = len(session.scalars(select(PoolEvent)).all())
    expulsion(session, enterprise, date(2027, 6, 1))
    graduation(session, enterprise, date(2027, 6, 1))
    session.flush()
    assert len(session.scalars(select(PoolEvent)).all()) == count
    assert enterprise.state == "admitted"
