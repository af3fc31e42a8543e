"""The words of SPEC §4's risk flags, shared by the scan, its stages and the mails.

Labels of kinds, severities and history actions; which severities mail an
officer at once; :class:`Condition`, what a stage of the scan found for one
enterprise; and the SQL for "in the pool on a date" and "a live event".
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased

from models import Enterprise, PoolEvent
from models.enterprise import ADMITTED, EXPELLED, GRADUATED
from models.event import CORRECTION
from models.monitoring import (
    ANNUAL_DATA_MISSING, CLOSED, CRITERIA_DRIFT, DEESCALATED, ESCALATED, EXPULSION_DUE, FIRST_POOL,
    GRADUATION_READY, HIGH, INFO, INTEGRITY_INCIDENT, NO_PROGRESS, QUALIFICATION_EXPIRING, RAISED,
    SEVERITIES, WARNING,
)

from pool.kernel.wording import phrase

KIND_LABELS = {
    NO_PROGRESS: phrase("无实质性进展"), QUALIFICATION_EXPIRING: phrase("资格到期"),
    ANNUAL_DATA_MISSING: phrase("年度数据未报送"), CRITERIA_DRIFT: phrase("不再符合入库标准"),
    INTEGRITY_INCIDENT: phrase("诚信事件"), GRADUATION_READY: phrase("符合出库条件"),
}
SEVERITY_LABELS = {INFO: phrase("提示"), WARNING: phrase("预警"), HIGH: phrase("高风险"),
                   EXPULSION_DUE: phrase("应予退库")}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
URGENT = (HIGH, EXPULSION_DUE)  # an officer is mailed at once
ACTION_LABELS = {RAISED: phrase("新增"), ESCALATED: phrase("升级"), DEESCALATED: phrase("降级"),
                 CLOSED: phrase("关闭")}


class Condition:
    """What the scan found for one enterprise and one flag kind.

    ``evidence`` (JSON-ready) holds the facts; ``detail`` (Chinese, quoting
    dates, numbers and thresholds) may be given as a function that words it
    on first use — the scan needs it only for flags that are new or whose
    facts changed, and wording criteria or growth details for every open
    flag every day would cost more than finding them.
    """

    __slots__ = ("enterprise_id", "county_id", "enterprise_name", "kind", "severity", "evidence", "_detail",
                 "pool_code")

    def __init__(self, enterprise_id: int, county_id: int, enterprise_name: str, kind: str,
                 severity: str, detail: str | Callable[[], str], evidence: dict, pool_code: str = FIRST_POOL):
        self.enterprise_id, self.county_id, self.enterprise_name = enterprise_id, county_id, enterprise_name
        self.kind, self.severity, self.evidence, self._detail = kind, severity, evidence, detail
        self.pool_code = pool_code  # the pool whose rules found it

    @property
    def key(self) -> tuple[int, str, str]:
        """What one open flag stands for: the enterprise, the kind, the pool."""
        return self.enterprise_id, self.kind, self.pool_code

    @property
    def detail(self) -> str:
        if callable(self._detail):
            self._detail = self._detail()
        return self._detail

    def __repr__(self) -> str:
        return f"<Condition {self.enterprise_id} {self.kind} {self.severity} {self.pool_code}>"


def in_pool(as_of: date):
    """SQL condition: the ``Enterprise`` was in the pool on ``as_of`` (the
    set-based form of :func:`pool.membership.proposals.was_admitted_on`)."""
    # One IN on the indexed state, then the rest (a top-level OR of two
    # state tests makes SQLite search the index twice and sort the union).
    return and_(
        Enterprise.state.in_((ADMITTED, GRADUATED, EXPELLED)),
        Enterprise.admitted_on <= as_of,
        or_(Enterprise.state == ADMITTED, Enterprise.state_changed_on > as_of),
    )


def live(kind: str, as_of: date):
    """SQL condition: a ``PoolEvent`` of ``kind`` effective by ``as_of`` that no
    correction voids (set-based form of :func:`pool.membership.history.live_events`)."""
    correction = aliased(PoolEvent)
    voided = exists().where(correction.kind == CORRECTION, correction.corrects_id == PoolEvent.id)
    return and_(PoolEvent.kind == kind, PoolEvent.effective_on <= as_of, ~voided)


def by_enterprise(rows, key: str = "id") -> dict[int, list]:
    """Rows grouped by their enterprise id column ``key`` (in order)."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped
