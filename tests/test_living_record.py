"""The living record (issue #13): parts kept current with dated, audited,
conflict-safe changes; progress recognised from them; the record as of a date."""
from datetime import date

import pytest
from sqlalchemy import select

from models import ChangeRecord, PoolEvent, Qualification, RiskFlag
from models.event import CORRECTION, PROGRESS
from pool.eligibility.criteria import check
from pool.eligibility.policy import Policy
from pool.membership import lifecycle as lc
from pool.monitoring import scan as monitoring
from pool.records import changes, facts, parts, progress
from pool.reference.industries import IndustryTable

from . import model_factories as mf
from .test_lifecycle import dy, member, officer, open_round, snap  # noqa: F401 - fixtures

ADMITTED = date(2024, 12, 2)


@pytest.fixture
def member_2024(session, dy, officer):
    open_round(session, date(2024, 11, 1), date(2024, 12, 31))
    return member(session, dy, officer, ADMITTED)


def live_progress(session, enterprise):
    voided = set(session.scalars(select(PoolEvent.corrects_id).where(PoolEvent.kind == CORRECTION)))
    return [e for e in session.scalars(select(PoolEvent).where(
        PoolEvent.enterprise_id == enterprise.id, PoolEvent.kind == PROGRESS).order_by(PoolEvent.id))
        if e.id not in voided]


# --- the engine ---------------------------------------------------------------------------

def test_a_patent_is_added_pending_and_granted_later(session, officer, member_2024):
    patent = parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 1, 10),
                            values={"number": "ZL202410000001.X", "kind": "invention", "title": "铜箔",
                                    "application_date": "2024-03-01", "origin": "self", "core": True})
    assert (patent.status, patent.office, patent.version) == ("pending", "CN", 1)
    record = parts.change_part(session, patent, "patent", actor=officer, today=date(2025, 5, 20),
                               expected_version=1, values={"status": "valid", "granted_on": date(2025, 5, 20)})
    assert patent.status == "valid" and patent.version == 2
    assert record.effective_on == date(2025, 5, 20)
    assert record.changes == {"status": ["pending", "valid"], "granted_on": [None, "2025-05-20"]}
    # as of a day: pending before the grant, valid on it, absent before the application
    assert facts.patent_status_on(patent, date(2025, 5, 19)) == "pending"
    assert facts.patent_status_on(patent, date(2025, 5, 20)) == "valid"
    assert facts.patent_status_on(patent, date(2024, 2, 29)) is None


@pytest.mark.parametrize("values, field, message", [
    ({"number": "", "kind": "invention"}, "number", "专利号不能为空"),
    ({"number": "ZL1", "kind": "plant"}, "kind", "专利类型须为：发明、实用新型、外观设计"),
    ({"number": "ZL1", "kind": "invention", "application_date": "2025-13-01"}, "application_date",
     "申请日须为 YYYY-MM-DD 格式的日期"),
    ({"number": "ZL1", "kind": "invention", "application_date": "2025-06-02"}, "application_date",
     "申请日 2025-06-02 晚于今天 2025-06-01"),
    ({"number": "ZL1", "kind": "invention", "application_date": "2025-03-01", "granted_on": "2025-02-01"},
     "granted_on", "授权日 2025-02-01 早于申请日 2025-03-01"),
    ({"number": "ZL1", "kind": "invention", "office": "China"}, "office", "授权机构须为两位字母"),
    ({"number": "ZL1", "kind": "invention", "industrialized": True}, "industrialized_on",
     "标为已产业化须填写产业化日期"),
    ({"number": "ZL1", "kind": "invention", "origin": "self", "put_to_use_on": "2025-01-01"}, "origin",
     "只有受让或许可的专利才登记实施日期"),
    ({"number": "ZL1", "kind": "invention", "colour": "red"}, "colour", "未知字段"),
])
def test_bad_patent_input_names_the_field_and_writes_nothing(session, officer, member_2024, values, field,
                                                             message):
    before = session.scalar(select(ChangeRecord.id).order_by(ChangeRecord.id.desc()).limit(1))
    with pytest.raises(changes.RecordRefused, match=message) as info:
        parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 6, 1), values=values)
    assert info.value.field == field
    assert session.scalar(select(ChangeRecord.id).order_by(ChangeRecord.id.desc()).limit(1)) == before
    assert member_2024.patents == []


def test_an_effective_date_today_is_accepted_and_tomorrow_refused(session, officer, member_2024):
    values = {"number": "ZL2", "kind": "invention", "granted_on": date(2025, 6, 1)}
    parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 6, 1), values=values)
    with pytest.raises(changes.RecordRefused, match="晚于今天"):
        parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 5, 31),
                       values={**values, "number": "ZL3"})


def test_a_stale_version_is_a_conflict_naming_the_other_change(session, officer, member_2024):
    patent = parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 1, 10),
                            values={"number": "ZL4", "kind": "invention", "application_date": "2024-05-01"})
    parts.change_part(session, patent, "patent", actor=officer, today=date(2025, 1, 10), expected_version=1,
                      values={"title": "新名称"})
    with pytest.raises(changes.VersionConflict) as info:
        parts.change_part(session, patent, "patent", actor=officer, today=date(2025, 1, 10),
                          expected_version=1, values={"title": "另一个名称"})
    assert info.value.current == 2
    assert [c.changes for c in info.value.changes] == [{"title": [None, "新名称"]}]
    assert patent.title == "新名称"


def test_another_countys_officer_may_not_change_the_record(session, member_2024):
    other = mf.user(session, "yx_officer", county=mf.county(session, "420222", "阳新县"))
    with pytest.raises(changes.RecordRefused, match="无权"):
        parts.add_part(session, member_2024, "trademark", actor=other, today=date(2025, 1, 1),
                       values={"reg_no": "123", "owned": True})


def test_a_duplicate_patent_number_is_refused(session, officer, member_2024):
    values = {"number": "ZL5", "kind": "design", "application_date": "2024-01-01"}
    parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 1, 1), values=values)
    with pytest.raises(changes.RecordRefused, match="专利号 ZL5 已在该企业的记录中"):
        parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 1, 1), values=values)


def test_a_period_running_backwards_is_named_by_its_parts_own_labels(session, officer, member_2024):
    with pytest.raises(changes.RecordRefused, match="合作终止日期 2024-01-01 早于合作起始日期 2024-06-01"):
        parts.add_part(session, member_2024, "partnership", actor=officer, today=date(2025, 1, 1),
                       values={"partner": "湖北师范大学", "partner_type": "university",
                               "valid_from": "2024-06-01", "valid_to": "2024-01-01"})
    with pytest.raises(changes.RecordRefused, match="有效期止 2024-01-01 早于有效期起 2024-06-01"):
        parts.add_part(session, member_2024, "qualification", actor=officer, today=date(2025, 1, 1),
                       values={"type": "tech_sme", "valid_from": "2024-06-01", "valid_to": "2024-01-01"})


def test_ending_early_needs_a_reason_and_an_earlier_day(session, officer, member_2024):
    partner = parts.add_part(session, member_2024, "partnership", actor=officer, today=date(2025, 1, 1),
                             values={"partner": "湖北师范大学", "partner_type": "university",
                                     "valid_from": "2024-06-01", "valid_to": "2027-05-31"})
    with pytest.raises(changes.RecordRefused, match="须写明理由"):
        parts.end_part(session, partner, "partnership", actor=officer, today=date(2025, 9, 1),
                       expected_version=1, on=date(2025, 9, 1), reason=" ")
    with pytest.raises(changes.RecordRefused, match="晚于今天"):
        parts.end_part(session, partner, "partnership", actor=officer, today=date(2025, 9, 1),
                       expected_version=1, on=date(2025, 9, 2), reason="合作终止")
    record = parts.end_part(session, partner, "partnership", actor=officer, today=date(2025, 9, 1),
                            expected_version=1, on=date(2025, 9, 1), reason="协议提前解除")
    assert (partner.valid_to, record.effective_on, record.reason) == (date(2025, 9, 1), date(2025, 9, 1),
                                                                      "协议提前解除")


# --- progress recognised from the record ----------------------------------------------------

def test_industrialising_a_patent_is_progress_citing_the_change(session, officer, member_2024):
    patent = parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 3, 1),
                            values={"number": "ZL6", "kind": "invention", "granted_on": "2024-08-01"})
    record = parts.change_part(session, patent, "patent", actor=officer, today=date(2025, 6, 30),
                               expected_version=1,
                               values={"industrialized": True, "industrialized_on": date(2025, 6, 15)})
    [event] = live_progress(session, member_2024)
    assert (event.subtype, event.effective_on) == ("patent_industrialized", date(2025, 6, 15))
    assert event.evidence["source"] == {"entity": "patent", "id": patent.id, "field": "industrialized_on",
                                        "change_id": record.id}
    assert "专利 ZL6 于 2025-06-15 实现产业化" in event.reason
    # the date corrected: the old event is voided, the new one recognised
    parts.change_part(session, patent, "patent", actor=officer, today=date(2025, 7, 1), expected_version=2,
                      values={"industrialized_on": date(2025, 6, 20)})
    assert [(e.subtype, e.effective_on) for e in live_progress(session, member_2024)] == [
        ("patent_industrialized", date(2025, 6, 20))]


def test_a_change_dated_before_admission_is_no_progress(session, officer, member_2024):
    parts.add_part(session, member_2024, "product", actor=officer, today=date(2025, 1, 5),
                   values={"name": "旧产品", "patent_intensive": True, "certified_on": date(2024, 12, 1)})
    assert live_progress(session, member_2024) == []
    parts.add_part(session, member_2024, "product", actor=officer, today=date(2025, 1, 5),
                   values={"name": "新产品", "patent_intensive": True, "certified_on": ADMITTED})
    assert [e.subtype for e in live_progress(session, member_2024)] == ["new_pi_product"]


def test_a_higher_industrialisation_rate_is_progress(session, officer, member_2024):
    done = parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 1, 5),
                          values={"number": "ZL7", "kind": "invention", "granted_on": "2023-01-01",
                                  "industrialized": True, "industrialized_on": "2023-06-01"})
    idle = parts.add_part(session, member_2024, "patent", actor=officer, today=date(2025, 1, 5),
                          values={"number": "ZL8", "kind": "invention", "granted_on": "2023-01-01",
                                  "industrialized": False})
    assert done and live_progress(session, member_2024) == []
    parts.change_part(session, idle, "patent", actor=officer, today=date(2025, 8, 1), expected_version=1,
                      values={"status": "lapsed", "status_on": date(2025, 7, 1)})
    [event] = live_progress(session, member_2024)
    assert (event.subtype, event.effective_on) == ("industrialization_rate_up", date(2025, 7, 1))
    assert "专利产业化率由 50% 提高到 100%" in event.reason


# --- two years in the pool -------------------------------------------------------------------

def test_two_years_of_a_living_record(session, officer, member_2024):
    e = member_2024
    qual = parts.add_part(session, e, "qualification", actor=officer, today=date(2024, 12, 10),
                          values={"type": "high_tech", "level": "national", "certificate_no": "GR202342000001",
                                  "approved_on": "2023-11-01", "valid_from": "2023-11-01",
                                  "valid_to": "2026-10-31"})
    patent = parts.add_part(session, e, "patent", actor=officer, today=date(2024, 12, 10),
                            values={"number": "ZL202410000009.1", "kind": "invention",
                                    "application_date": "2024-02-01", "core": True, "origin": "self"})
    parts.change_part(session, patent, "patent", actor=officer, today=date(2025, 4, 1), expected_version=1,
                      values={"status": "valid", "granted_on": date(2025, 3, 28)})
    parts.change_part(session, patent, "patent", actor=officer, today=date(2025, 9, 10), expected_version=2,
                      values={"industrialized": True, "industrialized_on": date(2025, 9, 1)})
    product = parts.add_part(session, e, "product", actor=officer, today=date(2025, 9, 10),
                             values={"name": "高频覆铜板", "main": True, "patents": [patent.number],
                                     "added_on": "2025-09-01"})
    # 14 months in: certified as a patent-intensive product
    parts.change_part(session, product, "product", actor=officer, today=date(2026, 2, 5), expected_version=1,
                      values={"patent_intensive": True, "certificate_no": "PIP-2026-017",
                              "certified_on": date(2026, 2, 2)})

    # the expulsion window restarted at the last progress
    assert lc.progress_window_start(session, e, date(2026, 3, 1)) == date(2026, 2, 2)
    assert [p.subtype for p in live_progress(session, e)] == ["patent_industrialized", "new_pi_product"]
    # graduation (a) cites the product
    proposal = lc.graduation_proposal(session, e, date(2026, 3, 1), snap(date(2026, 3, 1)))
    assert proposal.rule == "a" and "“高频覆铜板”（2026-02-02 认定）" in proposal.reason

    # the certificate nears its end: flagged; renewed: the flag closes
    monitoring.scan(session, date(2026, 9, 1))
    assert _open(session, e)["qualification_expiring"] == "warning"
    assert _open(session, e)["graduation_ready"] == "info"
    renewal = parts.renew_qualification(session, qual, actor=officer, today=date(2026, 9, 20),
                                        values={"certificate_no": "GR202642000777", "approved_on": "2026-09-15",
                                                "valid_from": "2026-09-15", "valid_to": "2029-09-14"})
    assert renewal.renews_id == qual.id and renewal.type == "high_tech"
    monitoring.scan(session, date(2026, 9, 21))
    assert "qualification_expiring" not in _open(session, e)

    # the record as of each past date shows what was known then
    before_grant = facts.record_data(e, date(2025, 3, 27))
    assert [p["status"] for p in before_grant["patents"]] == ["pending"]
    assert before_grant["products"] == []
    industrialised = facts.record_data(e, date(2025, 12, 31))
    assert industrialised["patents"][0] == {"number": patent.number, "kind": "invention", "status": "valid",
                                            "origin": "self", "core": True, "industrialized": True}
    assert industrialised["products"][0]["patent_intensive"] is False
    assert [q["certificate_no"] for q in industrialised["qualifications"]] == ["GR202342000001"]
    later = facts.record_data(e, date(2026, 9, 30))
    assert later["products"][0]["certified_on"] == "2026-02-02"
    assert [q["certificate_no"] for q in later["qualifications"]] == ["GR202342000001", "GR202642000777"]
    # and the criteria judge the stored record with the self-check's engine
    verdict = check(later, date(2026, 9, 30), Policy(), IndustryTable())
    by_id = {c.id: c for c in verdict.criteria}
    assert by_id[2].status == "pass" and "GR202642000777" in by_id[2].detail
    assert by_id[5].status == "pass"  # one valid patent, industrialised: 100 %


def _open(session, enterprise) -> dict:
    return dict(session.execute(select(RiskFlag.kind, RiskFlag.severity).where(
        RiskFlag.enterprise_id == enterprise.id, RiskFlag.closed_on.is_(None))).all())


def test_the_renewal_link_is_kept(session, officer, member_2024):
    qual = parts.add_part(session, member_2024, "qualification", actor=officer, today=date(2025, 1, 1),
                          values={"type": "tech_sme", "valid_from": "2024-05-01", "valid_to": "2025-12-31"})
    with pytest.raises(changes.RecordRefused, match="须晚于原证书"):
        parts.renew_qualification(session, qual, actor=officer, today=date(2025, 11, 1),
                                  values={"valid_from": "2025-11-01", "valid_to": "2025-12-31"})
    parts.renew_qualification(session, qual, actor=officer, today=date(2025, 11, 1),
                              values={"valid_from": "2026-01-01", "valid_to": "2026-12-31"})
    assert session.scalar(select(Qualification.renews_id).where(Qualification.id != qual.id)) == qual.id
    with pytest.raises(changes.RecordRefused, match="已登记过续期证书"):
        parts.renew_qualification(session, qual, actor=officer, today=date(2025, 11, 1),
                                  values={"valid_from": "2026-01-01", "valid_to": "2027-12-31"})
    assert progress.RULES  # the table the module documents
