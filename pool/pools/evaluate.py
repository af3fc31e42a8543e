"""An applicant against a pool, and the what-if of a draft criteria-set version.

:func:`check` gives what :func:`pool.eligibility.criteria.check` gives — an
evaluation with ``uscc``, ``name``, ``verdict``, ``criteria`` (id, status,
detail, title, source), ``warnings``, ``as_of`` and ``to_dict()`` — so a page
or the API shows either alike.  For a code-backed pool (Huangshi's) it *is*
that check, unchanged; for a configured one, each criterion of the version in
force on ``as_of`` is its rule tree evaluated (:mod:`pool.pools.evaluators`),
citing ``programme document + clause``, and the verdict is SPEC §2's.

:func:`what_if` evaluates applicants under two versions (current and draft)
and lists whose verdict or criteria would change, criterion by criterion.
Pure: reads its arguments, writes nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from pool.eligibility import criteria as eligibility
from pool.eligibility.applicant import Applicant, Qualification, parse
from pool.eligibility.outcome import CriterionResult, aggregate, in_force
from pool.eligibility.rulebook import Rulebook
from pool.pools.definition import CriteriaVersion, Pool
from pool.pools.evaluators import Context, evaluate_node
from pool.pools.inputs import Inputs, of as inputs_of


@dataclass(frozen=True)
class PoolEvaluation:
    """One applicant under a configured pool on one date (the shape of
    :class:`pool.eligibility.criteria.Evaluation`)."""

    pool: str
    uscc: str
    name: str
    verdict: str
    criteria: tuple[CriterionResult, ...]
    warnings: tuple[str, ...]
    as_of: date

    to_dict = eligibility.Evaluation.to_dict  # the same fields, printed the same way

    def to_record(self) -> dict:
        record = self.to_dict()
        record["criteria"] = [{"id": c.id, "status": c.status, "detail": c.detail, "title": c.title,
                               "source": c.source} for c in self.criteria]
        record["as_of"], record["pool"] = self.as_of.isoformat(), self.pool
        return record


def check(pool: Pool, data: Any, as_of: date, rulebook: Rulebook | None,
          facts: Mapping[str, Any] | None = None):
    """Validate, parse and evaluate one applicant (contract shape) under ``pool``
    (``rulebook``: the eligibility policy and tables, which only a code-backed pool reads).

    :raise InvalidApplicant: as :func:`pool.eligibility.criteria.check`.
    :raise NoCriteriaInForce: when the pool's criteria set has no version on ``as_of``.
    """
    if pool.code_backed:
        return eligibility.check(data, as_of, rulebook.policy, rulebook.industries)
    return evaluate(pool, parse(data), as_of, facts)


def evaluate(pool: Pool, applicant: Applicant | Inputs, as_of: date, facts: Mapping[str, Any] | None = None,
             version: CriteriaVersion | None = None,
             memberships: Mapping[str, tuple[str, str]] | None = None) -> PoolEvaluation:
    """A configured pool's criteria (``version``, default the one in force on ``as_of``)
    for an applicant (parsed, or its :class:`~pool.pools.inputs.Inputs` on ``as_of``), its
    supplementary ``facts`` and, for a stored enterprise, its ``memberships`` on ``as_of``
    (pool code → (name, state); None: unknown)."""
    version = version or pool.criteria_set.in_force(as_of)
    inputs = applicant if isinstance(applicant, Inputs) else inputs_of(applicant, as_of)
    ctx = Context(inputs, as_of, facts or {}, pool.params_in_force(as_of), pool.tables, pool.fact_labels,
                  memberships)
    document = pool.programme.get("document", "")
    results = []
    for criterion in version.criteria:
        status, detail = evaluate_node(criterion.rule, ctx)
        results.append(CriterionResult(criterion.id, status, detail, criterion.title,
                                       f"{document} {criterion.clause}".strip()))
    return PoolEvaluation(pool.code, inputs.uscc, inputs.name, aggregate(r.status for r in results),
                          tuple(results), inputs.warnings, as_of)


def graduating_qualification(pool: Pool, applicant: Applicant, as_of: date) -> Qualification | None:
    """The qualification that ends a membership of ``pool`` as graduated on ``as_of``
    (lifecycle ``exit_on_qualification``, e.g. Xuchang's 高企 certificate, in force that day), or None.
    What the scan will propose; nothing is decided here."""
    types = pool.lifecycle["graduation"].get("exit_on_qualification") or ()
    return next((q for q in applicant.qualifications
                 if q.type in types and in_force(q.valid_from, q.valid_to, as_of)), None)


# --- what-if ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionChange:
    id: int
    title: str
    before: str | None  # status, None: the criterion is not in that version
    after: str | None
    detail_before: str
    detail_after: str


@dataclass(frozen=True)
class VerdictChange:
    uscc: str
    name: str
    verdict_before: str
    verdict_after: str
    criteria: tuple[CriterionChange, ...]

    @property
    def verdict_changed(self) -> bool:
        return self.verdict_before != self.verdict_after

    def to_record(self) -> dict:
        """JSON-ready, as stored beside a saved version and exported for the decision meeting."""
        return {"uscc": self.uscc, "name": self.name, "verdict_before": self.verdict_before,
                "verdict_after": self.verdict_after,
                "criteria": [{"id": c.id, "title": c.title, "before": c.before, "after": c.after,
                              "detail_before": c.detail_before, "detail_after": c.detail_after}
                             for c in self.criteria]}


def compare(before, after) -> VerdictChange | None:
    """One applicant judged twice — two evaluations of :func:`evaluate`'s or
    :func:`pool.eligibility.criteria.evaluate`'s shape — as a :class:`VerdictChange` (criteria
    matched by id; one missing from an evaluation reads None), or None when nothing moves."""
    old, new = {c.id: c for c in before.criteria}, {c.id: c for c in after.criteria}
    moved = tuple(CriterionChange(n, (new.get(n) or old[n]).title, old[n].status if n in old else None,
                                  new[n].status if n in new else None, old[n].detail if n in old else "",
                                  new[n].detail if n in new else "")
                  for n in sorted(old.keys() | new.keys())
                  if (old[n].status if n in old else None) != (new[n].status if n in new else None))
    if not moved and before.verdict == after.verdict:
        return None
    return VerdictChange(after.uscc, after.name, before.verdict, after.verdict, moved)


def what_if(pool: Pool, applicants: Iterable[tuple], as_of: date,
            current: CriteriaVersion, draft: CriteriaVersion) -> list[VerdictChange]:
    """Each applicant — ``(applicant, facts)`` or, for a stored enterprise, ``(applicant, facts,
    memberships)``; an applicant parsed or as its :class:`~pool.pools.inputs.Inputs` on ``as_of`` —
    whose verdict or any criterion's status would differ under ``draft`` from ``current``, in input
    order, with the criteria that change (matched by id; one missing from a version reads None).

    Each criterion is judged as :func:`evaluate` judges it, statuses first (no detail formatted):
    a criterion the draft keeps as it is has one status under both versions, and one the draft
    edits within can move only where an edited part does (:func:`edited_parts`), so for most
    applicants only those parts are judged; where one moves, every criterion is judged for the
    verdicts (:func:`aggregate`, as ever) and the details of the criteria that move."""
    params, labels = pool.params_in_force(as_of), pool.fact_labels
    old = {c.id: c for c in current.criteria}
    new = {c.id: c for c in draft.criteria}
    same = {n for n in old.keys() & new.keys() if content(old[n].rule) == content(new[n].rule)}
    differing = sorted((old.keys() | new.keys()) - same)
    edited = [edited_parts(old[n].rule, new[n].rule) for n in differing if n in old and n in new]
    once = {n for n in differing if n not in old or n not in new}  # dropped or added: moves for everyone
    changes = []
    for applicant, facts, *rest in applicants:
        inputs = applicant if isinstance(applicant, Inputs) else inputs_of(applicant, as_of)
        reading = (inputs, as_of, facts or {}, params, pool.tables, labels, rest[0] if rest else None)
        quiet = Context(*reading, explain=False)
        if not once and not any(evaluate_node(a, quiet)[0] != evaluate_node(b, quiet)[0]
                                for parts in edited for a, b in parts):
            continue  # every edited part judges as it did: so does every criterion, and the verdict
        told = Context(*reading)
        before = {n: evaluate_node(old[n].rule, told if n in once else quiet) for n in differing if n in old}
        after = {n: evaluate_node(new[n].rule, told if n in once else quiet) for n in differing if n in new}
        moved = [n for n in differing if _status(before, n) != _status(after, n)]
        if not moved:
            continue

        def detail(outcomes, version, n):  # a dropped or added criterion's is at hand, another's judged now
            return "" if n not in version else outcomes[n][1] if n in once else evaluate_node(version[n].rule, told)[1]

        unchanged = [evaluate_node(old[n].rule, quiet)[0] for n in same]
        changes.append(VerdictChange(
            inputs.uscc, inputs.name, aggregate([*unchanged, *(status for status, _d in before.values())]),
            aggregate([*unchanged, *(status for status, _d in after.values())]),
            tuple(CriterionChange(n, (new.get(n) or old[n]).title, _status(before, n), _status(after, n),
                                  detail(before, old, n), detail(after, new, n))
                  for n in moved)))
    return changes


def _status(outcomes: Mapping[int, tuple[str, str]], number: int) -> str | None:
    return outcomes[number][0] if number in outcomes else None


def content(node: Mapping[str, Any]) -> str:
    """A rule node as text (``1`` and ``true`` differ, as they judge differently)."""
    return json.dumps(node, sort_keys=True, ensure_ascii=False, default=str)


def edited_parts(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[Mapping, Mapping]]:
    """The pairs of parts where rule ``new`` differs from ``old`` below an unchanged shape: a
    composition of the same kind, size and settings compares child by child; anything else that
    differs is one pair.  A composition's status follows from its children's and its own settings,
    so where every pair's statuses are equal, the two rules' statuses are."""
    if content(old) == content(new):
        return []
    kind = "all" if "all" in old else "any" if "any" in old else None
    settings = lambda node: content({k: v for k, v in node.items() if k != kind})  # noqa: E731
    if kind and kind in new and len(old[kind]) == len(new[kind]) and settings(old) == settings(new):
        return [pair for a, b in zip(old[kind], new[kind]) for pair in edited_parts(a, b)]
    return [(old, new)]
