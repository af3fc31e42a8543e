"""What-if before a change: a draft criteria-set version judged against the pool as it stands.

:func:`preview` judges the pool's open applications and members (applied and
admitted, in the viewer's counties) on the stored record of one day under the
version in force and under the draft — with the same rule definitions
(:func:`pool.pools.evaluate.what_if`) — and lists whose verdict or criteria would
change, criterion by criterion.  Writes nothing; the administrator sees it, may
export it for the decision meeting, and it is stored beside the version saved.

It reads each member's record as the daily job keeps it (:mod:`pool.ladder.inputs`:
only what the criteria read; a record changed since is read now) and judges first
the statuses of the criteria the draft changes, the rest only where one moves
(:func:`pool.pools.evaluate.what_if`).
"""
from __future__ import annotations

from datetime import date
from dataclasses import replace
from typing import Any, Iterable, Mapping

from sqlalchemy import Text, cast, select

from models import Enterprise, Membership
from models.enterprise import ADMITTED, APPLIED
from pool.kernel import jsonutil
from pool.kernel.collector import no_cycle_collection
from pool.kernel.wording import phrase
from pool.ladder import catalogue, inputs, past
from pool.ladder.catalogue import ChangeRefused
from pool.pools import evaluate as judging
from pool.pools.changes import PARAMETER
from pool.pools.definition import CriteriaVersion, NoCriteriaInForce, Pool, PoolDefinitionError
from pool.pools.evaluators import reads_ladder, with_values

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
    return _judged(session, pool, as_of, current, version, version.valid_from.isoformat(), county_ids,
                   membership_ids)


def preview_parameter(session, pool: Pool, change: Mapping[str, Any], as_of: date,
                      county_ids: Iterable[int] | None = None) -> dict:
    """The effect of a new value of one of the pool's parameters — ``change`` as it would be saved
    (:func:`pool.ladder.catalogue.record`: ``key``, ``value``, ``valid_from``, ``source``) — on the
    pool as it stands on ``as_of``: the version in force judged with the values in force and with
    the new one, as :func:`preview` gives it (``draft``: the value's first day).

    :raise ChangeRefused: the change may not be saved (every problem named), or no version is in force.
    """
    catalogue.check(session, {**change, "kind": PARAMETER, "code": pool.code})
    try:
        current = pool.criteria_set.in_force(as_of)
    except NoCriteriaInForce as exc:
        raise ChangeRefused([str(exc)]) from None
    now = pool.params_in_force(as_of)
    proposed = {**now, change["key"]: change["value"]}
    return _judged(session, pool, as_of, _reading(current, now), _reading(current, proposed),
                   str(change["valid_from"]), county_ids, None)


def _reading(version: CriteriaVersion, params: Mapping[str, Any]) -> CriteriaVersion:
    """``version`` with the parameter values ``params`` written into its rules."""
    return replace(version, criteria=tuple(replace(c, rule=with_values(c.rule, params)) for c in version.criteria))


def _judged(session, pool: Pool, as_of: date, current: CriteriaVersion, version: CriteriaVersion, draft_day: str,
            county_ids, membership_ids) -> dict:
    stmt = select(Membership.enterprise_id, cast(Membership.facts, Text)).where(
        Membership.pool_code == pool.code, Membership.state.in_((APPLIED, ADMITTED)))
    if county_ids is not None:
        county_ids = list(county_ids)
        stmt = stmt.where(Membership.county_id.in_(county_ids))
    if membership_ids is not None:
        stmt = stmt.where(Membership.id.in_(list(membership_ids)))
    facts = {eid: jsonutil.loads(text) if text and text != "{}" else {}  # mostly none: not parsed then
             for eid, text in session.connection().execute(stmt.order_by(Membership.id))}
    # the enterprises' states in every pool on the day, only when a criterion reads them (member_of)
    ladders = (past.ladders(session, catalogue.pools(session), as_of, county_ids)
               if any(reads_ladder(c.rule) for c in (*current.criteria, *version.criteria)) else None)
    with no_cycle_collection():
        read = inputs.on(session, as_of, list(facts))  # kept by the daily job; the rest read now
        applicants, left_out = [], []
        for eid, row_facts in facts.items():
            kept = read.get(eid)
            if kept is not None and kept.inputs is None:
                left_out.append(eid)
            elif kept is not None:
                applicants.append((kept.inputs, row_facts, ladders.get(eid, {}) if ladders is not None else None))
        named = _names(session, left_out)
        left_out = [unreadable(named[eid], as_of, read[eid].problems) for eid in left_out]
        changes = [c.to_record() for c in judging.what_if(pool, applicants, as_of, current, version)]
    return shown(as_of, current.valid_from.isoformat(), draft_day, len(applicants), changes, left_out)


def shown(as_of: date, current: str, draft: str, checked: int, changes: list[dict], unreadable: list[str]) -> dict:
    """A what-if as the pages show, export and store it (``changes``: :meth:`VerdictChange.to_record` each)."""
    return {"as_of": as_of.isoformat(), "current": current, "draft": draft, "checked": checked,
            "changes": changes, "verdicts_changed": sum(c["verdict_before"] != c["verdict_after"] for c in changes),
            "unreadable": unreadable}


def unreadable(name: str, day: date, problems) -> str:
    """Why a record was left out of a what-if: not a valid applicant on ``day``."""
    return _UNREADABLE.format(name=name, day=day, problems="；".join(map(str, problems)))


def _names(session, ids: list[int]) -> dict[int, str]:
    names = {}
    for start in range(0, len(ids), inputs.FEW):
        names.update(session.execute(select(Enterprise.id, Enterprise.name).where(
            Enterprise.id.in_(ids[start:start + inputs.FEW]))).all())
    return names
