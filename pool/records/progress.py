"""Substantive progress (实质性进展, SPEC §3) recognised from the record.

The progress kinds are not typed twice: a dated change to the record that *is*
progress becomes a ``progress`` :class:`~models.PoolEvent` citing the change
it comes from, in the same transaction.  The no-progress window, the
proposals and the daily scan read those events as before.

=========================  =====================================================
progress kind              the change that is it
=========================  =====================================================
``new_pi_product``         a product certified as patent-intensive (``certified_on``)
``patent_product_filing``  a product filed (专利产品备案, ``filed_on``)
``patent_industrialized``  a patent put into production (``industrialized_on``)
``patent_licensed_in_used`` a licensed-in or acquired patent put to use (``put_to_use_on``)
``industrialization_rate_up`` any other change to the patents after which the
                           industrialisation rate on its effective day is
                           higher than the day before
=========================  =====================================================

Only a change effective while the enterprise is in the pool counts (on or
after its admission, never after today).  When a later change moves or removes
the date a progress event stood on, that event is voided by a ``correction``
and the new date, if any, recognised again.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Mapping

from models import ChangeRecord, Enterprise, PoolEvent
from models.enterprise import ADMITTED
from models.event import PROGRESS

from pool.membership import lifecycle
from pool.membership.history import live_events
from pool.records.facts import industrialization
from pool.records.fields import PARTS

__all__ = ["RULES", "recognise", "derived_from"]

# (part, date field, progress kind, what else the row must be)
RULES: tuple[tuple[str, str, str, Any], ...] = (
    ("product", "certified_on", "new_pi_product", lambda v: v.get("patent_intensive") is True),
    ("product", "filed_on", "patent_product_filing", lambda v: bool(v.get("filing_no"))),
    ("patent", "industrialized_on", "patent_industrialized", lambda v: v.get("industrialized") is True),
    ("patent", "put_to_use_on", "patent_licensed_in_used", lambda v: v.get("origin") in ("acquired", "licensed")),
)
RATE_FIELDS = ("status", "status_on", "granted_on", "application_date", "industrialized", "industrialized_on")
_REASONS = {
    "new_pi_product": "{what} 于 {day} 认定为专利密集型产品",
    "patent_product_filing": "{what} 于 {day} 完成专利产品备案",
    "patent_industrialized": "{what} 于 {day} 实现产业化",
    "patent_licensed_in_used": "受让或许可的{what} 于 {day} 实施",
    "industrialization_rate_up": "{what} 变更后，{day} 专利产业化率由 {before} 提高到 {after}",
}


def derived_from(session, enterprise_id: int, part: str, row_id: int, field: str) -> list[PoolEvent]:
    """The live progress events recognised from ``part`` ``row_id``'s ``field``."""
    cited = {"entity": part, "id": row_id, "field": field}
    return [e for e in session.scalars(live_events(enterprise_id, PROGRESS))
            if {k: (e.evidence or {}).get("source", {}).get(k) for k in cited} == cited]


def recognise(session, enterprise: Enterprise, part: str, row, before: Mapping[str, Any],
              after: Mapping[str, Any], *, record: ChangeRecord, actor, today: date) -> list[PoolEvent]:
    """Append the progress events the change from ``before`` to ``after`` is,
    and void those it takes away.  Returns the new events."""
    what = PARTS[part].describe(row)
    made, fired = [], False
    for rule_part, field, kind, holds in RULES:
        if rule_part != part:
            continue
        old = before.get(field) if before and holds(before) else None
        new = after.get(field) if holds(after) else None
        if old == new:
            continue
        _void(session, enterprise, part, row.id, field, actor, today)
        if new is not None and _in_pool(enterprise, new, today):
            made.append(_progress(session, enterprise, actor, today, new, kind,
                                  _REASONS[kind].format(what=what, day=new), part, row.id, field, record))
            fired = True
    if part == "patent" and not fired and any(before.get(f) != after.get(f) for f in RATE_FIELDS):
        made.extend(_rate_up(session, enterprise, row, before, after, what, record, actor, today))
    return made


def _rate_up(session, enterprise, row, before, after, what, record, actor, today) -> list[PoolEvent]:
    dates = [v for f, v in after.items() if f in RATE_FIELDS and isinstance(v, date) and before.get(f) != v]
    day = max(dates, default=record.effective_on or today)
    if not _in_pool(enterprise, day, today):
        return []
    rate_then, rate_before = _rate(enterprise.patents, day), _rate(enterprise.patents, day - timedelta(days=1))
    if rate_then is None or rate_then <= (rate_before or 0):
        return []
    reason = _REASONS["industrialization_rate_up"].format(
        what=what, day=day, before=_percent(rate_before), after=_percent(rate_then))
    return [_progress(session, enterprise, actor, today, day, "industrialization_rate_up", reason, "patent",
                      row.id, "rate", record)]


def _rate(patents, day: date) -> Fraction | None:
    done, valid = industrialization(patents, day)
    return Fraction(done, valid) if valid else None


def _percent(rate: Fraction | None) -> str:
    if rate is None:
        return "无有效专利"
    percent = (Decimal(rate.numerator) * 100 / Decimal(rate.denominator)).quantize(Decimal("0.1"))
    return f"{percent.normalize():f}%"


def _in_pool(enterprise: Enterprise, day: date, today: date) -> bool:
    return (enterprise.state == ADMITTED and enterprise.admitted_on is not None
            and enterprise.admitted_on <= day <= today)


def _progress(session, enterprise, actor, today, day, kind, reason, part, row_id, field, record) -> PoolEvent:
    evidence = {"derived": True, "source": {"entity": part, "id": row_id, "field": field, "change_id": record.id}}
    return lifecycle.record_progress(session, enterprise, actor=actor, on=day, today=today, subtype=kind,
                                     reason=reason, evidence=evidence)


def _void(session, enterprise, part, row_id, field, actor, today) -> None:
    for event in derived_from(session, enterprise.id, part, row_id, field):
        lifecycle.correct(session, event, actor=actor, on=today, today=today,
                          reason="所依记录的日期已更改或删除，此项进展随之作废")
