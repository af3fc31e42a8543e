"""What-if before a change: a draft criteria-set version judged against the pool as it stands.

:func:`preview` judges the pool's open applications and members (applied and
admitted, in the viewer's counties) on the stored record of one day under the
version in force and under the draft — with the same rule definitions
(:func:`pool.pools.evaluate.what_if`) — and lists whose verdict or criteria would
change, criterion by criterion.  Writes nothing; the administrator sees it, may
export it for the decision meeting, and it is stored beside the version saved.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping

from sqlalchemy import select

from models import Membership
from models.enterprise import ADMITTED, APPLIED
from pool.eligibility.applicant import InvalidApplicant, parse
from pool.kernel.wording import phrase
from pool.ladder import verdicts
from pool.ladder.catalogue import ChangeRefused
from pool.membership.history import pool_on
from pool.pools import evaluate as judging
from pool.pools.definition import NoCriteriaInForce, Pool, PoolDefinitionError
from pool.records import bulk
from pool.records.facts import record_data

CHUNK = 1000  # memberships judged per round of selects (never one select per enterprise and part)
_UNREADABLE = phrase("{name!s}：{day} 的企业记录无法核验，未计入预览（{problems}）")


def preview(session, pool: Pool, draft: Mapping[str, Any], as_of: date,
            county_ids: Iterable[int] | None = None, membership_ids: Iterable[int] | None = None) -> dict:
    """The effect of ``draft`` (a version as in a pool file) on ``as_of``, JSON-ready:
    ``checked`` (how many judged), ``changes`` (:meth:`VerdictChange.to_record` each),
    ``verdicts_changed``, ``unreadable`` (records that could not be judged, with why).
    ``membership_ids`` limits it to those memberships (a sample, for the benchmark).

    :raise ChangeRefused: the draft is not a sound version, or no version is in force (every problem named).
    """
    try:
        version = pool.parse_version(draft)
        current = pool.criteria_set.in_force(as_of)
    except PoolDefinitionError as exc:
        raise ChangeRefused(exc.problems) from None
    except NoCriteriaInForce as exc:
        raise ChangeRefused([str(exc)]) from None
    stmt = select(Membership.id, Membership.enterprise_id, Membership.facts).where(
        Membership.pool_code == pool.code, Membership.state.in_((APPLIED, ADMITTED)))
    if county_ids is not None:
        stmt = stmt.where(Membership.county_id.in_(list(county_ids)))
    if membership_ids is not None:
        stmt = stmt.where(Membership.id.in_(list(membership_ids)))
    facts = {eid: row_facts or {} for _id, eid, row_facts in session.execute(stmt.order_by(Membership.id))}
    first = pool_on(session, as_of, county_ids)  # the first pool's states, one select for all
    changes, checked, unreadable = [], 0, []
    ids = list(facts)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        applicants = []
        states = verdicts.states_for(session, chunk, as_of, first)
        for eid, record in bulk.records(session, chunk):  # plain rows: as the daily scan judges records
            try:
                applicant = parse(record_data(record, as_of))
            except InvalidApplicant as exc:
                unreadable.append(_UNREADABLE.format(name=record.name, day=as_of,
                                                     problems="；".join(map(str, exc.problems))))
                continue
            applicants.append((applicant, facts[eid], states[eid]))
        checked += len(applicants)
        changes += [c.to_record() for c in judging.what_if(pool, applicants, as_of, current, version)]
    return {"as_of": as_of.isoformat(), "current": current.valid_from.isoformat(),
            "draft": version.valid_from.isoformat(), "checked": checked, "changes": changes,
            "verdicts_changed": sum(c["verdict_before"] != c["verdict_after"] for c in changes),
            "unreadable": unreadable}
