"""Applicant data: validation against the interchange contract, then parsing.

The contract is ``contracts/applicant.schema.json`` (JSON Schema 2020-12); a copy
ships as ``pool/data/applicant.schema.json`` (a test keeps it equal to the shared
one).  SPEC §2.3: bad input gets a clear error naming the field, never a wrong
verdict.  Two layers:

1. **Schema.** :func:`schema_problems` is a validator compiled at import from the
   schema file.  It accepts and rejects exactly as ``jsonschema``'s
   ``Draft202012Validator`` with format checking (proved by a Hypothesis test),
   but runs several times faster — the pool must check 100,000 applicants
   in seconds.  It supports only the keywords the contract uses and refuses to
   import if the schema grows another, so the contract can not silently
   outrun it.
2. **Semantics** (SPEC §2.3): USCC checksum (an error, or a warning when
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

JSON numbers must reach :func:`validate`/:func:`parse` as ``Decimal`` (callers use
``json.loads(..., parse_float=Decimal)``); ``int`` is accepted, ``bool`` is not
a number, and a ``float`` is converted through its shortest repr
(``Decimal(str(x))``), never through its binary value.
"""
from __future__ import annotations

import json
import math
import numbers
import re
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from pool.kernel import text as text_rule
from pool.eligibility import uscc as uscc_code
from pool.reference.gbt4754 import split_code

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "data" / "applicant.schema.json"
with SCHEMA_FILE.open(encoding="utf-8") as _fh:
    SCHEMA: dict = json.load(_fh)

QUALIFICATION_TYPES: tuple[str, ...] = tuple(
    SCHEMA["properties"]["qualifications"]["items"]["properties"]["type"]["enum"])

# Chinese names of the fields, for messages and criterion details.
FIELD_LABELS = {
    "uscc": "统一社会信用代码", "name": "企业名称", "county": "所属县(市、区)",
    "assessment_year": "申报年度", "registered_region_code": "登记机关行政区划代码",
    "independent_legal_person": "独立法人资格", "industry_code": "主营业务行业代码",
    "employees": "从业人员（职工总数）", "operating_revenue": "上年度营业收入",
    "total_assets": "资产总额", "rd_expense": "上年度研发投入", "rd_staff": "研发人员数",
    "has_rd_leader": "科研带头人和研发团队", "research_partnerships": "产学研合作",
    "qualifications": "资格证书", "patents": "专利", "products": "产品", "trademarks": "商标",
    "brand_evidence": "品牌影响力证明", "ip_management": "知识产权管理体系",
    "integrity": "诚信合规情况", "industrialized": "是否已产业化", "core": "是否核心专利",
    "origin": "专利来源", "main": "是否主营产品",
    "rules": "知识产权管理制度", "department": "知识产权管理机构", "staff": "知识产权管理人员",
    "budget": "知识产权经费保障", "certified_gbt29490": "GB/T 29490 贯标认证",
    "abnormal_patent_applications": "非正常申请专利行为", "major_accident": "重大事故",
    "violation": "违法违规", "serious_dishonesty": "严重失信",
}

# Bounds that keep exact arithmetic cheap (a Decimal like 1E-999999 would turn
# a ratio test into million-digit integers): no business has 10^12 万元, and
# no amount is a non-zero fraction below 10^-10 万元.
_MAX_DECIMALS = 10
_MAX_AMOUNT = Decimal(10) ** 12


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning about the input; ``path`` names the field, e.g.
    ``patents[2].valid_to``, ``uscc`` or ``(root)``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidApplicant(Exception):
    """The input is not a valid applicant; ``problems`` lists every error."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = list(problems)
        self.warnings = list(warnings or ())
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"申报数据有 {len(self.problems)} 处错误：\n{lines}")


# --- schema layer -----------------------------------------------------------
#
# The contract is compiled at import into the source of one Python function
# (as fastjsonschema does): each property becomes an inline ``dict.get`` and an
# inline type/pattern/range test, and a path string is only built when there
# is an error.  This is several times faster than walking the schema per
# applicant, which the 100,000-applicant benchmark needs.  Only the keywords
# the contract uses are supported; anything else fails at import, so the
# contract can not silently outgrow the validator.

_ANNOTATIONS = {"$schema", "$id", "title", "description"}
_KEYWORDS = {"type", "enum", "pattern", "minLength", "minimum", "maximum", "format",
             "properties", "additionalProperties", "required", "items"}
_TYPE_MESSAGES = {
    "string": "须为字符串", "boolean": "须为布尔值（true 或 false）", "integer": "须为整数",
    "number": "须为数值", "object": "须为对象", "array": "须为数组",
}
_PATTERN_MESSAGES = {
    "uscc": "须为 18 位统一社会信用代码：数字或大写字母（不含 I、O、S、V、Z），第3-8位为行政区划代码",
    "registered_region_code": "须为 6 位数字的行政区划代码",
    "industry_code": "须为 GB/T 4754-2017 行业小类代码，如 C3562 或 3562",
}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # as jsonschema's "date" format checker
_MISSING = object()


def _is_number(value: Any) -> bool:
    """JSON Schema "number": any ``numbers.Number`` but ``bool``."""
    kind = type(value)
    if kind is int or kind is Decimal or kind is float:
        return True
    return kind is not bool and isinstance(value, numbers.Number)


def _is_integer(value: Any) -> bool:
    """JSON Schema 2020-12 "integer": 3 and 3.0 (a float) are, Decimal("3") is not."""
    kind = type(value)
    if kind is int:
        return True
    if kind is bool:
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_valid_date(text: str) -> bool:
    if _DATE_RE.fullmatch(text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _number_problems(value: Any, integer: bool, low: Any, high: Any, path: str, out: list) -> None:
    """The general case of an "integer"/"number" keyword set (the generated code
    inlines only the common ``int``/``Decimal`` cases)."""
    if not (_is_integer(value) if integer else _is_number(value)):
        out.append(Problem(path, _TYPE_MESSAGES["integer" if integer else "number"]))
    # minimum/maximum apply to any number, as in jsonschema; a Decimal NaN can
    # not be ordered and is left to the semantic layer.
    if not _is_number(value) or (type(value) is Decimal and value.is_nan()):
        return
    if low is not None and value < low:
        out.append(Problem(path, f"不能小于 {low}（实为 {value}）"))
    if high is not None and value > high:
        out.append(Problem(path, f"不能大于 {high}（实为 {value}）"))


def _enum_message(value: Any, allowed: tuple) -> str:
    return f"{value!r} 取值无效，应为：" + "、".join(allowed)


class _Compiler:
    """Generates the source of ``_schema_check(data, out)`` from the schema."""

    def __init__(self):
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {
            "Problem": Problem, "Decimal": Decimal, "InvalidOperation": InvalidOperation,
            "_MISSING": _MISSING, "_number_problems": _number_problems,
            "_enum_message": _enum_message, "_DATE_RE": _DATE_RE, "_fromisoformat": date.fromisoformat,
            "_TYPE_MESSAGES": _TYPE_MESSAGES,
        }
        self.counter = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}{self.counter}"

    def const(self, value: Any, stem: str = "c") -> str:
        name = self.fresh(stem)
        self.namespace[name] = value
        return name

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    @staticmethod
    def child(template: str, key: str | None = None, index: str | None = None) -> str:
        """Path template (f-string body) of a property or an array item."""
        if index is not None:
            return f"{template}[{{{index}}}]"
        return f"{template}.{key}" if template else key

    @staticmethod
    def path(template: str) -> str:
        """Python expression for the path string of ``template``."""
        if not template:
            return repr("(root)")
        return f"f{template!r}" if "{" in template else repr(template)

    def problem(self, depth: int, template: str, message_expr: str) -> None:
        self.emit(depth, f"out.append(Problem({self.path(template)}, {message_expr}))")

    def node(self, schema: dict, var: str, template: str, depth: int, name: str) -> None:
        unknown = set(schema) - _ANNOTATIONS - _KEYWORDS
        if unknown:
            raise NotImplementedError(f"schema keyword(s) not supported: {sorted(unknown)}")
        kind = schema.get("type")
        if kind is None and set(schema) - _ANNOTATIONS == {"enum"}:
            return self.enum(schema["enum"], var, template, depth)
        handler = getattr(self, f"type_{kind}", None)
        if handler is None:
            raise NotImplementedError(f"schema type {kind!r} not supported")
        handler(schema, var, template, depth, name)

    def enum(self, allowed: list, var: str, template: str, depth: int) -> None:
        if not all(isinstance(a, str) for a in allowed):
            raise NotImplementedError("only string enums are supported")
        values = self.const(frozenset(allowed), "enum")
        listed = self.const(tuple(allowed), "listed")
        self.emit(depth, f"if not (isinstance({var}, str) and {var} in {values}):")
        self.problem(depth + 1, template, f"_enum_message({var}, {listed})")

    def type_boolean(self, schema, var, template, depth, name):
        self.emit(depth, f"if {var} is not True and {var} is not False:")
        self.problem(depth + 1, template, repr(_TYPE_MESSAGES["boolean"]))

    def type_string(self, schema, var, template, depth, name):
        if set(schema) - _ANNOTATIONS - {"type", "pattern", "minLength", "format"}:
            raise NotImplementedError(f"string keywords not supported in {name}")
        if schema.get("format", "date") != "date":
            raise NotImplementedError(f"format {schema['format']!r} not supported")
        self.emit(depth, f"if not isinstance({var}, str):")
        self.problem(depth + 1, template, repr(_TYPE_MESSAGES["string"]))
        self.emit(depth, "else:")
        body = depth + 1
        self.emit(body, "pass")
        if "pattern" in schema:
            # jsonschema applies "pattern" with re.search.
            pattern = self.const(re.compile(schema["pattern"]), "pattern")
            message = _PATTERN_MESSAGES.get(name, f"格式不符（须匹配 {schema['pattern']}）")
            self.emit(body, f"if {pattern}.search({var}) is None:")
            self.problem(body + 1, template, repr(message))
        if schema.get("minLength", 0) > 0:
            self.emit(body, f"if len({var}) < {int(schema['minLength'])}:")
            self.problem(body + 1, template, repr("不能为空"))
        if "format" in schema:
            message = f"f'{{{var}!r}} 须为有效日期，格式 YYYY-MM-DD'"
            self.emit(body, f"if _DATE_RE.fullmatch({var}) is None:")
            self.problem(body + 1, template, message)
            self.emit(body, "else:")
            self.emit(body + 1, "try:")
            self.emit(body + 2, f"_fromisoformat({var})")
            self.emit(body + 1, "except ValueError:")
            self.problem(body + 2, template, message)

    def type_integer(self, schema, var, template, depth, name):
        self.number(schema, var, template, depth, name, fast="type({var}) is int")

    def type_number(self, schema, var, template, depth, name):
        kind = self.fresh("t")
        self.emit(depth, f"{kind} = type({var})")
        self.number(schema, var, template, depth, name, fast=f"{kind} is Decimal or {kind} is int")

    def number(self, schema, var, template, depth, name, fast):
        if set(schema) - _ANNOTATIONS - {"type", "minimum", "maximum"}:
            raise NotImplementedError(f"number keywords not supported in {name}")
        low, high = schema.get("minimum"), schema.get("maximum")
        self.emit(depth, f"if {fast.format(var=var)}:")
        self.emit(depth + 1, "try:")
        self.emit(depth + 2, "pass")
        for bound, op, text in ((low, "<", "不能小于"), (high, ">", "不能大于")):
            if bound is not None:
                self.emit(depth + 2, f"if {var} {op} {bound!r}:")
                self.problem(depth + 3, template, f"f'{text} {bound}（实为 {{{var}}}）'")
        self.emit(depth + 1, "except InvalidOperation:")  # Decimal NaN: semantic layer
        self.emit(depth + 2, "pass")
        self.emit(depth, "else:")
        self.emit(depth + 1, f"_number_problems({var}, {schema['type'] == 'integer'}, {low!r}, {high!r}, "
                             f"{self.path(template)}, out)")

    def type_object(self, schema, var, template, depth, name):
        if schema.get("additionalProperties", False) is not False:
            raise NotImplementedError("only additionalProperties: false is supported")
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        if required - set(properties):
            raise NotImplementedError("required properties must be declared")
        self.emit(depth, f"if not isinstance({var}, dict):")
        self.problem(depth + 1, template, repr(_TYPE_MESSAGES["object"]))
        self.emit(depth, "else:")
        body = depth + 1
        seen = self.fresh("seen")
        self.emit(body, f"{seen} = 0")
        for prop, subschema in properties.items():
            value = self.fresh("v")
            child = self.child(template, key=prop)
            self.emit(body, f"{value} = {var}.get({prop!r}, _MISSING)")
            self.emit(body, f"if {value} is not _MISSING:")
            self.emit(body + 1, f"{seen} += 1")
            self.node(subschema, value, child, body + 1, prop)
            if prop in required:
                self.emit(body, "else:")
                self.problem(body + 1, child, repr("缺少必填字段"))
        known = self.const(frozenset(properties), "known")
        key = self.fresh("k")
        self.emit(body, f"if {seen} != len({var}):")
        self.emit(body + 1, f"for {key} in {var}:")
        self.emit(body + 2, f"if {key} not in {known}:")
        extra = f"f'{template}.{{{key}}}'" if template else f"str({key})"
        self.emit(body + 3, f"out.append(Problem({extra}, '未知字段'))")

    def type_array(self, schema, var, template, depth, name):
        if set(schema) - _ANNOTATIONS - {"type", "items"}:
            raise NotImplementedError(f"array keywords not supported in {name}")
        self.emit(depth, f"if not isinstance({var}, list):")
        self.problem(depth + 1, template, repr(_TYPE_MESSAGES["array"]))
        if "items" in schema:
            index, item = self.fresh("i"), self.fresh("item")
            self.emit(depth, "else:")
            self.emit(depth + 1, f"for {index}, {item} in enumerate({var}):")
            self.node(schema["items"], item, self.child(template, index=index), depth + 2, name)

    def compile(self, schema: dict) -> tuple[Callable[[Any, list], None], str]:
        self.emit(0, "def _schema_check(data, out):")
        self.node(schema, "data", "", 1, "")
        source = "\n".join(self.lines) + "\n"
        exec(compile(source, "<applicant schema>", "exec"), self.namespace)
        return self.namespace["_schema_check"], source


_SCHEMA_CHECK, SCHEMA_CHECK_SOURCE = _Compiler().compile(SCHEMA)


def schema_problems(data: Any) -> list[Problem]:
    """Errors of ``data`` against the contract's JSON Schema alone.

    Accepts/rejects exactly as ``Draft202012Validator(schema,
    format_checker=FORMAT_CHECKER)``; paths name the offending field (for a
    missing or unknown field, the field itself).  The generated source is
    ``SCHEMA_CHECK_SOURCE``.
    """
    out: list[Problem] = []
    _SCHEMA_CHECK(data, out)
    return out

# --- semantic layer ---------------------------------------------------------

_TRAILING_NEWLINE_SENSITIVE = ("uscc", "registered_region_code", "industry_code")
_PATTERNS = {key: re.compile(SCHEMA["properties"][key]["pattern"]) for key in _TRAILING_NEWLINE_SENSITIVE}
_AMOUNTS = ("operating_revenue", "total_assets", "rd_expense")


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
    if staff is not None and employees is not None and _is_integer(staff) and _is_integer(employees) \
            and staff > employees >= 0:
        errors.append(Problem("rd_staff", f"研发人员数 {int(staff)} 不能多于从业人员数 {int(employees)}"))
    if _blank(get("name")):
        errors.append(Problem("name", "不能为空白"))
    for array, text in (("research_partnerships", "partner"), ("qualifications", None),
                        ("trademarks", "reg_no")):
        for index, item in _objects(get(array)):
            if type(item) is not dict:
                continue
            if text and _blank(item.get(text)):
                errors.append(Problem(f"{array}[{index}].{text}", "不能为空白"))
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
            errors.append(Problem(key, "末尾不能有换行符"))
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
        text = f"校验位错误：第18位应为 {expected}，实为 {code[17]}"
        if data.get("uscc_checksum_override") is True:
            warnings.append(Problem("uscc", text + "；已按 uscc_checksum_override 接受（早期试点地区代码）"))
        else:
            errors.append(Problem("uscc", text + "（早期试点地区的合法代码可设置 uscc_checksum_override 为 true）"))
    region = data.get("registered_region_code")
    if type(region) is str and len(region) == 6 and region.isdigit() and region != code[2:8]:
        warnings.append(Problem("registered_region_code",
                                f"登记机关行政区划代码 {region} 与统一社会信用代码第3-8位 {code[2:8]} 不一致，"
                                "以 registered_region_code 为准"))


def _check_amount(value: Any, key: str, errors: list) -> None:
    """A 万元 amount the schema let through must also be a finite decimal of
    sensible size (bool and negatives are the schema's business)."""
    if type(value) is float:
        if not math.isfinite(value):
            errors.append(Problem(key, "须为有限数值（不能是 NaN 或无穷大）"))
            return
        value = Decimal(str(value))
    elif type(value) is not Decimal:
        if _is_number(value) and not isinstance(value, int):
            errors.append(Problem(key, "须为十进制数值"))
        return
    if not value.is_finite():
        errors.append(Problem(key, "须为有限数值（不能是 NaN 或无穷大）"))
    elif value >= _MAX_AMOUNT:
        errors.append(Problem(key, f"数值过大（须小于 {_MAX_AMOUNT:f} 万元）"))
    elif value and value.adjusted() < -_MAX_DECIMALS:
        errors.append(Problem(key, f"数值过小（非零金额不能小于 1E-{_MAX_DECIMALS} 万元）"))


def _check_period(item: dict, where: str, errors: list) -> None:
    start, end = item.get("valid_from"), item.get("valid_to")
    # YYYY-MM-DD strings order as their dates; the validity test runs only on
    # the rare disordered pair, so a schema-rejected date is not reported twice.
    if type(start) is str and type(end) is str and len(start) == len(end) == 10 and start > end \
            and _is_valid_date(start) and _is_valid_date(end):
        errors.append(Problem(f"{where}.valid_to", f"有效期止 {end} 早于有效期起 {start}"))


def _check_patents(data: dict, errors: list, warnings: list) -> None:
    first_seen: dict[str, int] = {}
    for index, patent in _objects(data.get("patents")):
        if type(patent) is not dict:
            continue
        number = patent.get("number")
        if type(number) is not str:
            continue
        if _blank(number):
            errors.append(Problem(f"patents[{index}].number", "不能为空白"))
        if number in first_seen:
            errors.append(Problem(f"patents[{index}].number",
                                  f"专利号 {number} 与 patents[{first_seen[number]}] 重复"))
        else:
            first_seen[number] = index
    for index, product in _objects(data.get("products")):
        if type(product) is not dict:
            continue
        if _blank(product.get("name")):
            errors.append(Problem(f"products[{index}].name", "不能为空白"))
        linked = product.get("patents")
        if type(linked) is not list:
            continue
        for position, number in enumerate(linked):
            if type(number) is str and number not in first_seen:
                warnings.append(Problem(f"products[{index}].patents[{position}]",
                                        f"专利号 {number} 未在 patents 中列出，判断第4条时不予计入"))


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


# --- parsed model -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ResearchPartnership:
    partner: str
    partner_type: str  # university | research_institute | other
    valid_from: date
    valid_to: date


@dataclass(frozen=True, slots=True)
class Qualification:
    type: str
    valid_from: date
    valid_to: date
    certificate_no: str | None = None


@dataclass(frozen=True, slots=True)
class Patent:
    number: str
    kind: str  # invention | utility_model | design
    status: str  # valid | pending | lapsed | invalidated | expired
    origin: str | None = None  # self | acquired | licensed
    core: bool | None = None
    industrialized: bool | None = None


@dataclass(frozen=True, slots=True)
class Product:
    name: str
    main: bool | None = None
    patents: tuple[str, ...] = ()
    filing_no: str | None = None
    patent_intensive: bool | None = None
    certified_on: date | None = None


@dataclass(frozen=True, slots=True)
class Trademark:
    reg_no: str
    owned: bool
    valid_to: date | None = None  # absent: in force


@dataclass(frozen=True, slots=True)
class IPManagement:
    rules: bool | None = None
    department: bool | None = None
    staff: bool | None = None
    budget: bool | None = None
    certified_gbt29490: bool | None = None


@dataclass(frozen=True, slots=True)
class Integrity:
    abnormal_patent_applications: bool | None = None
    major_accident: bool | None = None
    violation: bool | None = None
    serious_dishonesty: bool | None = None


@dataclass(frozen=True, slots=True)
class Applicant:
    """A validated applicant.  ``None`` means the fact was not given; an absent
    list is an empty tuple (SPEC §2: a list that is absent means none).
    Money is in 万元 as ``Decimal``."""

    uscc: str
    name: str
    assessment_year: int
    uscc_checksum_override: bool = False
    county: str | None = None
    registered_region_code: str | None = None
    independent_legal_person: bool | None = None
    industry_code: str | None = None
    employees: int | None = None
    operating_revenue: Decimal | None = None
    total_assets: Decimal | None = None
    rd_expense: Decimal | None = None
    rd_staff: int | None = None
    has_rd_leader: bool | None = None
    research_partnerships: tuple[ResearchPartnership, ...] = ()
    qualifications: tuple[Qualification, ...] = ()
    patents: tuple[Patent, ...] = ()
    products: tuple[Product, ...] = ()
    trademarks: tuple[Trademark, ...] = ()
    brand_evidence: tuple[str, ...] = ()
    ip_management: IPManagement = field(default_factory=IPManagement)
    integrity: Integrity = field(default_factory=Integrity)
    warnings: tuple[Problem, ...] = ()

    @property
    def region_code(self) -> str:
        """登记机关行政区划代码; SPEC: characters 3-8 of the USCC when absent."""
        return self.registered_region_code or uscc_code.region_code(self.uscc)


def _money(value: Any) -> Decimal | None:
    if value is None or type(value) is Decimal:
        return value
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _constructor(cls: type) -> Callable[..., Any]:
    """A positional constructor for the frozen slots dataclass ``cls`` that sets
    the slots directly.  Same instance as ``cls(...)`` with every field given,
    about twice as fast: a frozen dataclass's ``__init__`` goes through
    ``object.__setattr__`` per field, which dominates parsing 100,000
    applicants."""
    names = [f.name for f in fields(cls)]
    namespace = {"_new": object.__new__, "_cls": cls}
    namespace.update({f"_set_{n}": cls.__dict__[n].__set__ for n in names})
    body = "".join(f"    _set_{n}(obj, {n})\n" for n in names)
    source = f"def make({', '.join(names)}):\n    obj = _new(_cls)\n{body}    return obj\n"
    exec(compile(source, f"<{cls.__name__} constructor>", "exec"), namespace)
    return namespace["make"]


_new_applicant = _constructor(Applicant)
_new_partnership = _constructor(ResearchPartnership)
_new_qualification = _constructor(Qualification)
_new_patent = _constructor(Patent)
_new_product = _constructor(Product)
_new_trademark = _constructor(Trademark)
_new_ip_management = _constructor(IPManagement)
_new_integrity = _constructor(Integrity)
_NO_IP_MANAGEMENT = IPManagement()
_NO_INTEGRITY = Integrity()


def _build(d: dict, warnings: list[Problem]) -> Applicant:
    """The :class:`Applicant` of schema- and semantics-valid data ``d``."""
    get = d.get
    fromiso = date.fromisoformat
    ip, integrity = get("ip_management"), get("integrity")
    return _new_applicant(
        d["uscc"], d["name"], int(d["assessment_year"]), get("uscc_checksum_override", False),
        get("county"), get("registered_region_code"), get("independent_legal_person"),
        get("industry_code"), _count(get("employees")), _money(get("operating_revenue")),
        _money(get("total_assets")), _money(get("rd_expense")), _count(get("rd_staff")),
        get("has_rd_leader"),
        tuple([_new_partnership(p["partner"], p["partner_type"], fromiso(p["valid_from"]),
                                fromiso(p["valid_to"]))
               for p in get("research_partnerships", ())]),
        tuple([_new_qualification(q["type"], fromiso(q["valid_from"]), fromiso(q["valid_to"]),
                                  q.get("certificate_no"))
               for q in get("qualifications", ())]),
        tuple([_new_patent(p["number"], p["kind"], p["status"], p.get("origin"), p.get("core"),
                           p.get("industrialized"))
               for p in get("patents", ())]),
        tuple([_new_product(p["name"], p.get("main"), tuple(p.get("patents", ())), p.get("filing_no"),
                            p.get("patent_intensive"), _day(p.get("certified_on")))
               for p in get("products", ())]),
        tuple([_new_trademark(t["reg_no"], t["owned"], _day(t.get("valid_to")))
               for t in get("trademarks", ())]),
        tuple(get("brand_evidence", ())),
        _NO_IP_MANAGEMENT if ip is None else _new_ip_management(
            ip.get("rules"), ip.get("department"), ip.get("staff"), ip.get("budget"),
            ip.get("certified_gbt29490")),
        _NO_INTEGRITY if integrity is None else _new_integrity(
            integrity.get("abnormal_patent_applications"), integrity.get("major_accident"),
            integrity.get("violation"), integrity.get("serious_dishonesty")),
        tuple(warnings),
    )


def parse(data: Any) -> Applicant:
    """Validate ``data`` (one applicant object in contract shape) and build the
    :class:`Applicant`; its ``warnings`` carry the non-blocking problems.

    :raise InvalidApplicant: with every error found.
    """
    errors, warnings = inspect(data)
    if errors:
        raise InvalidApplicant(errors, warnings)
    return _build(data, warnings)
