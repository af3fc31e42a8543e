"""What an enterprise account submits: its declaration (申报), its annual
report of figures, changes to its record — saved as drafts, checked by the
very rules an officer's entry meets, then submitted to the county.

Plain domain code: the caller passes the session, ``today`` and ``now``;
rows are flushed, never committed.  An account reaches only its own
submissions (:func:`get_mine`), whatever id it names.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping

from sqlalchemy import select

from models import ANNUAL_REPORT, CHANGE_REQUEST, DECLARATION, Submission, SubmissionRound

from pool.access.scoping import MAX_ID
from pool.eligibility.applicant import InvalidApplicant
from pool.eligibility.criteria import check
from pool.kernel.wording import phrase
from pool.eligibility.contract import FIELD_LABELS as APPLICANT_LABELS
from pool.records.changes import LABELS as RECORD_LABELS
from pool.records.changes import COUNT_FIELDS, FIGURE_FIELDS, RecordRefused, checked_figures, refuse_empty
from pool.portal import record_changes
from pool.records.fields import PARTS

__all__ = ["SubmissionRefused", "EDITABLE", "mine", "get_mine", "current", "save_declaration",
           "save_annual", "save_change", "submit", "evaluate", "validate", "field_labels", "COMMENT_EXTRAS", "KIND_LABELS", "STATUS_LABELS"]

EDITABLE = ("draft", "returned")  # the enterprise's to change
PENDING = ("submitted",)  # the officer's to decide
KIND_LABELS = {DECLARATION: phrase("入库申报"), ANNUAL_REPORT: phrase("年度数据报送"),
               CHANGE_REQUEST: phrase("记录变更申请")}
STATUS_LABELS = {"draft": phrase("草稿"), "submitted": phrase("待审核"), "returned": phrase("已退回修改"),
                 "accepted": phrase("已通过"), "rejected": phrase("未通过")}

# What an officer may comment on besides a submission's fields.
COMMENT_EXTRAS = {"evidence": phrase("证明材料"), "general": phrase("总体意见")}

_LOCKED = phrase("该{kind}{status}，不能再修改或提交")
REGISTERED = phrase("贵企业已登记在库，无需再次申报；年度数据和记录变更请在“我的企业”中报送")
_NOT_REGISTERED = phrase("贵企业尚未登记在库：请先完成入库申报，经县（市、区）受理后再报送")
_ONE_REPORT = phrase("{year} 年度数据已有一份报送（{status}），请在其中修改")
CHANGED_MEANWHILE = phrase("该报送已在别处修改、提交或审核，请刷新页面后重试")
_UNKNOWN_FIGURE = phrase("未知字段 {field!s}")
_PATENTS = phrase("所依专利")


class SubmissionRefused(ValueError):
    """A submission that cannot be saved or submitted: ``str()`` the reason;
    ``field`` the input at fault, or ``problems`` — every
    :class:`~pool.eligibility.contract.Problem` of a declaration that is not a
    valid applicant."""

    def __init__(self, message: str, field: str | None = None, problems: list | None = None):
        super().__init__(message)
        self.field = field
        self.problems = list(problems or ())


def mine(account):
    """``SELECT`` of the account's own submissions, newest first."""
    return select(Submission).where(Submission.account_id == account.id).order_by(Submission.id.desc())


def get_mine(session, account, submission_id) -> Submission | None:
    """The account's submission ``submission_id``; ``None`` for anyone else's
    or none at all (the same answer)."""
    if type(submission_id) is not int or not 0 < submission_id <= MAX_ID:
        return None
    return session.scalar(mine(account).where(Submission.id == submission_id))


def current(session, account, kind: str, *, year: int | None = None) -> Submission | None:
    """The account's latest ``kind`` submission that is not rejected (of ``year``)."""
    stmt = mine(account).where(Submission.kind == kind, Submission.status != "rejected")
    if year is not None:
        stmt = stmt.where(Submission.year == year)
    return session.scalar(stmt.limit(1))


def save_declaration(session, account, data: Mapping[str, Any], *, now: datetime,
                     submission: Submission | None = None) -> Submission:
    """Keep the declaration as a draft (incomplete is fine until it is submitted).
    Its USCC and county are the account's, whatever the data says."""
    if account.enterprise_id is not None:
        raise SubmissionRefused(REGISTERED)
    data = {**data, "uscc": account.username, "county": account.county.name}
    title = str(data.get("name") or "")[:200] or KIND_LABELS[DECLARATION]
    return _save(session, account, DECLARATION, data, title, now, submission)


def save_annual(session, account, *, year: int, figures: Mapping[str, Any], now: datetime,
                submission: Submission | None = None) -> Submission:
    """Keep the report of ``year``'s figures as a draft (amounts as text, counts as integers)."""
    require_enterprise(account)
    for field in figures:
        if field not in FIGURE_FIELDS:
            raise SubmissionRefused(_UNKNOWN_FIGURE.format(field=field), field)
    if submission is None and (other := current(session, account, ANNUAL_REPORT, year=year)) is not None:
        raise SubmissionRefused(_ONE_REPORT.format(year=year, status=STATUS_LABELS[other.status]))
    data = {"year": year, "figures": {k: (str(v) if v is not None and k not in COUNT_FIELDS else v)
                                      for k, v in figures.items()}}
    row = _save(session, account, ANNUAL_REPORT, data, f"{year}", now, submission)
    row.year = year
    return row


def save_change(session, account, *, part: str, values: Mapping[str, Any], now: datetime,
                submission: Submission | None = None, row=None, renew: bool = False) -> Submission:
    """Keep a proposal for the record as a draft: a part to add, the changes
    to ``row`` (one of the enterprise's own), or — ``renew`` — the certificate
    that renews the qualification ``row``."""
    require_enterprise(account)
    if row is not None and row.enterprise_id != account.enterprise_id:
        row = None  # never another enterprise's row, whatever was asked
    try:
        data = record_changes.data_for(part, values, row, renew=renew)
    except RecordRefused as exc:
        raise SubmissionRefused(str(exc), exc.field) from None
    title = PARTS[part].describe(row) if row is not None else PARTS[part].label
    return _save(session, account, CHANGE_REQUEST, data, title, now, submission)


def evaluate(data: Mapping[str, Any], today: date, rulebook):
    """A declaration's verdict, criterion by criterion, as of ``today``.

    :raise SubmissionRefused: with every problem of data that is not a valid applicant.
    """
    try:
        return check(data, today, rulebook.policy, rulebook.industries)
    except InvalidApplicant as exc:
        raise SubmissionRefused(str(exc), problems=exc.problems) from None


def validate(submission: Submission, *, today: date, rulebook) -> None:
    """Check the submission by the rules its acceptance will meet.

    :raise SubmissionRefused: with the field (or every problem) at fault.
    """
    data = submission.data
    try:
        if submission.kind == DECLARATION:
            evaluate(data, today, rulebook)
        elif submission.kind == ANNUAL_REPORT:
            values = checked_figures(data["figures"], data["year"], today)
            refuse_empty(values, FIGURE_FIELDS, data["year"])
        else:
            record_changes.validate(data, today)
    except RecordRefused as exc:
        raise SubmissionRefused(str(exc), exc.field) from None


def submit(session, submission: Submission, *, actor, today: date, now: datetime, rulebook) -> Submission:
    """Hand the submission to the county: checked, its data kept as this round's.

    :raise SubmissionRefused: it is not the enterprise's to submit, or not valid.
    """
    _require_editable(submission)
    validate(submission, today=today, rulebook=rulebook)
    submission.status, submission.submitted_at, submission.updated_at = "submitted", now, now
    submission.rounds.append(SubmissionRound(action="submitted", actor_id=actor.id, at=now, data=submission.data))
    session.flush()
    return submission


def field_labels(submission: Submission | None) -> dict[str, str]:
    """What each field of the submission (and each extra comment) is called."""
    if submission is None:
        return dict(COMMENT_EXTRAS)
    if submission.kind == DECLARATION:
        labels = dict(APPLICANT_LABELS)
    elif submission.kind == ANNUAL_REPORT:
        labels = {k: RECORD_LABELS[k] for k in FIGURE_FIELDS}
    else:
        labels = {**{k: f.label for k, f in PARTS[submission.data["part"]].fields.items()}, "patents": _PATENTS}
    return {**labels, **COMMENT_EXTRAS}


def _save(session, account, kind, data, title, now, submission):
    if submission is None:
        submission = Submission(kind=kind, account_id=account.id, county_id=account.county_id,
                                enterprise_id=account.enterprise_id, status="draft", created_at=now)
        session.add(submission)
    else:
        _require_editable(submission)
    submission.data, submission.title, submission.updated_at = dict(data), title, now
    session.flush()
    return submission


def _require_editable(submission: Submission) -> None:
    if submission.status not in EDITABLE:
        raise SubmissionRefused(_LOCKED.format(kind=KIND_LABELS[submission.kind],
                                               status=STATUS_LABELS[submission.status]))


def require_enterprise(account) -> None:
    if account.enterprise_id is None:
        raise SubmissionRefused(_NOT_REGISTERED)
