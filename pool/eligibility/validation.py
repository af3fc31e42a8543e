"""Validation of applicant data: the semantic layer, and both layers at once.

:func:`inspect` and :func:`validate` run the contract's schema layer
(:func:`pool.eligibility.contract.schema_problems`), then the **semantics**
(SPEC §2.3): USCC checksum (an error, or a warning when
``uscc_checksum_override`` is true), ``rd_staff <= employees``,
``valid_from <= valid_to``, finite numbers, no trailing characters the
schema's ``$`` lets through ("…\\n"), a real GB/T 4754-2017 class, no
duplicate patent numbers, no control or format character in any text
(:mod:`pool.kernel.text`).

Judgement call — a product naming a patent number absent from ``patents`` is a
**warning**, not an error: the product can still be judged from the patents
that are listed (an unlisted patent can not be shown valid or core, so it does
not count for criterion 4), and refusing the whole application for a
cross-reference slip would keep an officer from seeing the other nine criteria.
The warning travels with the verdict.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from pool.eligibility import uscc as uscc_code
from pool.eligibility.contract import (
    FIELD_LABELS, SCHEMA, Problem, is_integer, is_number, is_valid_date, schema_problems,
)
from pool.kernel import text as text_rule
from pool.reference.gbt4754 import split_code
from pool.kernel.wording import phrase

# Bounds that keep exact arithmetic cheap (a Decimal like 1E-999999 would turn
# a ratio test into million-digit integers): no business has 10^12 万元, and
# no amount is a non-zero fraction below 10^-10 万元.
_MAX_DECIMALS = 10
_MAX_AMOUNT = Decimal(10) ** 12


# --- semantic layer ---------------------------------------------------------

_TRAILING_NEWLINE_SENSITIVE = ("uscc", "registered_region_code", "industry_code")
_PATTERNS = {key: re.compile(SCHEMA["properties"][key]["pattern"]) for key in _TRAILING_NEWLINE_SENSITIVE}
_AMOUNTS = ("operating_revenue", "total_assets", "rd_expense")

_MORE_STAFF = phrase("研发人员数 {staff} 不能多于从业人员数 {employees}")
_BLANK = phrase("不能为空白")
_TRAILING_NEWLINE = phrase("末尾不能有换行符")
_CHECKSUM = phrase("校验位错误：第18位应为 {expected}，实为 {found}（早期试点地区的合法代码可声明校验位例外：在表单中勾选"
                   "“校验位不符但属早期试点地区合法代码”，或在数据中设 uscc_checksum_override 为 true）")
_CHECKSUM_ACCEPTED = phrase("校验位错误：第18位应为 {expected}，实为 {found}；已按 uscc_checksum_override 接受（早期试点地区代码）")
_REGION_DIFFERS = phrase("登记机关行政区划代码 {region} 与统一社会信用代码第3-8位 {part} 不一致，以 registered_region_code 为准")
_NOT_FINITE = phrase("须为有限数值（不能是 NaN 或无穷大）")
_NOT_DECIMAL = phrase("须为十进制数值")
_TOO_LARGE = phrase("数值过大（须小于 {limit} 万元）")
_TOO_SMALL = phrase("数值过小（非零金额不能小于 1E-{decimals} 万元）")
_ENDS_BEFORE = phrase("有效期止 {end} 早于有效期起 {start}")
_REPEATED = phrase("专利号 {number!s} 与 patents[{first}] 重复")
_NOT_LISTED = phrase("专利号 {number!s} 未在 patents 中列出，判断第4条时不予计入")


def _semantic_problems(data: dict, errors: list, warnings: list) -> None:
    """SPEC §2.3 checks on the well-typed parts of ``data``.  Each check guards
    its own types, so a value the schema layer already rejected is skipped
    rather than reported twice."""
    get = data.get
    _check_codes(data, errors, warnings)
    for key in _AMOUNTS:
        value = get(key)
        if value is not None and type(value) is not int:
            _check_amount(value, key, errors)
    staff, employees = get("rd_staff"), get("employees")
    if staff is not None and employees is not None and is_integer(staff) and is_integer(employees) \
            and staff > employees >= 0:
        errors.append(Problem("rd_staff", _MORE_STAFF.format(staff=int(staff), employees=int(employees))))
    if _blank(get("name")):
        errors.append(Problem("name", _BLANK))
    for array, text in (("research_partnerships", "partner"), ("qualifications", None),
                        ("trademarks", "reg_no")):
        for index, item in _objects(get(array)):
            if type(item) is not dict:
                continue
            if text and _blank(item.get(text)):
                errors.append(Problem(f"{array}[{index}].{text}", _BLANK))
            if array != "trademarks":
                _check_period(item, f"{array}[{index}]", errors)
    _check_patents(data, errors, warnings)
    # every field of the contract is a single line
    errors += [Problem(path, message) for path, message in text_rule.refusals_in(data, labels=FIELD_LABELS)]


def _objects(items: Any) -> Any:
    """``(index, item)`` pairs of a list's items (anything else: none); callers
    skip the non-dict items the schema layer has reported."""
    return enumerate(items) if type(items) is list else ()


def _blank(text: Any) -> bool:
    # minLength 1 lets "   " through; a name of spaces is no name.
    return type(text) is str and text.isspace()


def _check_codes(data: dict, errors: list, warnings: list) -> None:
    for key in _TRAILING_NEWLINE_SENSITIVE:
        value = data.get(key)
        # The contract's "^…$" patterns let one trailing "\n" through ($ matches
        # before it); such a value passed the schema but is not a code.
        if type(value) is str and value.endswith("\n") and _PATTERNS[key].search(value):
            errors.append(Problem(key, _TRAILING_NEWLINE))
    code = data.get("uscc")
    if type(code) is str and len(code) == 18 and uscc_code.is_well_formed(code):
        _check_uscc(code, data, errors, warnings)
    industry = data.get("industry_code")
    if type(industry) is str and _PATTERNS["industry_code"].search(industry):
        try:
            split_code(industry.rstrip("\n"))
        except ValueError as exc:
            errors.append(Problem("industry_code", str(exc)))


def _check_uscc(code: str, data: dict, errors: list, warnings: list) -> None:
    expected = uscc_code.check_char(code[:17])
    if expected != code[17]:
        if data.get("uscc_checksum_override") is True:
            warnings.append(Problem("uscc", _CHECKSUM_ACCEPTED.format(expected=expected, found=code[17])))
        else:
            errors.append(Problem("uscc", _CHECKSUM.format(expected=expected, found=code[17])))
    region = data.get("registered_region_code")
    if type(region) is str and len(region) == 6 and region.isdigit() and region != code[2:8]:
        warnings.append(Problem("registered_region_code", _REGION_DIFFERS.format(region=region, part=code[2:8])))


def _check_amount(value: Any, key: str, errors: list) -> None:
    """A 万元 amount the schema let through must also be a finite decimal of
    sensible size (bool and negatives are the schema's business)."""
    if type(value) is float:
        if not math.isfinite(value):
            errors.append(Problem(key, _NOT_FINITE))
            return
        value = Decimal(str(value))
    elif type(value) is not Decimal:
        if is_number(value) and not isinstance(value, int):
            errors.append(Problem(key, _NOT_DECIMAL))
        return
    if not value.is_finite():
        errors.append(Problem(key, _NOT_FINITE))
    elif value >= _MAX_AMOUNT:
        errors.append(Problem(key, _TOO_LARGE.format(limit=f"{_MAX_AMOUNT:f}")))
    elif value and value.adjusted() < -_MAX_DECIMALS:
        errors.append(Problem(key, _TOO_SMALL.format(decimals=_MAX_DECIMALS)))


def _check_period(item: dict, where: str, errors: list) -> None:
    start, end = item.get("valid_from"), item.get("valid_to")
    # YYYY-MM-DD strings order as their dates; the validity test runs only on
    # the rare disordered pair, so a schema-rejected date is not reported twice.
    if type(start) is str and type(end) is str and len(start) == len(end) == 10 and start > end \
            and is_valid_date(start) and is_valid_date(end):
        errors.append(Problem(f"{where}.valid_to", _ENDS_BEFORE.format(end=end, start=start)))


def _check_patents(data: dict, errors: list, warnings: list) -> None:
    first_seen: dict[str, int] = {}
    for index, patent in _objects(data.get("patents")):
        if type(patent) is not dict:
            continue
        number = patent.get("number")
        if type(number) is not str:
            continue
        if _blank(number):
            errors.append(Problem(f"patents[{index}].number", _BLANK))
        if number in first_seen:
            errors.append(Problem(f"patents[{index}].number",
                                  _REPEATED.format(number=number, first=first_seen[number])))
        else:
            first_seen[number] = index
    for index, product in _objects(data.get("products")):
        if type(product) is not dict:
            continue
        if _blank(product.get("name")):
            errors.append(Problem(f"products[{index}].name", _BLANK))
        linked = product.get("patents")
        if type(linked) is not list:
            continue
        for position, number in enumerate(linked):
            if type(number) is str and number not in first_seen:
                warnings.append(Problem(f"products[{index}].patents[{position}]",
                                        _NOT_LISTED.format(number=number)))


def inspect(data: Any) -> tuple[list[Problem], list[Problem]]:
    """All ``(errors, warnings)`` about ``data``: schema, then semantics."""
    errors = schema_problems(data)
    warnings: list[Problem] = []
    if isinstance(data, dict):
        _semantic_problems(data, errors, warnings)
    return errors, warnings


def validate(data: Any) -> list[Problem]:
    """Every error in ``data`` (empty list: acceptable).  Warnings, which do not
    block a verdict, come with :func:`inspect` or ``parse(data).warnings``."""
    return inspect(data)[0]
