"""Settling an award year: facts stored and imported, computed, decided, published, paid —
one complete year per city, and every refusal on both sides of its boundary."""
import json
from datetime import date, datetime, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from models import (APPROVE, CITY_ADMIN, PAY, PUBLISHED, REDUCE, REFUSE, REVERSE, AppendOnlyError, AwardEntry,
                    AwardItem, Qualification)
from pool.awards import ledger, programme, settlement, store
from pool.awards.ledger import LedgerRefused
from pool.awards.settlement import SettlementRefused
from pool.awards.store import FactsRefused
from tests import model_factories as mf

EXAMPLES = Path(programme.DATA) / "examples"
NOW = datetime(2026, 11, 30, 4, tzinfo=timezone.utc)
TODAY_ = date(2026, 11, 30)
CITY = {"xuchang-2022": "xuchang-2024", "anyang-2018": "anyang-2024", "yuanzhou-2023": "yuanzhou-2024"}


def example(name):
    return json.loads((EXAMPLES / f"{name}.facts.json").read_text(encoding="utf-8"))


@pytest.fixture
def admin(session):
    return mf.user(session, "admin", role=CITY_ADMIN)


def settle(session, admin, code, year=2024, document=None, as_of=date(2026, 11, 30)):
    if document is not None:
        store.record(session, document, source="import", actor=admin, as_of=as_of, now=NOW)
    row = settlement.open_settlement(session, code, year, actor=admin, as_of=as_of, now=NOW)
    settlement.compute(session, row, now=NOW)
    return row


def items(session, row):
    rows = list(session.scalars(select(AwardItem).where(AwardItem.settlement_id == row.id).order_by(AwardItem.id)))
    return ledger.states(session, row, rows)


def find(states, rule, subject=None):
    return next(s for s in states.values() if s.item.rule == rule and (subject is None or s.item.subject == subject))


@pytest.mark.parametrize("code", sorted(CITY))
def test_a_complete_year_per_city_from_facts_to_the_paid_list(session, admin, code):
    row = settle(session, admin, code, document=example(CITY[code]))
    states = items(session, row)
    proposed = [s for s in states.values() if s.proposed]
    computed = sum((s.item.payable for s in proposed), D(0))
    assert computed == sum((D(b["total"]) for b in _engine_totals(code)), D(0))
    reduced, refused = proposed[0], proposed[1]
    for state in proposed[2:]:
        ledger.decide(session, row, state, APPROVE, actor=admin, now=NOW)
    ledger.decide(session, row, reduced, REDUCE, amount=reduced.item.payable / 2, reason="票据不全，按半数核定",
                  actor=admin, now=NOW)
    ledger.decide(session, row, refused, REFUSE, reason="公示期内收到异议，经核实不符合", actor=admin, now=NOW)
    ledger.publish(session, row, items(session, row), on=date(2026, 3, 2), reference="公示〔2026〕1号", actor=admin,
                   as_of=date(2026, 11, 30), now=NOW)
    assert row.status == PUBLISHED
    states = items(session, row)
    for state in states.values():
        if state.decided:
            for level, _amount in ledger.lines(ledger.rules(session, row)[state.item.rule], state.decided):
                ledger.pay(session, row, state, level, on=date(2026, 6, 30), reference="拨付凭证", actor=admin,
                           as_of=date(2026, 11, 30), now=NOW)
    figures = settlement.summary(items(session, row))
    assert figures.pending == 0
    assert figures.decided == computed - reduced.item.payable / 2 - refused.item.payable
    assert figures.paid_total == figures.decided


def _engine_totals(code):
    from pool.awards import engine, facts, report
    return report.as_json(engine.evaluate(code, facts.parse(example(CITY[code])), 2024))["beneficiaries"]


def test_two_funding_lines_are_paid_separately_and_add_up_exactly(session, admin):
    row = settle(session, admin, "yuanzhou-2023", document=example("yuanzhou-2024"))
    loan = find(items(session, row), "YZ-07", "JK2024-001")
    assert loan.item.payable == D("4.14")
    ledger.decide(session, row, loan, REDUCE, amount=D("3.333333"), reason="利息凭证核减", actor=admin, now=NOW)
    parts = ledger.lines(ledger.rules(session, row)["YZ-07"], D("3.333333"))
    assert parts == [("district", D("1.666667")), ("city", D("1.666666"))]
    assert sum(amount for _, amount in parts) == D("3.333333")


def test_reduce_must_be_above_zero_and_below_the_computed_amount(session, admin):
    row = settle(session, admin, "xuchang-2022", document=example("xuchang-2024"))
    state = find(items(session, row), "XC-02", "ht-1")  # 10 万元
    for amount in (D("10"), D("0"), D("10.000001")):
        with pytest.raises(LedgerRefused, match="须大于 0 且小于计算金额 10 万元"):
            ledger.decide(session, row, state, REDUCE, amount=amount, reason="核减", actor=admin, now=NOW)
    ledger.decide(session, row, state, REDUCE, amount=D("9.999999"), reason="核减", actor=admin, now=NOW)
    assert state.decided == D("9.999999")
    with pytest.raises(LedgerRefused, match="理由"):
        ledger.decide(session, row, state, REFUSE, reason="  ", actor=admin, now=NOW)


def test_deciding_again_reverses_the_earlier_decision_in_the_ledger(session, admin):
    row = settle(session, admin, "xuchang-2022", document=example("xuchang-2024"))
    state = find(items(session, row), "XC-02", "ht-1")
    first = ledger.decide(session, row, state, APPROVE, actor=admin, now=NOW)
    ledger.decide(session, row, state, REFUSE, reason="证书系伪造", actor=admin, now=NOW)
    kinds = [(e.kind, e.reverses_id) for e in ledger.entries(session, row) if e.item_id == state.item.id]
    assert kinds == [(APPROVE, None), (REVERSE, first.id), (REFUSE, None)]
    assert find(items(session, row), "XC-02", "ht-1").decided == 0


def test_the_ledger_is_append_only(session, admin):
    row = settle(session, admin, "xuchang-2022", document=example("xuchang-2024"))
    entry = ledger.decide(session, row, find(items(session, row), "XC-02", "ht-1"), APPROVE, actor=admin, now=NOW)
    session.commit()
    entry.reason = "改写"
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()
    session.delete(session.get(AwardEntry, entry.id))
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()


def test_an_item_not_proposed_needs_no_decision(session, admin):
    row = settle(session, admin, "xuchang-2022", document=example("xuchang-2024"))
    refused = find(items(session, row), "XC-11")  # the trademark tiers are not in the text
    assert refused.item.status == "refused" and not refused.proposed
    with pytest.raises(LedgerRefused, match="不在拟奖补之列"):
        ledger.decide(session, row, refused, APPROVE, actor=admin, now=NOW)


def test_publication_waits_for_every_proposed_item_and_no_later_than_today(session, admin):
    row = settle(session, admin, "xuchang-2022", document=example("xuchang-2024"))
    states = items(session, row)
    proposed = [s for s in states.values() if s.proposed]
    for state in proposed[1:]:
        ledger.decide(session, row, state, APPROVE, actor=admin, now=NOW)
    with pytest.raises(LedgerRefused, match="还有 1 项未审核"):
        ledger.publish(session, row, items(session, row), on=date(2026, 11, 30), reference=None, actor=admin,
                       as_of=date(2026, 11, 30), now=NOW)
    ledger.decide(session, row, proposed[0], APPROVE, actor=admin, now=NOW)
    with pytest.raises(LedgerRefused, match="晚于今天"):
        ledger.publish(session, row, items(session, row), on=date(2026, 12, 1), reference=None, actor=admin,
                       as_of=date(2026, 11, 30), now=NOW)
    ledger.publish(session, row, items(session, row), on=date(2026, 11, 30), reference=None, actor=admin,
                   as_of=date(2026, 11, 30), now=NOW)
    with pytest.raises(LedgerRefused, match="已公示"):
        ledger.decide(session, row, proposed[0], REFUSE, reason="异议", actor=admin, now=NOW)
    with pytest.raises(SettlementRefused, match="已公示"):
        settlement.compute(session, row, now=NOW)


def _published(session, admin, code="yuanzhou-2023", on=date(2025, 3, 1)):
    row = settle(session, admin, code, document=example(CITY[code]))
    for state in items(session, row).values():
        if state.proposed:
            ledger.decide(session, row, state, APPROVE, actor=admin, now=NOW)
    ledger.publish(session, row, items(session, row), on=on, reference=None, actor=admin,
                   as_of=date(2026, 11, 30), now=NOW)
    return row


def test_payment_dates_after_publication_in_the_payment_year_and_not_after_today(session, admin):
    row = _published(session, admin, on=date(2024, 12, 20))  # 袁州 pays the next year
    state = find(items(session, row), "YZ-07", "JK2024-001")
    assert state.item.payment_year == 2025

    def pay(on, level="district"):
        return ledger.pay(session, row, state, level, on=on, reference=None, actor=admin, as_of=date(2026, 11, 30),
                          now=NOW)

    with pytest.raises(LedgerRefused, match="在 2025 年兑现"):
        pay(date(2024, 12, 31))
    with pytest.raises(LedgerRefused, match="晚于今天"):
        pay(date(2026, 12, 1))
    with pytest.raises(LedgerRefused, match="没有省财政"):
        pay(date(2025, 1, 1), level="provincial")
    entry = pay(date(2025, 1, 1))
    assert entry.kind == PAY and entry.amount == D("2.07")
    with pytest.raises(LedgerRefused, match="已于 2025-01-01 拨付"):
        pay(date(2025, 2, 1))
    pay(date(2026, 11, 30), level="city")
    assert find(items(session, row), "YZ-07", "JK2024-001").paid == D("4.14")


def test_a_payment_before_the_publication_is_refused(session, admin):
    row = _published(session, admin, on=date(2025, 3, 1))
    state = find(items(session, row), "YZ-07", "JK2024-001")
    with pytest.raises(LedgerRefused, match="早于公示日期 2025-03-01"):
        ledger.pay(session, row, state, "city", on=date(2025, 2, 28), reference=None, actor=admin,
                   as_of=date(2026, 11, 30), now=NOW)
    ledger.pay(session, row, state, "city", on=date(2025, 3, 1), reference=None, actor=admin,
               as_of=date(2026, 11, 30), now=NOW)


def test_reversing_the_publication_needs_every_payment_reversed_first(session, admin):
    row = _published(session, admin)
    state = find(items(session, row), "YZ-07", "JK2024-001")
    payment = ledger.pay(session, row, state, "city", on=date(2025, 4, 1), reference=None, actor=admin,
                         as_of=date(2026, 11, 30), now=NOW)
    publication = next(e for e in ledger.entries(session, row) if e.kind == "publish")
    with pytest.raises(LedgerRefused, match="须先冲销拨付"):
        ledger.reverse(session, row, publication, reason="名单有误", actor=admin, now=NOW)
    reversal = ledger.reverse(session, row, payment, reason="重复拨付", actor=admin, now=NOW)
    with pytest.raises(LedgerRefused, match="已被冲销"):
        ledger.reverse(session, row, payment, reason="再次", actor=admin, now=NOW)
    with pytest.raises(LedgerRefused, match="不能再冲销"):
        ledger.reverse(session, row, reversal, reason="再次", actor=admin, now=NOW)
    ledger.reverse(session, row, publication, reason="名单有误", actor=admin, now=NOW)
    assert row.status == "open" and row.published_on is None
    ledger.decide(session, row, find(items(session, row), "YZ-07", "JK2024-001"), REFUSE, reason="异议成立",
                  actor=admin, now=NOW)


def test_a_withdrawn_fact_makes_its_decision_stale_until_reviewed_again(session, admin):
    row = settle(session, admin, "xuchang-2022", document=example("xuchang-2024"))
    state = find(items(session, row), "XC-02", "ht-2")
    ledger.decide(session, row, state, APPROVE, actor=admin, now=NOW)
    fact = next(f for f in session.scalars(select(store.AwardFact)) if f.fact_id == "ht-2")
    store.withdraw(fact, reason="证书号录错", actor=admin, now=NOW)
    result = settlement.compute(session, row, now=NOW)
    assert result.gone == 1
    state = find(items(session, row), "XC-02", "ht-2")
    assert not state.item.current and state.stale and state.pending
    with pytest.raises(LedgerRefused, match="不再产生该条目"):
        ledger.decide(session, row, state, APPROVE, actor=admin, now=NOW)
    ledger.reverse(session, row, state.decision, reason="事实已撤回", actor=admin, now=NOW)
    assert not find(items(session, row), "XC-02", "ht-2").pending
    with pytest.raises(FactsRefused, match="已于 2026-11-30 撤回"):
        store.withdraw(fact, reason="again", actor=admin, now=NOW)


def test_a_changed_amount_makes_the_decision_stale(session, admin):
    row = settle(session, admin, "xuchang-2022", document=example("xuchang-2024"))
    state = find(items(session, row), "XC-09", "ZY2024-02")  # 4 万元: the rest of the 10 万元 yearly cap
    ledger.decide(session, row, state, APPROVE, actor=admin, now=NOW)
    fact = next(f for f in session.scalars(select(store.AwardFact)) if f.fact_id == "ev-1")
    store.withdraw(fact, reason="重复登记", actor=admin, now=NOW)
    result = settlement.compute(session, row, now=NOW)
    assert result.changed >= 1
    state = find(items(session, row), "XC-09", "ZY2024-02")
    assert state.item.payable == D("5") and state.decision.basis == D("4") and state.stale


def test_facts_on_the_record_count_a_renewal_at_its_own_rate(session, admin):
    dy = mf.county(session)
    first, renewed = mf.enterprise(session, dy), mf.enterprise(session, dy)
    session.add(Qualification(enterprise=first, type="high_tech", valid_from=date(2024, 10, 1),
                              valid_to=date(2027, 9, 30), approved_on=date(2024, 11, 5)))
    old = Qualification(enterprise=renewed, type="high_tech", valid_from=date(2021, 10, 1), valid_to=date(2024, 9, 30))
    session.add(old)
    session.flush()
    session.add(Qualification(enterprise=renewed, type="high_tech", valid_from=date(2024, 10, 1),
                              valid_to=date(2027, 9, 30), renews_id=old.id))
    session.add(Qualification(enterprise=first, type="little_giant", valid_from=date(2024, 1, 1),
                              valid_to=date(2026, 12, 31)))
    row = settle(session, admin, "xuchang-2022")
    got = {(s.item.beneficiary_name, s.item.rule, s.item.payable, s.item.enterprise_id)
           for s in items(session, row).values()}
    assert got == {(first.name, "XC-02", D(10), first.id), (renewed.name, "XC-02", D(5), renewed.id)}


def test_an_award_decided_last_year_counts_for_a_one_off_cap(session, admin):
    document = example("xuchang-2024")
    last = settle(session, admin, "xuchang-2022", document=document)
    state = find(items(session, last), "XC-03")
    ledger.decide(session, last, state, REDUCE, amount=D("6"), reason="按实际投入核定", actor=admin, now=NOW)
    store.record(session, {"beneficiaries": [{"id": "91411000MA44XC0003", "name": "许昌丙科技有限公司",
                                               "kind": "enterprise", "facts": [
        {"id": "rd-2024", "type": "rd_investment", "date": "2025-04-30", "amount": "300", "fiscal_year": 2024,
         "tech_sme_filed": True, "meets_hightech_standards": True, "high_tech_certified": False}]}]},
        source="officer", actor=admin, as_of=date(2026, 11, 30), now=NOW)
    this = settle(session, admin, "xuchang-2022", year=2025)
    again = find(items(session, this), "XC-03")
    assert again.item.status == "excluded" and again.item.payable == 0
    assert any("此前已享受 6 万元" in step for step in again.item.trace)


def test_importing_the_same_document_twice_changes_nothing(session, admin):
    document = example("anyang-2024")
    new, skipped = store.record(session, document, source="import", actor=admin, as_of=date(2026, 11, 30), now=NOW)
    again, skipped_again = store.record(session, document, source="import", actor=admin, as_of=date(2026, 11, 30),
                                        now=NOW)
    assert (len(again), skipped_again) == (0, len(new)) and skipped == 0


def test_an_import_is_all_or_nothing_and_names_every_problem(session, admin):
    document = example("anyang-2024")
    store.record(session, document, source="import", actor=admin, as_of=date(2026, 11, 30), now=NOW)
    document["beneficiaries"][0]["facts"][0]["date"] = "2024-01-02"  # same id, other content
    document["beneficiaries"][1]["facts"].append({"id": "late", "type": "prize", "date": "2026-12-01",
                                                  "level": "municipal"})
    document["beneficiaries"].append({"id": "X", "kind": "enterprise", "facts": [
        {"id": "new-1", "type": "prize", "date": "2024-05-01", "level": "municipal"}]})
    before = len(list(session.scalars(select(store.AwardFact))))
    with pytest.raises(FactsRefused) as caught:
        store.record(session, document, source="import", actor=admin, as_of=date(2026, 11, 30), now=NOW)
    problems = caught.value.problems
    assert len(problems) == 2
    assert "「事实标识」（beneficiaries[0].facts[0].id）" in problems[0] and "内容不同" in problems[0]
    assert "「发生日期」（beneficiaries[1].facts[" in problems[1] and "2026-12-01 晚于今天" in problems[1]
    assert len(list(session.scalars(select(store.AwardFact)))) == before


def test_a_fact_dated_today_is_taken_and_tomorrow_refused(session, admin):
    def doc(day):
        return {"beneficiaries": [{"id": "P1", "name": "某银行", "kind": "financial_institution", "facts": [
            {"id": f"c-{day}", "type": "yearly_counts", "date": day, "patent_pledge_lending": "5000"}]}]}
    with pytest.raises(FactsRefused, match="晚于今天"):
        store.record(session, doc("2026-12-01"), source="officer", actor=admin, as_of=date(2026, 11, 30), now=NOW)
    new, _ = store.record(session, doc("2026-11-30"), source="officer", actor=admin, as_of=date(2026, 11, 30),
                          now=NOW)
    assert new[0].enterprise_id is None and new[0].beneficiary_kind == "financial_institution"


def test_a_county_officer_records_facts_for_their_own_county_only(session, admin):
    dy, yx = mf.county(session), mf.county(session, "420222", "阳新县")
    mine, theirs = mf.enterprise(session, dy), mf.enterprise(session, yx)

    def doc(key, kind="enterprise"):
        return {"beneficiaries": [{"id": key, "kind": kind, "facts": [
            {"id": "p", "type": "prize", "date": "2024-05-01", "level": "municipal"}]}]}
    with pytest.raises(FactsRefused, match="不是本县"):
        store.record(session, doc(theirs.uscc), source="officer", actor=None, as_of=date(2026, 11, 30), now=NOW,
                     county_id=dy.id)
    with pytest.raises(FactsRefused, match="未登记为企业"):
        store.record(session, doc("BANK-1", "financial_institution"), source="officer", actor=None,
                     as_of=date(2026, 11, 30), now=NOW, county_id=dy.id)
    new, _ = store.record(session, doc(mine.uscc), source="officer", actor=None, as_of=date(2026, 11, 30), now=NOW,
                          county_id=dy.id)
    assert (new[0].enterprise_id, new[0].county_id) == (mine.id, dy.id)


def test_opening_a_year(session, admin):
    with pytest.raises(SettlementRefused, match="2027 年还没有开始"):
        settlement.open_settlement(session, "xuchang-2022", 2027, actor=admin, as_of=date(2026, 11, 30), now=NOW)
    with pytest.raises(SettlementRefused, match="不适用"):
        settlement.open_settlement(session, "xuchang-2022", 2026, actor=admin, as_of=date(2026, 11, 30), now=NOW)
    settlement.open_settlement(session, "xuchang-2022", 2025, actor=admin, as_of=date(2026, 11, 30), now=NOW)
    with pytest.raises(SettlementRefused, match="已经开始"):
        settlement.open_settlement(session, "xuchang-2022", 2025, actor=admin, as_of=date(2026, 11, 30), now=NOW)


def test_texts_the_stored_facts_cannot_hold_are_named_and_nothing_is_written(session, admin):
    document = {"beneficiaries": [{"id": "B" * 65, "name": "名" * 201, "kind": "agency", "facts": [
        {"id": "f" * 65, "type": "prize", "date": "2024-05-01", "level": "municipal", "subject": "ZL1\u0007"}]}]}
    with pytest.raises(FactsRefused) as caught:
        store.record(session, document, source="import", actor=admin, as_of=TODAY_, now=NOW)
    text = "\n".join(caught.value.problems)
    for path in ("beneficiaries[0].id）：至多 64 个字", "beneficiaries[0].name）：至多 200 个字",
                 "beneficiaries[0].facts[0].id）：至多 64 个字", "（beneficiaries[0].facts[0].subject）：含有不能保存的字符"):
        assert path in text, text
    document["beneficiaries"][0].update(id="B" * 64, name="名" * 200)
    document["beneficiaries"][0]["facts"][0].update(id="f" * 64, subject="ZL1")
    new, _ = store.record(session, document, source="import", actor=admin, as_of=TODAY_, now=NOW)
    assert len(new) == 1
