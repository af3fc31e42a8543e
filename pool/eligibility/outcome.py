"""What a criterion answers (SPEC §2): a status, a Chinese detail, the verdict.

:class:`CriterionResult` is one criterion's outcome; :func:`criterion` turns a
rule ``(applicant, as_of, snapshot, industries) -> (status, detail)`` into the
criterion citing its clause; the three-valued helpers decide what "missing"
means; :func:`aggregate` is SPEC §2's verdict.  The criteria themselves are in
:mod:`pool.eligibility.profile` and :mod:`pool.eligibility.figures`, in order
in :mod:`pool.eligibility.criteria`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable

from pool.eligibility.applicant import Applicant, _constructor
from pool.eligibility.contract import FIELD_LABELS
from pool.eligibility.policy import Snapshot
from pool.kernel.wording import phrase
from pool.reference.industries import IndustryTable

STATUSES = ("pass", "fail", "review", "missing")
VERDICTS = ("eligible", "ineligible", "incomplete", "needs_review")


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """Outcome of one criterion."""

    id: int
    status: str  # pass | fail | review | missing
    detail: str
    title: str
    source: str  # e.g. "附件2 第6条"


# Ten results per applicant, 100,000 applicants: build them without the frozen
# dataclass __init__ (see pool.eligibility.applicant._constructor).
_new_result = _constructor(CriterionResult)

Rule = Callable[[Applicant, date, Snapshot, IndustryTable], tuple[str, str]]
Criterion = Callable[[Applicant, date, Snapshot, IndustryTable], CriterionResult]


def criterion(number: int, title: str, parameters: tuple[str, ...] = ()) -> Callable[[Rule], Criterion]:
    """Make a rule ``(applicant, as_of, snapshot, industries) -> (status,
    detail)`` criterion ``number``: the function returns a
    :class:`CriterionResult` citing ``附件2 第N条`` and carries ``id``,
    ``title``, ``source`` and the policy ``parameters`` it reads."""
    title, source = phrase(title), _SOURCE.format(number=number)

    def register(rule: Rule) -> Criterion:
        @functools.wraps(rule)
        def evaluate_one(applicant, as_of, snapshot, industries) -> CriterionResult:
            status, detail = rule(applicant, as_of, snapshot, industries)
            return _new_result(number, status, detail, title, source)
        evaluate_one.id, evaluate_one.title, evaluate_one.source = number, title, source
        evaluate_one.parameters = parameters
        return evaluate_one
    return register


# --- three-valued logic: True, False, or unknown (None) ----------------------------

def all3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued AND: False wins, then unknown (None)."""
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def any3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: True wins, then unknown (None)."""
    result: bool | None = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def status(outcome: bool | None, undecided: str = "missing") -> str:
    """``pass`` / ``fail`` for a known outcome, else ``undecided``."""
    if outcome is None:
        return undecided
    return "pass" if outcome else "fail"


_SOURCE = phrase("附件2 第{number}条")
_MISSING = phrase("缺少数据：{fields}")
_NAMED_FIELD = phrase("{label}（{path}）")


def missing(paths: Iterable[str]) -> str:
    """"缺少数据：营业收入（operating_revenue）、…" for field paths."""
    named = []
    for path in paths:
        label = FIELD_LABELS.get(path.rsplit(".", 1)[-1].split("[")[0], "")
        named.append(_NAMED_FIELD.format(label=label, path=path) if label else path)
    return _MISSING.format(fields="、".join(named))


def in_force(valid_from: date, valid_to: date, as_of: date) -> bool:
    """A dated certificate or agreement counts on ``as_of``: both ends inclusive."""
    return valid_from <= as_of <= valid_to


def aggregate(statuses: Iterable[str]) -> str:
    """SPEC §2: ineligible if any fail; else incomplete if any missing; else
    needs_review if any review; else eligible."""
    statuses = set(statuses)
    if "fail" in statuses:
        return "ineligible"
    if "missing" in statuses:
        return "incomplete"
    if "review" in statuses:
        return "needs_review"
    return "eligible"
