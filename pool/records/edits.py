"""Enterprise records: registering an applicant, editing it, its yearly figures and contacts.

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

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from models import (
    CITY_ADMIN, Application, ChangeRecord, Contact, Enterprise, Patent, Product, ProductFigure,
    Qualification, ResearchPartnership, Trademark, YearlyFigure,
)
from models.base import YUAN_PER_WAN

from pool.membership import lifecycle
from pool.kernel import text as text_rule
from pool.eligibility.applicant import InvalidApplicant, parse
from pool.eligibility.contract import FIELD_LABELS as APPLICANT_LABELS
from pool.eligibility.contract import SCHEMA
from pool.reference.gbt4754 import split_code
from pool.access.scoping import may_act_for

__all__ = [
    "RecordRefused", "VersionConflict", "register_from_application", "update_enterprise",
    "record_figures", "record_product_figures", "set_contacts", "enterprise_values",
    "ENTERPRISE_FIELDS", "FIGURE_FIELDS", "CONTACT_FIELDS", "LABELS",
]

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
_IP_COLUMNS = {"rules": "ip_rules", "department": "ip_department", "staff": "ip_staff",
               "budget": "ip_budget", "certified_gbt29490": "ip_certified_gbt29490"}

LABELS = {
    **{k: APPLICANT_LABELS[k] for k in (
        "name", "industry_code", "registered_region_code", "independent_legal_person",
        "has_rd_leader", "brand_evidence", "abnormal_patent_applications", "major_accident",
        "violation", "serious_dishonesty", "uscc", "assessment_year") + FIGURE_FIELDS},
    **{column: APPLICANT_LABELS[key] for key, column in _IP_COLUMNS.items()},
    "address": "地址", "year": "年度", "sales": "销售收入", "profit": "利润",
    "title": "职务", "email": "电子邮箱", "phone": "电话", "receives_reminders": "接收提醒邮件",
}

_MAX_LENGTH = {"name": 200, "address": 200, "title": 64, "email": 254, "phone": 32}
_CONTACT_NAME_LENGTH = 64
# The contract's assessment years run from 2000; their figures are for the year before.
EARLIEST_YEAR = SCHEMA["properties"]["assessment_year"]["minimum"] - 1
_MAX_AMOUNT = Decimal(10) ** 12  # 万元; the contract's bound (pool.eligibility.applicant)
_MAX_COUNT = 10**7
_REGION = re.compile(r"[0-9]{6}")


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
        by = f"（{who}）" if who else ""
        super().__init__(f"您编辑期间，该记录已被他人修改{by}：您看到的是第 {expected or 0} 版，"
                         f"现为第 {current} 版。请核对后重新保存")


# --- registering an applicant ---------------------------------------------------

def register_from_application(session, application: Application, *, actor, on: date) -> Enterprise:
    """Create the enterprise (state ``applied``) from a saved eligibility check.

    Everything the applicant data holds is copied: the scalar facts, IP
    management and integrity flags, qualifications, patents, products (linked
    to the patents whose numbers they name; a number not among the patents —
    a warning when the check was made — links nothing), trademarks and
    research partnerships; the figures become the :class:`~models.YearlyFigure`
    of the year before the assessment year.  The application (and any other
    unlinked check of the same USCC in the county) is linked to the new
    enterprise, the 申报 is recorded through :func:`pool.membership.lifecycle.apply` on
    ``on`` (the day of registering: today), and a ``create`` :class:`~models.ChangeRecord` names the source.

    :raise RecordRefused: the actor may not act for the application's county,
        an enterprise with that USCC exists already, or the data is no longer
        valid (``field`` is the data path).
    """
    _require_actor(actor, application.county_id)
    try:
        applicant = parse(application.data)
    except InvalidApplicant as exc:
        first = exc.problems[0]
        raise RecordRefused(f"申报数据有误，不能登记：{first}", first.path) from None
    _refuse_duplicate(session, applicant.uscc, application.county_id, actor)
    year = applicant.assessment_year - 1
    figures = _checked_figures({k: getattr(applicant, k) for k in FIGURE_FIELDS}, year, on)

    ip, integrity = applicant.ip_management, applicant.integrity
    scalars = {
        "uscc": applicant.uscc, "name": applicant.name.strip(), "county_id": application.county_id,
        "uscc_checksum_override": applicant.uscc_checksum_override,
        "registered_region_code": applicant.registered_region_code,
        "industry_code": applicant.industry_code,
        "independent_legal_person": applicant.independent_legal_person,
        "has_rd_leader": applicant.has_rd_leader,
        "brand_evidence": list(applicant.brand_evidence),
        **{column: getattr(ip, key) for key, column in _IP_COLUMNS.items()},
        **{k: getattr(integrity, k) for k in ("abnormal_patent_applications", "major_accident",
                                              "violation", "serious_dishonesty")},
    }
    patents = {p.number: Patent(number=p.number, kind=p.kind, status=p.status, origin=p.origin,
                                core=p.core, industrialized=p.industrialized)
               for p in applicant.patents}
    enterprise = Enterprise(
        state="applied", **scalars,
        qualifications=[Qualification(type=q.type, certificate_no=q.certificate_no,
                                      valid_from=q.valid_from, valid_to=q.valid_to)
                        for q in applicant.qualifications],
        patents=list(patents.values()),
        products=[Product(name=p.name, main=p.main, filing_no=p.filing_no,
                          patent_intensive=p.patent_intensive, certified_on=p.certified_on,
                          patents=[patents[n] for n in dict.fromkeys(p.patents) if n in patents])
                  for p in applicant.products],
        trademarks=[Trademark(reg_no=t.reg_no, owned=t.owned, valid_to=t.valid_to)
                    for t in applicant.trademarks],
        partnerships=[ResearchPartnership(partner=r.partner, partner_type=r.partner_type,
                                          valid_from=r.valid_from, valid_to=r.valid_to)
                      for r in applicant.research_partnerships],
    )
    if any(v is not None for v in figures.values()):
        enterprise.figures = [YearlyFigure(year=year, **figures)]
    try:
        with session.begin_nested():  # a refusal below takes the new rows back with it
            session.add(enterprise)
            session.flush()
            lifecycle.apply(session, enterprise, actor=actor, on=on, today=on,
                            reason=f"依据资格自检记录 #{application.id}"
                                   f"（评估日期 {application.as_of}）登记申报")
    except IntegrityError:  # another officer registered the same USCC at the same moment
        _refuse_duplicate(session, applicant.uscc, application.county_id, actor)
        raise
    except lifecycle.TransitionRefused as exc:
        raise RecordRefused(str(exc)) from None
    session.execute(update(Application)
                    .where(Application.uscc == applicant.uscc,
                           Application.county_id == application.county_id,
                           Application.enterprise_id.is_(None))
                    .values(enterprise_id=enterprise.id)
                    .execution_options(synchronize_session="fetch"))
    created = {k: [None, v] for k, v in scalars.items() if v is not None and v != []}
    created["application_id"] = [None, application.id]
    _audit(session, actor, "enterprise", enterprise.id, enterprise.version, "create", created)
    for figure in enterprise.figures:
        _audit(session, actor, "yearly_figure", figure.id, figure.version, "create",
               _created(figure, FIGURE_FIELDS, year=figure.year))
    session.flush()
    return enterprise


def _refuse_duplicate(session, uscc: str, county_id: int, actor) -> None:
    """Refuse a USCC registered already, saying only what ``actor`` may know:
    a county officer learns nothing of another county's enterprise — not even
    that it exists — the city administrator is told where it is."""
    existing = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if existing is None:
        return
    if existing.county_id == county_id:
        raise RecordRefused(f"统一社会信用代码 {uscc} 的企业“{existing.name}”已登记，不能重复登记", "uscc")
    if getattr(actor, "role", None) == CITY_ADMIN:
        raise RecordRefused(f"统一社会信用代码 {uscc} 的企业“{existing.name}”已在"
                            f"{existing.county.name}登记，不能重复登记", "uscc")
    raise RecordRefused("该统一社会信用代码无法在本县市区登记，请联系市级管理员", "uscc")


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
    _require_actor(actor, enterprise.county_id)
    _require_version(session, "enterprise", enterprise, expected_version)
    wanted = {field: _enterprise_value(field, value) for field, value in changes.items()}
    diff = _diff(enterprise, wanted)
    if not diff:
        return None
    return _write(session, actor, "enterprise", enterprise, expected_version, "update", diff)


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
            _clean(field, item, LABELS[field])
        return items
    if field not in TEXT_FIELDS:
        raise RecordRefused(f"不能修改字段 {field!r}", field)
    text = _text(field, value, required=field == "name")
    if text is None:
        return None
    if field == "industry_code":
        text = text.upper()
        try:
            split_code(text)
        except ValueError as exc:
            raise RecordRefused(str(exc), field) from None
    if field == "registered_region_code" and not _REGION.fullmatch(text):
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
    _require_actor(actor, enterprise.county_id)
    _check_year(year, on)
    _refuse_unknown(values, FIGURE_FIELDS)

    def checked(figure):
        before = {k: getattr(figure, k) if figure else None for k in FIGURE_FIELDS}
        return _checked_figures({**before, **values}, year, on)

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
    _require_actor(actor, product.enterprise.county_id)
    _check_year(year, on)
    checked = {"sales": _amount("sales", sales), "profit": _amount("profit", profit, signed=True)}
    return _record_year(session, ProductFigure, "product_id", product.id, year, actor=actor,
                        expected_version=expected_version, values_of=lambda _figure: checked)


def _record_year(session, model, owner: str, owner_id: int, year: int, *, actor,
                 expected_version: int | None, values_of: Callable[[Any], dict]):
    """Create or update the ``model`` row of ``year`` owned through column
    ``owner``, under optimistic locking; ``values_of(row or None)`` gives the
    checked values.  The entity in the audit trail is the table name.  Returns
    the row, or ``None`` if an update changed nothing."""
    entity = model.__tablename__
    figure = _year_row(session, model, owner, owner_id, year)
    _require_version(session, entity, figure, expected_version)
    values = values_of(figure)
    if figure is None:
        figure = model(**{owner: owner_id}, year=year, **values)
        diff, action = _created(figure, tuple(values), year=year), "create"
    else:
        diff, action = _diff(figure, values), "update"
        if not diff:
            return None
    _write(session, actor, entity, figure, expected_version, action, diff,
           locate=lambda: _year_row(session, model, owner, owner_id, year))
    return figure


def _year_row(session, model, owner: str, owner_id: int, year: int):
    return session.scalar(select(model).where(getattr(model, owner) == owner_id,
                                              model.year == year))


def _checked_figures(values: Mapping[str, Any], year: int, on: date) -> dict[str, Any]:
    _check_year(year, on)
    out = {k: _amount(k, values.get(k)) for k in AMOUNT_FIELDS}
    out.update({k: _count(k, values.get(k)) for k in COUNT_FIELDS})
    employees, rd_staff = out["employees"], out["rd_staff"]
    if employees is not None and rd_staff is not None and rd_staff > employees:
        raise RecordRefused(f"{LABELS['rd_staff']} {rd_staff} 人不能多于"
                            f"{LABELS['employees']} {employees} 人", "rd_staff")
    return out


def _check_year(year: Any, on: date) -> None:
    lifecycle.require_date(on, "办理日期")
    if type(year) is not int or not EARLIEST_YEAR <= year <= on.year:
        raise RecordRefused(f"年度须为 {EARLIEST_YEAR} 至 {on.year} 年之间的整数"
                            f"（不能填报未来年度），实为 {year}", "year")


def _amount(field: str, value: Any, *, signed: bool = False) -> Decimal | None:
    """An exact 万元 amount to the yuan (``models.base.Money``'s resolution)."""
    if value is None:
        return None
    if type(value) is bool or isinstance(value, float):
        raise RecordRefused(f"{LABELS[field]}须为精确的十进制数（万元），不能是 {value!r}", field)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise RecordRefused(f"{LABELS[field]}须为数值（万元），不能是 {value!r}", field) from None
    if not amount.is_finite():
        raise RecordRefused(f"{LABELS[field]}须为有限数值", field)
    if amount < 0 and not signed:
        raise RecordRefused(f"{LABELS[field]}不能为负数（实为 {amount} 万元）", field)
    if abs(amount) >= _MAX_AMOUNT:
        raise RecordRefused(f"{LABELS[field]}数值过大（须小于 {_MAX_AMOUNT:f} 万元）", field)
    if (amount * YUAN_PER_WAN) % 1:
        raise RecordRefused(f"{LABELS[field]} {amount} 万元超出精度：最多 4 位小数（精确到元）", field)
    return amount


def _count(field: str, value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int:
        raise RecordRefused(f"{LABELS[field]}须为整数（人），不能是 {value!r}", field)
    if not 0 <= value < _MAX_COUNT:
        raise RecordRefused(f"{LABELS[field]}须为 0 至 {_MAX_COUNT - 1} 之间的整数（实为 {value}）", field)
    return value


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
    _require_actor(actor, enterprise.county_id)
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
            records.append(_audit(session, actor, "contact", contact_id, None, "delete",
                                  {**gone, "enterprise_id": [enterprise.id, None]}))
            session.delete(contact)
    for item in wanted:
        values = {k: item[k] for k in CONTACT_FIELDS}
        contact = existing.get(item.get("id"))
        if contact is None:
            contact = Contact(enterprise_id=enterprise.id, **values)
            session.add(contact)
            session.flush()
            records.append(_audit(session, actor, "contact", contact.id, None, "create",
                                  _created(contact, CONTACT_FIELDS, enterprise_id=enterprise.id)))
        elif diff := _diff(contact, values):
            _set(contact, diff)
            records.append(_audit(session, actor, "contact", contact.id, None, "update", diff))
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
               "name": _text("name", item.get("name"), required=True,
                             max_length=_CONTACT_NAME_LENGTH, label="联系人姓名"),
               "title": _text("title", item.get("title")),
               "email": _text("email", item.get("email")),
               "phone": _text("phone", item.get("phone"))}
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


# --- shared --------------------------------------------------------------------------

def _require_actor(actor, county_id: int) -> None:
    if not may_act_for(actor, county_id):
        raise RecordRefused("经办人无权办理该县（市、区）的企业")


def _refuse_unknown(values: Mapping[str, Any], known: Sequence[str]) -> None:
    for field in values:
        if field not in known:
            raise RecordRefused(f"未知字段 {field!r}", field)


def _text(field: str, value: Any, *, required: bool = False, max_length: int | None = None,
          label: str | None = None) -> str | None:
    label = label or LABELS[field]
    if value is not None and not isinstance(value, str):
        raise RecordRefused(f"{label}须为文字", field)
    _clean(field, value, label)
    text = (value or "").strip()
    if not text:
        if required:
            raise RecordRefused(f"{label}不能为空", field)
        return None
    limit = max_length or _MAX_LENGTH.get(field, 200)
    if len(text) > limit:
        raise RecordRefused(f"{label}不能超过 {limit} 个字（实为 {len(text)} 个）", field)
    return text


def _clean(field: str, value: Any, label: str) -> None:
    """:raise RecordRefused: ``value`` holds a control or format character (:mod:`pool.kernel.text`)."""
    message = text_rule.refusal(label, value)
    if message is not None:
        raise RecordRefused(message, field)


def _diff(row, values: Mapping[str, Any]) -> dict[str, list]:
    """``{field: [old, new]}`` for the values that differ from ``row``'s."""
    return {field: [getattr(row, field), new] for field, new in values.items()
            if getattr(row, field) != new}


def _set(row, diff: Mapping[str, list]) -> None:
    for field, (_old, new) in diff.items():
        setattr(row, field, new)


def _created(row, fields: Sequence[str], **extra) -> dict[str, list]:
    """The ``[None, value]`` pairs of a new row's recorded fields."""
    pairs = {k: [None, v] for k, v in extra.items()}
    pairs.update({k: [None, getattr(row, k)] for k in fields if getattr(row, k) is not None})
    return pairs


def _require_version(session, entity: str, row, expected: int | None) -> None:
    current = row.version if row is not None else None
    if current != expected:
        raise _conflict(session, entity, row, expected)


def _conflict(session, entity: str, row, expected: int | None) -> VersionConflict:
    changes = [] if row is None else session.scalars(
        select(ChangeRecord).where(ChangeRecord.entity == entity, ChangeRecord.entity_id == row.id,
                                   ChangeRecord.version > (expected or 0))
        .options(selectinload(ChangeRecord.actor)).order_by(ChangeRecord.id)).all()
    return VersionConflict(entity, row, expected, changes)


def _write(session, actor, entity: str, row, expected: int | None, action: str,
           diff: dict[str, list], *, locate: Callable[[], Any] | None = None) -> ChangeRecord:
    """Apply ``diff`` to ``row`` (or insert the new ``row``) and flush it with its
    audit record in a SAVEPOINT; a concurrent writer's commit becomes a
    :class:`VersionConflict` and leaves the caller's transaction usable.

    The changes are made inside the SAVEPOINT because ``begin_nested`` flushes
    what is pending before it starts.  ``locate`` re-reads the row after a
    failed insert (the other writer's row).
    """
    try:
        with session.begin_nested():
            if action == "create":
                session.add(row)
            else:
                _set(row, diff)
            session.flush()
            record = _audit(session, actor, entity, row.id, row.version, action, diff)
            session.flush()
    except StaleDataError:
        # The savepoint's rollback expired ``row``: its attributes now read the
        # other writer's committed values.
        raise _conflict(session, entity, row, expected) from None
    except IntegrityError:
        other = locate() if locate is not None else None
        if other is None:
            raise
        raise _conflict(session, entity, other, expected) from None
    return record


def _audit(session, actor, entity: str, entity_id: int, version: int | None, action: str,
           changes: dict[str, list]) -> ChangeRecord:
    record = ChangeRecord(actor_id=actor.id, entity=entity, entity_id=entity_id,
                          version=version, action=action, changes=changes)
    session.add(record)
    return record
