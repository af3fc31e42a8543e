"""Editing an enterprise record: its basic fields, yearly figures (its own and its
products') and contacts.

The contract of :mod:`pool.records.changes` holds: plain inputs, optimistic
locking by version, refusals as :class:`~pool.records.changes.RecordRefused`,
every change audited, flushed never committed.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from models import (
    ChangeRecord, Contact, Enterprise, Product, ProductFigure,
    YearlyFigure,
)

from pool.reference.gbt4754 import split_code
from pool.records.changes import (
    CONTACT_FIELDS, CONTACT_NAME_LENGTH, ENTERPRISE_FIELDS, FIGURE_FIELDS, FLAG_FIELDS, LABELS, REGION, RecordRefused, TEXT_FIELDS, apply_changes, audit, changed_fields, check_year, checked_amount, checked_figures, checked_text, created_fields, refuse_control, refuse_unknown, refuse_empty, require_actor, require_version, write_change,
)

# --- editing the enterprise ------------------------------------------------------

def enterprise_values(enterprise: Enterprise) -> dict[str, Any]:
    """The editable fields' current values (what :func:`update_enterprise` changes)."""
    return {k: getattr(enterprise, k) for k in ENTERPRISE_FIELDS}


def update_enterprise(session, enterprise: Enterprise, *, actor, expected_version: int,
                      changes: Mapping[str, Any]) -> ChangeRecord | None:
    """Apply ``changes`` (field → new value, fields of :data:`ENTERPRISE_FIELDS`)
    to an enterprise the user saw at ``expected_version``.

    Texts are stripped (blank: not recorded, except the name, which is
    required); flags are ``True``/``False``/``None``; ``brand_evidence`` is a
    list of texts.  Returns the :class:`~models.ChangeRecord` of the fields that
    really changed, or ``None`` when nothing did (no version is used up).

    :raise VersionConflict: the enterprise is no longer at ``expected_version``.
    :raise RecordRefused: not allowed, an unknown field or an invalid value.
    """
    require_actor(actor, enterprise.county_id)
    require_version(session, "enterprise", enterprise, expected_version)
    wanted = {field: _enterprise_value(field, value) for field, value in changes.items()}
    diff = changed_fields(enterprise, wanted)
    if not diff:
        return None
    return write_change(session, actor, "enterprise", enterprise, expected_version, "update", diff)


def _enterprise_value(field: str, value: Any) -> Any:
    if field in FLAG_FIELDS:
        if value is not None and type(value) is not bool:
            raise RecordRefused(f"{LABELS[field]}须为“是”“否”或不填", field)
        return value
    if field == "brand_evidence":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise RecordRefused(f"{LABELS[field]}须为文字列表", field)
        items = [v.strip() for v in value if v.strip()]
        if any(len(v) > 500 for v in items):
            raise RecordRefused(f"{LABELS[field]}每项不能超过 500 字", field)
        for item in items:
            refuse_control(field, item, LABELS[field])
        return items
    if field not in TEXT_FIELDS:
        raise RecordRefused(f"不能修改字段 {field!r}", field)
    text = checked_text(field, value, required=field == "name")
    if text is None:
        return None
    if field == "industry_code":
        text = text.upper()
        try:
            split_code(text)
        except ValueError as exc:
            raise RecordRefused(str(exc), field) from None
    if field == "registered_region_code" and not REGION.fullmatch(text):
        raise RecordRefused(f"{LABELS[field]}须为 6 位数字，如 420281", field)
    return text


# --- yearly figures ----------------------------------------------------------------

def record_figures(session, enterprise: Enterprise, *, actor, year: int,
                   values: Mapping[str, Any], expected_version: int | None,
                   on: date) -> YearlyFigure | None:
    """Create or update the enterprise's figures for ``year`` (万元 and head counts).

    ``values`` holds fields of :data:`FIGURE_FIELDS`; on an update, an absent
    field keeps its value and ``None`` clears it.  ``expected_version`` is the
    version the user saw, ``None`` when they added a year not yet recorded.
    Returns the figure, or ``None`` if an update changed nothing.

    :raise VersionConflict: the year's figures changed (or were added) meanwhile.
    :raise RecordRefused: not allowed, or a value out of bounds: amounts are
        exact non-negative decimals to the yuan, counts non-negative integers,
        ``rd_staff <= employees``, ``year`` from :data:`EARLIEST_YEAR` to ``on``'s year.
    """
    require_actor(actor, enterprise.county_id)
    check_year(year, on)
    refuse_unknown(values, FIGURE_FIELDS)

    def checked(figure):
        before = {k: getattr(figure, k) if figure else None for k in FIGURE_FIELDS}
        merged = checked_figures({**before, **values}, year, on)
        refuse_empty(merged, FIGURE_FIELDS, year)
        return merged

    figure = _record_year(session, YearlyFigure, "enterprise_id", enterprise.id, year,
                          actor=actor, expected_version=expected_version, values_of=checked)
    session.expire(enterprise, ["figures"])
    return figure


def record_product_figures(session, product: Product, *, actor, year: int,
                           sales: Decimal | None, profit: Decimal | None,
                           expected_version: int | None, on: date) -> ProductFigure | None:
    """Create or update a product's sales and profit (万元) for ``year``; the
    profit may be negative.  Same versioning and return as :func:`record_figures`.

    :raise VersionConflict: the year's figures changed (or were added) meanwhile.
    :raise RecordRefused: not allowed, a negative or inexact amount, or a bad year.
    """
    require_actor(actor, product.enterprise.county_id)
    check_year(year, on)
    checked = {"sales": checked_amount("sales", sales), "profit": checked_amount("profit", profit, signed=True)}

    def not_empty(_figure):
        refuse_empty(checked, ("sales", "profit"), year)
        return checked

    return _record_year(session, ProductFigure, "product_id", product.id, year, actor=actor,
                        expected_version=expected_version, values_of=not_empty,
                        enterprise_id=product.enterprise_id)


def _record_year(session, model, owner: str, owner_id: int, year: int, *, actor,
                 expected_version: int | None, values_of: Callable[[Any], dict],
                 enterprise_id: int | None = None):
    """Create or update the ``model`` row of ``year`` owned through column
    ``owner``, under optimistic locking; ``values_of(row or None)`` gives the
    checked values.  The entity in the audit trail is the table name.  Returns
    the row, or ``None`` if an update changed nothing."""
    entity = model.__tablename__
    figure = _year_row(session, model, owner, owner_id, year)
    require_version(session, entity, figure, expected_version)
    values = values_of(figure)
    if figure is None:
        figure = model(**{owner: owner_id}, year=year, **values)
        diff, action = created_fields(figure, tuple(values), year=year), "create"
    else:
        diff, action = changed_fields(figure, values), "update"
        if not diff:
            return None
    write_change(session, actor, entity, figure, expected_version, action, diff,
                 locate=lambda: _year_row(session, model, owner, owner_id, year), enterprise_id=enterprise_id)
    return figure


def _year_row(session, model, owner: str, owner_id: int, year: int):
    return session.scalar(select(model).where(getattr(model, owner) == owner_id,
                                              model.year == year))




# --- contacts ----------------------------------------------------------------------

def set_contacts(session, enterprise: Enterprise, *, actor,
                 contacts: Sequence[Mapping[str, Any]]) -> list[ChangeRecord]:
    """Make the enterprise's contacts exactly ``contacts``.

    Each item has the fields of :data:`CONTACT_FIELDS` and, for an existing
    contact, its ``id``; an existing contact left out is removed, an item
    without ``id`` is added.  A contact needs a name; one who receives
    reminders needs an e-mail address.  Each added, changed or removed contact
    gets a ``contact`` :class:`~models.ChangeRecord` (added and removed ones
    name their ``enterprise_id``, so the trail survives the row).  Returns them.

    :raise RecordRefused: not allowed, an invalid item (``index`` is its
        position, ``field`` the field), or an ``id`` that is not (or no longer)
        one of this enterprise's contacts.
    """
    require_actor(actor, enterprise.county_id)
    existing = {c.id: c for c in session.scalars(
        select(Contact).where(Contact.enterprise_id == enterprise.id))}
    wanted = [_contact(i, item, existing) for i, item in enumerate(contacts)]
    ids = [item["id"] for item in wanted if item["id"] is not None]
    if len(ids) != len(set(ids)):
        raise RecordRefused("同一联系人出现了两次，请刷新页面后重试", "id")
    kept = set(ids)
    records = []
    for contact_id, contact in existing.items():
        if contact_id not in kept:
            gone = {k: [getattr(contact, k), None] for k in CONTACT_FIELDS}
            records.append(audit(session, actor, "contact", contact_id, None, "delete",
                                 {**gone, "enterprise_id": [enterprise.id, None]}, enterprise_id=enterprise.id))
            session.delete(contact)
    for item in wanted:
        values = {k: item[k] for k in CONTACT_FIELDS}
        contact = existing.get(item.get("id"))
        if contact is None:
            contact = Contact(enterprise_id=enterprise.id, **values)
            session.add(contact)
            session.flush()
            records.append(audit(session, actor, "contact", contact.id, None, "create",
                                 created_fields(contact, CONTACT_FIELDS, enterprise_id=enterprise.id),
                                 enterprise_id=enterprise.id))
        elif diff := changed_fields(contact, values):
            apply_changes(contact, diff)
            records.append(audit(session, actor, "contact", contact.id, None, "update", diff,
                                 enterprise_id=enterprise.id))
    session.flush()
    session.expire(enterprise, ["contacts"])
    return records


def _contact(index: int, item: Mapping[str, Any], existing: Mapping[int, Contact]) -> dict:
    def refuse(message: str, field: str | None = None):
        return RecordRefused(f"第 {index + 1} 位联系人：{message}", field, index)

    unknown = set(item) - set(CONTACT_FIELDS) - {"id"}
    if unknown:
        raise refuse(f"未知字段 {'、'.join(sorted(unknown))}", sorted(unknown)[0])
    contact_id = item.get("id")
    if contact_id is not None and contact_id not in existing:
        raise refuse("该联系人已被他人删除或不属于本企业，请刷新页面后重试", "id")
    try:
        out = {"id": contact_id,
               "name": checked_text("name", item.get("name"), required=True,
                             max_length=CONTACT_NAME_LENGTH, label="联系人姓名"),
               "title": checked_text("title", item.get("title")),
               "email": checked_text("email", item.get("email")),
               "phone": checked_text("phone", item.get("phone"))}
    except RecordRefused as exc:
        raise refuse(str(exc), exc.field) from None
    reminders = item.get("receives_reminders", True)
    if type(reminders) is not bool:
        raise refuse(f"{LABELS['receives_reminders']}须为“是”或“否”", "receives_reminders")
    if out["email"] is not None:
        try:
            out["email"] = validate_email(out["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            raise refuse(f"电子邮箱 {out['email']} 格式不正确", "email") from None
    elif reminders:
        raise refuse("接收提醒邮件的联系人须填写电子邮箱", "email")
    out["receives_reminders"] = reminders
    return out
