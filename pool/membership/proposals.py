"""What the system proposes for a pool member on a date: graduation or expulsion.

Pure reads (黄石 二(六)2; SPEC §3).  An officer confirms a proposal through
:func:`pool.membership.lifecycle.graduate` / :func:`pool.membership.lifecycle.expel`, which check it
again on the confirmation date.

How the text is read (the interpretation, in one place):

* **Months.**  ``add_months`` keeps the day of month and clamps it to the
  month's last day: 12 months after 2025-01-31 is 2026-01-31, one month after
  it 2025-02-28.  A period of N months is complete on ``add_months(start, N)``.
* **Admitted on a date.**  A proposal exists only for an enterprise that was
  in the pool on ``as_of`` (admitted on or before it and not yet graduated or
  expelled on it), so a scan can be replayed for a past date.
* **Graduation (a)**: a product with ``patent_intensive`` whose
  ``certified_on`` is after ``admitted_on`` (strictly) and on or before
  ``as_of``.
* **Graduation (b)**: a product certified patent-intensive on or before
  ``as_of`` (before admission too) whose sales **and** profit of the latest
  full year (``as_of.year − 1``) are both ≥ (1 + ``graduation_growth``) × those
  of the admission year.  That year must be after the admission year.  A
  baseline sales or profit ≤ 0 cannot show growth as a ratio: (b) is then not
  met for that product and the detail says why (rule (a) or an officer's
  reading of the figures remains).  Missing figures: not met, detail names them.
* **Expulsion (a)**: the window starts at the later of ``admitted_on`` and the
  last progress event effective on or before ``as_of``; expulsion is due from
  ``add_months(start, progress_window_months)`` on.
* **Expulsion (b)**: any incident effective on or after ``admitted_on`` and on
  or before ``as_of`` — due at once.
* Events voided by a correction are ignored.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction

from sqlalchemy import func, select

from models import PoolEvent, Product, ProductFigure
from models.enterprise import ADMITTED, EXPELLED, GRADUATED
from models.event import INCIDENT, PROGRESS

from pool.membership.history import INCIDENT_TYPES, live_events, require_snapshot
from pool.eligibility.sme import format_money, format_number

GRADUATION, EXPULSION = "graduation", "expulsion"
GRADUATION_PARAMETERS = ("graduation_min_months", "graduation_growth")
EXPULSION_PARAMETERS = ("progress_window_months",)


@dataclass(frozen=True)
class Finding:
    """Whether one rule holds, with a Chinese detail quoting dates and numbers."""

    rule: str  # "a" | "b"
    holds: bool
    detail: str
    evidence: dict = field(default_factory=dict)  # JSON-ready


@dataclass(frozen=True)
class Proposal:
    """A proposed graduation or expulsion for an officer to confirm."""

    kind: str  # "graduation" | "expulsion"
    rule: str  # "a" | "b"
    reason: str  # Chinese, quoting dates, numbers and thresholds
    evidence: dict  # JSON-ready: the facts and parameters relied on

    def to_dict(self) -> dict:
        return {"kind": self.kind, "rule": self.rule, "reason": self.reason,
                "evidence": self.evidence}


# --- months -----------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_without_progress(start: date, as_of: date) -> int:
    """Whole months from ``start`` to ``as_of``: the largest N with
    ``add_months(start, N) <= as_of``.

    :raise ValueError: if ``as_of`` is before ``start``.
    """
    if as_of < start:
        raise ValueError(f"{as_of} 早于起算日 {start}")
    months = (as_of.year - start.year) * 12 + as_of.month - start.month
    # The month difference overshoots by one when as_of's day is before start's.
    return months - 1 if add_months(start, months) > as_of else months


# --- membership and the progress window --------------------------------------

def was_admitted_on(enterprise, as_of: date) -> bool:
    """Whether ``enterprise`` was in the pool on ``as_of`` (from its cached state:
    there is one admission per enterprise, and a later exit is its last change)."""
    if enterprise.admitted_on is None or enterprise.admitted_on > as_of:
        return False
    if enterprise.state == ADMITTED:
        return True
    return enterprise.state in (GRADUATED, EXPELLED) and enterprise.state_changed_on > as_of


def progress_window_start(session, enterprise, as_of: date) -> date | None:
    """Start of the no-progress window on ``as_of``: the later of ``admitted_on``
    and the last live progress event effective on or before ``as_of``; ``None``
    if the enterprise was not in the pool on ``as_of``."""
    if not was_admitted_on(enterprise, as_of):
        return None
    last = session.scalar(
        live_events(enterprise.id, PROGRESS, as_of)
        .with_only_columns(func.max(PoolEvent.effective_on))
        .order_by(None)
    )
    return max(enterprise.admitted_on, last) if last else enterprise.admitted_on


# --- graduation ---------------------------------------------------------------

def graduation_assessment(session, enterprise, as_of: date, snapshot) -> dict[str, Finding] | None:
    """Rules (a) and (b) on ``as_of``: ``{"a": Finding, "b": Finding}``, or
    ``None`` if the enterprise was not in the pool on ``as_of``.

    ``snapshot`` is the policy in force on ``as_of``.
    """
    require_snapshot(snapshot, as_of)
    if not was_admitted_on(enterprise, as_of):
        return None
    admitted = enterprise.admitted_on
    months = snapshot["graduation_min_months"]
    ready = add_months(admitted, months)
    period = {"admitted_on": admitted.isoformat(), "min_months": months,
              "ready_on": ready.isoformat()}
    if as_of < ready:
        detail = (f"入库于 {admitted}，培育须满 {months} 个月（{ready} 起），"
                  f"截至 {as_of} 尚未届满")
        return {rule: Finding(rule, False, detail, period) for rule in ("a", "b")}
    prefix = f"入库于 {admitted}，已培育满 {months} 个月（{ready} 届满）；"
    products = _certified_products(session, enterprise.id, as_of)
    findings = (_new_product(products, admitted, as_of),
                _product_growth(session, products, admitted, as_of, snapshot["graduation_growth"]))
    return {f.rule: Finding(f.rule, f.holds, prefix + f.detail, {**period, **f.evidence})
            for f in findings}


def graduation_proposal(session, enterprise, as_of: date, snapshot) -> Proposal | None:
    """The graduation proposed on ``as_of`` (rule (a) before (b) when both
    hold), or ``None`` (see :func:`graduation_assessment` for why not)."""
    findings = graduation_assessment(session, enterprise, as_of, snapshot)
    return _proposal(GRADUATION, findings, ("a", "b"), as_of, snapshot, GRADUATION_PARAMETERS)


def _certified_products(session, enterprise_id: int, as_of: date) -> list[Product]:
    return list(session.scalars(
        select(Product).where(
            Product.enterprise_id == enterprise_id,
            Product.patent_intensive.is_(True),
            Product.certified_on <= as_of,
        ).order_by(Product.certified_on, Product.id)
    ))


def _product_ref(product: Product) -> dict:
    return {"id": product.id, "name": product.name, "certified_on": product.certified_on.isoformat()}


def _new_product(products: list[Product], admitted: date, as_of: date) -> Finding:
    new = [p for p in products if p.certified_on > admitted]
    if not new:
        return Finding("a", False, f"入库后至 {as_of} 没有新认定的专利密集型产品", {"new_products": []})
    named = "、".join(f"“{p.name}”（{p.certified_on} 认定）" for p in new)
    detail = f"入库后新认定专利密集型产品 {len(new)} 件：{named}"
    return Finding("a", True, detail, {"new_products": [_product_ref(p) for p in new]})


def _product_growth(session, products, admitted: date, as_of: date, growth: Decimal) -> Finding:
    base_year, year = admitted.year, as_of.year - 1
    if year <= base_year:
        detail = f"最近完整年度 {year} 年不晚于入库年度 {base_year} 年，尚无可比较的年度数据"
        return Finding("b", False, detail, {"base_year": base_year, "year": year})
    if not products:
        detail = f"截至 {as_of} 没有已认定的专利密集型产品"
        return Finding("b", False, detail, {"base_year": base_year, "year": year})
    figures = {
        (f.product_id, f.year): f for f in session.scalars(select(ProductFigure).where(
            ProductFigure.product_id.in_([p.id for p in products]),
            ProductFigure.year.in_((base_year, year)),
        ))
    }
    checks = [_grew(p, figures.get((p.id, base_year)), figures.get((p.id, year)),
                    base_year, year, growth) for p in products]
    holding = [c for c in checks if c.holds]
    shown = holding or checks
    return Finding("b", bool(holding), "；".join(c.detail for c in shown),
                   {"base_year": base_year, "year": year,
                    "products": [c.evidence for c in shown]})


def _grew(product, base, now, base_year: int, year: int, growth: Decimal) -> Finding:
    """Whether ``product``'s sales and profit of ``year`` both reached
    (1 + growth) × those of ``base_year`` (exact comparison)."""
    name = f"“{product.name}”"
    evidence = _product_ref(product)
    absent = [f"{y} 年度{label}" for y, figure in ((base_year, base), (year, now))
              for label, attr in (("销售额", "sales"), ("利润", "profit"))
              if figure is None or getattr(figure, attr) is None]
    if absent:
        return Finding("b", False, f"产品{name}缺少{'、'.join(absent)}数据", evidence)
    for label, attr in (("销售额", "sales"), ("利润", "profit")):
        if getattr(base, attr) <= 0:
            detail = (f"产品{name}入库年度（{base_year} 年）{label} {format_money(getattr(base, attr))} 万元"
                      f" ≤ 0，无法按比例衡量增长，不适用条件（b）")
            return Finding("b", False, detail, evidence)
    parts, holds = [], True
    for label, attr in (("销售额", "sales"), ("利润", "profit")):
        was, got = getattr(base, attr), getattr(now, attr)
        need = _times(was, 1 + growth)
        ok = Fraction(got) >= Fraction(was) * (1 + Fraction(growth))
        holds = holds and ok
        parts.append(f"{label} {format_money(got)} 万元 {'≥' if ok else '<'} "
                     f"{format_money(was)} 万元 × (1 + {format_number(growth * 100)}%) = "
                     f"{format_money(need)} 万元")
        evidence[attr] = {str(base_year): str(was), str(year): str(got), "required": str(need)}
    detail = f"产品{name} {year} 年度较 {base_year} 年度：" + "，".join(parts)
    return Finding("b", holds, detail, evidence)


def _times(amount: Decimal, factor: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80  # wide enough that money × ratio is never rounded
        return amount * factor


# --- expulsion ---------------------------------------------------------------

def expulsion_assessment(session, enterprise, as_of: date, snapshot) -> dict[str, Finding] | None:
    """Rules (a) no progress and (b) integrity incident on ``as_of``, or ``None``
    if the enterprise was not in the pool on ``as_of``."""
    require_snapshot(snapshot, as_of)
    if not was_admitted_on(enterprise, as_of):
        return None
    return {"a": _no_progress(session, enterprise, as_of, snapshot["progress_window_months"]),
            "b": _incidents(session, enterprise, as_of)}


def expulsion_proposal(session, enterprise, as_of: date, snapshot) -> Proposal | None:
    """The expulsion proposed on ``as_of`` (an incident (b) before no progress
    (a)), or ``None``."""
    findings = expulsion_assessment(session, enterprise, as_of, snapshot)
    return _proposal(EXPULSION, findings, ("b", "a"), as_of, snapshot, EXPULSION_PARAMETERS)


def _no_progress(session, enterprise, as_of: date, window: int) -> Finding:
    start = progress_window_start(session, enterprise, as_of)
    due = add_months(start, window)
    months = months_without_progress(start, as_of)
    since = "入库" if start == enterprise.admitted_on else "上次实质性进展"
    state = "已到期，应予退库" if as_of >= due else "尚未到期"
    detail = (f"自 {start}（{since}）起已 {months} 个月无实质性进展；"
              f"期限 {window} 个月，{due} 届满，截至 {as_of} {state}")
    evidence = {"window_start": start.isoformat(), "due_on": due.isoformat(),
                "months_without_progress": months, "window_months": window}
    return Finding("a", as_of >= due, detail, evidence)


def _incidents(session, enterprise, as_of: date) -> Finding:
    incidents = list(session.scalars(
        live_events(enterprise.id, INCIDENT, as_of)
        .where(PoolEvent.effective_on >= enterprise.admitted_on)
    ))
    if not incidents:
        return Finding("b", False, f"入库后至 {as_of} 未记录诚信事件", {"incidents": []})
    named = "；".join(f"{e.effective_on} {INCIDENT_TYPES.get(e.subtype, e.subtype)}：{e.reason}"
                     for e in incidents)
    evidence = {"incidents": [{"event_id": e.id, "subtype": e.subtype,
                               "effective_on": e.effective_on.isoformat()} for e in incidents]}
    return Finding("b", True, f"入库后发生诚信事件 {len(incidents)} 起（{named}），应即退库", evidence)


def _proposal(kind, findings, order, as_of, snapshot, parameters) -> Proposal | None:
    if findings is None:
        return None
    for rule in order:
        if findings[rule].holds:
            return _as_proposal(kind, findings[rule], as_of, snapshot, parameters)
    return None


def _as_proposal(kind, finding: Finding, as_of: date, snapshot, parameters) -> Proposal:
    evidence = {**finding.evidence, "as_of": as_of.isoformat(),
                "parameters": snapshot.used(parameters)}
    return Proposal(kind, finding.rule, finding.detail, evidence)


_ASSESSMENTS = {
    GRADUATION: (graduation_assessment, GRADUATION_PARAMETERS),
    EXPULSION: (expulsion_assessment, EXPULSION_PARAMETERS),
}


def proposal_by_rule(session, enterprise, kind: str, rule: str, as_of: date,
                     snapshot) -> tuple[Proposal | None, str]:
    """``(proposal, detail)`` of ``kind`` by exactly ``rule`` on ``as_of``: the
    proposal is ``None`` when that rule does not hold, and ``detail`` says why."""
    assess, parameters = _ASSESSMENTS[kind]
    findings = assess(session, enterprise, as_of, snapshot)
    if findings is None:
        return None, f"{as_of} 该企业不在培育库中"
    finding = findings[rule]
    if not finding.holds:
        return None, finding.detail
    return _as_proposal(kind, finding, as_of, snapshot, parameters), finding.detail
