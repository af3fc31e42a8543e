"""What each configurable evaluator reads, and judging a node once per distinct reading.

Two applicants that read the same to a node — the same values of the fields
it names, the same qualifications of the types it asks for, the same state in
the pool it names — get the same outcome from it, for one date, one pool's
parameter values, tables and facts' labels.  :func:`reader` says, for each
evaluator of :mod:`pool.pools.evaluators`, what that reading is; :class:`Memo`
judges each node once per distinct reading.  That is how the what-if
(:func:`pool.pools.evaluate.what_if`) judges a whole pool under two versions in
the time of a scan: a pool of 100,000 reads a few thousand distinct ways.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Callable, Mapping

from pool.pools.evaluators import Context, Outcome, document_given, evaluate_node, value
from pool.pools.fields import reader as field_reader

Reader = Callable[[Context], Any]


def _exact(read: Reader) -> Reader:
    """A value read as a key: ``Decimal('1.0')`` and ``Decimal('1.00')`` print differently, and 1 is not True."""
    def key(ctx):
        actual = read(ctx)
        return type(actual), (str(actual) if isinstance(actual, Decimal) else actual)
    return key


def _qualifications(node) -> Reader:
    return lambda ctx: tuple(q for q in ctx.applicant.qualifications if q.type in value(node["types"], ctx))


def _document(node) -> Reader:
    kind = node["kind"]
    if kind.startswith("facts."):
        return _exact(field_reader(kind))
    return lambda ctx: document_given(kind, ctx.applicant)


def _membership(node) -> Reader:
    code = node["pool"]
    return lambda ctx: "unknown" if ctx.memberships is None else ctx.memberships.get(code)


# For each evaluator, everything its outcome depends on besides the node and the run's constants.
_READERS: dict[str, Callable[[Mapping[str, Any]], Reader]] = {
    "has_qualification": _qualifications,
    "industry_in": lambda node: lambda ctx: ctx.applicant.industry_code,
    "field_in": lambda node: _exact(field_reader(node["field"])),
    "threshold": lambda node: _exact(field_reader(node["field"])),
    "flag": lambda node: _exact(field_reader(node["field"])),
    "document_present": _document,
    "judgement": lambda node: lambda ctx: None,
    "member_of": _membership,
}


def reader(node: Mapping[str, Any]) -> Reader:
    """What ``node`` reads of a context, as a function giving a hashable key (a composition: the
    tuple of its children's)."""
    if "all" in node or "any" in node:
        children = [reader(child) for child in node.get("all", node.get("any"))]
        return lambda ctx: tuple(read(ctx) for read in children)
    return _READERS[node["evaluator"]](node)


def reads_ladder(node: Mapping[str, Any]) -> bool:
    """Whether ``node`` reads the enterprise's states in the pools (``member_of`` in it)."""
    if "all" in node or "any" in node:
        return any(reads_ladder(child) for child in node.get("all", node.get("any")))
    return node["evaluator"] == "member_of"


def content(node: Mapping[str, Any]) -> str:
    """The node as text: two nodes of equal content judge alike."""
    return json.dumps(node, sort_keys=True, ensure_ascii=False, default=str)


class Memo:
    """:func:`evaluate_node` for many contexts that share the date, the parameters, the tables and
    the facts' labels (one pool on one day): each node judged once per distinct reading.  A node
    is known by its :func:`content`, so the same criterion in two versions is judged once."""

    def __init__(self):
        self._outcomes: dict[tuple, Outcome] = {}
        self._nodes: dict[int, tuple[Mapping, str, Reader]] = {}  # id(node) -> (node kept alive, content, reader)

    def content(self, node: Mapping[str, Any]) -> str:
        return self._known(node)[1]

    def _known(self, node):
        known = self._nodes.get(id(node))
        if known is None:
            known = self._nodes[id(node)] = (node, content(node), reader(node))
        return known

    def evaluate(self, node: Mapping[str, Any], ctx: Context) -> Outcome:
        _node, text, read = self._known(node)
        key = (text, read(ctx))
        outcome = self._outcomes.get(key)
        if outcome is None:
            outcome = self._outcomes[key] = evaluate_node(node, ctx)
        return outcome
