"""Criteria 5-7 of 附件2: what the enterprise's figures show.

Each is decided once, by a function over plain numbers that returns the
three-valued outcome (``True`` met, ``False`` not met, ``None`` when the
absent facts decide) — :func:`industrialization_outcome` (第5条),
:func:`rd_investment_outcome` (第6条), :func:`rd_team_outcome` (第7条).  The
criteria below take their status from these and only word the detail; the
daily scan (:mod:`pool.monitoring.drift`) calls the same functions on the
figures it loads for the whole pool, so each threshold is compared here and
nowhere else.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable

from pool.eligibility.applicant import Applicant
from pool.eligibility.outcome import all3, any3, criterion, in_force, missing, status
from pool.eligibility.policy import Snapshot
from pool.eligibility.ratios import at_least, percent, threshold_percent
from pool.eligibility.sme import format_money, format_number
from pool.kernel.wording import phrase
from pool.reference.industries import IndustryTable

PARTNER_LABELS = {"university": phrase("高校"), "research_institute": phrase("科研机构"),
                  "other": phrase("其他机构")}
RESEARCH_PARTNERS = ("university", "research_institute")  # 第7条: 高校、科研机构, not "other"
_LEADER = {True: phrase("有稳定的科研带头人和研发团队"), False: phrase("无稳定的科研带头人和研发团队"),
           None: phrase("未填写是否有稳定的科研带头人和研发团队")}
_C5_NONE_VALID = phrase("申报专利 {count} 件均非有效状态")
_C5_NONE_FILED = phrase("未申报专利")
_C5_NO_VALID = phrase("无有效专利（{filed}），专利产业化率无法达到 {threshold}")
_C5_HEAD = phrase("有效专利 {total} 件，其中已产业化 {done} 件，产业化率 {percent}")
_C5_UNKNOWN_HARMLESS = phrase("{head}（另有 {count} 件未填写是否已产业化，不影响结论）")
_C5_DEPENDS = phrase("{head}，能否达到 {threshold} 取决于未填写的 {count} 件")
_C5_EVEN_IF = phrase("即使未填写的 {count} 件均已产业化，产业化率也仅 {best}")
_C6_STALE = phrase("{stale}，无法判断上年度研发投入")
_C6_AMOUNT = phrase("研发投入 {amount} 万元 {cmp} {threshold} 万元")
_C6_NO_REVENUE = phrase("缺少营业收入，无法计算研发投入占营业收入比重")
_C6_ZERO_REVENUE = phrase("营业收入为 0，研发投入占营业收入比重不能达到 {threshold}")
_C6_RATIO = phrase("研发投入占营业收入比重 {percent}")
_C6_BESIDE = phrase("{decisive}（{other}）")
_C6_BOTH_UNKNOWN = phrase("{amount}，{ratio}")
_C6_NEITHER = phrase("{ratio}，且{amount}")
_C7_PARTNER = phrase("与{kind}“{partner!s}”的产学研合作在 {day} 有效（{valid_from} 至 {valid_to}）")
_C7_NO_PARTNER = phrase("无在 {day} 有效的高校或科研机构产学研合作")
_C7_NO_STAFF = phrase("缺少研发人员数或职工总数，无法计算研发人员占比")
_C7_NO_EMPLOYEES = phrase("职工总数为 0，研发人员占比不能达到 {threshold}")
_C7_STAFF = phrase("研发人员 {staff} 人占职工总数 {employees} 人的 {percent}")
_YEAR_GAP = phrase("评估日期 {day} 的上年度为 {required} 年，所填年度数据为 {supplied} 年（申报年度 {year}），"
                   "须提供 {required} 年度数据（申报年度 {as_of_year}）")


# --- the decisions ----------------------------------------------------------------

def industrialization_outcome(p: Snapshot, valid: int, done: int, unknown: int) -> bool | None:
    """第5条 on the counts of valid patents, industrialised ones and ones not
    known to be: met when ``done / valid`` reaches ``min_industrialization_rate``;
    not met without a valid patent or when even ``(done + unknown) / valid``
    falls short; otherwise it depends on the ``unknown`` ones (``None``)."""
    rate = p["min_industrialization_rate"]
    if valid == 0:
        return False
    if at_least(done, valid, rate):
        return True
    return None if unknown and at_least(done + unknown, valid, rate) else False


def rd_investment_outcome(p: Snapshot, rd: Decimal | None,
                          revenue: Decimal | None) -> tuple[bool | None, bool | None, bool | None]:
    """第6条 on 上年度 R&D expense and operating revenue (万元, ``None`` if
    absent): ``(met, ratio test, amount test)``.  Met when ``rd / revenue``
    reaches ``min_rd_ratio`` **or** ``rd`` reaches ``min_rd_amount``; with zero
    revenue the ratio test fails and the amount decides."""
    amount_ok = None if rd is None else rd >= p["min_rd_amount"]
    ratio_ok = _share_reaches(rd, revenue, p["min_rd_ratio"])
    return any3((ratio_ok, amount_ok)), ratio_ok, amount_ok


def rd_team_outcome(p: Snapshot, leader: bool | None, rd_staff: int | None, employees: int | None,
                    partnered: bool) -> tuple[bool | None, bool | None, bool | None]:
    """第7条: ``(met, team test, staff-ratio test)``.  Met when there is an R&D
    leader **and** (``rd_staff / employees`` reaches ``min_rd_staff_ratio`` **or**
    the enterprise is ``partnered`` — see :func:`research_partners`); zero
    employees fail the ratio test."""
    staff_ok = _share_reaches(rd_staff, employees, p["min_rd_staff_ratio"])
    team_ok = any3((staff_ok, partnered))
    return all3((leader, team_ok)), team_ok, staff_ok


def _share_reaches(part, whole, threshold) -> bool | None:
    """``part / whole >= threshold``; unknown if either is absent, not met
    when ``whole`` is zero (no share of nothing reaches a threshold)."""
    if part is None or whole is None:
        return None
    return whole != 0 and at_least(part, whole, threshold)


def research_partners(partnerships: Iterable, as_of: date) -> list:
    """The partnerships that count for 第7条 on ``as_of``, in order (:func:`counts_for_c7`)."""
    return [x for x in partnerships if counts_for_c7(x, as_of)]


def counts_for_c7(partnership, as_of: date) -> bool:
    """Whether ``partnership`` counts for 第7条 on ``as_of``: with a university
    or research institute, in force on that day (both ends inclusive)."""
    return partnership.partner_type in RESEARCH_PARTNERS and in_force(
        partnership.valid_from, partnership.valid_to, as_of)


# --- the criteria -----------------------------------------------------------------

@criterion(5, "专利产业化率", ("min_industrialization_rate",))
def c5_industrialization(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """专利产业化率不低于50%."""
    threshold = p["min_industrialization_rate"]
    valid = [(i, pt) for i, pt in enumerate(a.patents) if pt.status == "valid"]
    done = sum(1 for _, pt in valid if pt.industrialized is True)
    unknown = [f"patents[{i}].industrialized" for i, pt in valid if pt.industrialized is None]
    outcome = industrialization_outcome(p, len(valid), done, len(unknown))
    if not valid:
        filed = _C5_NONE_VALID.format(count=len(a.patents)) if a.patents else _C5_NONE_FILED
        return "fail", _C5_NO_VALID.format(filed=filed, threshold=threshold_percent(threshold))
    total = len(valid)
    head = _C5_HEAD.format(total=total, done=done, percent=percent(done, total, threshold, outcome is True))
    if outcome:
        return "pass", _C5_UNKNOWN_HARMLESS.format(head=head, count=len(unknown)) if unknown else head
    if outcome is None:
        return "missing", (_C5_DEPENDS.format(head=head, threshold=threshold_percent(threshold), count=len(unknown))
                           + "；" + missing(unknown))
    if not unknown:
        return "fail", head
    best = percent(done + len(unknown), total, threshold, False)
    return "fail", head + "；" + _C5_EVEN_IF.format(count=len(unknown), best=best)


@criterion(6, "研发投入", ("min_rd_ratio", "min_rd_amount"))
def c6_rd_investment(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """上年度研发投入占营业收入总额比重不低于10%或不低于500万元."""
    ratio, amount = p["min_rd_ratio"], p["min_rd_amount"]
    stale = figures_year_gap(a, as_of)
    if stale:
        return "missing", _C6_STALE.format(stale=stale)
    rd, revenue = a.rd_expense, a.operating_revenue
    if rd is None:
        return "missing", missing(["rd_expense"] + (["operating_revenue"] if revenue is None else []))
    outcome, ratio_ok, amount_ok = rd_investment_outcome(p, rd, revenue)
    amount_text = _C6_AMOUNT.format(amount=format_money(rd), cmp="≥" if amount_ok else "<",
                                    threshold=format_number(amount))
    if revenue is None:
        ratio_text = _C6_NO_REVENUE
    elif revenue == 0:
        ratio_text = _C6_ZERO_REVENUE.format(threshold=threshold_percent(ratio))
    else:
        ratio_text = _C6_RATIO.format(percent=percent(rd, revenue, ratio, ratio_ok))
    if ratio_ok and amount_ok:
        return "pass", ratio_text + "；" + amount_text
    if ratio_ok:
        return "pass", _C6_BESIDE.format(decisive=ratio_text, other=amount_text)
    if amount_ok:
        return "pass", _C6_BESIDE.format(decisive=amount_text, other=ratio_text)
    if outcome is None:
        return "missing", (_C6_BOTH_UNKNOWN.format(amount=amount_text, ratio=ratio_text) + "；"
                           + missing(["operating_revenue"]))
    return "fail", _C6_NEITHER.format(ratio=ratio_text, amount=amount_text)


@criterion(7, "科研带头人、研发团队与产学研合作", ("min_rd_staff_ratio",))
def c7_rd_team(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """有稳定的科研带头人和研发团队，研发人员占企业职工总数比重不低于20%或与高校、科研机构建立稳定的产学研合作机制."""
    leader = a.has_rd_leader
    partners = research_partners(a.research_partnerships, as_of)
    outcome, team_ok, staff_ok = rd_team_outcome(p, leader, a.rd_staff, a.employees, bool(partners))
    parts = [_LEADER[leader], _staff_ratio_text(a, p["min_rd_staff_ratio"], staff_ok)]
    if partners:
        x = partners[0]
        parts.append(_C7_PARTNER.format(kind=PARTNER_LABELS[x.partner_type], partner=x.partner, day=as_of,
                                        valid_from=x.valid_from, valid_to=x.valid_to))
    else:
        parts.append(_C7_NO_PARTNER.format(day=as_of))
    if outcome is None:
        gaps = ["has_rd_leader"] if leader is None else []
        if team_ok is None:
            gaps += [k for k in ("rd_staff", "employees") if getattr(a, k) is None]
        parts.append(missing(gaps))
    return status(outcome), "；".join(parts)


def _staff_ratio_text(a: Applicant, threshold: Decimal, staff_ok: bool | None) -> str:
    if staff_ok is None:
        return _C7_NO_STAFF
    if a.employees == 0:
        return _C7_NO_EMPLOYEES.format(threshold=threshold_percent(threshold))
    return _C7_STAFF.format(staff=a.rd_staff, employees=a.employees,
                            percent=percent(a.rd_staff, a.employees, threshold, staff_ok))


def figures_year_gap(a: Applicant, as_of: date) -> str | None:
    """Why the applicant's yearly figures are not those of 上年度, or None.

    SPEC: 上年度 is the calendar year before the assessment year, and the
    assessment year is the year of the assessment date; the contract's figures
    are for ``assessment_year - 1``.  So on 2026-06-30 the figures must be for
    2025, i.e. ``assessment_year`` 2026.  Figures of another year are not
    wrong, they are the wrong year's: criteria 1 (size) and 6 say ``missing``.
    """
    required, supplied = as_of.year - 1, a.assessment_year - 1
    if supplied == required:
        return None
    return _YEAR_GAP.format(day=as_of, required=required, supplied=supplied, year=a.assessment_year,
                            as_of_year=as_of.year)
