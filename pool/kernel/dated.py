"""Dated parameters as the policy data files write them, shared by every context that ships
policy as data (award programmes, target sets).

A parameter is ``{"label": …, "values": [{"from": "YYYY-MM-DD", "value": …, "source": …}, …]}``;
anywhere in a rule or a target, ``{"param": KEY}`` stands for that parameter's value.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterator


def values_on(parameters: dict, day: date) -> tuple[dict[str, Any], dict[str, str]]:
    """Each parameter's value and source in force on ``day``: the latest dated on or before it
    (before the first date, the first value)."""
    values, sources = {}, {}
    for key, spec in parameters.items():
        dated = [v for v in spec["values"] if date.fromisoformat(v["from"]) <= day]
        chosen = max(dated, key=lambda v: v["from"]) if dated else spec["values"][0]
        values[key], sources[key] = chosen["value"], chosen["source"]
    return values, sources


def resolve(obj: Any, values: dict) -> Any:
    """``obj`` with every ``{"param": KEY}`` replaced by ``values[KEY]``."""
    if isinstance(obj, dict):
        if set(obj) == {"param"}:
            return values[obj["param"]]
        return {k: resolve(v, values) for k, v in obj.items()}
    if isinstance(obj, list):
        return [resolve(v, values) for v in obj]
    return obj


def references(obj: Any) -> Iterator[str]:
    """Every parameter key ``obj`` refers to with ``{"param": KEY}``, in document order."""
    if isinstance(obj, dict):
        if set(obj) == {"param"}:
            yield obj["param"]
        for v in obj.values():
            yield from references(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from references(v)
