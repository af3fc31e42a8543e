"""Writing the pool event log: the checks every lifecycle action makes first
(lock the enterprise, the actor's county, the state, no date after today or
before the last state change) and the appending of events with the
enterprise's cached state kept in step.  Shared by :mod:`pool.membership.lifecycle`,
:mod:`pool.membership.corrections` and :mod:`pool.membership.cycles`.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Mapping

from sqlalchemy import select

from models import Enterprise, PoolEvent
from models.enterprise import ADMITTED, APPLIED, EXPELLED, GRADUATED, REJECTED
from models.event import STATE_CHANGE

from pool.access.scoping import may_act_for
from pool.kernel.refusal import TransitionRefused, require_not_future
from pool.kernel.wording import phrase
from pool.membership.history import STATE_LABELS, require_date

# --- checks -------------------------------------------------------------------

# to_state -> the state it is reached from.  A new enterprise row is created
# `applied`; `apply` records that as its first event.
FROM = {APPLIED: APPLIED, ADMITTED: APPLIED, REJECTED: APPLIED,
         GRADUATED: ADMITTED, EXPELLED: ADMITTED}


def lock_enterprise(session, enterprise_id: int) -> Enterprise:
    """Lock the enterprise row (``FOR UPDATE`` on PostgreSQL) and re-read it, so
    two officers acting on one enterprise serialize and the second sees the first's result."""
    return session.execute(
        select(Enterprise).where(Enterprise.id == enterprise_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


_NOT_YOURS = phrase("经办人无权办理{county}的企业")
_WRONG_STATE = phrase("{name!s}当前状态为“{state}”，不能{action}（须为“{needed}”）")
_BEFORE_LAST = phrase("{action}日期 {day} 早于该企业上次状态变更日期 {last}")


def prepare(session, enterprise, actor, on, state, action, *, today, moves=True, batch=None) -> None:
    """Common checks, after locking and re-reading the enterprise row (not one
    that ``batch`` inserted: no other transaction sees it, see :mod:`.batch`).

    ``moves``: ``state`` is the target of a transition (checked against
    ``FROM``); otherwise the state the enterprise must be in (``None``: any).
    """
    require_date(on, "生效日期")
    require_not_future(on, today, "生效日期")
    if not may_act_for(actor, enterprise.county_id):
        raise TransitionRefused(_NOT_YOURS.format(county=enterprise.county.name))
    if batch is None or not batch.fresh(enterprise):
        lock_enterprise(session, enterprise.id)
    needed = FROM[state] if moves else state
    if needed is not None and enterprise.state != needed:
        raise TransitionRefused(_WRONG_STATE.format(name=enterprise.name, state=STATE_LABELS[enterprise.state],
                                                    action=action, needed=STATE_LABELS[needed]))
    last = enterprise.state_changed_on or enterprise.admitted_on
    if last is not None and on < last:
        raise TransitionRefused(_BEFORE_LAST.format(action=action, day=on, last=last))


def check_subtype(types: Mapping[str, str], subtype: str, what: str) -> None:
    if subtype not in types:
        raise TransitionRefused(f"未知的{what}类型 {subtype!r}，应为：{'、'.join(types)}")


# --- writing ------------------------------------------------------------------

def move(session, enterprise, actor, on, to_state, reason, evidence, *, batch=None,
         **columns) -> PoolEvent | None:
    """Append the ``state_change`` event and update the enterprise's cache
    (a first 申报 comes from no state; a re-application from the last one).
    Flushed, unless a ``batch`` writes (it inserts the event later and
    returns no row object, :mod:`.batch`)."""
    from_state = None if to_state == APPLIED and enterprise.state == APPLIED else enterprise.state
    event = append(session, enterprise, actor, on, STATE_CHANGE, None, reason, evidence, batch=batch,
                   from_state=from_state, to_state=to_state, **columns)
    enterprise.state = to_state
    enterprise.state_changed_on = on
    if to_state == ADMITTED:
        enterprise.admitted_on = on
    if batch is None:
        session.flush()
    return event


def fact(session, enterprise, actor, on, kind, subtype, reason, evidence, *, batch=None,
         **columns) -> PoolEvent | None:
    event = append(session, enterprise, actor, on, kind, subtype, reason, evidence, batch=batch, **columns)
    if batch is None:
        session.flush()
    return event


# The columns of an event a batch holds as a row, with their values when not
# given: the model's defaults (``recorded_at`` is left to its own, per row).
_ROW = {"subtype": None, "from_state": None, "to_state": None, "replenishment": False, "corrects_id": None,
        "intake_round_id": None}


def append(session, enterprise, actor, on, kind, subtype, reason, evidence, *, batch=None,
           **columns) -> PoolEvent | None:
    """The event, added to the session — or, in a ``batch``, held by it as a
    row with the same values (``None`` returned; :meth:`.batch.Batch.add_event`)."""
    values = dict(county_id=enterprise.county_id, kind=kind, subtype=subtype, effective_on=on, actor_id=actor.id,
                  reason=(reason or "").strip(), evidence=as_json(evidence or {}), **columns)
    if batch is not None:
        batch.add_event(enterprise, {**_ROW, **values})
        return None
    event = PoolEvent(enterprise_id=enterprise.id, enterprise=enterprise, **values)
    session.add(event)
    return event


def as_json(value):
    """A JSON-ready deep copy (dates as ISO strings, decimals as exact strings)."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def _json_default(obj):
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return str(obj)
    raise TypeError(f"证据中含不能保存的值：{obj!r}")
