"""Award facts kept in the database, and the facts the living record already holds.

Officers enter a fact for a beneficiary (a claim made on its behalf), import a
whole facts document, or withdraw a mistaken fact with a reason; each is checked
by the same contract as the CLI (:func:`pool.awards.facts.parse`), every bad
field named, nothing written half-way, no date after today.  :func:`stored`
gives the facts that count up to a day, grouped by beneficiary in the
contract's form.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import AwardFact, Enterprise
from pool.awards import facts as contract
from pool.kernel import text
from pool.kernel.wording import phrase

SOURCE_LABELS = {"officer": phrase("经办人录入"), "import": phrase("批量导入"), "portal": phrase("企业申报"),
                 "record": phrase("企业档案"), "ledger": phrase("往年奖补台账")}
_FUTURE = phrase("「发生日期」（{path}）：{day} 晚于今天，不能登记尚未发生的事实")
_TAKEN = phrase("「事实标识」（{path}）：{key} 已有标识为 {fact} 的事实，内容不同；请换一个标识，或先撤回原事实")
_OTHER_COUNTY = phrase("「受益人标识（统一社会信用代码等）」（{path}）：{key} 不是本县（市、区）的企业")
_NOT_ENTERPRISE = phrase("「受益人标识（统一社会信用代码等）」（{path}）：县级经办人只能为本县企业登记，{key} 未登记为企业")
_WITHDRAWN = phrase("该事实已于 {at} 撤回")
_NO_REASON = phrase("「撤回原因」：必填")
_AT_ONCE = phrase("有人同时登记了相同标识的事实；未写入任何事实，请刷新后重试")
_TOO_LONG = phrase("「{label}」（{path}）：至多 {limit} 个字")
_FORBIDDEN = phrase("「{label}」（{path}）：含有不能保存的字符，{reason}")
# What the stored columns hold (the contract bounds no length).
_LIMITS = {"id": 64, "name": 200}
_LABELS = {**contract.FIELD_LABELS, "note": "note"}


class FactsRefused(ValueError):
    """Nothing was written; ``problems`` names every bad field, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _indexed(value):
    return enumerate(value) if isinstance(value, list) else ()


def text_problems(document: Any) -> list[str]:
    """Texts the stored facts cannot hold: control or format characters, or longer than their column."""
    problems = [_FORBIDDEN.format(label=_LABELS.get(path.rsplit(".", 1)[-1], path), path=path, reason=message)
                for path, message in text.refusals_in(document, labels=_LABELS, multiline={"note"})]
    beneficiaries = document.get("beneficiaries") if isinstance(document, dict) else None
    for i, beneficiary in _indexed(beneficiaries):
        if not isinstance(beneficiary, dict):
            continue
        where = f"beneficiaries[{i}]"
        limits = [(f"{where}.{name}", beneficiary.get(name), contract.BENEFICIARY_LABELS[name], limit)
                  for name, limit in _LIMITS.items()]
        limits += [(f"{where}.facts[{j}].id", fact.get("id"), contract.FIELD_LABELS["id"], 64)
                   for j, fact in _indexed(beneficiary.get("facts")) if isinstance(fact, dict)]
        problems += [_TOO_LONG.format(label=label, path=path, limit=limit)
                     for path, value, label, limit in limits if isinstance(value, str) and len(value) > limit]
    return problems


def _enterprises_by_uscc(session, keys) -> dict[str, Enterprise]:
    keys = sorted(set(keys))
    found: dict[str, Enterprise] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found.update((e.uscc, e) for e in session.scalars(select(Enterprise).where(Enterprise.uscc.in_(chunk))))
    return found


def record(session, document: Any, *, source: str, actor, as_of: date, now: datetime,
           county_id: int | None = None) -> tuple[list[AwardFact], int]:
    """Store every fact of ``document`` (the facts contract), all or nothing.

    A fact already stored with the same beneficiary and identifier and the same
    content is skipped, so importing a document twice changes nothing.  An
    enterprise beneficiary (named by its 统一社会信用代码) is linked to its record
    and county, and takes its registered name when the document gives none; a county officer (``county_id``) may record facts for their own
    county's enterprises only.

    :return: the new rows and the number skipped as already stored.
    :raise FactsRefused: every problem, each naming its field; nothing written.
    """
    problems = text_problems(document)
    try:
        parsed = contract.parse(document)
    except contract.InvalidFacts as exc:
        raise FactsRefused(problems + exc.problems) from None
    if problems:
        raise FactsRefused(problems)
    raws = document["beneficiaries"]
    companies = _enterprises_by_uscc(session, [b["id"] for b in raws])
    stored = {(row.beneficiary_key, row.fact_id): row for row in session.scalars(
        select(AwardFact).where(AwardFact.beneficiary_key.in_(sorted({b["id"] for b in raws}))))}
    new, skipped = [], 0
    for i, (raw, beneficiary) in enumerate(zip(raws, parsed)):
        company = companies.get(beneficiary.id)
        path = f"beneficiaries[{i}].id"
        if county_id is not None and company is None:
            problems.append(_NOT_ENTERPRISE.format(path=path, key=beneficiary.id))
            continue
        if county_id is not None and company.county_id != county_id:
            problems.append(_OTHER_COUNTY.format(path=path, key=beneficiary.id))
            continue
        for j, (raw_fact, fact) in enumerate(zip(raw["facts"], beneficiary.facts)):
            where = f"beneficiaries[{i}].facts[{j}]"
            if fact.date > as_of:
                problems.append(_FUTURE.format(path=f"{where}.date", day=fact.date.isoformat()))
                continue
            before = stored.get((beneficiary.id, fact.id))
            if before is not None and before.withdrawn_at is None and before.data == raw_fact:
                skipped += 1
                continue
            if before is not None:
                problems.append(_TAKEN.format(path=f"{where}.id", key=beneficiary.id, fact=fact.id))
                continue
            new.append(AwardFact(
                beneficiary_key=beneficiary.id, beneficiary_name=raw.get("name") or (
                    company.name if company else beneficiary.name),
                beneficiary_kind=beneficiary.kind, in_region=beneficiary.in_region,
                enterprise_id=company.id if company else None, county_id=company.county_id if company else None,
                fact_id=fact.id, type=fact.type, date=fact.date, subject=fact.subject[:120], data=raw_fact,
                source=source, entered_by_id=actor.id if actor else None, entered_at=now))
    if problems:
        raise FactsRefused(problems)
    try:
        with session.begin_nested():  # someone recording the same facts at this moment: refused, not a 500
            session.add_all(new)
            session.flush()
    except IntegrityError:
        raise FactsRefused([_AT_ONCE]) from None
    return new, skipped


def withdraw(row: AwardFact, *, reason: str, actor, now: datetime) -> None:
    """Withdraw a mistaken fact: it no longer counts from the next computation; the row stays.

    :raise FactsRefused: no reason given, or already withdrawn.
    """
    if row.withdrawn_at is not None:
        raise FactsRefused([_WITHDRAWN.format(at=row.withdrawn_at.date().isoformat())])
    if not (reason or "").strip():
        raise FactsRefused([_NO_REASON])
    row.withdrawn_at, row.withdrawn_by_id, row.withdraw_reason = now, actor.id if actor else None, reason.strip()


def stored(session, until: date) -> dict[str, tuple[dict, list[dict]]]:
    """Beneficiary key -> (its head: id, name, kind, in_region; its facts as the contract
    writes them) for the facts not withdrawn dated on or before ``until``."""
    out: dict[str, tuple[dict, list[dict]]] = {}
    rows = session.execute(select(AwardFact.beneficiary_key, AwardFact.beneficiary_name, AwardFact.beneficiary_kind,
                                  AwardFact.in_region, AwardFact.data)
                           .where(AwardFact.withdrawn_at.is_(None), AwardFact.date <= until)
                           .order_by(AwardFact.beneficiary_key, AwardFact.date, AwardFact.id))
    for key, name, kind, in_region, data in rows:
        head = {"id": key, "name": name, "kind": kind, "in_region": in_region}
        out.setdefault(key, (head, []))[1].append(data)
    return out
