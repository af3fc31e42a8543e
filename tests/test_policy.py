"""pool.eligibility.policy — dated parameters (OpenFisca-style), SPEC §2-§4."""
import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from pool.eligibility.policy import (
    DEFAULT_PARAMETERS, PARAMETER_SPECS, SEED_DATE, Parameter, Policy, parameter_from_json,
    parameter_to_json,
)
from pool.eligibility.sme import DEFAULT_TABLE, SizeTable, classify

EXPECTED_DEFAULTS = {
    "city_region_prefix": "4202",
    "accepted_qualifications": ("specialized_sme", "little_giant", "high_tech", "ip_advantage",
                                "ip_demonstration", "ip_pilot"),
    "min_industrialization_rate": Decimal("0.50"),
    "min_rd_ratio": Decimal("0.10"),
    "min_rd_amount": Decimal("500"),
    "min_rd_staff_ratio": Decimal("0.20"),
    "quota_multiplier": 2,
    "graduation_min_months": 12,
    "graduation_growth": Decimal("0.20"),
    "progress_window_months": 24,
    "no_progress_warning_months": 18,
    "no_progress_high_months": 21,
    "qualification_expiring_days": 90,
    "annual_data_deadline": "05-31",
    "annual_data_high_after_days": 30,
    "reminder_days_before_deadline": (30, 14, 7),
    "reapply_after_expulsion_months": 0,
    "exit_needs_city_approval": True,
}


def test_defaults_match_the_spec():
    snapshot = Policy().in_force(SEED_DATE)
    for key, value in EXPECTED_DEFAULTS.items():
        assert snapshot[key] == value, key
    assert snapshot["sme_size_table"] == DEFAULT_TABLE
    assert set(snapshot) == set(PARAMETER_SPECS) == set(EXPECTED_DEFAULTS) | {"sme_size_table"}


def test_every_default_is_dated_at_the_seed_and_cites_its_clause():
    assert SEED_DATE == date(2024, 9, 30)
    for parameter in DEFAULT_PARAMETERS:
        assert parameter.valid_from == SEED_DATE
        assert parameter.source
        assert parameter.recorded_by == "系统默认"
    sources = {p.key: p.source for p in DEFAULT_PARAMETERS}
    assert sources["min_rd_ratio"] == "黄石 附件2 第6条"
    assert sources["min_industrialization_rate"] == "黄石 附件2 第5条"
    assert sources["min_rd_staff_ratio"] == "黄石 附件2 第7条"
    assert "二(六)2" in sources["quota_multiplier"]
    assert "SPEC §4" in sources["annual_data_deadline"]


def test_specs_have_chinese_labels_and_known_kinds():
    kinds = {"decimal", "int", "str", "str_list", "int_list", "month_day", "table", "bool"}
    for key, spec in PARAMETER_SPECS.items():
        assert spec.key == key and spec.kind in kinds and spec.label and spec.description


def test_exit_approval_is_a_yes_or_no():
    from pool.eligibility.policy import _checked
    for bad in ("yes", 1, None):
        with pytest.raises(ValueError, match="须为 true 或 false"):
            _checked(Parameter("exit_needs_city_approval", bad, date(2026, 1, 1), "测试"))
    assert _checked(Parameter("exit_needs_city_approval", False, date(2026, 1, 1), "测试")).value is False


def test_no_value_before_the_seed_date_and_the_error_names_the_key():
    snapshot = Policy().in_force(date(2024, 9, 29))
    with pytest.raises(KeyError) as info:
        snapshot["min_rd_ratio"]
    assert "min_rd_ratio" in str(info.value)
    assert len(snapshot) == 0 and "min_rd_ratio" not in snapshot


def test_unknown_key_raises_key_error():
    with pytest.raises(KeyError) as info:
        Policy().in_force(SEED_DATE)["no_such_key"]
    assert "no_such_key" in str(info.value)


def test_a_new_value_applies_from_its_date_the_day_before_keeps_the_old():
    change = Parameter("min_rd_amount", Decimal("600"), date(2025, 1, 1), "黄石 附件2 第6条（修订）", recorded_by="admin")
    policy = Policy(DEFAULT_PARAMETERS + (change,))
    assert policy.in_force(date(2024, 12, 31))["min_rd_amount"] == Decimal("500")
    assert policy.in_force(date(2025, 1, 1))["min_rd_amount"] == Decimal("600")
    assert policy.in_force(date(2025, 1, 1)).parameter("min_rd_amount").recorded_by == "admin"
    assert [p.value for p in policy.history("min_rd_amount")] == [Decimal("500"), Decimal("600")]


def test_values_are_chosen_by_date_not_by_order_given():
    later = Parameter("quota_multiplier", 3, date(2026, 1, 1), "二(六)2")
    earlier = Parameter("quota_multiplier", 1, date(2025, 1, 1), "二(六)2")
    policy = Policy(DEFAULT_PARAMETERS + (later, earlier))
    assert policy.in_force(date(2025, 6, 1))["quota_multiplier"] == 1
    assert policy.in_force(date(2026, 1, 1))["quota_multiplier"] == 3


def test_same_date_twice_the_later_one_is_a_correction():
    first = Parameter("quota_multiplier", 3, date(2025, 1, 1), "二(六)2")
    fixed = Parameter("quota_multiplier", 4, date(2025, 1, 1), "二(六)2", note="更正")
    assert Policy(DEFAULT_PARAMETERS + (first, fixed)).in_force(date(2025, 1, 1))["quota_multiplier"] == 4


@pytest.mark.parametrize("key, value", [
    ("min_rd_ratio", Decimal("1.5")), ("min_rd_ratio", "abc"), ("min_rd_ratio", True),
    ("min_rd_ratio", Decimal("NaN")), ("min_rd_amount", -1), ("quota_multiplier", 2.5),
    ("quota_multiplier", -1), ("accepted_qualifications", ["high_tech", "nobel_prize"]),
    ("accepted_qualifications", ["high_tech", "high_tech"]), ("accepted_qualifications", "high_tech"),
    ("annual_data_deadline", "02-29"), ("annual_data_deadline", "5-31"), ("annual_data_deadline", "13-01"),
    ("reminder_days_before_deadline", []), ("reminder_days_before_deadline", [7, 7]),
    ("reminder_days_before_deadline", [0]), ("city_region_prefix", "42a2"), ("city_region_prefix", 4202),
    ("sme_size_table", {"name": "x"}), ("sme_size_table", "table"),
])
def test_bad_values_are_refused_with_a_chinese_message_naming_the_key(key, value):
    with pytest.raises(ValueError) as info:
        Policy([Parameter(key, value, SEED_DATE, "测试")])
    assert key in str(info.value)


def test_unknown_key_and_missing_source_are_refused():
    with pytest.raises(ValueError):
        Policy([Parameter("no_such_key", 1, SEED_DATE, "测试")])
    with pytest.raises(ValueError):
        Policy([Parameter("quota_multiplier", 1, SEED_DATE, "")])


def test_json_forms_are_accepted_and_floats_go_through_their_repr():
    policy = Policy([Parameter("min_rd_ratio", "0.12", SEED_DATE, "测试"),
                     Parameter("min_rd_staff_ratio", 0.1, SEED_DATE, "测试"),
                     Parameter("reminder_days_before_deadline", [30, 7], SEED_DATE, "测试")])
    snapshot = policy.in_force(SEED_DATE)
    assert snapshot["min_rd_ratio"] == Decimal("0.12")
    assert snapshot["min_rd_staff_ratio"] == Decimal("0.1")  # not 0.1000000000000000055…
    assert snapshot["reminder_days_before_deadline"] == (30, 7)


def test_used_records_json_values_dates_and_sources():
    snapshot = Policy().in_force(date(2025, 3, 1))
    used = snapshot.used(["min_rd_ratio", "min_rd_amount", "accepted_qualifications"])
    assert used[0] == {"key": "min_rd_ratio", "value": "0.10", "valid_from": "2024-09-30",
                       "source": "黄石 附件2 第6条"}
    assert used[1]["value"] == "500"
    assert used[2]["value"] == list(EXPECTED_DEFAULTS["accepted_qualifications"])
    everything = snapshot.used()
    assert [u["key"] for u in everything] == sorted(PARAMETER_SPECS)
    json.dumps(everything, ensure_ascii=False)  # JSON-compatible, the size table included


def test_used_names_a_key_not_in_force():
    with pytest.raises(KeyError):
        Policy().in_force(date(2024, 1, 1)).used(["min_rd_ratio"])


def test_parameter_json_round_trip():
    for parameter in DEFAULT_PARAMETERS:
        assert parameter_from_json(parameter_to_json(parameter)) == parameter
    with pytest.raises(ValueError):
        parameter_from_json({"key": "min_rd_ratio", "value": "0.1", "valid_from": "2024-13-01", "source": "x"})
    with pytest.raises(ValueError):
        parameter_from_json({"key": "min_rd_ratio", "value": "0.1"})


def test_in_force_takes_a_date_not_a_datetime():
    with pytest.raises(TypeError):
        Policy().in_force(datetime(2025, 1, 1, 12, 0))


def test_a_revised_sme_standard_is_a_new_dated_value_without_code_change():
    revised = DEFAULT_TABLE.to_json()
    revised["name"] = "中小企业划型标准规定（修订）"
    industry = next(g for g in revised["groups"] if g["id"] == "industry")
    industry["large"]["employees"] = 1500
    policy = Policy(DEFAULT_PARAMETERS + (Parameter("sme_size_table", revised, date(2026, 1, 1), "修订标准"),))
    old_table = policy.in_force(date(2025, 12, 31))["sme_size_table"]
    new_table = policy.in_force(date(2026, 1, 1))["sme_size_table"]
    assert isinstance(new_table, SizeTable)
    assert classify("C3562", 1200, Decimal("50000"), None, old_table).size == "large"
    assert classify("C3562", 1200, Decimal("50000"), None, new_table).size == "medium"


def test_snapshot_is_a_mapping_and_cached_per_date():
    policy = Policy()
    snapshot = policy.in_force(date(2025, 1, 1))
    assert policy.in_force(date(2025, 1, 1)) is snapshot
    assert dict(snapshot)["quota_multiplier"] == 2
    assert snapshot.as_of == date(2025, 1, 1)


def test_parameters_lists_every_value():
    extra = replace(DEFAULT_PARAMETERS[0], valid_from=date(2030, 1, 1))
    assert len(Policy(DEFAULT_PARAMETERS + (extra,)).parameters) == len(DEFAULT_PARAMETERS) + 1
