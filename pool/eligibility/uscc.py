"""统一社会信用代码 (unified social credit code, GB 32100-2015).

SPEC §2.3: 18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY``; the 18th is
a check character computed from the first 17 with fixed weights.
"""
import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Shape per the contract: registration authority + kind, 6-digit region code, 10 more.
PATTERN = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")  # used with fullmatch: "$" would accept a trailing newline


def check_char(first17: str) -> str:
    """Return the check character for the first 17 characters of a code.

    :raise ValueError: if ``first17`` is not 17 characters of the alphabet.
    """
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError("需要 17 位统一社会信用代码本体字符")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    # 31 − (Σ mod 31); a result of 31 is written as 0.
    return ALPHABET[(31 - total % 31) % 31]


def is_well_formed(code: str) -> bool:
    """True when ``code`` has the contract's shape (checksum not examined)."""
    return isinstance(code, str) and PATTERN.fullmatch(code) is not None


def is_valid(code: str) -> bool:
    """True when ``code`` is well formed and its check character is right."""
    return is_well_formed(code) and check_char(code[:17]) == code[17]


def region_code(code: str) -> str:
    """The 6-digit 登记管理机关行政区划码 (characters 3–8)."""
    return code[2:8]


def make(registration: str, region: str, body: str) -> str:
    """Build a valid code from its parts (2-char prefix, 6-digit region, 9-char body).

    Used by the demo data and test factories.
    """
    first17 = f"{registration}{region}{body}"
    return first17 + check_char(first17)
