"""Configurable evaluators: the building blocks of a pool's criteria set (POLICIES §2.3).

A configured criterion is a tree of nodes, each a JSON object:

* an **evaluator** ``{"evaluator": KIND, ...arguments}`` — ``has_qualification``,
  ``industry_in``, ``field_in``, ``threshold``, ``flag``, ``document_present``,
  ``judgement``, ``member_of`` (a state in another pool: the ladder, e.g. graduated
  from 样板企业培育库 for 接续培育);
* a **composition** ``{"all": [nodes]}`` (AND) or ``{"any": [nodes]}`` (OR).

Every node may carry ``"in_principle": true`` (「原则上」: a ``fail`` becomes
``review``).  Each node answers a status of SPEC §2 (``pass``, ``fail``,
``review``, ``missing``) and a Chinese detail quoting the numbers; the details
of a composition are joined with ``；``.

The evaluators read what today's criteria read — the applicant on the
assessment date, as its :class:`~pool.pools.inputs.Inputs` — plus
the pool's declared **supplementary facts** (``facts.NAME``: what a pool needs
and the shared applicant contract does not carry, such as the declared
高新技术领域) and the pool's dated parameters (``{"param": KEY}`` stands for a
value).  Checking a node's shape (unknown evaluator, field, operator, table,
qualification type) is :mod:`pool.pools.rules`; this module only evaluates.

A context may ask for statuses only (``explain=False``): every detail is then
``""`` and none is formatted — how the what-if judges a whole pool under two
versions in the time of a scan, asking for the details only of what moves.

Status algebra: AND — ``fail`` beats ``missing`` beats ``review`` beats ``pass``
(the order within one of today's criteria); OR — ``pass`` beats ``review``
beats ``missing`` beats ``fail``.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping

from models.enterprise import STATE_LABELS
from pool.eligibility.outcome import in_force
from pool.eligibility.profile import QUALIFICATION_LABELS
from pool.kernel.wording import phrase
from pool.pools.fields import field_label, read_field
from pool.pools.inputs import Inputs
from pool.pools.tables import Table

AND_ORDER = ("fail", "missing", "review", "pass")
OR_ORDER = ("pass", "review", "missing", "fail")
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
EVALUATORS = ("has_qualification", "industry_in", "field_in", "threshold", "flag", "document_present",
              "judgement", "member_of")


@dataclass(frozen=True)
class Context:
    """What a node reads: the applicant's inputs on ``as_of``, the supplementary facts,
    the pool's parameter values in force and the tables it names."""

    applicant: Inputs | None
    as_of: date
    facts: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    tables: Mapping[str, Table] = field(default_factory=dict)
    fact_labels: Mapping[str, str] = field(default_factory=dict)
    # pool code -> (pool name, state on ``as_of``) of the enterprise's memberships; None: not known
    # (an applicant checked from a file, not a stored enterprise).
    memberships: Mapping[str, tuple[str, str]] | None = None
    # False: statuses only, every detail "" (the what-if's first pass over a whole pool; the details
    # of the criteria that move are judged again with them)
    explain: bool = True


Outcome = tuple[str, str]

_JOIN = "；"
_IN_PRINCIPLE = phrase("原则上的要求未满足，由人工判断：{detail}")
_QUAL_HELD = phrase("资格核验：持有在 {day} 有效的{label}（{valid_from} 至 {valid_to}）")
_QUAL_NONE = phrase("资格核验：{day} 无有效的{labels}")
_QUAL_HELD_REFUSED = phrase("已持有在 {day} 有效的{label}（{valid_from} 至 {valid_to}），不予纳入")
_QUAL_NOT_HELD = phrase("{day} 未持有有效的{labels}，可以纳入")
_INDUSTRY_UNKNOWN = phrase("缺少数据：主营业务行业代码（industry_code），无法判断所属产业")
_IN_TABLE = phrase("行业 {code} 属于{table!s}所列产业“{entry!s}”")
_IN_TABLE_PARTIAL = phrase("行业 {code} 在{table!s}中带 * 号（仅部分属于“{entry!s}”），原则上需人工判断")
_NOT_IN_TABLE = phrase("行业 {code} 不在{table!s}所列产业中")
_TABLE_NOT_SHIPPED = phrase("{table!s}未随系统提供（{reason!s}），需人工判断是否属于")
_FIELD_MISSING = phrase("缺少数据：{label}（{path}）")
_VALUE_LISTED = phrase("{label}“{value}”属于{listed!s}所列领域“{entry!s}”")
_VALUE_NOT_LISTED = phrase("{label}“{value}”不在{listed!s}所列领域中")
_THRESHOLD_MET = phrase("{label} {value} {op} {limit}，满足门槛")
_THRESHOLD_NOT_MET = phrase("{label} {value} 未满足门槛 {op} {limit}")
_FLAG_YES = phrase("{label}：是，具备该项情形")
_FLAG_NO = phrase("{label}：否，不具备该项情形")
_DOCUMENT_PRESENT = phrase("材料核验：已提供{document}")
_DOCUMENT_ABSENT = phrase("材料核验：未提供{document}")
_JUDGEMENT = phrase("需人工判断的定性要求“{question!s}”")
_MEMBER = phrase("培育阶梯：在{pool!s}中的状态为「{state!s}」，符合")
_NOT_MEMBER = phrase("培育阶梯：在{pool!s}中的状态为「{state!s}」，须为{states}")
_NEVER_MEMBER = phrase("培育阶梯：未曾进入{pool!s}，须为{states}")
_MEMBERSHIPS_UNKNOWN = phrase("缺少数据：本次核验未提供在{pool!s}中的状态（从已登记的企业核验时读取）")
_VALUE_IN_LIST = phrase("{label}“{value}”属于所列取值（{values}）")
_VALUE_NOT_IN_LIST = phrase("{label}“{value}”不属于所列取值（{values}）")
DOCUMENT_KINDS = {"brand_evidence": phrase("品牌影响力证明材料"), "product_filing": phrase("专利产品备案号"),
                  "certificate_no": phrase("资格证书编号")}


def evaluate_node(node: Mapping[str, Any], ctx: Context) -> Outcome:
    """The status and detail of one node (see the module docstring)."""
    if "all" in node or "any" in node:
        outcomes = [evaluate_node(child, ctx) for child in node.get("all", node.get("any"))]
        status = combine([s for s, _ in outcomes], AND_ORDER if "all" in node else OR_ORDER)
        result = status, (_JOIN.join(d for _, d in outcomes) if ctx.explain else "")
    else:
        result = _KINDS[node["evaluator"]](node, ctx)
    if result[0] == "fail" and node.get("in_principle"):
        return said(ctx, "review", lambda: _IN_PRINCIPLE.format(detail=result[1]))
    return result


def said(ctx: Context, status: str, detail: Callable[[], str]) -> Outcome:
    """``(status, detail())`` — or, when the context does not ask for details, ``(status, "")``."""
    return status, (detail() if ctx.explain else "")


def reads_ladder(node: Mapping[str, Any]) -> bool:
    """Whether ``node`` reads the enterprise's states in the pools (``member_of`` in it)."""
    if "all" in node or "any" in node:
        return any(reads_ladder(child) for child in node.get("all", node.get("any")))
    return node["evaluator"] == "member_of"


def combine(statuses: list[str], order: tuple[str, ...]) -> str:
    """The first status of ``order`` among ``statuses`` (AND_ORDER or OR_ORDER)."""
    present = set(statuses)
    return next(s for s in order if s in present)


def value(raw: Any, ctx: Context) -> Any:
    """A literal, or the pool's parameter in force for ``{"param": KEY}``."""
    return resolved(raw, ctx.params)


def resolved(raw: Any, params: Mapping[str, Any]) -> Any:
    """``raw``, or for ``{"param": KEY}`` the value of KEY in ``params`` (a pool's values in force on a
    day, :meth:`pool.pools.definition.Pool.params_in_force`): how a criterion's and a lifecycle's
    settings read a pool's dated parameters."""
    if isinstance(raw, dict) and "param" in raw:
        return params[raw["param"]]
    return raw


def with_values(node: Any, params: Mapping[str, Any]) -> Any:
    """``node`` with every ``{"param": KEY}`` in it replaced by KEY's value in ``params``: the rule as
    it judges with those values (how a draft parameter value is previewed, :mod:`pool.ladder.previews`)."""
    if isinstance(node, dict):
        if set(node) == {"param"}:
            return params[node["param"]]
        return {key: with_values(item, params) for key, item in node.items()}
    if isinstance(node, list):
        return [with_values(item, params) for item in node]
    return node


# --- the evaluators -------------------------------------------------------------------------------

def has_qualification(node, ctx: Context) -> Outcome:
    """Holds a qualification of ``types`` in force on ``as_of`` (both days inclusive).
    ``"hold": false`` inverts it: holding one is the ``fail`` (e.g. already a 高企)."""
    types = value(node["types"], ctx)
    held = [q for q in ctx.applicant.qualifications
            if q.type in types and in_force(q.valid_from, q.valid_to, ctx.as_of)]
    wanted = node.get("hold", True)
    if held:
        q = held[0]
        template = _QUAL_HELD if wanted else _QUAL_HELD_REFUSED
        return said(ctx, "pass" if wanted else "fail", lambda: template.format(
            day=ctx.as_of.isoformat(), label=QUALIFICATION_LABELS.get(q.type, q.type),
            valid_from=q.valid_from.isoformat(), valid_to=q.valid_to.isoformat()))
    template = _QUAL_NONE if wanted else _QUAL_NOT_HELD
    return said(ctx, "fail" if wanted else "pass", lambda: template.format(
        day=ctx.as_of.isoformat(), labels="、".join(QUALIFICATION_LABELS.get(t, t) for t in types)))


def industry_in(node, ctx: Context) -> Outcome:
    """The main business's GB/T 4754 class is in any of ``tables`` (OR).  A
    starred (partial) class, or a table the system does not ship, is ``review``
    — never a silent ``fail``."""
    code = ctx.applicant.industry_code
    if code is None:
        return said(ctx, "missing", lambda: _INDUSTRY_UNKNOWN)
    found, partial, unknown, absent = [], [], [], []
    for key in value(node["tables"], ctx):
        table = ctx.tables[key]
        if not table.shipped:
            unknown.append(table)
            continue
        match = table.classify(code)
        (found if match and not match.partial else partial if match else absent).append((table, match))
    if found:
        table, match = found[0]
        return said(ctx, "pass", lambda: _IN_TABLE.format(code=code, table=table.name, entry=match.entry))
    if partial or unknown:
        return said(ctx, "review", lambda: _JOIN.join(
            [_IN_TABLE_PARTIAL.format(code=code, table=t.name, entry=m.entry) for t, m in partial]
            + [_TABLE_NOT_SHIPPED.format(table=t.name, reason=t.reason) for t in unknown]))
    return said(ctx, "fail", lambda: _JOIN.join(_NOT_IN_TABLE.format(code=code, table=t.name) for t, _ in absent))


def field_in(node, ctx: Context) -> Outcome:
    """A field's value is one of ``values`` or in ``table`` (``"match": "prefix"``:
    starts with one of them; a table's item also covers the items below it)."""
    path = node["field"]
    actual = read_field(path, ctx)
    label = lambda: field_label(path, ctx.fact_labels)  # noqa: E731 - read only for a detail
    if actual is None:
        return said(ctx, "missing", lambda: _FIELD_MISSING.format(label=label(), path=path))
    actual = str(actual)
    if "table" in node:
        table = ctx.tables[node["table"]]
        if not table.shipped:
            return said(ctx, "review", lambda: _TABLE_NOT_SHIPPED.format(table=table.name, reason=table.reason))
        match = table.classify(actual)
        if match is None:
            return said(ctx, "fail", lambda: _VALUE_NOT_LISTED.format(label=label(), value=actual, listed=table.name))
        if match.partial:
            return said(ctx, "review", lambda: _IN_TABLE_PARTIAL.format(code=actual, table=table.name,
                                                                         entry=match.entry))
        return said(ctx, "pass", lambda: _VALUE_LISTED.format(label=label(), value=actual, listed=table.name,
                                                               entry=match.entry))
    listed = [str(v) for v in value(node["values"], ctx)]
    prefix = node.get("match") == "prefix"
    hit = next((v for v in listed if (actual.startswith(v) if prefix else actual == v)), None)
    template = _VALUE_NOT_IN_LIST if hit is None else _VALUE_IN_LIST
    return said(ctx, "fail" if hit is None else "pass",
                lambda: template.format(label=label(), value=actual, values="、".join(listed)))


def threshold(node, ctx: Context) -> Outcome:
    """``field op value`` compared exactly (``Decimal``); ``op`` one of :data:`OPERATORS`."""
    path, op = node["field"], node["op"]
    actual = read_field(path, ctx)
    if actual is None:
        return said(ctx, "missing", lambda: _FIELD_MISSING.format(label=field_label(path, ctx.fact_labels),
                                                                  path=path))
    limit = Decimal(str(value(node["value"], ctx)))
    met = OPERATORS[op](Decimal(str(actual)) if isinstance(actual, float) else Decimal(actual), limit)
    template = _THRESHOLD_MET if met else _THRESHOLD_NOT_MET
    return said(ctx, "pass" if met else "fail", lambda: template.format(
        label=field_label(path, ctx.fact_labels), value=actual, op=op, limit=limit))


def flag(node, ctx: Context) -> Outcome:
    """A yes/no fact: true → ``pass``, false → ``fail``, absent → ``missing``."""
    path = node["field"]
    actual = read_field(path, ctx)
    if actual is None:
        return said(ctx, "missing", lambda: _FIELD_MISSING.format(label=field_label(path, ctx.fact_labels),
                                                                  path=path))
    template = _FLAG_YES if actual else _FLAG_NO
    return said(ctx, "pass" if actual else "fail", lambda: template.format(label=field_label(path, ctx.fact_labels)))


def document_present(node, ctx: Context) -> Outcome:
    """A document of ``kind``: brand evidence, a product's 备案号, a certificate
    number, or a supplementary fact ``facts.NAME`` naming the document (absent
    → ``missing``, blank → ``fail``)."""
    kind = node["kind"]
    if kind.startswith("facts."):
        actual = read_field(kind, ctx)
        document = lambda: field_label(kind, ctx.fact_labels)  # noqa: E731 - read only for a detail
        if actual is None:
            return said(ctx, "missing", lambda: _FIELD_MISSING.format(label=document(), path=kind))
        given = bool(str(actual).strip())
    else:
        document = lambda: DOCUMENT_KINDS[kind]  # noqa: E731
        given = document_given(kind, ctx.applicant)
    template = _DOCUMENT_PRESENT if given else _DOCUMENT_ABSENT
    return said(ctx, "pass" if given else "fail", lambda: template.format(document=document()))


def document_given(kind: str, a: Inputs) -> bool:
    """Whether the applicant gives a document of ``kind`` (one of :data:`DOCUMENT_KINDS`)."""
    return {"brand_evidence": lambda: a.brand_evidence, "product_filing": lambda: a.product_filing,
            "certificate_no": lambda: any(q.certificate_no for q in a.qualifications)}[kind]()


def judgement(node, ctx: Context) -> Outcome:
    """A qualitative requirement (「有基础、有潜力」): always ``review``."""
    return said(ctx, "review", lambda: _JUDGEMENT.format(question=node["question"]))


def member_of(node, ctx: Context) -> Outcome:
    """The enterprise's membership of pool ``pool`` is in one of ``states`` on ``as_of``
    (``member_of(huangshi-2024, [graduated])``: 出库后的接续培育).  Unknown memberships
    (an applicant from a file) are ``missing``; never a member is ``fail``."""
    code, states = node["pool"], value(node["states"], ctx)
    wanted = lambda: "或".join(f"「{STATE_LABELS.get(s, s)}」" for s in states)  # noqa: E731
    name = (ctx.memberships or {}).get(code, (node.get("pool_name") or code, None))[0]
    if ctx.memberships is None:
        return said(ctx, "missing", lambda: _MEMBERSHIPS_UNKNOWN.format(pool=name))
    if code not in ctx.memberships:
        return said(ctx, "fail", lambda: _NEVER_MEMBER.format(pool=name, states=wanted()))
    state = ctx.memberships[code][1]
    if state in states:
        return said(ctx, "pass", lambda: _MEMBER.format(pool=name, state=STATE_LABELS.get(state, state)))
    return said(ctx, "fail", lambda: _NOT_MEMBER.format(pool=name, state=STATE_LABELS.get(state, state),
                                                        states=wanted()))


_KINDS: dict[str, Callable[[Mapping[str, Any], Context], Outcome]] = {
    "has_qualification": has_qualification, "industry_in": industry_in, "field_in": field_in,
    "threshold": threshold, "flag": flag, "document_present": document_present, "judgement": judgement,
    "member_of": member_of,
}

