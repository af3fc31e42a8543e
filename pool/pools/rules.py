"""Checking a configured criterion's rule tree, naming what is wrong and where.

Used when a pool file is loaded (:mod:`pool.pools.definition`) and for a draft
criteria-set version before it is previewed (:func:`pool.pools.definition.parse_version`):
an unknown evaluator, an unknown field or one of the wrong kind, a bad
operator, an unknown table or qualification type, a parameter the pool does
not declare — each is a problem naming its path (``criteria[2].rule.any[0]``).
"""
from __future__ import annotations

from typing import Any, Mapping

from models.enterprise import STATES
from pool.eligibility.contract import QUALIFICATION_TYPES
from pool.kernel.wording import phrase
from pool.pools.evaluators import DOCUMENT_KINDS, EVALUATORS, OPERATORS
from pool.pools.fields import kind_of
from pool.pools.tables import Table

_UNKNOWN_EVALUATOR = phrase("未知的评价器 {name}（可用：{names}）")
_NOT_A_NODE = phrase("规则节点须为评价器（evaluator）或组合（all / any）")
_EMPTY_COMPOSITION = phrase("组合须列出至少一项")
_ARGUMENT_MISSING = phrase("评价器 {name} 缺少参数 {argument}")
_ARGUMENT_UNKNOWN = phrase("评价器 {name} 不接受参数 {argument}")
_UNKNOWN_FIELD = phrase("未知字段 {field}")
_WRONG_KIND = phrase("字段 {field} 的类型为 {kind}，评价器 {name} 需要 {wanted}")
_BAD_OPERATOR = phrase("比较符 {op} 无效（可用：{ops}）")
_BAD_NUMBER = phrase("门槛 {value} 不是数值")
_UNKNOWN_TABLE = phrase("未知分类表 {table}（可用：{tables}）")
_WRONG_TABLE_KIND = phrase("分类表 {table} 不能用于评价器 {name}")
_UNKNOWN_QUALIFICATION = phrase("未知资格类型 {type}")
_UNKNOWN_PARAMETER = phrase("引用了未声明的参数 {key}")
_UNKNOWN_DOCUMENT = phrase("未知材料类型 {kind}")
_NOT_A_LIST = phrase("须为非空列表")
_UNKNOWN_STATE = phrase("未知的入库状态 {state}（可用：{states}）")
_BAD_POOL_CODE = phrase("培育库代码须为非空文字")

_ARGUMENTS = {
    "has_qualification": ({"types"}, {"hold"}),
    "industry_in": ({"tables"}, set()),
    "field_in": ({"field"}, {"values", "table", "match"}),
    "threshold": ({"field", "op", "value"}, set()),
    "flag": ({"field"}, set()),
    "document_present": ({"kind"}, set()),
    "judgement": ({"question"}, set()),
    "member_of": ({"pool", "states"}, {"pool_name"}),
}
_REPORTED = object()  # an unknown parameter, already named
_COMMON = {"evaluator", "in_principle", "clause", "note"}


def check_node(node: Any, path: str, *, facts: Mapping[str, str], tables: Mapping[str, Table],
               params: Mapping[str, Any]) -> list[str]:
    """Every problem of rule tree ``node`` as ``"path: message"`` (empty: sound)."""
    problems: list[str] = []

    def say(where: str, message: str) -> None:
        problems.append(f"{where}: {message}")

    def literal(raw: Any, where: str) -> Any:
        if isinstance(raw, dict) and "param" in raw:
            if raw["param"] not in params:
                say(where, _UNKNOWN_PARAMETER.format(key=raw["param"]))
                return _REPORTED
            return params[raw["param"]]
        return raw

    def field_of(where: str, name: str, wanted: tuple[str, ...], evaluator: str) -> None:
        kind = kind_of(name, facts) if isinstance(name, str) else None
        if kind is None:
            say(where, _UNKNOWN_FIELD.format(field=name))
        elif kind not in wanted:
            say(where, _WRONG_KIND.format(field=name, kind=kind, name=evaluator, wanted="/".join(wanted)))

    def walk(n: Any, where: str) -> None:
        if not isinstance(n, dict):
            say(where, _NOT_A_NODE)
            return
        for joiner in ("all", "any"):
            if joiner in n:
                children = n[joiner]
                if not isinstance(children, list) or not children:
                    say(f"{where}.{joiner}", _EMPTY_COMPOSITION)
                    return
                for i, child in enumerate(children):
                    walk(child, f"{where}.{joiner}[{i}]")
                return
        name = n.get("evaluator")
        if name not in EVALUATORS:
            say(where, _UNKNOWN_EVALUATOR.format(name=name, names="、".join(EVALUATORS)) if name else _NOT_A_NODE)
            return
        required, optional = _ARGUMENTS[name]
        for argument in sorted(required - set(n)):
            say(where, _ARGUMENT_MISSING.format(name=name, argument=argument))
        for argument in sorted(set(n) - required - optional - _COMMON):
            say(where, _ARGUMENT_UNKNOWN.format(name=name, argument=argument))
        if required - set(n):
            return
        _CHECKS[name](n, where)

    def entries(n, key, where):
        """The non-empty list of argument ``key`` (a literal or a parameter), or None once said."""
        items = literal(n[key], f"{where}.{key}")
        if items is not _REPORTED and (not isinstance(items, (list, tuple)) or not items):
            say(f"{where}.{key}", _NOT_A_LIST)
            return None
        return None if items is _REPORTED else items

    def qualification(n, where):
        for t in entries(n, "types", where) or ():
            if t not in QUALIFICATION_TYPES:
                say(f"{where}.types", _UNKNOWN_QUALIFICATION.format(type=t))

    def table_ref(key, where, evaluator, kind):
        if key not in tables:
            say(where, _UNKNOWN_TABLE.format(table=key, tables="、".join(tables)))
        elif tables[key].kind != kind:
            say(where, _WRONG_TABLE_KIND.format(table=key, name=evaluator))

    def industry(n, where):
        for key in entries(n, "tables", where) or ():
            table_ref(key, f"{where}.tables", "industry_in", "industry")

    def listed(n, where):
        field_of(f"{where}.field", n["field"], ("code", "number"), "field_in")
        if ("table" in n) == ("values" in n):
            say(where, _ARGUMENT_MISSING.format(name="field_in", argument="values | table"))
        elif "table" in n:
            table_ref(n["table"], f"{where}.table", "field_in", "field")
        elif not isinstance(values := literal(n["values"], f"{where}.values"), (list, tuple)) \
                and values is not _REPORTED:
            say(f"{where}.values", _NOT_A_LIST)

    def compare(n, where):
        field_of(f"{where}.field", n["field"], ("number",), "threshold")
        if n["op"] not in OPERATORS:
            say(f"{where}.op", _BAD_OPERATOR.format(op=n["op"], ops=" ".join(OPERATORS)))
        limit = literal(n["value"], f"{where}.value")
        if limit is _REPORTED:
            return
        if isinstance(limit, bool) or not isinstance(limit, (int, float, str)) or not _is_number(limit):
            say(f"{where}.value", _BAD_NUMBER.format(value=limit))

    def document(n, where):
        kind = n["kind"]
        if isinstance(kind, str) and kind.startswith("facts."):
            field_of(f"{where}.kind", kind, ("document",), "document_present")
        elif kind not in DOCUMENT_KINDS:
            say(f"{where}.kind", _UNKNOWN_DOCUMENT.format(kind=kind))

    def member(n, where):  # that the pool exists is checked when every pool is loaded
        if not isinstance(n["pool"], str) or not n["pool"].strip():
            say(f"{where}.pool", _BAD_POOL_CODE)
        for state in entries(n, "states", where) or ():
            if state not in STATES:
                say(f"{where}.states", _UNKNOWN_STATE.format(state=state, states="、".join(STATES)))

    _CHECKS = {
        "has_qualification": qualification, "industry_in": industry, "field_in": listed,
        "threshold": compare, "flag": lambda n, w: field_of(f"{w}.field", n["field"], ("bool",), "flag"),
        "document_present": document, "judgement": lambda n, w: None, "member_of": member,
    }
    walk(node, path)
    return problems


def _is_number(raw: Any) -> bool:
    from decimal import Decimal, InvalidOperation
    try:
        return Decimal(str(raw)).is_finite()
    except InvalidOperation:
        return False
