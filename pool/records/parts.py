"""Keeping the parts of an enterprise record current: add, change, end, renew.

One engine for patents, products, qualifications, trademarks and research
partnerships (their fields and rules are data in :mod:`pool.records.fields`).
The contract of :mod:`pool.records.changes` holds: the acting officer must be
allowed to act for the county; a change names the version it was made on and
a concurrent change becomes a :class:`~pool.records.changes.VersionConflict`;
each change is one audited :class:`~models.ChangeRecord` carrying the day it
took effect (never after ``today``) and the reason given; rows are flushed,
never committed.  A dated change that is substantive progress (SPEC §3) is
recognised by :mod:`pool.records.progress` in the same transaction.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import ChangeRecord, Enterprise, Patent, Qualification

from pool.kernel import text as text_rule
from pool.records import progress
from pool.records.changes import (
    RecordRefused, changed_fields, require_actor, require_version, write_change,
)
from pool.records.fields import PARTS, Part
from pool.kernel.wording import phrase

__all__ = ["add_part", "change_part", "end_part", "renew_qualification", "part_of", "values_of", "history"]

_REASON = phrase("须写明理由")
_NO_EARLY_END = phrase("{part}不能提前终止")
_END_NOT_FUTURE = phrase("终止日期须为不晚于今天 {today} 的日期")
_NOT_EARLY = phrase("终止日期 {day} 不早于现有{label} {current}，不是提前终止")
_RENEWED_ALREADY = phrase("该证书已登记过续期证书；如需更正，请修改续期证书")
_RENEWAL_LATER = phrase("续期证书有效期止 {valid_to} 须晚于原证书 {original}")
_UNKNOWN_FIELD = phrase("未知字段 {field!s}")
_PATENT_LIST = phrase("产品所依专利须为专利号列表")
_PATENT_NUMBER = phrase("产品所依专利须为专利号")
_NOT_ITS_PATENTS = phrase("专利 {numbers!s} 不在该企业的专利中")
_DUPLICATE = phrase("{label} {value!s} 已在该企业的记录中")


def part_of(name: str) -> Part:
    try:
        return PARTS[name]
    except KeyError:
        raise RecordRefused(f"未知的记录类型 {name!r}") from None


def values_of(part: Part, row) -> dict[str, Any]:
    """A row's field values (a product's patents as their numbers)."""
    values = {name: getattr(row, name) for name in part.fields}
    if part.name == "product":
        values["patents"] = [p.number for p in row.patents]
    return values


def history(session, name: str, row) -> list[ChangeRecord]:
    """Every change of one part row, oldest first, with who made it."""
    return list(session.scalars(
        select(ChangeRecord).options(selectinload(ChangeRecord.actor))
        .where(ChangeRecord.entity == part_of(name).name, ChangeRecord.entity_id == row.id)
        .order_by(ChangeRecord.id)))


def add_part(session, enterprise: Enterprise, name: str, *, actor, today: date, values: Mapping[str, Any],
             reason: str | None = None, renews: Qualification | None = None):
    """Add a part to ``enterprise``'s record; returns the new row.

    :raise RecordRefused: not allowed, an unknown field, an invalid value, or
        a duplicate (a patent number or trademark already on the record).
    """
    part = part_of(name)
    require_actor(actor, enterprise.county_id)
    cleaned, patents = _cleaned(session, part, enterprise, values, today, required=True)
    part.check(part, cleaned, cleaned)
    _refuse_duplicate(session, part, enterprise, cleaned)
    row = part.model(enterprise_id=enterprise.id, **cleaned)
    if renews is not None:
        row.renews_id = renews.id
    if patents is not None:
        row.patents = patents
    diff = {k: [None, v] for k, v in cleaned.items() if v is not None}
    if patents:
        diff["patents"] = [None, [p.number for p in patents]]
    if renews is not None:
        diff["renews_id"] = [None, renews.id]
    record = write_change(session, actor, part.name, row, None, "create", diff,
                          effective_on=_effective(part.start(cleaned), today), reason=_reason(reason))
    progress.recognise(session, enterprise, part.name, row, {}, cleaned, record=record, actor=actor, today=today)
    return row


def change_part(session, row, name: str, *, actor, today: date, expected_version: int,
                values: Mapping[str, Any], reason: str | None = None,
                reason_required: bool = False) -> ChangeRecord | None:
    """Change some fields of a part seen at ``expected_version``; ``None`` when
    nothing really changed (no version is used up).

    The change takes effect on the latest date it sets (a grant, an
    industrialisation, a certification, an end), else it corrects what was
    always so and carries no effective date.

    :raise VersionConflict: the row moved on since ``expected_version``.
    :raise RecordRefused: not allowed, an unknown field or an invalid value.
    """
    part = part_of(name)
    enterprise = row.enterprise
    require_actor(actor, enterprise.county_id)
    require_version(session, part.name, row, expected_version)
    cleaned, patents = _cleaned(session, part, enterprise, values, today, required=False)
    before = values_of(part, row)
    diff = changed_fields(row, cleaned)
    if patents is not None and [p.number for p in patents] != before["patents"]:
        diff["patents"] = [before["patents"], [p.number for p in patents]]
    if not diff:
        return None
    merged = {**{k: v for k, v in before.items() if k != "patents"}, **cleaned}
    part.check(part, merged, {k: new for k, (_old, new) in diff.items()})
    if reason_required and not (reason or "").strip():
        raise RecordRefused(_REASON, "reason")
    _refuse_duplicate(session, part, enterprise, merged, row)
    dated = [new for k, (_old, new) in diff.items() if part.fields.get(k) and part.fields[k].kind == "day"
             and new is not None]
    if patents is not None:
        row.patents = patents
    record = write_change(session, actor, part.name, row, expected_version, "update",
                          diff,
                          effective_on=_effective(max(dated, default=None), today), reason=_reason(reason),
                          skip=("patents",))
    progress.recognise(session, enterprise, part.name, row, before, merged, record=record, actor=actor,
                       today=today)
    return record


def end_part(session, row, name: str, *, actor, today: date, expected_version: int, on: Any,
             reason: str) -> ChangeRecord | None:
    """End a qualification, trademark or partnership early on ``on`` (not after
    today), with a written reason."""
    part = part_of(name)
    if part.ends is None:
        raise RecordRefused(_NO_EARLY_END.format(part=part.label))
    day = part.fields[part.ends].clean(part.ends, on, today)
    if day is None or day > today:
        raise RecordRefused(_END_NOT_FUTURE.format(today=today), part.ends)
    current = getattr(row, part.ends)
    if current is not None and day >= current:
        raise RecordRefused(_NOT_EARLY.format(day=day, label=part.fields[part.ends].label, current=current),
                            part.ends)
    return change_part(session, row, name, actor=actor, today=today, expected_version=expected_version,
                       values={part.ends: day}, reason=reason, reason_required=True)


def renew_qualification(session, qualification: Qualification, *, actor, today: date,
                        values: Mapping[str, Any], reason: str | None = None) -> Qualification:
    """Record the certificate that renews ``qualification`` (same type unless
    ``values`` says otherwise), linked to it."""
    if session.scalar(select(Qualification.id).where(Qualification.renews_id == qualification.id)):
        raise RecordRefused(_RENEWED_ALREADY)
    merged = {"type": qualification.type, "level": qualification.level, "issuer": qualification.issuer,
              **values}
    spec = PARTS["qualification"].fields["valid_to"]
    valid_to = spec.clean("valid_to", merged.get("valid_to"), today)
    if valid_to <= qualification.valid_to:
        raise RecordRefused(_RENEWAL_LATER.format(valid_to=valid_to, original=qualification.valid_to), "valid_to")
    return add_part(session, qualification.enterprise, "qualification", actor=actor, today=today,
                    values=merged, reason=reason, renews=qualification)


# --- helpers ----------------------------------------------------------------------------

def _cleaned(session, part: Part, enterprise, values: Mapping[str, Any], today: date, *, required: bool):
    known = set(part.fields) | ({"patents"} if part.name == "product" else set())
    for key in values:
        if key not in known:
            raise RecordRefused(_UNKNOWN_FIELD.format(field=repr(key)), key)
    cleaned = {}
    for key, spec in part.fields.items():
        if key in values or required:
            value = values.get(key)
            if value is None and key == "status" and part.name == "patent" and required:
                value = "valid" if values.get("granted_on") else "pending"
            if value is None and key == "office" and part.name == "patent" and required:
                value = "CN"
            cleaned[key] = spec.clean(key, value, today)
    patents = _patents(session, enterprise, values["patents"]) if "patents" in values else None
    return cleaned, patents


def _patents(session, enterprise, numbers: Sequence[str] | None) -> list[Patent]:
    if numbers is None:
        return []
    if isinstance(numbers, str) or not isinstance(numbers, (list, tuple)):
        raise RecordRefused(_PATENT_LIST, "patents")
    wanted = []
    for number in numbers:
        if not isinstance(number, str) or not number.strip():
            raise RecordRefused(_PATENT_NUMBER, "patents")
        wanted.append(number.strip())
    found = {p.number: p for p in session.scalars(
        select(Patent).where(Patent.enterprise_id == enterprise.id, Patent.number.in_(wanted)))}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise RecordRefused(_NOT_ITS_PATENTS.format(numbers="、".join(missing)), "patents")
    return [found[n] for n in dict.fromkeys(wanted)]


def _refuse_duplicate(session, part: Part, enterprise, values, row=None) -> None:
    key = {"patent": "number", "trademark": "reg_no"}.get(part.name)
    if key is None:
        return
    column = getattr(part.model, key)
    query = select(part.model.id).where(part.model.enterprise_id == enterprise.id, column == values[key])
    if row is not None:
        query = query.where(part.model.id != row.id)
    if session.scalar(query) is not None:
        raise RecordRefused(_DUPLICATE.format(label=part.fields[key].label, value=values[key]), key)


def _effective(day: date | None, today: date) -> date | None:
    return min(day, today) if day is not None else None


def _reason(reason: str | None) -> str | None:
    if reason is None or not reason.strip():
        return None
    message = text_rule.refusal("理由", reason, multiline=True)
    if message is not None:
        raise RecordRefused(message, "reason")
    return reason.strip()

