"""pool.industries — GB/T 4754-2017 codes and the patent-intensive table (SPEC §2.2)."""
import json
from datetime import date

import pytest

from pool import industries
from pool.industries import (DEFAULT_ENTRIES, GROUPS, IndustryEntry, IndustryTable, display_code,
                             entries_from_json, split_code)


def entry(code="3562", group="新装备制造业", valid_from=date(2019, 4, 1), included=True, name="半导体器件专用设备制造"):
    return IndustryEntry(code, group, name, "测试", valid_from, "tests", included)


@pytest.mark.parametrize("code, expected", [
    ("C3562", ("C", "3562")), ("3562", ("C", "3562")), ("A0111", ("A", "0111")), ("0111", ("A", "0111")),
    ("I6513", ("I", "6513")), ("K7010", ("K", "7010")), ("P8310", ("P", "8310")), ("Q8510", ("Q", "8510")),
    ("T9700", ("T", "9700")), ("B0610", ("B", "0610")), ("D4411", ("D", "4411")), ("G5910", ("G", "5910")),
])
def test_split_code_derives_the_section_from_the_division(code, expected):
    assert split_code(code) == expected


@pytest.mark.parametrize("code, fragment", [
    ("C5111", "门类字母应为 F"),   # division 51 is 批发业 (F)
    ("9800", "大类 98"),           # no division 98 in GB/T 4754-2017
    ("0011", "大类 00"),
    ("356", "4 位数字"),
    ("C35620", "4 位数字"),
    ("c3562", "门类字母"),
    ("３５６２", "4 位数字"),        # full-width digits
])
def test_split_code_rejects_bad_codes(code, fragment):
    with pytest.raises(ValueError) as info:
        split_code(code)
    assert fragment in str(info.value)


def test_every_division_01_to_97_has_one_section():
    assert sorted(industries.SECTION_BY_DIVISION) == [f"{d:02d}" for d in range(1, 98)]
    assert set(industries.SECTION_BY_DIVISION.values()) == set("ABCDEFGHIJKLMNOPQRST")


def test_display_code_adds_the_letter():
    assert display_code("3562") == "C3562"
    assert display_code("C3562") == "C3562"


def test_seven_groups_of_the_2019_classification():
    assert GROUPS == ("信息通信技术制造业", "信息通信技术服务业", "新装备制造业", "新材料制造业",
                      "医药医疗产业", "环保产业", "研发、设计和技术服务业")
    assert industries.OFFICIAL_CLASS_COUNT == 188


def test_shipped_entries_are_sourced_and_the_gap_is_documented():
    data = json.loads(industries.DATA_FILE.read_text(encoding="utf-8"))
    assert "国家统计局令第25号" in data["document"]
    assert data["completeness"]  # the file says what it lacks
    for item in DEFAULT_ENTRIES:
        assert item.source and item.group in GROUPS and item.valid_from


def test_lookup_accepts_both_code_forms():
    table = IndustryTable([entry()])
    assert table.lookup("C3562").group == "新装备制造业"
    assert table.lookup("3562") == table.lookup("C3562")
    assert table.lookup("3911") is None


def test_a_later_entry_overrides_an_earlier_one():
    table = IndustryTable([entry(), entry(included=False, valid_from=date(2025, 1, 1))])
    assert table.lookup("3562").included is False


def test_as_of_ignores_entries_not_yet_valid():
    correction = entry(included=False, valid_from=date(2025, 1, 1))
    table = IndustryTable([entry(), correction])
    assert table.lookup("3562", date(2024, 12, 31)).included is True
    assert table.lookup("3562", date(2025, 1, 1)) == correction
    assert table.lookup("3562", date(2019, 3, 31)) is None


def test_included_count_counts_codes_in_force():
    table = IndustryTable([entry(), entry("3913"), entry(included=False, valid_from=date(2025, 1, 1))])
    assert table.included_count(date(2024, 1, 1)) == 2
    assert table.included_count(date(2025, 1, 1)) == 1
    assert len(table) == 2


def test_unknown_group_is_refused():
    with pytest.raises(ValueError):
        IndustryTable([entry(group="新能源")])


def test_entries_from_json():
    built = entries_from_json([{"code": "C3562", "group": "新装备制造业", "name": "x", "source": "令第25号",
                                "valid_from": "2019-04-01"}])
    assert built[0].code == "3562" and built[0].included and built[0].recorded_by == "系统默认"
    with pytest.raises(ValueError):
        entries_from_json([{"code": "C3562"}])
