"""The classification tables a pool's criteria may name, and the ones it cannot have yet.

Shipped tables are the catalogues of :mod:`pool.reference.catalogues` (data in
``pool/data/`` with their provenance in ``../shared/data/README.md``):

* ``strategic_emerging_2018`` — 《战略性新兴产业分类（2018）》, by GB/T 4754-2017
  class; a starred (``partial``) code gives a partial match (``review``);
* ``hightech_fields_2016`` — 《国家重点支持的高新技术领域》; an item covers the
  items below it (a declared ``1.1.1`` is in ``1.1``).

A pool declares any other table it needs with ``"shipped": false`` and the
reason (e.g. Xuchang's 重点产业 list, which the text does not print); the
evaluators then answer ``review`` naming that reason, never a silent ``fail``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from pool.kernel.wording import phrase
from pool.reference import catalogues

KINDS = ("industry", "field")  # industry: GB/T 4754 classes (industry_in); field: declared codes (field_in)


@dataclass(frozen=True)
class Match:
    entry: str  # what the table says of the value, as written in it
    partial: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    name: str
    kind: str
    shipped: bool
    reason: str = ""
    classify: Callable[[str], Match | None] = lambda _value: None


def _strategic_emerging(code: str) -> Match | None:
    try:
        rows = catalogues.strategic_emerging_matches(code)
    except ValueError:
        return None  # not a GB/T 4754-2017 class: in no table
    if not rows:
        return None
    whole = [r for r in rows if r["partial"] != "true"]
    row = (whole or rows)[0]
    return Match(f"{row['sector_name']} / {row['category_name']}", partial=not whole)


_FIELDS = {}
for _row in catalogues.CATALOGUES["hightech_fields_2016"].rows:
    _FIELDS.setdefault(_row["level1_code"], _row["level1_name"])
    _FIELDS.setdefault(_row["level2_code"], f"{_row['level1_name']} / {_row['level2_name']}")
    if _row["level3_code"]:
        _FIELDS[_row["level3_code"]] = f"{_row['level1_name']} / {_row['level2_name']} / {_row['level3_name']}"


def _hightech_field(code: str) -> Match | None:
    code = code.strip()
    while code:
        if code in _FIELDS:
            return Match(_FIELDS[code])
        code = code.rpartition(".")[0]  # a declared sub-item lies within its listed parent
    return None


SHIPPED: dict[str, Table] = {
    "strategic_emerging_2018": Table(
        "strategic_emerging_2018", catalogues.CATALOGUES["strategic_emerging_2018"].name, "industry", True,
        classify=_strategic_emerging),
    "hightech_fields_2016": Table(
        "hightech_fields_2016", catalogues.CATALOGUES["hightech_fields_2016"].name, "field", True,
        classify=_hightech_field),
}


def not_shipped(key: str, name: str, kind: str, reason: str) -> Table:
    """A table a pool needs that the system does not have (answers ``review``)."""
    return Table(key, name, kind, False, reason)


_BAD_TABLE = phrase("分类表 {key} 的声明无效（须有 name、kind、reason，kind 为 {kinds}）")


def declared_tables(raw: Any, problems: list[str]) -> dict[str, Table]:
    """The shipped tables and the ones the pool declares it cannot have (with the reason)."""
    tables = dict(SHIPPED)
    for i, t in enumerate(raw):
        t = t if isinstance(t, Mapping) else {}
        if not all(t.get(k) for k in ("key", "name", "kind", "reason")) or t["kind"] not in KINDS:
            problems.append(f"tables[{i}]: " + _BAD_TABLE.format(key=t.get("key"), kinds="、".join(KINDS)))
            continue
        tables[t["key"]] = not_shipped(t["key"], t["name"], t["kind"], t["reason"])
    return tables
