"""The interchange contract for applicant data, and its compiled validator.

The contract is ``contracts/applicant.schema.json`` (JSON Schema 2020-12); a copy
ships as ``pool/data/applicant.schema.json`` (a test keeps it equal to the shared
one).  SPEC §2.3: bad input gets a clear error naming the field, never a wrong
verdict; this module is the first of the two layers that see to it (the
second, the semantics, is :mod:`pool.eligibility.validation`).

**Schema.** :func:`schema_problems` is a validator compiled at import from the
schema file.  It accepts and rejects exactly as ``jsonschema``'s
``Draft202012Validator`` with format checking (proved by a Hypothesis test),
but runs several times faster — the pool must check 100,000 applicants
in seconds.  It supports only the keywords the contract uses and refuses to
import if the schema grows another, so the contract can not silently
outrun it.

Also here, for both layers and their callers: :class:`Problem` (one error or
warning, naming the field), the fields' Chinese names :data:`FIELD_LABELS`,
and JSON Schema's tests of a number, an integer and a date.
"""
from __future__ import annotations

import json
import numbers
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from pool.kernel.wording import phrase

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "data" / "applicant.schema.json"
with SCHEMA_FILE.open(encoding="utf-8") as _fh:
    SCHEMA: dict = json.load(_fh)

QUALIFICATION_TYPES: tuple[str, ...] = tuple(
    SCHEMA["properties"]["qualifications"]["items"]["properties"]["type"]["enum"])

# The contract's patent kinds as officers name them (forms, workbook, record).
PATENT_KIND_LABELS = {"invention": phrase("发明"), "utility_model": phrase("实用新型"), "design": phrase("外观设计")}

# Chinese names of the fields, for messages and criterion details.
FIELD_LABELS = {
    "uscc": phrase("统一社会信用代码"), "name": phrase("企业名称"), "county": phrase("所属县(市、区)"),
    "assessment_year": phrase("申报年度"), "registered_region_code": phrase("登记机关行政区划代码"),
    "independent_legal_person": phrase("独立法人资格"), "industry_code": phrase("主营业务行业代码"),
    "employees": phrase("从业人员（职工总数）"), "operating_revenue": phrase("上年度营业收入"),
    "total_assets": phrase("资产总额"), "rd_expense": phrase("上年度研发投入"), "rd_staff": phrase("研发人员数"),
    "has_rd_leader": phrase("科研带头人和研发团队"), "research_partnerships": phrase("产学研合作"),
    "qualifications": phrase("资格证书"), "patents": phrase("专利"), "products": phrase("产品"), "trademarks": phrase("商标"),
    "brand_evidence": phrase("品牌影响力证明"), "ip_management": phrase("知识产权管理体系"),
    "integrity": phrase("诚信合规情况"), "industrialized": phrase("是否已产业化"), "core": phrase("是否核心专利"),
    "origin": phrase("专利来源"), "main": phrase("是否主营产品"),
    "rules": phrase("知识产权管理制度"), "department": phrase("知识产权管理机构"), "staff": phrase("知识产权管理人员"),
    "budget": phrase("知识产权经费保障"), "certified_gbt29490": phrase("GB/T 29490 贯标认证"),
    "abnormal_patent_applications": phrase("非正常申请专利行为"), "major_accident": phrase("重大事故"),
    "violation": phrase("违法违规"), "serious_dishonesty": phrase("严重失信"),
}


# The fields of the repeated groups, as the form and the template name them.
ITEM_LABELS = {
    "research_partnerships": {"partner": phrase("合作单位"), "partner_type": phrase("合作单位类型"),
                              "valid_from": phrase("合作起始日期"),
                              "valid_to": phrase("合作终止日期")},
    "qualifications": {"type": phrase("资格类型"), "certificate_no": phrase("证书编号"), "valid_from": phrase("有效期起"),
                       "valid_to": phrase("有效期止")},
    "patents": {"number": phrase("专利号"), "kind": phrase("专利类型"), "status": phrase("法律状态"), "origin": phrase("专利来源"),
                "core": phrase("是否核心专利"), "industrialized": phrase("是否已产业化")},
    "products": {"name": phrase("产品名称"), "main": phrase("是否主营产品"), "patents": phrase("所依专利"),
                 "filing_no": phrase("专利产品备案号"),
                 "patent_intensive": phrase("是否已认定专利密集型产品"), "certified_on": phrase("认定日期")},
    "trademarks": {"reg_no": phrase("注册号"), "owned": phrase("是否自有商标"), "valid_to": phrase("有效期止")},
}
_APPLICANT = phrase("申报数据")
_ROW, _ONE_OF_MANY, _ITEM = phrase("第{n}行"), phrase("第{n}家"), phrase("第{n}项")
_STEP = re.compile(r"([A-Za-z_]+)|\[([0-9]+)\]")


def path_label(path: str) -> str:
    """A JSON path as the officer reads it: ``qualifications[0].valid_to`` →
    ``资格证书 第1行 有效期止``; ``[2].uscc`` (the third of many) → ``第3家 统一社会信用代码``.
    An unknown name stays as it is."""
    if path in ("", "(root)"):
        return _APPLICANT
    words, group = [], None
    for name, index in _STEP.findall(path):
        if index:
            ordinal = _ITEM if group == "brand_evidence" else _ROW if group else _ONE_OF_MANY
            words.append(ordinal.format(n=int(index) + 1))
            continue
        label = (ITEM_LABELS.get(group, {}).get(name) if group else None) or FIELD_LABELS.get(name) \
            or {"applicant": _APPLICANT}.get(name, name)
        words.append(label)
        group = name if name in ITEM_LABELS or name == "brand_evidence" else None
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning about the input; ``path`` names the field, e.g.
    ``patents[2].valid_to``, ``uscc`` or ``(root)``."""

    path: str
    message: str

    @property
    def label(self) -> str:
        """The field as the officer reads it (:func:`path_label`)."""
        return path_label(self.path)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


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
    "string": phrase("须为字符串"), "boolean": phrase("须为布尔值（true 或 false）"), "integer": phrase("须为整数"),
    "number": phrase("须为数值"), "object": phrase("须为对象"), "array": phrase("须为数组"),
}
_PATTERN_MESSAGES = {
    "uscc": phrase("须为 18 位统一社会信用代码：数字或大写字母（不含 I、O、S、V、Z），第3-8位为行政区划代码"),
    "registered_region_code": phrase("须为 6 位数字的行政区划代码"),
    "industry_code": phrase("须为 GB/T 4754-2017 行业小类代码，如 C3562 或 3562"),
}
_PATTERN = phrase("格式不符（须匹配 {pattern!s}）")
_EMPTY, _REQUIRED, _UNKNOWN = phrase("不能为空"), phrase("缺少必填字段"), phrase("未知字段")
_NOT_A_DATE = phrase("{value!s} 须为有效日期，格式 YYYY-MM-DD")
_BELOW, _ABOVE = phrase("不能小于 {bound}（实为 {value}）"), phrase("不能大于 {bound}（实为 {value}）")
_NOT_ALLOWED = phrase("{value!s} 取值无效，应为：{allowed}")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # as jsonschema's "date" format checker
_MISSING = object()


def is_number(value: Any) -> bool:
    """JSON Schema "number": any ``numbers.Number`` but ``bool``."""
    kind = type(value)
    if kind is int or kind is Decimal or kind is float:
        return True
    return kind is not bool and isinstance(value, numbers.Number)


def is_integer(value: Any) -> bool:
    """JSON Schema 2020-12 "integer": 3 and 3.0 (a float) are, Decimal("3") is not."""
    kind = type(value)
    if kind is int:
        return True
    if kind is bool:
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def is_valid_date(text: str) -> bool:
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
    if not (is_integer(value) if integer else is_number(value)):
        out.append(Problem(path, _TYPE_MESSAGES["integer" if integer else "number"]))
    # minimum/maximum apply to any number, as in jsonschema; a Decimal NaN can
    # not be ordered and is left to the semantic layer.
    if not is_number(value) or (type(value) is Decimal and value.is_nan()):
        return
    if low is not None and value < low:
        out.append(Problem(path, _BELOW.format(bound=low, value=value)))
    if high is not None and value > high:
        out.append(Problem(path, _ABOVE.format(bound=high, value=value)))


def _enum_message(value: Any, allowed: tuple) -> str:
    return _NOT_ALLOWED.format(value=repr(value), allowed="、".join(allowed))


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
            message = _PATTERN_MESSAGES.get(name) or _PATTERN.format(pattern=schema["pattern"])
            self.emit(body, f"if {pattern}.search({var}) is None:")
            self.problem(body + 1, template, repr(str(message)))
        if schema.get("minLength", 0) > 0:
            self.emit(body, f"if len({var}) < {int(schema['minLength'])}:")
            self.problem(body + 1, template, repr(str(_EMPTY)))
        if "format" in schema:
            message = f"{self.const(_NOT_A_DATE, 'date')}.format(value=repr({var}))"
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
        for bound, op, wording in ((low, "<", _BELOW), (high, ">", _ABOVE)):
            if bound is not None:
                self.emit(depth + 2, f"if {var} {op} {bound!r}:")
                self.problem(depth + 3, template, f"{self.const(wording, 'bound')}.format(bound={str(bound)!r}, value={var})")
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
                self.problem(body + 1, child, repr(str(_REQUIRED)))
        known = self.const(frozenset(properties), "known")
        key = self.fresh("k")
        self.emit(body, f"if {seen} != len({var}):")
        self.emit(body + 1, f"for {key} in {var}:")
        self.emit(body + 2, f"if {key} not in {known}:")
        extra = f"f'{template}.{{{key}}}'" if template else f"str({key})"
        self.emit(body + 3, f"out.append(Problem({extra}, {str(_UNKNOWN)!r}))")

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
