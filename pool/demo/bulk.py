"""National-scale demo data: N enterprises with Y years of history, bulk-inserted.

``flask pool seed-demo --enterprises N --years Y`` calls :func:`generate`.  It
is deterministic (same ``seed``, same ``as_of`` → the same rows), fast (rows
are built as plain dicts and sent with ``session.execute(insert(Model), rows)``
in chunks, no ORM unit of work per row) and keeps the invariants the rest of
the system relies on:

* every USCC is valid (:func:`pool.eligibility.uscc.make`) and unique: the body encodes
  the enterprise's id (``MB`` + 7 digits), and ids continue after the largest
  one present;
* each enterprise's ``state``, ``admitted_on`` and ``state_changed_on`` are the
  last ``state_change`` of its own event log, all dated on or before ``as_of``;
* figures are plausible for a cultivated SME (R&D 5–18 % of revenue, R&D
  staff ≤ employees) over the ``years`` calendar years before ``as_of``.

Risk flags are **not** generated: they come from the scan
(``flask pool scan --as-of …``, or ``seed-demo … --scan``).

Into a database that already holds enterprises it refuses
(:class:`BulkRefused`) unless ``append=True``: mixing a bulk run into an
existing pool by accident is hard to undo, while a second, deliberate run can
add more.
"""
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from models import (
    Contact, Enterprise, Patent, PoolEvent, Product, ProductFigure, Qualification,
    ResearchPartnership, Trademark, User, YearlyFigure, product_patent,
)
from models.event import INCIDENT, PROGRESS, STATE_CHANGE

from pool.demo import data as demo
from pool.eligibility import uscc

CHUNK = 2000  # enterprises built and inserted together (keeps memory flat)

# The shares of each final state in a mature pool.
STATE_WEIGHTS = (("admitted", 55), ("applied", 12), ("graduated", 13), ("expelled", 5), ("rejected", 15))
# Enterprises per county: the urban districts are smaller than 大冶/阳新/the development zone.
COUNTY_WEIGHTS = {"420202": 8, "420203": 10, "420204": 12, "420205": 5, "420271": 20,
                  "420281": 25, "420222": 20}
# R&D expense in ‰ of revenue and R&D staff in % of employees: usual and weak years.
RD_USUAL, RD_LOW = (100, 180), (50, 95)
STAFF_USUAL, STAFF_LOW = (20, 40), (10, 19)
TABLES = (Enterprise, Contact, YearlyFigure, Qualification, Patent, Product, ProductFigure,
          Trademark, ResearchPartnership, PoolEvent)


class BulkRefused(ValueError):
    """The database already holds enterprises and ``append`` was not given."""


@dataclass
class BulkResult:
    enterprises: int = 0
    rows: dict = field(default_factory=dict)  # table name -> rows inserted
    created: demo.DemoResult | None = None  # counties and accounts created on the way


def generate(session, *, enterprises: int, years: int, as_of: date, seed: int = 2024,
             append: bool = False, progress=None) -> BulkResult:
    """Insert ``enterprises`` enterprises (and their figures, patents, products
    and events over ``years`` years before ``as_of``); return what was inserted.

    Creates the counties and demo accounts first if missing.  ``progress(n)``
    is called after each chunk with the number of enterprises it inserted.
    Does not commit.

    :raise BulkRefused: if enterprises exist and ``append`` is false.
    :raise ValueError: on ``enterprises < 1`` or ``years < 1``.
    """
    if enterprises < 1 or years < 1:
        raise ValueError("企业数和年数都必须至少为 1")
    existing = session.scalar(select(func.count(Enterprise.id)))
    if existing and not append:
        raise BulkRefused(f"数据库中已有 {existing} 家企业；批量生成只写入空库，"
                          f"确需追加请加 --append")
    result = BulkResult(created=demo.DemoResult(credentials=[]))
    counties = demo._counties(session, result.created)
    demo._users(session, counties, result.created)
    admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    builder = _Builder(session, random.Random(seed), counties, admin_id, as_of, years)
    for start in range(0, enterprises, CHUNK):
        count = min(CHUNK, enterprises - start)
        rows = builder.chunk(count)
        for model in TABLES:
            _insert(session, model, rows[model.__tablename__], result)
        _insert(session, product_patent, rows["product_patent"], result)
        result.enterprises += count
        if progress:
            progress(count)
    _advance_sequences(session)
    return result


def _insert(session, table, rows, result) -> None:
    if rows:
        session.execute(insert(table), rows)
        name = getattr(table, "__tablename__", None) or table.name
        result.rows[name] = result.rows.get(name, 0) + len(rows)


def _advance_sequences(session) -> None:
    """Explicit ids bypass PostgreSQL's sequences; move them past the new rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in (Enterprise, Patent, Product):
        table = model.__tablename__
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def _next_id(session, model) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


class _Builder:
    """Builds the rows of consecutive chunks of enterprises (ids assigned here,
    so children reference their parents without a round trip)."""

    def __init__(self, session, rng, counties, admin_id, as_of, years):
        self.rng, self.admin_id, self.as_of, self.years = rng, admin_id, as_of, years
        self.counties = counties
        self.county_weights = [COUNTY_WEIGHTS.get(c.code, 10) for c in counties]
        self.states, self.state_weights = zip(*STATE_WEIGHTS)
        self.next = {m: _next_id(session, m) for m in (Enterprise, Patent, Product)}
        self.first_day = as_of - timedelta(days=365 * years)

    def chunk(self, count: int) -> dict[str, list[dict]]:
        rows = {m.__tablename__: [] for m in TABLES}
        rows["product_patent"] = []
        rng = self.rng
        for county, state in zip(rng.choices(self.counties, self.county_weights, k=count),
                                 rng.choices(self.states, self.state_weights, k=count)):
            eid = self.next[Enterprise]
            self.next[Enterprise] += 1
            steps = self._steps(state)
            self._enterprise(rows, eid, county, steps)
            self._events(rows, eid, county.id, steps)
            self._figures(rows, eid)
            self._assets(rows, eid, steps)
        return rows

    def _day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def _steps(self, state: str) -> list[tuple[str, date]]:
        """The state changes that bring an enterprise to ``state`` by ``as_of``.

        Graduation needs 12 months in the pool (二(六)2); an enterprise whose
        window is too short for its drawn state stays ``admitted``.
        """
        rng, as_of = self.rng, self.as_of
        applied = self._day(self.first_day, as_of - timedelta(days=20))
        steps = [("applied", applied)]
        if state == "applied":
            return steps
        decided = applied + timedelta(days=rng.randint(15, 60))
        if decided > as_of:
            return steps
        if state == "rejected":
            return steps + [("rejected", decided)]
        steps.append(("admitted", decided))
        if state == "graduated" and (as_of - decided).days >= 366:
            steps.append(("graduated", self._day(decided + timedelta(days=366), as_of)))
        elif state == "expelled" and (as_of - decided).days >= 60:
            steps.append(("expelled", self._day(decided + timedelta(days=60), as_of)))
        return steps

    def _enterprise(self, rows, eid, county, steps) -> None:
        rng = self.rng
        state, changed = steps[-1]
        admitted = next((on for s, on in steps if s == "admitted"), None)
        industry, noun, word = rng.choice(demo.INDUSTRIES)
        prefix = "黄石" if county.code == "420271" else county.name[:2]
        name = (f"{prefix}{rng.choice(demo.NAME_PARTS)}{rng.choice(demo.NAME_PARTS)}"
                f"{word}{rng.choice(demo.SUFFIXES)}")
        rows["enterprise"].append({
            "id": eid, "uscc": uscc.make("91", county.code, f"MB{eid:07d}"), "name": name,
            "county_id": county.id, "state": state, "admitted_on": admitted,
            "state_changed_on": changed, "registered_region_code": county.code,
            "independent_legal_person": True, "industry_code": industry,
            "has_rd_leader": rng.random() < 0.92, "brand_evidence": [],
            "address": f"湖北省黄石市{county.name}{rng.randint(1, 999)}号",
            "ip_rules": True, "ip_department": rng.random() < 0.85, "ip_staff": True,
            "ip_budget": rng.random() < 0.8, "ip_certified_gbt29490": rng.random() < 0.35,
            "abnormal_patent_applications": False, "major_accident": False,
            "violation": False, "serious_dishonesty": state == "expelled", "version": 1,
        })
        rows["contact"].append({
            "enterprise_id": eid, "name": f"{rng.choice(demo.SURNAMES)}{rng.choice(demo.GIVEN)}",
            "title": "知识产权专员", "email": f"ip{eid}@example.com",
            "phone": f"0714-6{rng.randint(100000, 999999)}", "receives_reminders": True,
        })
        self._noun = noun

    def _events(self, rows, eid, county_id, steps) -> None:
        rng, events = self.rng, rows["pool_event"]
        previous = None
        for to_state, on in steps:
            events.append({"enterprise_id": eid, "county_id": county_id, "kind": STATE_CHANGE,
                           "from_state": previous, "to_state": to_state, "effective_on": on,
                           "actor_id": self.admin_id, "reason": REASONS[to_state], "evidence": {},
                           "replenishment": False})
            previous = to_state
        admitted = next((on for s, on in steps if s == "admitted"), None)
        if admitted is None:
            return
        # Progress while in the pool: every few months to two years; a few stall.
        end = steps[-1][1] if len(steps) > 2 else self.as_of
        day = admitted
        while rng.random() > 0.05:
            day += timedelta(days=rng.randint(90, 640))
            if day >= end:
                break
            events.append({"enterprise_id": eid, "county_id": county_id, "kind": PROGRESS,
                           "subtype": "patent_industrialized", "effective_on": day,
                           "actor_id": self.admin_id, "reason": "新增 1 件专利实现产业化",
                           "evidence": {}, "replenishment": False})
        if steps[-1][0] == "expelled":
            events.append({"enterprise_id": eid, "county_id": county_id, "kind": INCIDENT,
                           "subtype": "serious_dishonesty", "effective_on": steps[-1][1],
                           "actor_id": self.admin_id, "reason": "列入严重失信主体名单",
                           "evidence": {}, "replenishment": False})

    def _figures(self, rows, eid) -> None:
        rng = self.rng
        revenue = demo._money(rng, 1500, 30000)
        employees = rng.randint(40, 600)
        for year in range(self.as_of.year - self.years, self.as_of.year):
            revenue = (revenue * Decimal(rng.randint(92, 125)) / 100).quantize(Decimal("0.01"))
            employees = max(20, employees + rng.randint(-15, 30))
            low = rng.random() < 0.04  # a weak year: the criteria may drift
            rows["yearly_figure"].append({
                "enterprise_id": eid, "year": year, "operating_revenue": revenue,
                "total_assets": (revenue * rng.randint(8, 20) / 10).quantize(Decimal("0.01")),
                "rd_expense": (revenue * rng.randint(*(RD_LOW if low else RD_USUAL)) / 1000
                               ).quantize(Decimal("0.01")),
                "employees": employees,
                "rd_staff": employees * rng.randint(*(STAFF_LOW if low else STAFF_USUAL)) // 100,
                "version": 1,
            })

    def _assets(self, rows, eid, steps) -> None:
        rng, as_of, noun = self.rng, self.as_of, self._noun
        applied = steps[0][1]
        if rng.random() < 0.9:
            # Renewed every three years; one in twenty lets the last one lapse.
            start = self._day(applied - timedelta(days=900), applied)
            kind = rng.choice(("high_tech", "specialized_sme", "ip_advantage", "little_giant"))
            lapses = rng.random() < 0.05
            while True:
                end = start + timedelta(days=3 * 365 - 1)
                rows["qualification"].append({
                    "enterprise_id": eid, "type": kind, "certificate_no": f"GR{start.year}42{eid:07d}",
                    "valid_from": start, "valid_to": end})
                if end >= as_of or (lapses and end > applied):
                    break
                start = end + timedelta(days=1)
        patent_ids = []
        for k in range(rng.randint(3, 10)):
            pid = self.next[Patent]
            self.next[Patent] += 1
            patent_ids.append(pid)
            rows["patent"].append({
                "id": pid, "enterprise_id": eid, "number": f"ZL20{rng.randint(15, 24)}1{eid:07d}.{k}",
                "title": f"一种{noun}的{'制备方法' if k % 2 else '装置'}",
                "kind": rng.choice(("invention", "invention", "utility_model", "design")),
                "status": "valid" if rng.random() < 0.9 else rng.choice(("pending", "lapsed")),
                "origin": rng.choice(("self", "self", "self", "acquired", "licensed")),
                "core": k < 3, "industrialized": k < 2 or rng.random() < 0.6})
        main = self.next[Product]
        intensive = rng.random() < 0.45
        rows["product"].append({
            "id": main, "enterprise_id": eid, "name": f"高性能{noun}", "main": True,
            "filing_no": f"BA{applied.year}42{eid:07d}" if rng.random() < 0.7 else None,
            "patent_intensive": intensive,
            "certified_on": self._day(applied - timedelta(days=400), as_of) if intensive else None})
        rows["product"].append({"id": main + 1, "enterprise_id": eid, "name": f"{noun}配套组件",
                                "main": False, "filing_no": None, "patent_intensive": False,
                                "certified_on": None})
        self.next[Product] += 2
        rows["product_patent"] += [{"product_id": main, "patent_id": p} for p in patent_ids[:2]]
        if intensive:
            sales = demo._money(rng, 300, 5000)
            for year in range(as_of.year - min(self.years, 3), as_of.year):
                sales = (sales * Decimal(rng.randint(90, 130)) / 100).quantize(Decimal("0.01"))
                rows["product_figure"].append({"product_id": main, "year": year, "sales": sales,
                                               "profit": (sales / 8).quantize(Decimal("0.01")),
                                               "version": 1})
        rows["trademark"].append({"enterprise_id": eid, "reg_no": f"{rng.randint(10000000, 69999999)}",
                                  "name": f"{noun}牌", "owned": True,
                                  "valid_to": as_of + timedelta(days=rng.randint(100, 3000))})
        if rng.random() < 0.5:
            rows["research_partnership"].append({
                "enterprise_id": eid, "partner": rng.choice(demo.PARTNERS),
                "partner_type": "university", "valid_from": applied - timedelta(days=365),
                "valid_to": applied + timedelta(days=3 * 365)})


REASONS = {
    "applied": "企业提交入库申报",
    "admitted": "经审核符合入库企业基本标准，准予入库",
    "rejected": "专利产业化率未达到 50%，不予入库",
    "graduated": "新增 1 件专利密集型产品，培育出库",
    "expelled": "列入严重失信主体名单，予以退库",
}
