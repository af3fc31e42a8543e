"""What an enterprise may propose for its record (a change request): add a
part (a granted patent, a certified product, a trademark, a partnership, a
certificate), change one on record (a product now certified, a patent now
industrialised), or renew a certificate.  The rules are the living record's
(:mod:`pool.records.parts`): checked here when the enterprise submits, applied
there when an officer accepts.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from sqlalchemy import select

from pool.kernel.wording import phrase
from pool.records import parts
from pool.records.changes import RecordRefused
from pool.records.fields import PARTS

__all__ = ["CHANGE_PARTS", "ADD", "CHANGE", "RENEW", "ACTION_LABELS", "RELATIONS", "data_for", "validate",
           "row_of", "current_values", "proposed", "apply"]

# The parts an enterprise may propose, and the enterprise's collection of each.
CHANGE_PARTS = ("patent", "product", "qualification", "trademark", "partnership")
RELATIONS = {"patent": "patents", "product": "products", "qualification": "qualifications",
             "trademark": "trademarks", "partnership": "partnerships"}
ADD, CHANGE, RENEW = "add", "change", "renew"
ACTION_LABELS = {ADD: phrase("新增记录"), CHANGE: phrase("更新记录"), RENEW: phrase("换发证书")}

_UNKNOWN_PART = phrase("不能申请变更的记录类型 {part!s}")
_ONLY_CERTIFICATES = phrase("只有资格证书可以换发")
_ROW_GONE = phrase("要更新的记录已不在该企业的档案中")
_NOTHING_CHANGED = phrase("与档案中的记录相同，没有需要更新的内容")


def data_for(part: str, values: Mapping[str, Any], row=None, *, renew: bool = False) -> dict:
    """A change request's data: the part, what to do, the row it is about, the values proposed.

    :raise RecordRefused: a part that cannot be proposed, or a renewal of something not a certificate.
    """
    if part not in CHANGE_PARTS:
        raise RecordRefused(_UNKNOWN_PART.format(part=part), "part")
    if renew and part != "qualification":
        raise RecordRefused(_ONLY_CERTIFICATES, "part")
    spec = PARTS[part]
    action = RENEW if renew else CHANGE if row is not None else ADD
    return {"part": part, "action": action, "row_id": row.id if row is not None else None,
            "values": {k: _plain(v) for k, v in values.items() if k in spec.fields or k == "patents"}}


def validate(data: Mapping[str, Any], today: date) -> None:
    """Each value by its field's rule (a change only the fields it sets; an
    addition or renewal all, the required ones present, and the part's own rules).

    :raise RecordRefused: naming the field.
    """
    spec = PARTS[data["part"]]
    if data.get("action", ADD) == CHANGE:
        for name, value in data["values"].items():
            if name in spec.fields:
                spec.fields[name].clean(name, value, today)
        return
    cleaned = {name: field.clean(name, data["values"].get(name), today) for name, field in spec.fields.items()}
    spec.check(spec, cleaned, cleaned)


def row_of(session, enterprise_id: int, part: str, row_id) -> Any:
    """The part row ``row_id`` of the enterprise, else ``None`` (whatever id was asked)."""
    if part not in CHANGE_PARTS or type(row_id) is not int:
        return None
    model = PARTS[part].model
    return session.scalar(select(model).where(model.id == row_id, model.enterprise_id == enterprise_id))


def current_values(session, enterprise_id: int, data: Mapping[str, Any]) -> dict:
    """What the record holds now for the row a change or renewal is about (plain values)."""
    if data.get("action", ADD) == ADD:
        return {}
    row = row_of(session, enterprise_id, data["part"], data.get("row_id"))
    return {k: _plain(v) for k, v in parts.values_of(PARTS[data["part"]], row).items()} if row else {}


def proposed(session, enterprise_id: int, data: Mapping[str, Any]) -> list[str]:
    """The fields the request really proposes: set, and (for a change) different from the record."""
    now = current_values(session, enterprise_id, data) if data.get("action", ADD) == CHANGE else {}
    return [k for k, v in data["values"].items() if v not in (None, "", []) and now.get(k, None) != v]


def apply(session, enterprise, data: Mapping[str, Any], taken: Sequence[str], *, actor, today: date,
          reason: str) -> None:
    """Write the fields ``taken`` through the living record's functions.

    :raise RecordRefused: the row is gone, nothing changes, or the rules refuse.
    """
    part, action = data["part"], data.get("action", ADD)
    values = {k: data["values"][k] for k in taken}
    if action == ADD:
        parts.add_part(session, enterprise, part, actor=actor, today=today, values=values, reason=reason)
        return
    row = row_of(session, enterprise.id, part, data.get("row_id"))
    if row is None:
        raise RecordRefused(_ROW_GONE)
    if action == RENEW:
        parts.renew_qualification(session, row, actor=actor, today=today, values=values, reason=reason)
    elif parts.change_part(session, row, part, actor=actor, today=today, expected_version=row.version,
                           values=values, reason=reason) is None:
        raise RecordRefused(_NOTHING_CHANGED)


def _plain(value: Any) -> Any:
    """A value as JSON keeps it (a date as its ISO text)."""
    return value.isoformat() if isinstance(value, date) else value
