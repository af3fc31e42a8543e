"""How every change to an enterprise record is checked, versioned and audited.

Contract of every function here (as in :mod:`pool.membership.lifecycle`):

* plain inputs, the caller's SQLAlchemy ``session``, the acting
  :class:`~models.User` (who must be allowed to act for the enterprise's county)
  and, where a date matters, an explicit ``on``; no Flask, no clock;
* a refused action raises :class:`RecordRefused` (a ``ValueError``) whose
  ``str()`` is a Chinese reason and whose ``field`` names the offending input,
  and writes nothing;
* edits use **optimistic locking**: the caller passes the version it showed the
  user; if the row has moved on since, :class:`VersionConflict` carries the
  :class:`~models.ChangeRecord` rows written since that version (who, when,
  field: old → new) so the user can see the other officer's change.  A
  concurrent commit between this request's read and its write surfaces from
  SQLAlchemy's ``version_id_col`` as ``StaleDataError`` (or, for a row both
  created at once, as a unique violation) and becomes the same conflict.  The
  write runs in a SAVEPOINT, so a conflict leaves the caller's transaction usable;
* every change writes a :class:`~models.ChangeRecord` (entity, id, the version
  after the change, field → [old, new] for the fields that really changed);
* rows are flushed, never committed: the caller owns the transaction.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from models import (
    ChangeRecord,
)
from models.base import YUAN_PER_WAN

from pool.membership.history import require_date
from pool.kernel import text as text_rule
from pool.eligibility.contract import FIELD_LABELS as APPLICANT_LABELS
from pool.eligibility.contract import SCHEMA
from pool.access.scoping import may_act_for
from pool.kernel.wording import phrase


# The scalar facts an officer may edit (identity — USCC, county — and the
# lifecycle caches are not among them).
TEXT_FIELDS = ("name", "address", "industry_code", "registered_region_code")
FLAG_FIELDS = (
    "independent_legal_person", "has_rd_leader",
    "ip_rules", "ip_department", "ip_staff", "ip_budget", "ip_certified_gbt29490",
    "abnormal_patent_applications", "major_accident", "violation", "serious_dishonesty",
)
ENTERPRISE_FIELDS = TEXT_FIELDS + FLAG_FIELDS + ("brand_evidence",)
AMOUNT_FIELDS = ("operating_revenue", "total_assets", "rd_expense")
COUNT_FIELDS = ("employees", "rd_staff")
FIGURE_FIELDS = AMOUNT_FIELDS + COUNT_FIELDS
CONTACT_FIELDS = ("name", "title", "email", "phone", "receives_reminders")

# Contract field -> enterprise column, for the two nested objects of the applicant.
IP_COLUMNS = {"rules": "ip_rules", "department": "ip_department", "staff": "ip_staff",
               "budget": "ip_budget", "certified_gbt29490": "ip_certified_gbt29490"}

LABELS = {
    **{k: APPLICANT_LABELS[k] for k in (
        "name", "industry_code", "registered_region_code", "independent_legal_person",
        "has_rd_leader", "brand_evidence", "abnormal_patent_applications", "major_accident",
        "violation", "serious_dishonesty", "uscc", "assessment_year") + FIGURE_FIELDS},
    **{column: APPLICANT_LABELS[key] for key, column in IP_COLUMNS.items()},
    "address": phrase("地址"), "year": phrase("年度"), "sales": phrase("销售收入"), "profit": phrase("利润"),
    "title": phrase("职务"), "email": phrase("电子邮箱"), "phone": phrase("电话"),
    "receives_reminders": phrase("接收提醒邮件"),
}
_STALE = phrase("您编辑期间，该记录已被他人修改{by}：您看到的是第 {expected} 版，现为第 {current} 版。请核对后重新保存")
_BY = phrase("（{who!s}）")
_MORE_STAFF = phrase("{staff_label} {staff} 人不能多于{employees_label} {employees} 人")
_YEAR = phrase("年度须为 {earliest} 至 {latest} 年之间的整数（不能填报未来年度；{year} 年尚未结束，其年度数据次年填报），实为 {given!s}")
_EMPTY_YEAR = phrase("{year} 年度数据一项都没有填写：请至少填写一项")
_NOT_DECIMAL = phrase("{label}须为精确的十进制数（万元），不能是 {value!s}")
_NOT_NUMBER = phrase("{label}须为数值（万元），不能是 {value!s}")
_NOT_FINITE = phrase("{label}须为有限数值")
_NEGATIVE = phrase("{label}不能为负数（实为 {amount} 万元）")
_TOO_LARGE = phrase("{label}数值过大（须小于 {limit} 万元）")
_TOO_PRECISE = phrase("{label} {amount} 万元超出精度：最多 4 位小数（精确到元）")
_NOT_INTEGER = phrase("{label}须为整数（人），不能是 {value!s}")
_COUNT_RANGE = phrase("{label}须为 0 至 {limit} 之间的整数（实为 {value}）")
_NOT_YOURS = phrase("经办人无权办理该县（市、区）的企业")
_UNKNOWN_FIELD = phrase("未知字段 {field!s}")
_NOT_TEXT = phrase("{label}须为文字")
_REQUIRED = phrase("{label}不能为空")
_TOO_LONG = phrase("{label}不能超过 {limit} 个字（实为 {length} 个）")

MAX_LENGTH = {"name": 200, "address": 200, "title": 64, "email": 254, "phone": 32}
CONTACT_NAME_LENGTH = 64
# The contract's assessment years run from 2000; their figures are for the year before.
EARLIEST_YEAR = SCHEMA["properties"]["assessment_year"]["minimum"] - 1
MAX_AMOUNT = Decimal(10) ** 12  # 万元; the contract's bound (pool.eligibility.applicant)
MAX_COUNT = 10**7
REGION = re.compile(r"[0-9]{6}")


class RecordRefused(ValueError):
    """An edit the rules do not allow; ``str()`` is the Chinese reason.

    ``field`` names the input at fault (``None``: the action as a whole);
    ``index`` the position in a list input (contacts), if any.
    """

    def __init__(self, message: str, field: str | None = None, index: int | None = None):
        super().__init__(message)
        self.field = field
        self.index = index


class VersionConflict(Exception):
    """The row changed since the version the user edited.

    ``changes`` are the :class:`~models.ChangeRecord` rows written since
    ``expected`` (oldest first, ``actor`` loaded); it may be empty when the row
    moved for another reason (e.g. a lifecycle transition of the enterprise).
    ``current`` is the row's version now and ``row`` the row with its current
    values (both ``None``: the row does not exist).
    """

    def __init__(self, entity: str, row, expected: int | None, changes: Sequence[ChangeRecord]):
        self.entity, self.row, self.expected, self.changes = entity, row, expected, list(changes)
        self.entity_id = row.id if row is not None else None
        current = self.current = row.version if row is not None else None
        who = "、".join(dict.fromkeys(
            (c.actor.display_name if c.actor else "系统") for c in self.changes))
        by = _BY.format(who=who) if who else ""
        super().__init__(_STALE.format(by=by, expected=expected or 0, current=current))


# --- values ---------------------------------------------------------------------------

def checked_figures(values: Mapping[str, Any], year: int, on: date) -> dict[str, Any]:
    check_year(year, on)
    out = {k: checked_amount(k, values.get(k)) for k in AMOUNT_FIELDS}
    out.update({k: checked_count(k, values.get(k)) for k in COUNT_FIELDS})
    employees, rd_staff = out["employees"], out["rd_staff"]
    if employees is not None and rd_staff is not None and rd_staff > employees:
        raise RecordRefused(_MORE_STAFF.format(staff_label=LABELS["rd_staff"], staff=rd_staff,
                                               employees_label=LABELS["employees"], employees=employees), "rd_staff")
    return out


def check_year(year: Any, on: date) -> None:
    require_date(on, "办理日期")
    if type(year) is not int or not EARLIEST_YEAR <= year < on.year:
        raise RecordRefused(_YEAR.format(earliest=EARLIEST_YEAR, latest=on.year - 1, year=on.year, given=year), "year")


def refuse_empty(values: Mapping[str, Any], fields: Sequence[str], year: int) -> None:
    """A year with nothing in it is not a report."""
    if all(values.get(f) is None for f in fields):
        raise RecordRefused(_EMPTY_YEAR.format(year=year), fields[0])


def checked_amount(field: str, value: Any, *, signed: bool = False) -> Decimal | None:
    """An exact 万元 amount to the yuan (``models.base.Money``'s resolution)."""
    if value is None:
        return None
    if type(value) is bool or isinstance(value, float):
        raise RecordRefused(_NOT_DECIMAL.format(label=LABELS[field], value=repr(value)), field)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise RecordRefused(_NOT_NUMBER.format(label=LABELS[field], value=repr(value)), field) from None
    if not amount.is_finite():
        raise RecordRefused(_NOT_FINITE.format(label=LABELS[field]), field)
    if amount < 0 and not signed:
        raise RecordRefused(_NEGATIVE.format(label=LABELS[field], amount=amount), field)
    if abs(amount) >= MAX_AMOUNT:
        raise RecordRefused(_TOO_LARGE.format(label=LABELS[field], limit=f"{MAX_AMOUNT:f}"), field)
    if (amount * YUAN_PER_WAN) % 1:
        raise RecordRefused(_TOO_PRECISE.format(label=LABELS[field], amount=amount), field)
    return amount


def checked_count(field: str, value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int:
        raise RecordRefused(_NOT_INTEGER.format(label=LABELS[field], value=repr(value)), field)
    if not 0 <= value < MAX_COUNT:
        raise RecordRefused(_COUNT_RANGE.format(label=LABELS[field], limit=MAX_COUNT - 1, value=value), field)
    return value


# --- shared --------------------------------------------------------------------------

def require_actor(actor, county_id: int) -> None:
    if not may_act_for(actor, county_id):
        raise RecordRefused(_NOT_YOURS)


def refuse_unknown(values: Mapping[str, Any], known: Sequence[str]) -> None:
    for field in values:
        if field not in known:
            raise RecordRefused(_UNKNOWN_FIELD.format(field=repr(field)), field)


def checked_text(field: str, value: Any, *, required: bool = False, max_length: int | None = None,
          label: str | None = None) -> str | None:
    label = label or LABELS[field]
    if value is not None and not isinstance(value, str):
        raise RecordRefused(_NOT_TEXT.format(label=label), field)
    refuse_control(field, value, label)
    text = (value or "").strip()
    if not text:
        if required:
            raise RecordRefused(_REQUIRED.format(label=label), field)
        return None
    limit = max_length or MAX_LENGTH.get(field, 200)
    if len(text) > limit:
        raise RecordRefused(_TOO_LONG.format(label=label, limit=limit, length=len(text)), field)
    return text


def refuse_control(field: str, value: Any, label: str) -> None:
    """:raise RecordRefused: ``value`` holds a control or format character (:mod:`pool.kernel.text`)."""
    message = text_rule.refusal(label, value)
    if message is not None:
        raise RecordRefused(message, field)


def changed_fields(row, values: Mapping[str, Any]) -> dict[str, list]:
    """``{field: [old, new]}`` for the values that differ from ``row``'s."""
    return {field: [getattr(row, field), new] for field, new in values.items()
            if getattr(row, field) != new}


def apply_changes(row, diff: Mapping[str, list]) -> None:
    for field, (_old, new) in diff.items():
        setattr(row, field, new)


def created_fields(row, fields: Sequence[str], **extra) -> dict[str, list]:
    """The ``[None, value]`` pairs of a new row's recorded fields."""
    pairs = {k: [None, v] for k, v in extra.items()}
    pairs.update({k: [None, getattr(row, k)] for k in fields if getattr(row, k) is not None})
    return pairs


def require_version(session, entity: str, row, expected: int | None) -> None:
    current = row.version if row is not None else None
    if current != expected:
        raise conflict(session, entity, row, expected)


def conflict(session, entity: str, row, expected: int | None) -> VersionConflict:
    changes = [] if row is None else session.scalars(
        select(ChangeRecord).where(ChangeRecord.entity == entity, ChangeRecord.entity_id == row.id,
                                   ChangeRecord.version > (expected or 0))
        .options(selectinload(ChangeRecord.actor)).order_by(ChangeRecord.id)).all()
    return VersionConflict(entity, row, expected, changes)


def write_change(session, actor, entity: str, row, expected: int | None, action: str,
                 diff: dict[str, list], *, locate: Callable[[], Any] | None = None,
                 effective_on: date | None = None, reason: str | None = None,
                 skip: Sequence[str] = (), enterprise_id: int | None = None) -> ChangeRecord:
    """Apply ``diff`` to ``row`` (or insert the new ``row``) and flush it with its
    audit record in a SAVEPOINT; a concurrent writer's commit becomes a
    :class:`VersionConflict` and leaves the caller's transaction usable.

    The changes are made inside the SAVEPOINT because ``begin_nested`` flushes
    what is pending before it starts.  ``locate`` re-reads the row after a
    failed insert (the other writer's row).  ``skip`` names entries of
    ``diff`` the caller has applied itself (a product's patents).
    ``enterprise_id`` names whose record changed when ``row`` does not (a
    product's figures).
    """
    try:
        with session.begin_nested():
            if action == "create":
                session.add(row)
            else:
                apply_changes(row, {k: v for k, v in diff.items() if k not in skip})
            session.flush()
            record = audit(session, actor, entity, row.id, row.version, action, diff,
                           effective_on=effective_on, reason=reason,
                           enterprise_id=enterprise_id or owner_of(entity, row))
            session.flush()
    except StaleDataError:
        # The savepoint's rollback expired ``row``: its attributes now read the
        # other writer's committed values.
        raise conflict(session, entity, row, expected) from None
    except IntegrityError:
        other = locate() if locate is not None else None
        if other is None:
            raise
        raise conflict(session, entity, other, expected) from None
    return record


def owner_of(entity: str, row) -> int | None:
    """The enterprise whose record ``row`` (of ``entity``) is part of."""
    return row.id if entity == "enterprise" else getattr(row, "enterprise_id", None)


def audit(session, actor, entity: str, entity_id: int, version: int | None, action: str,
          changes: dict[str, list], **details) -> ChangeRecord:
    """One :class:`~models.ChangeRecord` (:func:`change_record`), added to the session."""
    record = change_record(actor, entity, entity_id, version, action, changes, **details)
    session.add(record)
    return record


def change_record(actor, entity: str, entity_id: int, version: int | None, action: str,
                  changes: dict[str, list], *, effective_on: date | None = None,
                  reason: str | None = None, enterprise_id: int | None = None) -> ChangeRecord:
    """One :class:`~models.ChangeRecord`, not added to a session (a batch
    inserts many at once); dates in ``changes`` are stored as ISO text.
    ``enterprise_id``: the enterprise whose record changed (the daily scan
    judges it again)."""
    storable = {k: [v.isoformat() if isinstance(v, date) else v for v in pair] for k, pair in changes.items()}
    return ChangeRecord(actor_id=actor.id, entity=entity, entity_id=entity_id, version=version,
                        action=action, changes=storable, effective_on=effective_on, reason=reason,
                        enterprise_id=enterprise_id)
