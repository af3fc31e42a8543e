"""The record as it stood on a date.

Every part carries the dates on which its facts became true, so reading the
record "as of" a day is plain Python over the rows: a patent applied for after
that day is not yet there, a patent granted after it was still pending, one
that lapsed after it was still valid, a product certified after it was not yet
certified.  A date the record does not know (rows registered before dates were
kept) counts as "always".

:func:`record_data` turns the record on a day into the applicant contract's
shape, so the ten criteria judge the stored record with the very engine of
资格自检 (:func:`pool.eligibility.criteria.check`), and the self-check form can
be prefilled from it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from models import Enterprise
from models.ip_assets import PATENT_ENDED

from pool.eligibility.criteria import Evaluation, check
from pool.eligibility.rulebook import Rulebook

__all__ = ["patent_status_on", "industrialized_on", "on_record", "rows_on", "record_data", "part_data",
           "industrialization", "record_verdict"]


def patent_status_on(patent, day: date) -> str | None:
    """The legal status of ``patent`` on ``day``; ``None``: not yet applied for
    (or acquired) then."""
    start = patent.application_date or patent.acquired_on
    if start is not None and day < start:
        return None
    if patent.status in PATENT_ENDED:
        if patent.status_on is None or patent.status_on <= day:
            return patent.status
    if patent.granted_on is not None:
        return "valid" if patent.granted_on <= day else "pending"
    return "pending" if patent.status == "pending" else "valid"


def industrialized_on(patent, day: date) -> bool | None:
    """Whether ``patent`` was put into production by ``day`` (``None``: unknown)."""
    if patent.industrialized is True and patent.industrialized_on is not None:
        return patent.industrialized_on <= day
    return patent.industrialized


def industrialization(patents, day: date) -> tuple[int, int]:
    """(industrialised, valid) patents on ``day``: the 专利产业化率 criterion 5 and
    the progress kind "产业化率提高" read (unknown counts as not industrialised)."""
    valid = [p for p in patents if patent_status_on(p, day) == "valid"]
    return sum(1 for p in valid if industrialized_on(p, day) is True), len(valid)


def on_record(row, day: date, *starts: str) -> bool:
    """Whether ``row`` existed on ``day``: the first of its ``starts`` dates it has."""
    start = next((getattr(row, s) for s in starts if getattr(row, s, None) is not None), None)
    return start is None or start <= day


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _patent(patent, day: date) -> dict[str, Any]:
    return {"number": patent.number, "kind": patent.kind, "status": _contract_status(patent_status_on(patent, day)),
            "origin": patent.origin, "core": patent.core, "industrialized": industrialized_on(patent, day)}


def _product(product, day: date) -> dict[str, Any]:
    filed = product.filing_no if product.filed_on is None or product.filed_on <= day else None
    certified = product.patent_intensive
    if product.certified_on is not None and product.certified_on > day:
        certified = False
    return {"name": product.name, "main": product.main,
            "patents": [p.number for p in product.patents if patent_status_on(p, day) is not None],
            "filing_no": filed, "patent_intensive": certified,
            "certified_on": _iso(product.certified_on) if certified else None}


def _qualification(q, day: date) -> dict[str, Any]:
    return {"type": q.type, "certificate_no": q.certificate_no, "valid_from": _iso(q.valid_from),
            "valid_to": _iso(q.valid_to)}


def _trademark(t, day: date) -> dict[str, Any]:
    return {"reg_no": t.reg_no, "owned": t.owned, "valid_to": _iso(t.valid_to)}


def _partnership(r, day: date) -> dict[str, Any]:
    return {"partner": r.partner, "partner_type": r.partner_type, "valid_from": _iso(r.valid_from),
            "valid_to": _iso(r.valid_to)}


# part -> (its rows on the enterprise, the contract's list, the row as a contract
# item on a day, the dates saying since when it is on the record; None: the patent's own rule)
_PARTS = {
    "qualification": ("qualifications", "qualifications", _qualification, ("approved_on", "valid_from")),
    "patent": ("patents", "patents", _patent, None),
    "product": ("products", "products", _product, ("added_on", "filed_on", "certified_on")),
    "trademark": ("trademarks", "trademarks", _trademark, ("registered_on",)),
    "partnership": ("partnerships", "research_partnerships", _partnership, ("valid_from",)),
}


def part_data(part: str, row, day: date) -> dict[str, Any]:
    """One part of the record (``part`` as in :data:`pool.records.fields.PARTS`) as
    the applicant contract's item on ``day``, its unknown values left out: what
    :func:`record_data` lists and the workbook holds."""
    return _compact(_PARTS[part][2](row, day))


def _on_record_then(part: str, row, day: date) -> bool:
    starts = _PARTS[part][3]
    return patent_status_on(row, day) is not None if starts is None else on_record(row, day, *starts)


def rows_on(part: str, rows, day: date) -> list:
    """The ``part`` rows (as in :data:`pool.records.fields.PARTS`) on the record on ``day``."""
    return [row for row in rows if _on_record_then(part, row, day)]


def record_data(enterprise: Enterprise, day: date) -> dict[str, Any]:
    """The record on ``day`` as applicant data (contract shape), with the
    figures of the year before ``day``'s year (上年度)."""
    e = enterprise
    year = day.year - 1
    figure = next((f for f in e.figures if f.year == year), None)
    data: dict[str, Any] = {
        "uscc": e.uscc, "name": e.name, "county": e.county.name, "assessment_year": day.year,
        "registered_region_code": e.registered_region_code, "independent_legal_person": e.independent_legal_person,
        "industry_code": e.industry_code, "has_rd_leader": e.has_rd_leader,
        **{group: [_compact(function(row, day)) for row in rows_on(part, getattr(e, rows), day)]
           for part, (rows, group, function, _starts) in _PARTS.items()},
        "brand_evidence": list(e.brand_evidence or []),
        "ip_management": _compact({"rules": e.ip_rules, "department": e.ip_department, "staff": e.ip_staff,
                                   "budget": e.ip_budget, "certified_gbt29490": e.ip_certified_gbt29490}),
        "integrity": _compact({k: getattr(e, k) for k in ("abnormal_patent_applications", "major_accident",
                                                          "violation", "serious_dishonesty")}),
    }
    if figure is not None:
        data.update({k: getattr(figure, k) for k in ("employees", "operating_revenue", "total_assets",
                                                     "rd_expense", "rd_staff")})
    return _compact(data)


def _contract_status(status: str) -> str:
    # the contract knows no "transferred out": a patent no longer held is lapsed for the criteria
    return "lapsed" if status == "transferred_out" else status


def _compact(item: dict) -> dict:
    """``item`` without its unknown (``None``) values: the contract leaves them out.
    (Flat: every nested item is compacted where it is made.)"""
    return {k: v for k, v in item.items() if v is not None}


def record_verdict(enterprise: Enterprise, day: date, rulebook: Rulebook) -> Evaluation:
    """The ten criteria judged on the stored record as it stood on ``day``.

    :raise pool.eligibility.applicant.InvalidApplicant: the record on that day is not a valid applicant
        (e.g. a figure the contract bounds); the problems name the fields.
    :raise KeyError: no policy in force on ``day``.
    """
    return check(record_data(enterprise, day), day, rulebook.policy, rulebook.industries)

