"""What-if before a new policy value of the first pool (Huangshi's code-backed criteria, issue #17).

The first pool's ten criteria are code; their thresholds, lists and windows
are dated policy values the city administrator adds on the 政策参数 page.
Before one is saved, :func:`preview` shows its effect on the pool as it stands
on a day — as the configured pools' what-if does (:mod:`pool.ladder.previews`):

* each applied or admitted enterprise's stored record judged under the values
  in force and under them with the new one (:func:`pool.eligibility.rulebook.with_value`),
  the record read and validated once; whose verdict or criteria would change,
  criterion by criterion, with the details;
* which risk flags would open or close: the first pool's SPEC §4 conditions
  assessed under both (:func:`pool.monitoring.scan.assess`, the scan's own rules),
  compared by enterprise and kind.

Writes nothing.  Judging every record afresh costs about a millisecond a
member: a city's pool answers at once; 100,000 members would take minutes.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from sqlalchemy import select

from models import Enterprise
from models.enterprise import ADMITTED, APPLIED
from pool.eligibility import criteria, rulebook as rulebooks
from pool.eligibility.applicant import InvalidApplicant, parse
from pool.kernel.collector import no_cycle_collection
from pool.ladder import previews
from pool.monitoring import scan
from pool.monitoring.flags import KIND_LABELS
from pool.pools.evaluate import compare
from pool.records import bulk
from pool.records.facts import record_data

def preview(session, key: str, value: Any, valid_from: date, as_of: date,
            county_ids: Iterable[int] | None = None) -> dict:
    """The effect of ``value`` of policy parameter ``key`` on the first pool on ``as_of``, JSON-ready,
    as :func:`pool.ladder.previews.preview` gives it (``draft``: ``valid_from``), with ``flags``:
    ``{"opened": [...], "closed": [...]}``, each ``{"name", "kind", "kind_label", "severity"}``.

    :raise pool.eligibility.rulebook.RuleChangeRefused: an unknown key or a value it does not take.
    :raise pool.eligibility.rulebook.NoPolicyInForce: no complete set of values on ``as_of``.
    """
    current = rulebooks.load(session)
    draft = rulebooks.with_value(current, key, value, as_of)
    now, then = (rulebooks.complete_snapshot(book.policy, as_of) for book in (current, draft))
    stmt = select(Enterprise.id).where(Enterprise.state.in_((APPLIED, ADMITTED)))
    if county_ids is not None:
        county_ids = list(county_ids)
        stmt = stmt.where(Enterprise.county_id.in_(county_ids))
    changes, unreadable, checked = [], [], 0
    with no_cycle_collection():
        for _eid, record in bulk.records(session, session.scalars(stmt.order_by(Enterprise.id)).all()):
            try:
                applicant = parse(record_data(record, as_of))
            except InvalidApplicant as exc:
                unreadable.append(previews.unreadable(record.name, as_of, exc.problems))
                continue
            checked += 1
            change = compare(criteria.evaluate(applicant, as_of, now, current.industries),
                             criteria.evaluate(applicant, as_of, then, draft.industries))
            if change is not None:
                changes.append(change.to_record())
    return {**previews.shown(as_of, as_of.isoformat(), valid_from.isoformat(), checked, changes, unreadable),
            "flags": _flags(session, as_of, current, draft, county_ids)}


def _flags(session, as_of: date, current, draft, county_ids) -> dict[str, list[dict]]:
    """The first pool's conditions that ``draft`` would open or close on ``as_of`` (in ``county_ids``)."""
    before, after = scan.assess(session, as_of, current), scan.assess(session, as_of, draft)
    mine = (lambda c: True) if county_ids is None else (lambda c: c.county_id in county_ids)

    def listed(keys, found):
        return [{"name": found[k].enterprise_name, "kind": found[k].kind, "kind_label": KIND_LABELS[found[k].kind],
                 "severity": found[k].severity} for k in sorted(keys, key=lambda k: (found[k].enterprise_name, k[1]))
                if mine(found[k])]
    return {"opened": listed(after.keys() - before.keys(), after),
            "closed": listed(before.keys() - after.keys(), before)}
