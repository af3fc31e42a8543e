"""Reading the pool event log: its vocabulary, live events, and the pool on a date.

The append-only ``pool_event`` table is the truth (``Enterprise.state`` and
``admitted_on`` are caches of it).  This module only reads it:

* the labels of states and event subtypes (SPEC §3, 黄石 二(六)2) used in
  reasons and by the transitions that validate them;
* :func:`live_events`, the events of one kind that no correction has voided;
* :func:`pool_on` / :func:`members_on`, who was in which state on a date,
  computed from the ``state_change`` events alone, in one query.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import aliased

from models import PoolEvent
from models.enterprise import ADMITTED, STATE_LABELS  # noqa: F401 - STATE_LABELS re-exported: the one vocabulary of states
from models.event import CORRECTION, STATE_CHANGE

from pool.kernel.wording import phrase

# 实质性进展 (黄石 二(六)2; SPEC §3): each restarts the progress window.
PROGRESS_TYPES = {
    "new_pi_product": phrase("新认定专利密集型产品"),
    "patent_product_filing": phrase("新增专利产品备案"),
    "patent_industrialized": phrase("新增产业化专利"),
    "industrialization_rate_up": phrase("专利产业化率提高"),
    "patent_licensed_in_used": phrase("许可或受让专利并实施"),
    # The kinds above are recognised from the record (pool.records.progress);
    # this one is typed by an officer, with a written reason: a judgement.
    "other": phrase("其他实质性进展（经办人判断）"),
}
# What an officer types as progress; the rest is recognised from the record.
TYPED_PROGRESS = ("other",)

# 诚信事件 (黄石 二(六)2): each makes expulsion due at once.
INCIDENT_TYPES = {
    "major_accident": phrase("重大安全事故"),
    "serious_dishonesty": phrase("严重失信"),
    "tax_evasion": phrase("偷漏税"),
    "data_fraud": phrase("数据造假"),
    "abnormal_patent_applications": phrase("非正常申请专利"),
    "other_violation": phrase("其他违法违规行为"),
}

# 出库后的接续培育及其成果 (黄石 二(六)2).
CONTINUED_CULTIVATION = "continued_cultivation"
OUTCOME_TYPES = {
    CONTINUED_CULTIVATION: phrase("接续培育"),
    "little_giant": phrase("专精特新“小巨人”企业"),
    "single_champion": phrase("单项冠军企业"),
}


def require_date(value, name: str = "日期") -> date:
    """``value`` if it is a ``date`` (a ``datetime`` would compare wrongly).

    :raise TypeError: otherwise.
    """
    if type(value) is not date:
        raise TypeError(f"{name} 须为 datetime.date，实际为 {type(value).__name__}")
    return value


def require_snapshot(snapshot, as_of: date):
    """``snapshot`` if it is the policy in force on ``as_of``: a decision dated
    ``as_of`` must use that day's thresholds, not today's.

    :raise ValueError: if the snapshot is for another date.
    """
    require_date(as_of)
    taken = getattr(snapshot, "as_of", as_of)
    if taken != as_of:
        raise ValueError(f"参数快照日期 {taken} 与办理日期 {as_of} 不一致")
    return snapshot


def not_voided():
    """SQL condition: no ``correction`` event names this ``PoolEvent``."""
    correction = aliased(PoolEvent)
    return ~exists().where(correction.kind == CORRECTION, correction.corrects_id == PoolEvent.id)


def live_events(enterprise_id: int, kind: str, as_of: date | None = None):
    """``SELECT`` of the enterprise's events of ``kind`` that no correction voids,
    effective on or before ``as_of`` (all if ``None``), oldest first."""
    stmt = select(PoolEvent).where(
        PoolEvent.enterprise_id == enterprise_id, PoolEvent.kind == kind, not_voided(),
    )
    if as_of is not None:
        stmt = stmt.where(PoolEvent.effective_on <= as_of)
    return stmt.order_by(PoolEvent.effective_on, PoolEvent.id)


def last_state_changes(on: date, county_ids: Iterable[int] | None = None, *, admission: bool = False):
    """``SELECT`` of ``(enterprise_id, to_state, effective_on)``: each enterprise's last
    ``state_change`` event (not voided by an approved correction) effective on or before ``on``
    (same day: the higher id, i.e. the one recorded later) — the rule :func:`pool_on` reads, as a
    statement to join (the pool on a date listed, counted and paged in SQL).  With ``admission``,
    a fourth column ``admitted_on``: the date of the enterprise's last live admission by ``on``
    (read in the same pass)."""
    columns = [PoolEvent.enterprise_id, PoolEvent.to_state, PoolEvent.effective_on,
               func.row_number().over(partition_by=PoolEvent.enterprise_id,
                                      order_by=(PoolEvent.effective_on.desc(), PoolEvent.id.desc())).label("rank")]
    if admission:
        columns.append(func.max(case((PoolEvent.to_state == ADMITTED, PoolEvent.effective_on))).over(
            partition_by=PoolEvent.enterprise_id).label("admitted_on"))
    ranked = select(*columns).where(PoolEvent.kind == STATE_CHANGE, PoolEvent.effective_on <= on, not_voided())
    if county_ids is not None:
        ranked = ranked.where(PoolEvent.county_id.in_(list(county_ids)))
    ranked = ranked.subquery()
    shown = [ranked.c.enterprise_id, ranked.c.to_state, ranked.c.effective_on]
    return select(*shown, *([ranked.c.admitted_on] if admission else [])).where(ranked.c.rank == 1)


def pool_on(session, on: date, county_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Each enterprise's state on ``on``: ``{enterprise_id: state}``.

    The state is the ``to_state`` of the enterprise's last live ``state_change`` event
    effective on or before ``on`` (:func:`last_state_changes`).  Enterprises with no such
    event are absent.  One query, whatever the number of enterprises; ``county_ids`` limits
    it to those counties (the caller applies the viewer's scoping).
    """
    rows = session.execute(last_state_changes(on, county_ids))
    return {enterprise_id: state for enterprise_id, state, _since in rows}


def members_on(session, on: date, county_ids: Iterable[int] | None = None) -> list[int]:
    """Ids of the enterprises in the pool (``admitted``) on ``on``, ascending."""
    return sorted(e for e, state in pool_on(session, on, county_ids).items() if state == ADMITTED)
