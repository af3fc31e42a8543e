"""pool.reference.gbt4754 — the exact list of GB/T 4754-2017 classes."""
import pytest

from pool.reference import gbt4754
from pool.reference.gbt4754 import CLASSES, display_code, nearest, split_code


@pytest.mark.parametrize("code, expected", [
    ("C3562", ("C", "3562")), ("3562", ("C", "3562")), ("A0111", ("A", "0111")), ("0111", ("A", "0111")),
    ("I6513", ("I", "6513")), ("K7010", ("K", "7010")), ("P8310", ("P", "8310")), ("Q8511", ("Q", "8511")),
    ("T9700", ("T", "9700")), ("B0610", ("B", "0610")), ("D4411", ("D", "4411")), ("G5910", ("G", "5910")),
])
def test_split_code_derives_the_section_from_the_class(code, expected):
    assert split_code(code) == expected


@pytest.mark.parametrize("code, fragment", [
    ("C5111", "门类字母应为 F"),   # 5111 is 谷物、豆及薯类批发 (F)
    ("9800", "大类 98 不存在"),     # no division 98 in GB/T 4754-2017
    ("0011", "大类 00 不存在"),
    ("356", "4 位数字"),
    ("C35620", "4 位数字"),
    ("c3562", "门类字母"),
    ("３５６２", "4 位数字"),        # full-width digits
])
def test_split_code_rejects_bad_codes(code, fragment):
    with pytest.raises(ValueError) as info:
        split_code(code)
    assert fragment in str(info.value)


@pytest.mark.parametrize("code", ["C3500", "C1310", "G5310", "J6620", "Q8510", "C9999", "3040"])
def test_codes_under_a_real_division_that_are_not_classes_are_refused(code):
    with pytest.raises(ValueError) as info:
        split_code(code)
    assert "不是GB/T 4754-2017《国民经济行业分类》的行业小类" in str(info.value)


def test_the_refusal_names_the_nearest_classes_of_the_group():
    with pytest.raises(ValueError) as info:
        split_code("C1310")
    message = str(info.value)
    assert "同一中类的小类有：C1311 稻谷加工" in message and "C1319 其他谷物磨制" in message


def test_without_the_group_the_nearest_classes_of_the_division_are_named():
    assert [c.code for c in nearest("3500")] == ["3511", "3512", "3513", "3514", "3515"]
    with pytest.raises(ValueError) as info:
        split_code("C3500")
    assert "同一大类的小类有：C3511 矿山机械制造" in str(info.value)


def test_the_list_has_the_official_counts():
    assert len(CLASSES) == 1381
    assert len(gbt4754.DIVISIONS) == 97 and len(gbt4754.GROUPS) == 473
    assert sorted(gbt4754.SECTION_BY_DIVISION) == sorted({c.division for c in CLASSES.values()})
    assert set(gbt4754.SECTION_BY_DIVISION.values()) == set("ABCDEFGHIJKLMNOPQRST")


def test_every_class_is_accepted_in_both_forms():
    for digits, cls in CLASSES.items():
        assert split_code(digits) == split_code(cls.lettered) == (cls.section, digits)


def test_display_code_adds_the_letter():
    assert display_code("3562") == "C3562"
    assert display_code("C3562") == "C3562"


def test_listed_codes_at_division_group_and_class_level():
    assert gbt4754.is_listed_code("39") and gbt4754.is_listed_code("392") and gbt4754.is_listed_code("3921")
    assert not gbt4754.is_listed_code("98") and not gbt4754.is_listed_code("350")
    assert gbt4754.covers("39", "3921") and not gbt4754.covers("391", "3921")
