"""The portal's mails, queued in the outbox: the invitation (with the one-time
link), the county officers' notice of a submission (linking to the review),
and the enterprise's notice of a decision (linking to the submission).
"""
from __future__ import annotations

import hashlib

from models import Submission, User

from pool.kernel.wording import phrase
from pool.portal.submissions import KIND_LABELS
from pool.monitoring.outbox import PORTAL, county_officers, enqueue, link, render

__all__ = ["invitation", "submitted", "decided", "REVIEW_PATH", "PORTAL_PATH", "RESET_PATH", "LOGIN_PATH"]

REVIEW_PATH, PORTAL_PATH = "/reviews/{id}", "/portal/submissions/{id}"
RESET_PATH, LOGIN_PATH = "/auth/reset/{token}", "/portal/login"

_SUBMITTED = phrase("{enterprise!s}通过企业端提交了{kind}，请审核。")
_DECIDED = {"returned": phrase("您提交的{kind}已被退回修改，请按经办人的意见修改后重新提交。"),
            "accepted": phrase("您提交的{kind}已审核通过。"),
            "rejected": phrase("您提交的{kind}未获通过。")}
_INVITE_SUBJECT = "【培育库】企业端账号邀请（{name}）"
_SUBMITTED_SUBJECT = "【培育库】待审核：{enterprise}的{kind}"
_DECIDED_SUBJECT = "【培育库】{kind}审核结果（{name}）"


def invitation(session, user: User, secret: str, *, enterprise: str, hours: int, base_url: str) -> bool:
    """Mail the one-time link to the invited contact; ``True`` if queued."""
    subject = _INVITE_SUBJECT.format(name=enterprise)
    url = link(base_url, RESET_PATH.format(token=secret)) or RESET_PATH.format(token=secret)
    text, html = render("portal_invitation", subject, contact=user.display_name, county=user.county.name,
                        enterprise=enterprise, hours=hours, url=url, uscc=user.username,
                        login=link(base_url, LOGIN_PATH) or LOGIN_PATH)
    key = f"{PORTAL}/invite/{user.id}/{hashlib.sha256(secret.encode()).hexdigest()[:16]}"
    return enqueue(session, key, reason=PORTAL, to_addr=user.email, subject=subject, text_body=text,
                   html_body=html, county_id=user.county_id, enterprise_id=user.enterprise_id)


def submitted(session, submission: Submission, *, base_url: str) -> int:
    """Tell the county's officers that ``submission`` awaits them; the number queued."""
    rounds, kind_label = len(submission.rounds), KIND_LABELS[submission.kind]
    url = link(base_url, REVIEW_PATH.format(id=submission.id))
    who = submission.enterprise.name if submission.enterprise else submission.title
    subject = _SUBMITTED_SUBJECT.format(enterprise=who, kind=kind_label)
    queued = 0
    for officer in county_officers(session, [submission.county_id]).get(submission.county_id, []):
        text, html = render("portal_notice", subject, person=officer.name,
                            message=_SUBMITTED.format(enterprise=who, kind=kind_label), reason=None, url=url)
        queued += enqueue(session, f"{PORTAL}/submitted/{submission.id}/{rounds}/{officer.email.lower()}",
                          reason=PORTAL, to_addr=officer.email, subject=subject, text_body=text, html_body=html,
                          county_id=submission.county_id, enterprise_id=submission.enterprise_id)
    return queued


def decided(session, submission: Submission, *, base_url: str) -> bool:
    """Tell the enterprise's account what became of ``submission`` (its latest round)."""
    account, last, kind_label = submission.account, submission.rounds[-1], KIND_LABELS[submission.kind]
    if not account.email or last.action not in _DECIDED:
        return False
    subject = _DECIDED_SUBJECT.format(kind=kind_label, name=submission.title)
    text, html = render("portal_notice", subject, person=account.display_name,
                        message=_DECIDED[last.action].format(kind=kind_label), reason=last.reason,
                        url=link(base_url, PORTAL_PATH.format(id=submission.id)))
    return enqueue(session, f"{PORTAL}/{last.action}/{submission.id}/{last.id}", reason=PORTAL,
                   to_addr=account.email, subject=subject, text_body=text, html_body=html,
                   county_id=submission.county_id, enterprise_id=submission.enterprise_id)
