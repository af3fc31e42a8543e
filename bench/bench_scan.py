"""Benchmark: the daily risk scan of N admitted enterprises (SPEC §4).

    python bench/bench_scan.py [N]        (default 100000; a fresh SQLite file)

Generates N admitted enterprises in Huangshi's seven counties — admissions
over four years, progress events, incidents, qualifications, five patents on
average, two years of figures (some missing or low), partnerships, products
with figures, contacts, two officers per county — with bulk inserts, then
times:

* before each scan, the daily job's step that judges the records whose kept
  criteria verdicts no longer hold (:func:`pool.monitoring.scan.judge_records`):
  the whole pool on the first day, the few that changed or are due the next,
* the first scan (every flag is new: raised, history rows and mails written),
* the next day's scan (the daily case: little changes),
* the same day again (idempotent: nothing changes),

each the best of three runs (rolled back in between: the machine is shared),

and beside each stage of the scan the **floor**: the very SELECT statements
that stage sent, captured while it ran and executed again through the bare
DB-API cursor (``fetchall``, no SQLAlchemy, no Python work on the rows).
The target (task brief): 100,000 enterprises in 3 s or less on SQLite on the
project's 2-core machine.  Not collected by pytest.
"""
from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from models import (  # noqa: E402
    Contact, County, Enterprise, OutboxMail, Patent, PoolEvent, Product, ProductFigure, Qualification,
    ResearchPartnership, RiskFlag, RiskFlagChange, Trademark, User, YearlyFigure, db, product_patent,
)
from pool.monitoring import scan as monitoring
from pool.eligibility import rulebook, uscc  # noqa: E402

AS_OF = date(2026, 6, 15)
COUNTIES = (("420202", "黄石港区"), ("420203", "西塞山区"), ("420204", "下陆区"), ("420205", "铁山区"),
            ("420271", "黄石经济技术开发区"), ("420281", "大冶市"), ("420222", "阳新县"))
CHUNK = 20000
RUNS = 3  # each scan is timed this often (rolled back in between); the best counts


def _money(rng, low, high) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _day(rng, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def generate(session, n: int, seed: int = 2026) -> None:
    """N admitted enterprises and everything the scan reads, bulk-inserted."""
    rng = random.Random(seed)
    counties = []
    for i, (code, name) in enumerate(COUNTIES):
        county = County(code=code, name=name, sort_order=i)
        session.add(county)
        counties.append(county)
    session.flush()
    users = [{"username": f"officer_{c.code}_{k}", "display_name": f"{c.name}专员{k}", "role": "county_officer",
              "county_id": c.id, "email": f"officer{k}@{c.code}.example.gov.cn", "password_hash": "-",
              "active": True} for c in counties for k in (1, 2)]
    session.execute(insert(User), users)
    rows = {model: [] for model in (Enterprise, Qualification, Patent, YearlyFigure, ResearchPartnership,
                                    Contact, PoolEvent, Product, Trademark)}
    product_figures, product_patents = [], []
    for i in range(1, n + 1):
        county = counties[i % len(counties)]
        admitted = _day(rng, date(2022, 6, 1), date(2026, 5, 31))
        rows[Enterprise].append({
            "id": i, "uscc": uscc.make("91", county.code, f"MA{i:07d}"), "name": f"黄石基准企业{i}有限公司",
            "county_id": county.id, "state": "admitted", "admitted_on": admitted,
            "state_changed_on": admitted, "has_rd_leader": rng.random() < 0.995, "version": 1,
            # 第9条: certified, or the four parts of an IP-management system (a few lack one)
            "ip_certified_gbt29490": rng.random() < 0.4, "ip_rules": True, "ip_department": True,
            "ip_staff": True, "ip_budget": rng.random() < 0.97})
        if rng.random() < 0.97:  # 第8条: an owned trademark
            rows[Trademark].append({"enterprise_id": i, "reg_no": f"TM{i}", "owned": True,
                                    "valid_to": _day(rng, date(2026, 6, 1), date(2034, 12, 31))})
        rows[Contact].append({"enterprise_id": i, "name": "联系人", "email": f"c{i}@example.com",
                              "receives_reminders": True})
        # Most members progress every few months to two years; a few stall.
        step = admitted
        while rng.random() > 0.04:
            step += timedelta(days=rng.randint(90, 640))
            if step > AS_OF:
                break
            rows[PoolEvent].append({"enterprise_id": i, "county_id": county.id, "kind": "progress",
                                    "subtype": "patent_industrialized", "effective_on": step,
                                    "reason": "新增产业化专利", "evidence": {}})
        if rng.random() < 0.005:
            rows[PoolEvent].append({"enterprise_id": i, "county_id": county.id, "kind": "incident",
                                    "subtype": "violation" if rng.random() < 0.5 else "data_fraud",
                                    "effective_on": _day(rng, admitted, AS_OF), "reason": "违法违规",
                                    "evidence": {}})
        # 90 % hold a current qualification (some renewed), 4 % let it lapse.
        luck = rng.random()
        if luck < 0.94:
            end = _day(rng, date(2026, 7, 1), date(2029, 6, 30)) if luck < 0.9 else \
                _day(rng, date(2025, 6, 1), date(2026, 6, 14))
            kind = rng.choice(("high_tech", "specialized_sme"))
            rows[Qualification].append({"enterprise_id": i, "type": kind, "certificate_no": f"GR{i}",
                                        "valid_from": end - timedelta(days=1095), "valid_to": end})
            if rng.random() < 0.3:
                rows[Qualification].append({"enterprise_id": i, "type": kind, "certificate_no": f"GR{i}-old",
                                            "valid_from": end - timedelta(days=2190),
                                            "valid_to": end - timedelta(days=1096)})
        core = len(rows[Patent]) + 1  # k == 0: the core patent behind the main product (第4条)
        for k in range(rng.randint(3, 7)):
            rows[Patent].append({"id": len(rows[Patent]) + 1, "enterprise_id": i, "number": f"ZL{i}.{k}",
                                 "kind": "invention",
                                 "status": "valid" if k == 0 or rng.random() < 0.93 else "lapsed", "origin": "self",
                                 "core": k == 0, "industrialized": k < 2 or rng.random() < 0.7})
        revenue = _money(rng, 2000, 30000)
        for year in (2024, 2025):
            if year == 2025 and rng.random() < 0.05:
                continue  # not reported
            # Members met criteria 6 and 7 when admitted; a few have slipped since.
            low = rng.random() < 0.05
            rd = (revenue * Decimal(rng.randint(60, 95) if low else rng.randint(100, 180)) / 1000
                  ).quantize(Decimal("0.01"))
            employees = rng.randint(40, 600)
            staff = employees * (rng.randint(12, 19) if rng.random() < 0.05 else rng.randint(20, 40)) // 100
            rows[YearlyFigure].append({"enterprise_id": i, "year": year, "operating_revenue": revenue,
                                       "rd_expense": rd, "employees": employees, "rd_staff": max(staff, 1),
                                       "version": 1})
        if rng.random() < 0.4:
            rows[ResearchPartnership].append({"enterprise_id": i, "partner": "湖北理工学院",
                                              "partner_type": "university", "valid_from": date(2023, 1, 1),
                                              "valid_to": date(2027, 12, 31)})
        if rng.random() < 0.3:
            # Most were certified before admission; a newly certified one makes graduation due.
            certified = _day(rng, admitted - timedelta(days=900), admitted) if rng.random() < 0.85 \
                else _day(rng, admitted, AS_OF)
            rows[Product].append({"id": len(rows[Product]) + 1, "enterprise_id": i, "name": "专利密集型产品",
                                  "main": True, "patent_intensive": True, "certified_on": certified})
            product_patents.append({"product_id": len(rows[Product]), "patent_id": core})
            sales = _money(rng, 500, 5000)
            for year, growth in ((admitted.year, 1), (2025, Decimal(rng.randint(85, 125)) / 100)):
                product_figures.append({"product_id": len(rows[Product]), "year": year,
                                        "sales": (sales * growth).quantize(Decimal("0.01")),
                                        "profit": (sales * growth / 10).quantize(Decimal("0.01")), "version": 1})
        else:
            rows[Product].append({"id": len(rows[Product]) + 1, "enterprise_id": i, "name": "主导产品",
                                  "main": True, "patent_intensive": False})
            product_patents.append({"product_id": len(rows[Product]), "patent_id": core})
    for model, items in rows.items():
        for start in range(0, len(items), CHUNK):
            session.execute(insert(model), items[start:start + CHUNK])
    for start in range(0, len(product_patents), CHUNK):
        session.execute(insert(product_patent), product_patents[start:start + CHUNK])
    # A product's figures for its admission year and 2025 may be the same year: keep one.
    unique = {(f["product_id"], f["year"]): f for f in product_figures}
    items = list(unique.values())
    for start in range(0, len(items), CHUNK):
        session.execute(insert(ProductFigure), items[start:start + CHUNK])
    session.commit()


class Capture:
    """The SELECTs each stage of a scan sends, recorded through a cursor event."""

    def __init__(self, engine):
        self.engine, self.stage, self.queries, self.active = engine, "准备", [], False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.active and statement.lstrip().upper().startswith("SELECT") and not executemany:
            self.queries.append((self.stage, statement, parameters))

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def floor(self) -> dict[str, float]:
        """Seconds per stage to run its SELECTs again on the bare DB-API cursor."""
        out: dict[str, float] = {}
        raw = self.engine.raw_connection()
        try:
            for stage, statement, parameters in self.queries:
                cursor = raw.cursor()
                started = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                out[stage] = out.get(stage, 0.0) + time.perf_counter() - started
                cursor.close()
            raw.rollback()
        finally:
            raw.close()
        return out


def timed_scan(session, as_of: date, rules, capture: Capture | None = None, *, keep: bool = True):
    """``(result, total seconds, {stage: seconds})`` of one scan, committed if
    ``keep`` else rolled back (so that the same scan can be timed again)."""
    marks: dict[str, float] = {}
    started = last = time.perf_counter()

    def progress(label: str) -> None:
        nonlocal last
        now = time.perf_counter()
        marks[label] = now - last
        last = now
        if capture:
            capture.stage = _next_stage(label)

    if capture:
        capture.stage, capture.active = monitoring.STAGES[0][0], True
    result = monitoring.scan(session, as_of, rulebook=rules, progress=progress)
    if capture:
        capture.active = False
    if keep:
        session.commit()
    else:
        session.rollback()
    marks["提交"] = time.perf_counter() - last
    return result, time.perf_counter() - started, marks


def timed_judging(session, as_of: date, rules, capture: Capture | None = None) -> tuple[int, float]:
    """``(records judged, seconds)`` of the daily job's step before the scan:
    judging the records whose kept verdicts no longer hold (committed; once —
    a second run would find them judged)."""
    if capture:
        capture.stage, capture.active = "复核企业记录", True
    started = time.perf_counter()
    judged = monitoring.judge_records(session, as_of, rules, commit=session.commit)
    seconds = time.perf_counter() - started
    if capture:
        capture.active = False
    return judged, seconds


def best_of(runs: int, session, as_of: date, rules, capture: Capture | None = None):
    """The fastest of ``runs`` timings of the same scan (the others rolled
    back; the last one kept): the machine is shared, the minimum is the cost."""
    timings = [timed_scan(session, as_of, rules, capture if i == runs - 1 else None, keep=i == runs - 1)
               for i in range(runs)]
    result, seconds, marks = min(timings, key=lambda t: t[1] - t[2]["提交"])
    # Count the kept run's commit, not a cheaper rollback.
    commit = timings[-1][2]["提交"]
    return result, seconds - marks["提交"] + commit, {**marks, "提交": commit}


def _next_stage(label: str) -> str:
    labels = [name for name, _ in monitoring.STAGES] + ["更新风险记录", "写入提醒邮件", "提交"]
    return labels[min(labels.index(label) + 1, len(labels) - 1)]


def main(n: int = 100_000) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    try:
        run(n, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(n: int, tmp: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench",
                      "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}"})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        session = db.session
        started = time.perf_counter()
        generate(session, n)
        print(f"生成 {n:,} 家在库企业及其数据：{time.perf_counter() - started:.1f} 秒（不计入扫描）")
        sizes = {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                 for m in (Enterprise, Patent, Qualification, YearlyFigure, PoolEvent, Product)}
        print("  " + "，".join(f"{k} {v:,}" for k, v in sizes.items()))
        rules = rulebook.load(session)

        capture = Capture(db.engine)
        first_judged, first_judging = timed_judging(session, AS_OF, rules, capture)
        first, first_s, first_marks = best_of(RUNS, session, AS_OF, rules, capture)
        capture.close()
        floor = capture.floor()
        daily = Capture(db.engine)
        second_judged, second_judging = timed_judging(session, AS_OF + timedelta(days=1), rules, daily)
        second, second_s, second_marks = best_of(RUNS, session, AS_OF + timedelta(days=1), rules, daily)
        daily.close()
        daily_floor = daily.floor()
        third, third_s, _ = best_of(RUNS, session, AS_OF + timedelta(days=1), rules)
        written = {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                   for m in (RiskFlag, RiskFlagChange, OutboxMail)}

    print()
    print(f"| stage | first scan {AS_OF} (s) | floor: its SELECTs (s) | next day (s) | floor (s) |")
    print("|---|---|---|---|---|")
    for label in list(first_marks):
        print(f"| {label} | {first_marks[label]:.3f} | {floor.get(label, 0):.3f} | "
              f"{second_marks.get(label, 0):.3f} | {daily_floor.get(label, 0):.3f} |")
    print(f"| **total** | **{first_s:.2f}** | {sum(floor.get(k, 0) for k in first_marks):.2f} | "
          f"**{second_s:.2f}** | {sum(daily_floor.get(k, 0) for k in first_marks):.2f} |")
    print()
    print(f"before the scan, records judged afresh (kept verdicts that no longer hold): first day "
          f"{first_judged:,} in {first_judging:.2f} s ({first_judging / max(first_judged, 1) * 1e6:.0f} µs each, "
          f"floor: its SELECTs {floor.get('复核企业记录', 0):.2f} s); next day {second_judged:,} in "
          f"{second_judging:.2f} s (floor {daily_floor.get('复核企业记录', 0):.2f} s)")
    print(f"same day again (idempotent): {third_s:.2f} s — {third.summary()}")
    print(f"first:    {first.summary()}")
    print(f"next day: {second.summary()}")
    print("rows written: " + ", ".join(f"{k} {v:,}" for k, v in written.items()))
    verdict = "met" if max(first_s, second_s) <= 3 else "NOT met"
    print(f"target ≤ 3 s for {n:,} enterprises: {verdict} "
          f"(first {first_s:.2f} s, daily {second_s:.2f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
