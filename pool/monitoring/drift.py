"""Criteria drift (SPEC §4): a member's latest figures no longer meet criterion 5, 6 or 7.

Criteria 5, 6 and 7 (:mod:`pool.eligibility.figures`) on the enterprise's
current patents, its latest yearly figures of a year before ``as_of``'s, its
``has_rd_leader`` and its research partnerships in force.  High when any of
them is a definite ``fail`` (a *missing* figure is annual_data_missing's
business, not drift).  The verdicts come from the criteria's own decisions
(``industrialization_outcome``, ``rd_investment_outcome``,
``rd_team_outcome``) on the facts of :mod:`pool.monitoring.facts`, and the
criteria word the detail.
"""
from __future__ import annotations

import functools
from datetime import date

from models.monitoring import CRITERIA_DRIFT, HIGH

from pool.eligibility.applicant import Applicant
from pool.eligibility.applicant import Patent as PatentFact
from pool.eligibility.applicant import ResearchPartnership as PartnershipFact
from pool.eligibility.figures import (
    c5_industrialization, c6_rd_investment, c7_rd_team, industrialization_outcome, rd_investment_outcome,
    rd_team_outcome,
)
from pool.monitoring.annual import ANNUAL_FIELDS
from pool.monitoring.facts import NO_FIGURES, NO_PATENTS
from pool.monitoring.flags import Condition


_UNKNOWN = object()


def criteria_drift(facts, as_of: date, p) -> list[Condition]:
    """The ``criteria_drift`` flags on ``as_of``."""
    counts, latest, partners = facts.patent_counts, facts.latest_figures, facts.research_partner
    c5_of: dict[tuple, bool | None] = {}  # few distinct patent counts: decide each once
    found = []
    # Rows are unpacked, not read by name: this runs once per member.
    for eid, county_id, name, _, leader in facts.members.values():
        patents = counts.get(eid, NO_PATENTS)
        _, year, revenue, rd, employees, staff = latest.get(eid, NO_FIGURES)
        c5 = c5_of.get(patents, _UNKNOWN)
        if c5 is _UNKNOWN:
            c5 = c5_of[patents] = industrialization_outcome(p, *patents[1:])
        c6 = rd_investment_outcome(p, rd, revenue)[0]
        partner = partners.get(eid)
        c7 = rd_team_outcome(p, leader, staff, employees, partner is not None)[0]
        if c5 is not False and c6 is not False and c7 is not False:
            continue
        failing = [n for n, outcome in ((5, c5), (6, c6), (7, c7)) if outcome is False]
        figures = (revenue, rd, employees, staff)  # the ANNUAL_FIELDS
        total, valid, done, unknown = patents
        detail = functools.partial(_drift_detail, name, leader, patents, year, figures, partner, as_of, p, failing)
        evidence = {"criteria": failing, "year": year,
                    "figures": {f: None if v is None else str(v) for f, v in zip(ANNUAL_FIELDS, figures)},
                    "patents": {"total": total, "valid": valid, "industrialized": done, "unknown": unknown},
                    "has_rd_leader": leader, "partner": partner.partner if partner else None}
        found.append(Condition(eid, county_id, name, CRITERIA_DRIFT, HIGH, detail, evidence))
    return found


def _drift_detail(name, leader, patents, year, figures, partner, as_of: date, p, failing) -> str:
    """The failing criteria's own details."""
    applicant = _drift_applicant(name, leader, patents, figures, partner, as_of)
    results = [_CRITERIA_5_TO_7[n](applicant, as_of, p, None) for n in failing]
    basis = f"按 {year} 年度数据及现有专利，" if year else "按现有专利及登记信息，"
    return basis + "不再符合" + "；".join(f"第{r.id}条（{r.title}）：{r.detail}" for r in results)


_CRITERIA_5_TO_7 = {5: c5_industrialization, 6: c6_rd_investment, 7: c7_rd_team}
_VALID_DONE = PatentFact("", "invention", "valid", industrialized=True)
_VALID_UNKNOWN = PatentFact("", "invention", "valid", industrialized=None)
_VALID_NOT_DONE = PatentFact("", "invention", "valid", industrialized=False)
_NOT_VALID = PatentFact("", "invention", "lapsed")


def _drift_applicant(name, leader, patents, figures, partner, as_of: date) -> Applicant:
    """The facts criteria 5-7 read, as the :class:`Applicant` they take."""
    total, valid, done, unknown = patents
    revenue, rd, employees, staff = figures
    facts = ((_VALID_DONE,) * done + (_VALID_UNKNOWN,) * unknown
             + (_VALID_NOT_DONE,) * (valid - done - unknown) + (_NOT_VALID,) * (total - valid))
    partners = (PartnershipFact(partner.partner, partner.partner_type, partner.valid_from, partner.valid_to),) \
        if partner is not None else ()
    return Applicant(uscc="", name=name, assessment_year=as_of.year, employees=employees,
                     operating_revenue=revenue, rd_expense=rd, rd_staff=staff, has_rd_leader=leader,
                     research_partnerships=partners, patents=facts)
