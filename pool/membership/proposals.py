"""What the system proposes for a pool member on a date: graduation or expulsion.

Pure reads (黄石 二(六)2; SPEC §3).  An officer confirms a proposal through
:func:`pool.membership.lifecycle.graduate` / :func:`pool.membership.lifecycle.expel`, which check it
again on the confirmation date.  The rules themselves (months, graduation (a)
and (b), expulsion (a) and (b)) are :mod:`pool.membership.rules`; this module
loads one enterprise's facts, asks them and words the findings.

* **Admitted on a date.**  A proposal exists only for an enterprise that was
  in the pool on ``as_of`` (admitted on or before it and not yet graduated or
  expelled on it), so a scan can be replayed for a past date.
* **Graduation (a)** counts products with ``patent_intensive`` certified on
  or before ``as_of``; **(b)** any of them (certified before admission too).
  A baseline sales or profit ≤ 0 cannot show growth as a ratio: (b) is then
  not met for that product and the detail says why (rule (a) or an officer's
  reading of the figures remains).  Missing figures: not met, detail names them.
* **Expulsion (a)** is due from ``add_months(start, progress_window_months)``
  on; **(b)** at once.
* Events voided by a correction are ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal

from sqlalchemy import and_, func, select

from models import PoolEvent, Product, ProductFigure
from models.enterprise import ADMITTED, EXPELLED, GRADUATED
from models.event import INCIDENT, PROGRESS

from pool.eligibility.sme import format_money, format_number
from pool.kernel.wording import phrase
from pool.membership import rules
from pool.membership.history import INCIDENT_TYPES, live_events, require_snapshot
from pool.membership.rules import months_without_progress

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
    return rules.window_start(enterprise.admitted_on, last)


# --- graduation ---------------------------------------------------------------

def graduation_assessment(session, enterprise, as_of: date, snapshot) -> dict[str, Finding] | None:
    """Rules (a) and (b) on ``as_of``: ``{"a": Finding, "b": Finding}``, or
    ``None`` if the enterprise was not in the pool on ``as_of``.

    ``snapshot`` is the policy in force on ``as_of``.
    """
    require_snapshot(snapshot, as_of)
    if not was_admitted_on(enterprise, as_of):
        return None
    admitted, products, figures = enterprise.admitted_on, [], {}
    if rules.cultivated_long_enough(snapshot, admitted, as_of):  # else nothing to load
        products = _certified_products(session, enterprise.id, as_of)
        base_year, year, comparable = rules.growth_years(admitted, as_of)
        if comparable and products:
            figures = _product_figures(session, products, (base_year, year))
    return graduation_findings(snapshot, admitted, as_of, products, figures)


def graduation_findings(snapshot, admitted: date, as_of: date, products: list, figures: dict,
                        which: tuple[str, ...] = ("a", "b")) -> dict[str, Finding]:
    """Rules ``which`` (default (a) and (b)) on ``as_of`` for a member admitted
    on ``admitted``, from its patent-intensive ``products`` certified by
    ``as_of`` (each with ``id``, ``name``, ``certified_on``; by certification
    date and id) and their ``figures`` (``{(product id, year): figures with
    sales and profit}``, at least those of :func:`pool.membership.rules.growth_years`)."""
    months = snapshot["graduation_min_months"]
    ready = rules.graduation_ready_on(snapshot, admitted)
    period = {"admitted_on": admitted.isoformat(), "min_months": months,
              "ready_on": ready.isoformat()}
    if not rules.cultivated_long_enough(snapshot, admitted, as_of):
        detail = _NOT_YET_CULTIVATED.format(admitted=admitted, months=months, ready=ready, day=as_of)
        return {rule: Finding(rule, False, detail, period) for rule in which}
    prefix = _CULTIVATED.format(admitted=admitted, months=months, ready=ready) + "；"
    findings = [_new_product(products, admitted, as_of) if rule == "a"
                else _product_growth(snapshot, products, figures, admitted, as_of) for rule in which]
    return {f.rule: Finding(f.rule, f.holds, prefix + f.detail, {**period, **f.evidence})
            for f in findings}


def graduation_proposal(session, enterprise, as_of: date, snapshot) -> Proposal | None:
    """The graduation proposed on ``as_of`` (rule (a) before (b) when both
    hold), or ``None`` (see :func:`graduation_assessment` for why not)."""
    findings = graduation_assessment(session, enterprise, as_of, snapshot)
    return _proposal(GRADUATION, findings, ("a", "b"), as_of, snapshot, GRADUATION_PARAMETERS)


def certified(as_of: date):
    """SQL condition: a ``Product`` certified patent-intensive on or before
    ``as_of`` — the products graduation rules (a) and (b) look at."""
    return and_(Product.patent_intensive.is_(True), Product.certified_on <= as_of)


def _certified_products(session, enterprise_id: int, as_of: date) -> list[Product]:
    return list(session.scalars(
        select(Product).where(Product.enterprise_id == enterprise_id, certified(as_of))
        .order_by(Product.certified_on, Product.id)
    ))


def _product_figures(session, products: list[Product], years: tuple[int, int]) -> dict:
    return {(f.product_id, f.year): f for f in session.scalars(select(ProductFigure).where(
        ProductFigure.product_id.in_([p.id for p in products]), ProductFigure.year.in_(years)))}


def _product_ref(product: Product) -> dict:
    return {"id": product.id, "name": product.name, "certified_on": product.certified_on.isoformat()}


_NOT_YET_CULTIVATED = phrase("入库于 {admitted}，培育须满 {months} 个月（{ready} 起），截至 {day} 尚未届满")
_CULTIVATED = phrase("入库于 {admitted}，已培育满 {months} 个月（{ready} 届满）")
_NO_NEW_PRODUCT = phrase("入库后至 {day} 没有新认定的专利密集型产品")
_NEW_PRODUCT = phrase("“{name!s}”（{day} 认定）")
_NEW_PRODUCTS = phrase("入库后新认定专利密集型产品 {count} 件：{named}")
_NOT_COMPARABLE = phrase("最近完整年度 {year} 年不晚于入库年度 {base_year} 年，尚无可比较的年度数据")
_NO_PRODUCTS = phrase("截至 {day} 没有已认定的专利密集型产品")
_FIGURE_LABELS = {"sales": phrase("销售额"), "profit": phrase("利润")}
_YEAR_FIGURE = phrase("{year} 年度{figure}")
_ABSENT = phrase("产品“{name!s}”缺少{named}数据")
_NOT_POSITIVE = phrase("产品“{name!s}”入库年度（{base_year} 年）{figure} {amount} 万元 ≤ 0，无法按比例衡量增长，不适用条件（b）")
_GROWTH = phrase("{figure} {got} 万元 {cmp} {was} 万元 × (1 + {rate}%) = {need} 万元")
_GREW = phrase("产品“{name!s}” {year} 年度较 {base_year} 年度：{parts}")
_DUE_STATE = {True: phrase("已到期，应予退库"), False: phrase("尚未到期")}
# Since admission (True) or since the last progress (False).
_NO_PROGRESS = {
    True: phrase("自 {start}（入库）起已 {months} 个月无实质性进展；期限 {window} 个月，{due} 届满，截至 {day} {state}"),
    False: phrase("自 {start}（上次实质性进展）起已 {months} 个月无实质性进展；期限 {window} 个月，{due} 届满，"
                  "截至 {day} {state}"),
}
_NO_INCIDENT = phrase("入库后至 {day} 未记录诚信事件")
INCIDENT_LINE = phrase("{day} {kind}：{reason!s}")
_INCIDENTS = phrase("入库后发生诚信事件 {count} 起（{named}），应即退库")
_NOT_MEMBER = phrase("{day} 该企业不在培育库中")


def _new_product(products: list[Product], admitted: date, as_of: date) -> Finding:
    new = rules.newly_certified(products, admitted)
    if not new:
        return Finding("a", False, _NO_NEW_PRODUCT.format(day=as_of), {"new_products": []})
    named = "、".join(_NEW_PRODUCT.format(name=p.name, day=p.certified_on) for p in new)
    detail = _NEW_PRODUCTS.format(count=len(new), named=named)
    return Finding("a", True, detail, {"new_products": [_product_ref(p) for p in new]})


def _product_growth(snapshot, products, figures: dict, admitted: date, as_of: date) -> Finding:
    base_year, year, comparable = rules.growth_years(admitted, as_of)
    if not comparable:
        detail = _NOT_COMPARABLE.format(year=year, base_year=base_year)
        return Finding("b", False, detail, {"base_year": base_year, "year": year})
    if not products:
        detail = _NO_PRODUCTS.format(day=as_of)
        return Finding("b", False, detail, {"base_year": base_year, "year": year})
    compared = []
    for product in products:
        base, now = figures.get((product.id, base_year)), figures.get((product.id, year))
        compared.append((product, base, now, rules.product_growth(snapshot, base, now, base_year, year)))
    holding = [c for c in compared if c[3].holds]
    shown = [_grew(*c, base_year, year, snapshot) for c in holding or compared]  # only those that grew, if any
    return Finding("b", bool(holding), "；".join(c.detail for c in shown),
                   {"base_year": base_year, "year": year,
                    "products": [c.evidence for c in shown]})


def _grew(product, base, now, growth: rules.Growth, base_year: int, year: int, snapshot) -> Finding:
    """``growth`` (rule (b) for ``product``, :func:`pool.membership.rules.product_growth`), worded."""
    name = product.name
    evidence = _product_ref(product)
    if growth.absent:
        named = "、".join(_YEAR_FIGURE.format(year=y, figure=_FIGURE_LABELS[attr]) for y, attr in growth.absent)
        return Finding("b", False, _ABSENT.format(name=name, named=named), evidence)
    if growth.not_positive:
        attr = growth.not_positive
        detail = _NOT_POSITIVE.format(name=name, base_year=base_year, figure=_FIGURE_LABELS[attr],
                                      amount=format_money(getattr(base, attr)))
        return Finding("b", False, detail, evidence)
    rate = snapshot["graduation_growth"]
    parts = []
    for attr, ok in zip(rules.GROWTH_FIGURES, growth.reached):
        was, got = getattr(base, attr), getattr(now, attr)
        need = _times(was, 1 + rate)
        parts.append(_GROWTH.format(figure=_FIGURE_LABELS[attr], got=format_money(got), cmp="≥" if ok else "<",
                                    was=format_money(was), rate=format_number(rate * 100),
                                    need=format_money(need)))
        evidence[attr] = {str(base_year): str(was), str(year): str(got), "required": str(need)}
    detail = _GREW.format(name=name, year=year, base_year=base_year, parts="，".join(parts))
    return Finding("b", growth.holds, detail, evidence)


_EXACT = Context(prec=80)  # wide enough that money × ratio is never rounded


def _times(amount: Decimal, factor: Decimal) -> Decimal:
    return _EXACT.multiply(amount, factor)


# --- expulsion ---------------------------------------------------------------

def expulsion_assessment(session, enterprise, as_of: date, snapshot) -> dict[str, Finding] | None:
    """Rules (a) no progress and (b) integrity incident on ``as_of``, or ``None``
    if the enterprise was not in the pool on ``as_of``."""
    require_snapshot(snapshot, as_of)
    if not was_admitted_on(enterprise, as_of):
        return None
    return {"a": _no_progress(session, enterprise, as_of, snapshot),
            "b": _incidents(session, enterprise, as_of)}


def expulsion_proposal(session, enterprise, as_of: date, snapshot) -> Proposal | None:
    """The expulsion proposed on ``as_of`` (an incident (b) before no progress
    (a)), or ``None``."""
    findings = expulsion_assessment(session, enterprise, as_of, snapshot)
    return _proposal(EXPULSION, findings, ("b", "a"), as_of, snapshot, EXPULSION_PARAMETERS)


def _no_progress(session, enterprise, as_of: date, snapshot) -> Finding:
    start = progress_window_start(session, enterprise, as_of)
    window = snapshot["progress_window_months"]
    due = rules.progress_due_on(snapshot, start)
    months = months_without_progress(start, as_of)
    holds = rules.expulsion_due(snapshot, start, as_of)
    detail = _NO_PROGRESS[start == enterprise.admitted_on].format(start=start, months=months,
                                 window=window, due=due, day=as_of, state=_DUE_STATE[holds])
    evidence = {"window_start": start.isoformat(), "due_on": due.isoformat(),
                "months_without_progress": months, "window_months": window}
    return Finding("a", holds, detail, evidence)


def _incidents(session, enterprise, as_of: date) -> Finding:
    incidents = rules.counted_incidents(session.scalars(live_events(enterprise.id, INCIDENT, as_of)),
                                        enterprise.admitted_on)
    if not incidents:
        return Finding("b", False, _NO_INCIDENT.format(day=as_of), {"incidents": []})
    named = "；".join(INCIDENT_LINE.format(day=e.effective_on, kind=INCIDENT_TYPES.get(e.subtype, e.subtype),
                                      reason=e.reason) for e in incidents)
    evidence = {"incidents": [{"event_id": e.id, "subtype": e.subtype,
                               "effective_on": e.effective_on.isoformat()} for e in incidents]}
    return Finding("b", True, _INCIDENTS.format(count=len(incidents), named=named), evidence)


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
        return None, _NOT_MEMBER.format(day=as_of)
    finding = findings[rule]
    if not finding.holds:
        return None, finding.detail
    return _as_proposal(kind, finding, as_of, snapshot, parameters), finding.detail
