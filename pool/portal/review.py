"""The officers' side of the portal: the county's review queue and each
decision — return with comments per field, accept (wholly, or for an annual
report or a change the fields the officer ticks), reject with a reason.

An accepted declaration becomes a saved eligibility check and an ``applied``
enterprise (:func:`pool.records.registration.register_from_application`) to
which the account and the evidence are tied; an accepted annual report is
recorded by :func:`pool.records.edits.record_figures`; an accepted change by
the living record's part functions (:mod:`pool.portal.record_changes`), which
recognise progress as for an officer's own entry.  Every decision is a :class:`~models.SubmissionRound`.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import ANNUAL_REPORT, DECLARATION, Submission, SubmissionRound, YearlyFigure

from pool.access.scoping import MAX_ID, county_filter, may_act_for
from pool.eligibility import applications
from pool.kernel.wording import phrase
from pool.portal.submissions import PENDING, SubmissionRefused, evaluate, validate
from pool.portal import record_changes
from pool.records import edits
from pool.records.changes import RecordRefused
from pool.records.registration import register_from_application

__all__ = ["queue", "visible", "get", "give_back", "accept", "reject"]

NOT_PENDING = phrase("该申报不在待审核状态，可能已由他人处理，请刷新页面")
_NOT_YOURS = phrase("只能审核本县（市、区）的申报")
_NEED_COMMENT = phrase("退回时请至少写一条修改意见")
_NEED_REASON = phrase("请写明不予通过的理由")
_NEED_FIELDS = phrase("请至少勾选一项予以采纳的内容；全部不采纳请选“不予通过”")
_PARTIAL_REASON = phrase("部分内容未采纳时，请写明理由")
_FROM_PORTAL = phrase("企业通过门户报送（第 {id!s} 号），经办人审核采纳")
COMMENT_LENGTH = 500


def visible(viewer):
    """``SELECT`` of the submissions ``viewer`` (an officer) may see, drafts excluded."""
    return (select(Submission).where(county_filter(viewer, Submission.county_id), Submission.status != "draft")
            .options(selectinload(Submission.county), selectinload(Submission.enterprise)))


def queue(viewer, *, kind: str | None = None, status: Sequence[str] = PENDING):
    """The review queue: submissions awaiting a decision, oldest first."""
    stmt = visible(viewer).where(Submission.status.in_(status))
    if kind:
        stmt = stmt.where(Submission.kind == kind)
    return stmt.order_by(Submission.submitted_at, Submission.id)


def get(session, viewer, submission_id) -> Submission | None:
    if type(submission_id) is not int or not 0 < submission_id <= MAX_ID:
        return None
    return session.scalar(visible(viewer).where(Submission.id == submission_id))


def give_back(session, submission: Submission, *, actor, comments: Mapping[str, str], now: datetime) -> None:
    """Return the submission to the enterprise with a comment per field (empty ones dropped)."""
    _require_pending(submission, actor)
    kept = {k: v.strip()[:COMMENT_LENGTH] for k, v in comments.items() if v and v.strip()}
    if not kept:
        raise SubmissionRefused(_NEED_COMMENT, "comments")
    _decide(session, submission, actor, "returned", now, comments=kept)


def reject(session, submission: Submission, *, actor, reason: str, now: datetime) -> None:
    """Decline the submission for good, with the reason."""
    _require_pending(submission, actor)
    if not (reason or "").strip():
        raise SubmissionRefused(_NEED_REASON, "reason")
    _decide(session, submission, actor, "rejected", now, reason=reason.strip())


def accept(session, submission: Submission, *, actor, today: date, now: datetime, rulebook,
           fields: Sequence[str] | None = None, reason: str | None = None):
    """Apply the submission to the record; returns the enterprise.

    ``fields``: for an annual report or a change, the fields taken (default:
    all); leaving some out needs ``reason``.

    :raise SubmissionRefused: not pending, not the actor's county, or the data
        no longer passes the rules (the record is untouched).
    """
    _require_pending(submission, actor)
    validate(submission, today=today, rulebook=rulebook)
    proposed = _proposed(session, submission)
    taken = list(proposed) if fields is None else [f for f in proposed if f in set(fields)]
    if submission.kind != DECLARATION:
        if not taken:
            raise SubmissionRefused(_NEED_FIELDS, "fields")
        if len(taken) < len(proposed) and not (reason or "").strip():
            raise SubmissionRefused(_PARTIAL_REASON, "reason")
    try:
        with session.begin_nested():
            enterprise = _apply(session, submission, actor, today, rulebook, taken)
    except RecordRefused as exc:
        raise SubmissionRefused(str(exc), exc.field) from None
    _decide(session, submission, actor, "accepted", now, accepted=taken, reason=(reason or "").strip() or None)
    return enterprise


def _proposed(session, submission: Submission) -> list[str]:
    if submission.kind == DECLARATION:
        return []
    if submission.kind == ANNUAL_REPORT:
        return [k for k, v in submission.data["figures"].items() if v not in (None, "")]
    return record_changes.proposed(session, submission.enterprise_id, submission.data)


def _apply(session, submission: Submission, actor, today: date, rulebook, taken: list[str]):
    if submission.kind == DECLARATION:
        evaluation = evaluate(submission.data, today, rulebook)
        application = applications.save(session, data=submission.data, evaluation=evaluation,
                                         county_id=submission.county_id, actor=actor)
        enterprise = register_from_application(session, application, actor=actor, on=today, today=today)
        submission.application_id, submission.enterprise_id = application.id, enterprise.id
        submission.account.enterprise_id = enterprise.id
        for item in submission.evidence:
            item.enterprise_id = enterprise.id
        return enterprise
    enterprise = submission.enterprise
    if submission.kind == ANNUAL_REPORT:
        data = submission.data
        row = session.scalar(select(YearlyFigure).where(YearlyFigure.enterprise_id == enterprise.id,
                                                        YearlyFigure.year == data["year"]))
        values = {k: data["figures"][k] for k in taken}
        edits.record_figures(session, enterprise, actor=actor, year=data["year"], values=values,
                             expected_version=row.version if row else None, on=today)
        return enterprise
    record_changes.apply(session, enterprise, submission.data, taken, actor=actor, today=today,
                         reason=_FROM_PORTAL.format(id=submission.id))
    return enterprise


def _require_pending(submission: Submission, actor) -> None:
    if not may_act_for(actor, submission.county_id):
        raise SubmissionRefused(_NOT_YOURS)
    if submission.status not in PENDING:
        raise SubmissionRefused(NOT_PENDING)


def _decide(session, submission, actor, action, now, *, comments=None, accepted=None, reason=None) -> None:
    submission.status, submission.updated_at = action, now
    if action != "returned":
        submission.decided_at, submission.decided_by_id = now, actor.id
    submission.rounds.append(SubmissionRound(action=action, actor_id=actor.id, at=now, comments=comments,
                                             accepted_fields=accepted, reason=reason))
    session.flush()
