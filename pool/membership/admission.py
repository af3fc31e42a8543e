"""Admission review (SPEC §3.1): the evaluation an admission relies on must be
well formed and admissible, and every criterion left for review (原则上) needs the
officer's written decision.  Plain checks; :mod:`pool.membership.lifecycle`
records the result.
"""
from __future__ import annotations

from datetime import date
from typing import Mapping

from pool.eligibility.criteria import aggregate
from pool.kernel import text
from pool.kernel.refusal import TransitionRefused
from pool.kernel.wording import phrase

__all__ = ["VERDICT_LABELS", "REVIEW_DECISIONS", "required_reason", "checked_evaluation", "resolved_reviews",
           "require_admissible"]

VERDICT_LABELS = {"eligible": phrase("符合"), "needs_review": phrase("待复核"), "ineligible": phrase("不符合"),
                  "incomplete": phrase("资料不全")}
REVIEW_DECISIONS = {"waive": phrase("豁免"), "refuse": phrase("不予豁免")}
_CRITERION = phrase("第{id}条")
_BLOCKING = phrase("第{id}条 {status}：{detail}")
_NOT_ADMISSIBLE = phrase("评估结论为“{verdict}”，不能入库（{blocking}）")
_UNDECIDED = phrase("待复核条件须逐条作出决定并写明理由，尚未决定：{open}")
_REFUSED = phrase("第{id}条（{reason!s}）")
_NOT_WAIVED = phrase("经办人不予豁免{named}，该条视为不符合，不能入库；如决定不予入库，请办理不予入库并附此复核决定")
_REVIEW_REASON = phrase("第{id}条的复核决定须写明理由")


def required_reason(reason, message: str) -> None:
    """A written reason: not blank, and no control or format character other
    than line breaks and tabs (:mod:`pool.kernel.text`)."""
    if not isinstance(reason, str) or not reason.strip():
        raise TransitionRefused(message)
    unclean = text.refusal("理由", reason, multiline=True)
    if unclean is not None:
        raise TransitionRefused(unclean)


def checked_evaluation(evaluation, on: date) -> list[Mapping]:
    """The criteria of a well-formed evaluation record whose verdict agrees with
    them and whose assessment date is not after ``on``."""
    try:
        verdict, criteria = evaluation["verdict"], list(evaluation["criteria"])
        statuses = [c["status"] for c in criteria]
        if any("id" not in c for c in criteria):
            raise KeyError("id")
    except (KeyError, TypeError):
        raise TransitionRefused("评估记录格式不正确：须含 verdict 与 criteria（id、status、detail）") from None
    if aggregate(statuses) != verdict:
        raise TransitionRefused(f"评估记录自相矛盾：各条结果对应结论“{aggregate(statuses)}”，"
                                f"记录的结论为“{verdict}”")
    assessed = evaluation.get("as_of")
    try:
        assessed = date.fromisoformat(assessed) if isinstance(assessed, str) else assessed
    except ValueError:
        raise TransitionRefused(f"评估日期 {assessed!r} 不是 YYYY-MM-DD") from None
    if isinstance(assessed, date) and assessed > on:
        raise TransitionRefused(f"评估日期 {assessed} 晚于办理日期 {on}")
    return criteria


def resolved_reviews(criteria: list[Mapping], reviews: Mapping) -> list[dict]:
    """The officer's decisions, each on a ``review`` criterion with a reason."""
    by_id = {c["id"]: c for c in criteria}
    out = []
    for criterion_id, resolution in reviews.items():
        criterion = by_id.get(criterion_id)
        if criterion is None or criterion["status"] != "review":
            status = "不存在" if criterion is None else f"结果为 {criterion['status']}"
            raise TransitionRefused(f"第{criterion_id}条{status}，不是待复核条件，不能作复核决定")
        try:
            decision, reason = resolution
        except (TypeError, ValueError):
            raise TransitionRefused(f"第{criterion_id}条的复核决定须为（决定, 理由）") from None
        if decision not in REVIEW_DECISIONS:
            raise TransitionRefused(f"第{criterion_id}条的复核决定须为 waive 或 refuse，不能为 {decision!r}")
        required_reason(reason, _REVIEW_REASON.format(id=criterion_id))
        out.append({"criterion_id": criterion_id, "decision": decision, "reason": reason.strip(),
                    "criterion": criterion})
    return out


def require_admissible(verdict: str, criteria: list[Mapping], resolutions: list[dict]) -> None:
    if verdict not in ("eligible", "needs_review"):
        blocking = "；".join(_BLOCKING.format(id=c["id"], status=c["status"], detail=c.get("detail", ""))
                            for c in criteria if c["status"] in ("fail", "missing"))
        raise TransitionRefused(_NOT_ADMISSIBLE.format(verdict=VERDICT_LABELS.get(verdict, verdict),
                                                       blocking=blocking))
    decided = {r["criterion_id"] for r in resolutions}
    open_ = [c["id"] for c in criteria if c["status"] == "review" and c["id"] not in decided]
    if open_:
        raise TransitionRefused(_UNDECIDED.format(open="、".join(_CRITERION.format(id=i) for i in open_)))
    refused = [r for r in resolutions if r["decision"] == "refuse"]
    if refused:
        named = "；".join(_REFUSED.format(id=r["criterion_id"], reason=r["reason"]) for r in refused)
        raise TransitionRefused(_NOT_WAIVED.format(named=named))
