"""Criteria drift (SPEC §4, issue #13): a member's record no longer meets the criteria.

The ten criteria judge each member's stored record as it stands on
``as_of`` — its patents, products, certificates, trademarks, partnerships and
IP-management facts on that date and the yearly figures of the year before
(:func:`pool.records.facts.record_verdict`, the engine of 资格自检), kept
between scans by :mod:`pool.monitoring.verdicts`.  High when the record
definitely fails any criterion the record decides; a criterion that is only
*missing* facts (annual_data_missing's business) or needs an officer's
*review* is not drift.  Criterion 2's certificates are qualification_expiring's
(which warns 90 days ahead and names the certificate), so drift leaves them
to it.  A record that is not a valid applicant on the date (a figure out of
the contract's bounds) is not judged and raises nothing here; its page says why.
"""
from __future__ import annotations

from datetime import date

from models.monitoring import CRITERIA_DRIFT, HIGH

from pool.monitoring.flags import Condition
from pool.monitoring.verdicts import INVALID
from pool.kernel.wording import phrase

LEFT_TO_OTHER_FLAGS = frozenset({2})  # criterion 2: qualification_expiring


def criteria_drift(facts, as_of: date, p) -> list[Condition]:
    """The ``criteria_drift`` flags on ``as_of``."""
    found = []
    verdicts = facts.verdicts
    for eid, county_id, name, *_ in facts.members.values():
        verdict = verdicts.get(eid)
        if verdict is None or verdict.verdict == INVALID:
            continue
        failing = [c for c in verdict.failing if c["id"] not in LEFT_TO_OTHER_FLAGS]
        if not failing:
            continue
        evidence = {"criteria": [c["id"] for c in failing], "year": verdict.year,
                    "details": {str(c["id"]): c["detail"] for c in failing}}
        found.append(Condition(eid, county_id, name, CRITERIA_DRIFT, HIGH, _detail(verdict.year, failing), evidence))
    return found


def _detail(year: int | None, failing) -> str:
    failed = "；".join(_FAILED.format(id=c["id"], title=c["title"], detail=c["detail"]) for c in failing)
    return _DRIFT_YEAR.format(year=year, failed=failed) if year else _DRIFT.format(failed=failed)


_FAILED = phrase("第{id}条（{title}）：{detail}")
_DRIFT_YEAR = phrase("按 {year} 年度数据及企业记录，不再符合{failed}")
_DRIFT = phrase("按企业记录，不再符合{failed}")
