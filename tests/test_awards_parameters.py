"""The administrator's dated parameter values: each kind checked on both sides, a missing
tier table entered so a refused item computes, later years changed and earlier ones not."""
import json
from datetime import date, datetime, timezone
from decimal import Decimal as D

import pytest

from models import CITY_ADMIN, AppendOnlyError, AwardItem, AwardParameter
from pool.awards import parameters, programme, settlement, store
from pool.awards.parameters import ParameterRefused
from tests import model_factories as mf

NOW = datetime(2026, 11, 30, 4, tzinfo=timezone.utc)
TODAY = date(2026, 11, 30)
TIERS = [{"to": "500", "to_inclusive": True, "amount": "5"}, {"from": "500", "from_inclusive": False, "amount": "10"}]


def loan(amount="500"):
    return {"beneficiaries": [{"id": "91411000MA44XC0001", "name": "许昌甲电气有限公司", "kind": "enterprise", "facts": [
        {"id": "tm-1", "type": "loan", "date": "2024-01-15", "subject": "SB2024-01", "collateral": "trademark",
         "amount": amount, "repaid_on_schedule": True, "interest_paid": "18"}]}]}


@pytest.fixture
def admin(session):
    return mf.user(session, "admin", role=CITY_ADMIN)


def put(session, admin, key, text, day=date(2022, 11, 25), code="xuchang-2022", source="许知〔2024〕1号 第三条"):
    return parameters.record(session, code, key, valid_from=day, text=text, source=source, actor=admin,
                             as_of=TODAY, now=NOW)


def trademark_item(session, admin, year=2024):
    row = settlement.open_settlement(session, "xuchang-2022", year, actor=admin, as_of=TODAY, now=NOW)
    settlement.compute(session, row, now=NOW)
    return session.query(AwardItem).filter_by(settlement_id=row.id, rule="XC-11").one()


def test_a_missing_tier_table_is_refused_until_the_administrator_enters_it(session, admin):
    store.record(session, loan(), source="import", actor=admin, as_of=TODAY, now=NOW)
    item = trademark_item(session, admin)
    assert item.status == "refused" and "须由管理员录入分档参数" in item.trace[-1]
    put(session, admin, "xc11_trademark_interest_tiers", json.dumps(TIERS))
    settlement.compute(session, item.settlement, now=NOW)
    assert item.status == "payable" and item.payable == D(5)  # 500 万元 falls in the first band (≤ 500): 5 < 18 paid


def test_the_band_edge_follows_each_edges_inclusivity(session, admin):
    store.record(session, loan("500.01"), source="import", actor=admin, as_of=TODAY, now=NOW)
    put(session, admin, "xc11_trademark_interest_tiers", json.dumps(TIERS))
    assert trademark_item(session, admin).payable == D(10)


@pytest.mark.parametrize("text", [
    "[]", "not json", json.dumps([{"to": "500", "amount": "5"}, {"from": "400", "amount": "10"}]),  # overlap
    json.dumps([{"amount": "5"}, {"amount": "6"}]), json.dumps([{"to": "-1", "amount": "5"}]),
    json.dumps([{"to": "500", "amount": "5", "rate": "1"}]), json.dumps([{"to": "500"}]),
    json.dumps([{"to": "500", "to_inclusive": "yes", "amount": "5"}]),
])
def test_a_bad_tier_table_is_refused(session, admin, text):
    with pytest.raises(ParameterRefused, match="分档表须为 JSON 列表"):
        put(session, admin, "xc11_trademark_interest_tiers", text)


def test_touching_bands_are_accepted(session, admin):
    row = put(session, admin, "xc11_trademark_interest_tiers", json.dumps(
        [{"to": "500", "amount": "5"}, {"from": "500", "amount": "10"}]))  # [0, 500) and [500, ∞)
    assert row.value == [{"to": "500", "amount": "5"}, {"from": "500", "amount": "10"}]


@pytest.mark.parametrize("key, good, bad, kind", [
    ("xc02_first_amount", "12", "-1", parameters.AMOUNT), ("xc02_first_amount", "0", "十万", parameters.AMOUNT),
    ("payment_lag_years", "1", "1.5", parameters.WHOLE), ("xc15_first_only", "false", "maybe", parameters.YES_NO),
    ("new_reading", "first_ever", "  ", parameters.READING),
])
def test_each_kind_of_value_on_both_sides(session, admin, key, good, bad, kind):
    assert parameters.kind_of(programme.load("xuchang-2022"), key) == kind
    put(session, admin, key, good)
    with pytest.raises(ParameterRefused, match="「取值」"):
        put(session, admin, key, bad)


def test_a_table_parameter_is_not_edited_here(session, admin):
    with pytest.raises(ParameterRefused, match="只能随政策数据文件修改"):
        put(session, admin, "no_double", "{}", code="yuanzhou-2023")


def test_the_day_must_not_be_after_today_and_a_source_is_needed(session, admin):
    with pytest.raises(ParameterRefused, match="晚于今天"):
        put(session, admin, "xc02_first_amount", "12", day=date(2026, 12, 1))
    put(session, admin, "xc02_first_amount", "12", day=TODAY)
    with pytest.raises(ParameterRefused, match="依据"):
        put(session, admin, "xc02_first_amount", "12", source=" ")


def test_a_new_value_changes_its_year_on_and_the_latest_entry_of_a_day_wins(session, admin):
    put(session, admin, "xc02_first_amount", "12", day=date(2025, 1, 1))
    put(session, admin, "xc02_first_amount", "15", day=date(2025, 1, 1))
    prog = parameters.programme(session, "xuchang-2022")
    assert prog.in_force(2024).parameters["xc02_first_amount"] == "10"
    assert prog.in_force(2025).parameters["xc02_first_amount"] == "15"
    assert programme.load("xuchang-2022").in_force(2025).parameters["xc02_first_amount"] == "10"  # file untouched


def test_parameter_values_are_append_only(session, admin):
    row = put(session, admin, "xc02_first_amount", "12")
    session.commit()
    row.value = "13"
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()
    session.delete(session.get(AwardParameter, row.id))
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()
