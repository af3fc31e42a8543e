"""The flags on the way out of the pool (SPEC §3 read daily, §4): no progress,
integrity incidents, graduation ready.

Each is decided by :mod:`pool.membership.rules` — the functions the
graduation and expulsion proposals ask — on facts loaded for the whole pool
(:mod:`pool.monitoring.facts`), so a flag holds exactly when the proposal
would.

* **no_progress.**  The window starts at the later of admission and the last
  uncorrected progress event effective on or before ``as_of``
  (:func:`pool.membership.rules.window_start`); ``no_progress_warning_months``
  (18) / ``no_progress_high_months`` (21) / ``progress_window_months`` (24)
  whole months after it (:func:`pool.membership.rules.no_progress_stage`, so
  on ``add_months(start, N)`` exactly, not the day before) the flag is
  warning / high / expulsion due — the last exactly when expulsion rule (a)
  holds.
* **integrity_incident.**  An uncorrected incident effective on or after
  admission and on or before ``as_of`` (expulsion rule (b)) → expulsion due.
* **graduation_ready.**  Graduation rule (a) or (b) holds; the detail is the
  proposal's reason word for word
  (:func:`pool.membership.proposals.graduation_findings`).  Info only.
"""
from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import select

from models import Enterprise, PoolEvent
from models.event import INCIDENT
from models.monitoring import (
    EXPULSION_DUE, GRADUATION_READY, HIGH, INFO, INTEGRITY_INCIDENT, NO_PROGRESS, WARNING,
)

from pool.membership import rules
from pool.membership.history import INCIDENT_TYPES
from pool.kernel.wording import phrase
from pool.membership.proposals import INCIDENT_LINE, graduation_findings
from pool.monitoring.flags import Condition, by_enterprise, live

SEVERITY_OF_STAGE = {rules.EXPULSION_STAGE: EXPULSION_DUE, "no_progress_high_months": HIGH,
                     "no_progress_warning_months": WARNING}
# Since admission (True) or since the last progress (False).
_EXPULSION_DUE = {
    True: phrase("自 {begin}（入库）起无实质性进展已满 {window} 个月（{due} 届满），应予退库（黄石 二(六)2）"),
    False: phrase("自 {begin}（上次实质性进展）起无实质性进展已满 {window} 个月（{due} 届满），应予退库（黄石 二(六)2）"),
}
_NO_PROGRESS_YET = {
    True: phrase("自 {begin}（入库）起无实质性进展已满 {level} 个月；至 {due} 满 {window} 个月仍无进展应予退库"),
    False: phrase("自 {begin}（上次实质性进展）起无实质性进展已满 {level} 个月；至 {due} 满 {window} 个月仍无进展应予退库"),
}
_INCIDENTS = phrase("入库后发生诚信事件 {count} 起（{named}），应即退库（黄石 二(六)2）")


def no_progress(facts, as_of: date, p) -> list[Condition]:
    """The ``no_progress`` flags on ``as_of``."""
    window = p["progress_window_months"]
    last = facts.last_progress
    asked: dict[date, tuple] = {}  # members share window starts: ask the rules once per day
    found = []
    for eid, county_id, name, admitted in facts.members.values():
        begin = rules.window_start(admitted, last.get(eid))
        answer = asked.get(begin)
        if answer is None:
            answer = asked[begin] = (rules.no_progress_stage(p, begin, as_of), rules.progress_due_on(p, begin))
        stage, due = answer
        if stage is None:
            continue
        level, severity = p[stage], SEVERITY_OF_STAGE[stage]
        since_admission = begin == admitted
        if severity == EXPULSION_DUE:
            detail = _EXPULSION_DUE[since_admission].format(begin=begin, window=window, due=due)
        else:
            detail = _NO_PROGRESS_YET[since_admission].format(begin=begin, level=level, due=due, window=window)
        evidence = {"window_start": begin.isoformat(), "months_reached": level, "due_on": due.isoformat()}
        found.append(Condition(eid, county_id, name, NO_PROGRESS, severity, detail, evidence))
    return found


def integrity_incident(facts, as_of: date, p) -> list[Condition]:
    """The ``integrity_incident`` flags on ``as_of``."""
    rows = facts.session.execute(
        select(Enterprise.id, Enterprise.county_id, Enterprise.name, Enterprise.admitted_on,
               PoolEvent.id.label("event_id"), PoolEvent.subtype, PoolEvent.effective_on, PoolEvent.reason)
        .join(PoolEvent, PoolEvent.enterprise_id == Enterprise.id)
        .where(facts.in_pool(), live(INCIDENT, as_of))
        .order_by(Enterprise.id, PoolEvent.effective_on, PoolEvent.id)
    )
    found = []
    for eid, events in by_enterprise(rows).items():
        first = events[0]
        events = rules.counted_incidents(events, first.admitted_on)
        if not events:
            continue
        named = "；".join(INCIDENT_LINE.format(day=e.effective_on, kind=INCIDENT_TYPES.get(e.subtype, e.subtype),
                                              reason=e.reason) for e in events)
        detail = _INCIDENTS.format(count=len(events), named=named)
        evidence = {"incidents": [{"event_id": e.event_id, "subtype": e.subtype,
                                   "effective_on": e.effective_on.isoformat()} for e in events]}
        found.append(Condition(eid, first.county_id, first.name, INTEGRITY_INCIDENT, EXPULSION_DUE, detail,
                               evidence))
    return found


def graduation_ready(facts, as_of: date, p) -> list[Condition]:
    """The ``graduation_ready`` flags on ``as_of``."""
    members, certified = facts.members, facts.certified_products
    figures = facts.product_figures if certified else {}
    long_enough: dict[date, bool] = {}  # members share admission days: ask once per day
    found = []
    for eid, products in certified.items():
        _, county_id, name, admitted = members[eid][:4]
        ready = long_enough.get(admitted)
        if ready is None:
            ready = long_enough[admitted] = rules.cultivated_long_enough(p, admitted, as_of)
        if not ready:
            continue
        new = rules.newly_certified(products, admitted)
        if new:
            evidence = {"rule": "a", "new_products": [_product_fact(x) for x in new]}
        else:
            base_year, year, comparable = rules.growth_years(admitted, as_of)
            if not comparable:
                continue
            compared = [(x, figures.get((x.id, base_year)), figures.get((x.id, year))) for x in products]
            grown = [(x, base, now) for x, base, now in compared
                     if rules.product_growth(p, base, now, base_year, year).holds]
            if not grown:
                continue
            evidence = {"rule": "b", "base_year": base_year, "year": year,
                        "products": [{**_product_fact(x), "base": [str(base.sales), str(base.profit)],
                                      "now": [str(now.sales), str(now.profit)]} for x, base, now in grown]}
        detail = functools.partial(_graduation_detail, p, admitted, as_of, products, figures, evidence["rule"])
        found.append(Condition(eid, county_id, name, GRADUATION_READY, INFO, detail, evidence))
    return found


def _product_fact(product) -> dict:
    return {"id": product.id, "certified_on": product.certified_on.isoformat()}


def _graduation_detail(p, admitted: date, as_of: date, products: list, figures: dict, rule: str) -> str:
    """The graduation proposal's reason by ``rule``."""
    return graduation_findings(p, admitted, as_of, products, figures, (rule,))[rule].detail
