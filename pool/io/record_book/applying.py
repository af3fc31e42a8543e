"""Applying a record file's plan: every change through the record's own
functions, all or none (:mod:`pool.io.record_book` says how)."""
from __future__ import annotations

from datetime import date

from models import Enterprise

from pool.io.record_book.compare import ADD, Change, Plan
from pool.kernel.refusal import TransitionRefused
from pool.records import edits, parts
from pool.records.changes import RecordRefused, VersionConflict, conflict
from pool.records.fields import PARTS

REASON = "从 Excel 更新记录"

def apply(session, enterprise: Enterprise, plan: Plan, *, actor, today: date) -> int:
    """Make the ``plan``'s changes in the caller's transaction, all or none;
    returns how many.

    :raise VersionConflict: a row changed since the plan was made.
    :raise RecordRefused: a change the rules refuse; the message names the
        sheet and the part (``「专利」专利号 …：``) before the rule's reason.
    """
    if plan.enterprise_id != enterprise.id:
        raise RecordRefused("该导入计划不是这家企业的")
    with session.begin_nested():
        for change in plan.changes:
            _apply_one(session, enterprise, change, actor, today)
    return len(plan.changes)


def rehearse(session, enterprise: Enterprise, plan: Plan, *, actor, today: date) -> list[str]:
    """Every refusal :func:`apply` would meet, each change tried in turn and
    all rolled back (the preview shows them before anyone confirms)."""
    problems = []
    outer = session.begin_nested()
    try:
        for change in plan.changes:
            try:
                with session.begin_nested():
                    _apply_one(session, enterprise, change, actor, today)
            except (RecordRefused, VersionConflict) as exc:
                problems.append(str(exc))
    finally:
        outer.rollback()
    return problems


def _apply_one(session, enterprise: Enterprise, change: Change, actor, today: date) -> None:
    try:
        if change.part == "enterprise":
            edits.update_enterprise(session, enterprise, actor=actor, expected_version=change.version,
                                    changes=change.values)
        elif change.part == "figures":
            edits.record_figures(session, enterprise, actor=actor, year=change.year, values=change.values,
                                 expected_version=change.version, on=today)
        elif change.action == ADD:
            parts.add_part(session, enterprise, change.part, actor=actor, today=today, values=change.values,
                           reason=REASON)
            session.expire(enterprise)  # its lists of parts now hold one more
        else:
            model = PARTS[change.part].model
            row = session.get(model, change.row_id)
            if row is None or row.enterprise_id != enterprise.id:
                raise conflict(session, change.part, None, change.version)
            parts.change_part(session, row, change.part, actor=actor, today=today,
                              expected_version=change.version, values=change.values, reason=REASON)
    except (RecordRefused, TransitionRefused) as exc:
        raise RecordRefused(f"{change.where}：{exc}", getattr(exc, "field", None)) from None
