"""pool.eligibility.uscc — 统一社会信用代码 (GB 32100-2015), SPEC §2.3."""
import pytest

from pool.eligibility import uscc

WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def reference_check_char(first17: str) -> str:
    """The SPEC formula written out independently of pool.eligibility.uscc."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * w for c, w in zip(first17, WEIGHTS))
    value = 31 - total % 31
    return "0" if value == 31 else alphabet[value]


@pytest.mark.parametrize("first17", [
    "91420202MA4ABCD1X", "91420281MA49XY123", "12420200000000000", "91110108MA01ABCDE", "Y1420200000000000",
])
def test_check_char_matches_the_spec_formula(first17):
    assert uscc.check_char(first17) == reference_check_char(first17)


def test_weighted_sum_divisible_by_31_gives_check_char_0():
    # Find a body whose weighted sum is a multiple of 31: 31 - 0 = 31 -> "0".
    for last in uscc.ALPHABET:
        first17 = "9142020200000000" + last
        if reference_check_char(first17) == "0":
            assert uscc.check_char(first17) == "0"
            return
    pytest.fail("no candidate found")  # pragma: no cover


def test_make_builds_a_valid_code_and_region_code_reads_chars_3_to_8():
    code = uscc.make("91", "420202", "MA4ABCD1X")
    assert len(code) == 18 and uscc.is_valid(code)
    assert uscc.region_code(code) == "420202"


def test_wrong_check_character_is_well_formed_but_invalid():
    code = uscc.make("91", "420202", "MA4ABCD1X")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert uscc.is_well_formed(wrong)
    assert not uscc.is_valid(wrong)


@pytest.mark.parametrize("code", [
    "91420202MA4ABCD1I4",   # I is not in the alphabet
    "91420202MA4ABCD1O4",   # nor O
    "91420202ma4abcd1x4",   # lower case
    "9142020MA4ABCD1X4",    # 17 characters
    "91420202MA4ABCD1X44",  # 19 characters
    "91A20202MA4ABCD1X4",   # region must be digits
    "",
])
def test_malformed_codes(code):
    assert not uscc.is_well_formed(code)
    assert not uscc.is_valid(code)


def test_non_string_is_not_well_formed():
    assert not uscc.is_well_formed(None)
    assert not uscc.is_well_formed(914202021234567890)


@pytest.mark.parametrize("first17", ["", "9142020", "91420202MA4ABCD1I", "91420202MA4ABCD1XX"])
def test_check_char_rejects_bad_input(first17):
    with pytest.raises(ValueError):
        uscc.check_char(first17)


def test_trailing_newline_is_not_well_formed():
    assert not uscc.is_well_formed(uscc.make("91", "420202", "MA4ABCD1X") + "\n")
