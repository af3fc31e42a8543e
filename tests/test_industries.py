"""pool.reference.industries — the patent-intensive classification as dated versions (SPEC §2.2)."""
from datetime import date

import pytest

from pool.reference import industries
from pool.reference.industries import (
    DEFAULT_VERSION, GROUPS, IndustryEntry, IndustryTable, TableProblems, parse_rows, rows_from_csv,
    version_rows,
)


def entry(code="3562", group="新装备制造业", valid_from=date(2019, 4, 1), included=True, name="半导体器件专用设备制造"):
    return IndustryEntry(code, group, name, "测试", valid_from, "tests", included)


def test_the_shipped_table_is_the_complete_2019_classification():
    entries = DEFAULT_VERSION.entries
    assert len(entries) == industries.OFFICIAL_CLASS_COUNT == 188
    assert len({e.group for e in entries.values()}) == 7
    assert len({(e.group, e.category) for e in entries.values()}) == 31
    assert DEFAULT_VERSION.valid_from == date(2019, 4, 1)
    assert "国家统计局令第25号" in DEFAULT_VERSION.source
    counts = {g: sum(e.group == g for e in entries.values()) for g in GROUPS}
    assert counts == {"信息通信技术制造业": 33, "信息通信技术服务业": 21, "新装备制造业": 81, "新材料制造业": 22,
                      "医药医疗产业": 14, "环保产业": 5, "研发、设计和技术服务业": 12}
    c3921 = entries["3921"]
    assert (c3921.group, c3921.category, c3921.name) == (
        "信息通信技术制造业", "通信设备、雷达及配套设备制造", "通信系统设备制造")


def test_seven_groups_of_the_2019_classification():
    assert GROUPS == ("信息通信技术制造业", "信息通信技术服务业", "新装备制造业", "新材料制造业",
                      "医药医疗产业", "环保产业", "研发、设计和技术服务业")


def default_table(*corrections, versions=()):
    return IndustryTable(corrections, versions=[DEFAULT_VERSION, *versions])


def test_lookup_accepts_both_code_forms_and_only_from_the_official_date():
    table = default_table()
    assert table.lookup("C3921", date(2019, 4, 1)).group == "信息通信技术制造业"
    assert table.lookup("3921", date(2025, 1, 1)) == table.lookup("C3921", date(2025, 1, 1))
    assert table.lookup("C3921", date(2019, 3, 31)) is None
    assert table.lookup("C1711", date(2025, 1, 1)) is None  # 棉纺纱加工: a class, not listed


def test_a_correction_applies_from_its_date():
    correction = entry("3921", "信息通信技术制造业", included=False, valid_from=date(2025, 1, 1))
    table = default_table(correction)
    assert table.lookup("3921", date(2024, 12, 31)).included is True
    assert table.lookup("3921", date(2025, 1, 1)) == correction
    assert table.included_count(date(2024, 12, 31)) == 188
    assert table.included_count(date(2025, 1, 1)) == 187


def test_a_later_version_supersedes_earlier_corrections():
    correction = entry("1711", "新材料制造业", valid_from=date(2022, 1, 1))
    rows = [r for r in version_rows(DEFAULT_VERSION) if r["gbt4754_code"] != "3921"]
    revised = parse_rows(rows, valid_from=date(2024, 1, 1), source="修订", recorded_by="admin")
    table = default_table(correction, versions=[revised])
    assert table.lookup("1711", date(2023, 6, 1)).included
    assert table.lookup("1711", date(2024, 1, 1)) is None
    assert table.lookup("3921", date(2023, 12, 31)).included
    assert table.lookup("3921", date(2024, 1, 1)) is None
    assert table.version_on(date(2024, 1, 1)) is revised
    assert table.included_count(date(2024, 1, 1)) == 187


def test_without_versions_corrections_alone_make_the_table():
    table = IndustryTable([entry(), entry("3913"), entry(included=False, valid_from=date(2025, 1, 1))])
    assert table.included_count(date(2024, 1, 1)) == 2
    assert table.included_count(date(2025, 1, 1)) == 1
    assert len(table) == 2 and table.version_on(date(2025, 1, 1)) is None


def test_unknown_group_is_refused():
    with pytest.raises(ValueError):
        IndustryTable([entry(group="新能源")])


def test_the_shipped_rows_round_trip():
    again = parse_rows(version_rows(DEFAULT_VERSION), valid_from=DEFAULT_VERSION.valid_from,
                       source=DEFAULT_VERSION.source, recorded_by="系统默认")
    assert again.entries == DEFAULT_VERSION.entries


def test_a_bad_table_reports_every_problem_with_row_and_column():
    rows = version_rows(DEFAULT_VERSION)[:3]
    rows[0] = dict(rows[0], gbt4754_code="3920")
    rows[1] = dict(rows[1], gbt4754_code=rows[2]["gbt4754_code"])
    rows.append(dict(rows[2], gbt4754_code="1711", group_name="新能源"))
    rows.append(dict(rows[2], gbt4754_code="1712", group_code="3"))
    with pytest.raises(TableProblems) as info:
        parse_rows(rows, valid_from=date(2025, 1, 1), source="x", recorded_by="y")
    problems = info.value.problems
    assert len(problems) == 4
    assert problems[0].startswith("第2行「行业小类代码」") and "不是GB/T 4754-2017" in problems[0]
    assert problems[1].startswith("第4行「行业小类代码」") and "重复" in problems[1]
    assert problems[2].startswith("第5行「大类名称」")
    assert problems[3].startswith("第6行「大类代码」")


def test_csv_needs_the_shipped_columns():
    with pytest.raises(TableProblems) as info:
        rows_from_csv("code,name\n3921,x\n")
    assert "缺少列" in info.value.problems[0]
    assert len(rows_from_csv(industries.DATA_FILE.read_text(encoding="utf-8"))) == 188
