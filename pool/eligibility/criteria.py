"""The ten admission criteria (黄石 附件2 入库企业基本标准), in order, and the verdict.

The criteria are one function each — 1-4 and 8-10 in :mod:`pool.eligibility.profile`,
5-7 (the figures, which the daily scan re-checks with the same functions) in
:mod:`pool.eligibility.figures`.  Each takes ``(applicant, as_of, snapshot, industries)`` and returns a
:class:`CriterionResult`: a status (``pass``, ``fail``, ``review``, ``missing``)
and a Chinese detail that quotes the numbers and the thresholds used.  Every
threshold comes from the policy :class:`~pool.eligibility.policy.Snapshot` in force on
``as_of``; nothing here reads the clock.

How SPEC §2 is encoded (the interpretation, in one place):

* **Absent facts.**  SPEC: an absent list means none; an absent number or yes/no
  fact that a criterion *needs* makes it ``missing``.  "Needs" is decided with
  three-valued logic (True / False / unknown): a criterion is ``missing`` only
  when the absent facts could change its outcome.  So 第6条 passes on
  ``rd_expense >= 500`` even without revenue, 第10条 fails on one recorded
  incident even if the others are blank, and 第5条 passes when the known
  industrialised patents already reach 50 % whatever the blanks are.
* **Within a criterion** the order is the verdict's: a definite ``fail`` beats
  ``missing``, which beats ``review``.
* **第1条.**  The region is ``registered_region_code``, else USCC characters
  3-8.  An industry the SME standard does not list (金融业, 教育, ...) gives
  ``review``: the standard says such industries are sized "by reference", which
  is an officer's judgement, not a failure.
* **第2条.**  A certificate counts on ``valid_from <= as_of <= valid_to``
  (both days inclusive); expired or not-yet-valid ones do not count.
* **上年度** (第1条 size, 第6条) is the calendar year before the assessment
  date's year; the contract's figures are for ``assessment_year - 1``.  Figures
  of another year make both ``missing`` (naming the year required and the year
  supplied); an ``assessment_year`` after the assessment date's year is an
  input error (:func:`check`).
* **第3条.**  The classification in force on ``as_of`` (the shipped 2019 table
  from 2019-04-01, or a later imported version) lists the class → ``pass``
  naming its group and category; a starred (partial) class, a class outside the
  table, or no table in force → ``review`` ("原则上").
* **第4条.**  A qualifying product is ``main`` and names at least one listed patent
  that is ``valid``, ``core`` and has an ``origin`` (self, acquired or licensed —
  every value of the contract's enum is 自研或引进, so only an *absent* origin
  leaves it unknown).  A number the product names but ``patents`` does not list
  does not count (the input carries a warning for it).  ``filing_no`` on a
  qualifying product → ``pass``.
* **第6条.**  Zero revenue: the ratio test fails and the amount decides.
* **第7条.**  ``has_rd_leader`` AND (staff ratio OR a university / research-
  institute partnership in force on ``as_of``, both ends inclusive).  Zero
  employees: the ratio test fails.
* **第8条.**  An owned trademark is in force when ``valid_to`` is absent or
  ``>= as_of``; blank strings are not brand evidence.
* **第9条.**  ``certified_gbt29490`` OR all of rules, department, staff, budget.

Ratios are compared exactly by integer cross-multiplication of the Decimals'
integer ratios; percentages in details are rounded to two decimals, with more
digits only when rounding would contradict the comparison they illustrate
(:mod:`pool.eligibility.ratios`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pool.eligibility.applicant import Applicant, InvalidApplicant, parse
from pool.eligibility.contract import Problem
from pool.eligibility.figures import c5_industrialization, c6_rd_investment, c7_rd_team
from pool.eligibility.outcome import Criterion, CriterionResult, aggregate
from pool.eligibility.policy import Policy, Snapshot
from pool.eligibility.profile import (
    c1_registered_sme, c2_qualifications, c3_patent_intensive, c4_core_patents, c8_trademark,
    c9_ip_management, c10_integrity,
)
from pool.reference.industries import IndustryTable

CRITERIA: tuple[Criterion, ...] = (
    c1_registered_sme, c2_qualifications, c3_patent_intensive, c4_core_patents, c5_industrialization,
    c6_rd_investment, c7_rd_team, c8_trademark, c9_ip_management, c10_integrity,
)
PARAMETERS_USED: tuple[str, ...] = tuple(dict.fromkeys(k for c in CRITERIA for k in c.parameters))


@dataclass(frozen=True)
class Evaluation:
    """All ten results for one applicant on one date, and the verdict."""

    uscc: str
    name: str
    verdict: str
    criteria: tuple[CriterionResult, ...]
    warnings: tuple[str, ...]
    as_of: date
    snapshot: Snapshot = field(repr=False, compare=False)

    def to_dict(self) -> dict:
        """What the CLI prints: uscc, name, verdict, criteria (id, status,
        detail) and warnings."""
        return {
            "uscc": self.uscc,
            "name": self.name,
            "verdict": self.verdict,
            "criteria": [{"id": c.id, "status": c.status, "detail": c.detail} for c in self.criteria],
            "warnings": list(self.warnings),
        }

    def to_record(self) -> dict:
        """What is stored with a decision: :meth:`to_dict` plus the assessment
        date, each criterion's title and source, and the parameter values used."""
        record = self.to_dict()
        record["criteria"] = [
            {"id": c.id, "status": c.status, "detail": c.detail, "title": c.title, "source": c.source}
            for c in self.criteria
        ]
        record["as_of"] = self.as_of.isoformat()
        record["parameters"] = self.snapshot.used(PARAMETERS_USED)
        return record

    def criterion(self, number: int) -> CriterionResult:
        """The result of criterion ``number`` (1-10)."""
        return self.criteria[number - 1]


def evaluate(applicant: Applicant, as_of: date, snapshot: Snapshot, industries: IndustryTable) -> Evaluation:
    """Evaluate all ten criteria as of ``as_of`` with the parameters of ``snapshot``
    (which must be the snapshot in force on that same date).

    :raise TypeError: if ``as_of`` is not a ``date``.
    :raise ValueError: if ``snapshot`` is for another date.
    """
    if type(as_of) is not date:
        raise TypeError("as_of 须为 datetime.date")
    if snapshot.as_of != as_of:
        raise ValueError(f"参数快照日期 {snapshot.as_of} 与评估日期 {as_of} 不一致")
    results = tuple([rule(applicant, as_of, snapshot, industries) for rule in CRITERIA])
    warnings = tuple([str(w) for w in applicant.warnings]) if applicant.warnings else ()
    return Evaluation(applicant.uscc, applicant.name, aggregate([r.status for r in results]),
                      results, warnings, as_of, snapshot)


def check(data: Any, as_of: date, policy: Policy, industries: IndustryTable) -> Evaluation:
    """Validate, parse and evaluate one applicant object (contract shape).

    :raise InvalidApplicant: with every input error, including an
        ``assessment_year`` after the year of ``as_of`` (figures of a year that
        has not ended cannot be the 上年度 of that date).
    """
    applicant = parse(data)
    if applicant.assessment_year > as_of.year:
        raise InvalidApplicant([Problem(
            "assessment_year", f"申报年度 {applicant.assessment_year} 晚于评估日期 {as_of} 所在年度 "
            f"{as_of.year}：上年度数据须为已结束年度的数据")], list(applicant.warnings))
    return evaluate(applicant, as_of, policy.in_force(as_of), industries)
