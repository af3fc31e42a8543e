"""Measures: the named yearly figures of the records that indicators count or sum.

A measure key is a base name with optional filters, ``base{key=value,…}``
(e.g. ``transactions.count{type=transfer|licence|equity,direction=in,recipient=sme}``,
``pledge.amount{object=patent}``, ``valid_inventions``); a value may list
alternatives joined by ``|``.  :data:`MEASURES` is the catalogue: each base
with its kind (``count``: whole numbers; ``amount``: 万元), Chinese label and
the filters it takes.  This slice takes the yearly values of each measure as
input (``series`` of a region in the series document); a later slice computes
them from the database under the same keys.

An indicator may name a filter with the value ``*`` (``matchmaking.events{field=*}``):
it then reads every series of the region with that filter, one per value
(one per field), and the target must hold for each.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pool.kernel.wording import phrase

COUNT, AMOUNT = "count", "amount"
_DEALS = ("type", "direction", "recipient", "transferor")
# base -> (kind, label, filters)
MEASURES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "transactions.count": (COUNT, phrase("专利转让、许可、作价入股的专利数量（件）"), _DEALS),
    "transactions.amount": (AMOUNT, phrase("专利转让、许可、作价入股的成交金额（万元）"), _DEALS),
    "transactions.contracts": (COUNT, phrase("专利转让、许可合同数（次）"), _DEALS),
    "pledge.amount": (AMOUNT, phrase("质押融资登记金额（万元）"), ("object",)),
    "pledge.count": (COUNT, phrase("质押融资项目数（件）"), ("object",)),
    "pledge_loans.borrowers": (COUNT, phrase("知识产权质押贷款年累放贷款户数（户）"), ("borrower",)),
    "pledge_loans.amount": (AMOUNT, phrase("知识产权质押贷款年累放贷款金额（万元）"), ("borrower",)),
    "grants.count": (COUNT, phrase("专利授权量（件）"), ("kind", "office")),
    "valid_inventions": (COUNT, phrase("有效发明专利拥有量（件，年末）"), ()),
    "new_valid_inventions": (COUNT, phrase("新增有效发明专利数量（件）"), ()),
    "high_value_inventions": (COUNT, phrase("高价值发明专利拥有量（件，年末）"), ()),
    "high_maintenance_inventions": (COUNT, phrase("高维持年限发明专利拥有量（件，年末）"), ()),
    "designations.count": (COUNT, phrase("当年新获认定的数量（家）"), ("level", "kind")),
    "designations.cumulative": (COUNT, phrase("截至年末累计获认定的数量（家）"), ("level", "kind")),
    "pool.members": (COUNT, phrase("入库企业数（家，年末）"), ()),
    "matchmaking.events": (COUNT, phrase("专利技术供需对接活动（场）"), ("field",)),
    "operation_centre_projects": (COUNT, phrase("重点产业知识产权运营中心项目（个）"), ()),
    "cultivation_centres": (COUNT, phrase("新建高价值专利培育中心（家）"), ()),
    "enforcement_cases": (COUNT, phrase("专利执法案件（件）"), ()),
    "clusters.count": (COUNT, phrase("产业集聚区数量（个，年末）"), ("level", "aid_station")),
    "enterprise_heads.count": (COUNT, phrase("企业负责人人数（人）"), ("group", "trained")),
    "enterprises.count": (COUNT, phrase("企业数量（家，年末）"), ("scale", "industry", "inventions")),
}
_KEY = re.compile(r"^([a-z_]+(?:\.[a-z_]+)?)(?:\{([^{}]*)\})?$")
_PAIR = re.compile(r"^([a-z_]+)=([^,={}\s]+)$")
_BAD_KEY = phrase("须为目录中的计量名称，可在花括号内加筛选条件（键=值，逗号分隔）")
_UNKNOWN_FILTER = phrase("计量 {base} 不接受筛选条件 {name}（可用：{names}）")


@dataclass(frozen=True)
class Measure:
    """A parsed measure key: base and filters (sorted, so equal keys compare equal)."""

    base: str
    filters: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        inner = ",".join(f"{k}={v}" for k, v in self.filters)
        return f"{self.base}{{{inner}}}" if inner else self.base

    @property
    def kind(self) -> str:
        return MEASURES[self.base][0]

    @property
    def label(self) -> str:
        return MEASURES[self.base][1]

    @property
    def wildcard(self) -> str | None:
        """The filter written ``*`` (one series per value), if any."""
        return next((k for k, v in self.filters if v == "*"), None)

    def part(self, value: str) -> "Measure":
        """The series of this wildcard key for one value of its wildcard filter (one field)."""
        name = self.wildcard
        return Measure(self.base, tuple(sorted((k, value if k == name else v) for k, v in self.filters)))

    def matches(self, other: "Measure") -> str | None:
        """``other``'s value of the wildcard filter when ``other`` is one of this key's series, else ``None``."""
        name = self.wildcard
        if name is None or other.base != self.base:
            return None
        mine = {k: v for k, v in self.filters if k != name}
        theirs = dict(other.filters)
        value = theirs.pop(name, None)
        return value if value not in (None, "*") and theirs == mine else None


def parse_key(text: object) -> tuple[Measure | None, str | None]:
    """``(measure, None)`` or ``(None, reason in Chinese)``."""
    match = _KEY.match(text) if isinstance(text, str) else None
    if match is None or match.group(1) not in MEASURES:
        return None, _BAD_KEY
    base, inner = match.group(1), match.group(2)
    pairs = []
    for part in filter(None, (inner or "").split(",")):
        pair = _PAIR.match(part.strip())
        if pair is None:
            return None, _BAD_KEY
        if pair.group(1) not in MEASURES[base][2]:
            names = "、".join(MEASURES[base][2]) or "—"
            return None, _UNKNOWN_FILTER.format(base=base, name=pair.group(1), names=names)
        pairs.append((pair.group(1), pair.group(2)))
    return Measure(base, tuple(sorted(pairs))), None
