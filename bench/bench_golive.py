"""Benchmark: the go-live import of N members with five events each (issue #21).

    python bench/bench_golive.py [N]        (default 10000; a fresh SQLite file, or --postgres URL)

Builds a go-live workbook — N enterprises in Huangshi's seven counties with a
full record, two intake rounds, and per member 申报, 入库, two 实质性进展 and
then either 培育出库 (rule a, a product certified after admission) or a third
progress — and times, on a fresh database:

* reading the workbook (:func:`pool.io.golive.read_history`), beside its
  floor: openpyxl's own read-only pass over the same file;
* the preview (the whole history replayed in a SAVEPOINT, rolled back, with
  the summary and the flags the next scan would raise);
* the import itself (:func:`pool.io.golive.replay` and the commit), with the
  CPU time of this process beside it: on a shared machine the wall clock
  also counts the others' work (the floor shows how busy it was).

The target (issue #21): the import of 10,000 members with 5 events each in
under 60 s.  Not collected by pytest.
"""
from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from models import CITY_ADMIN, Enterprise, PoolEvent, User, db  # noqa: E402
from pool.eligibility import rulebook, uscc  # noqa: E402
from pool.io import golive  # noqa: E402
from pool.reference import city  # noqa: E402

TODAY = date(2026, 11, 20)
ROUNDS = [("首批", date(2024, 10, 8), date(2024, 12, 31)), ("第二批", date(2025, 3, 1), date(2025, 3, 31))]


def applicant(n: int, county: tuple[str, str], rng: random.Random, certified: date | None) -> dict:
    code, name = county
    revenue = Decimal(rng.randint(300000, 3000000)) / 100
    employees = rng.randint(40, 300)
    products = [{"name": f"主导产品{n}", "main": True, "patents": [f"ZL2023{n:07d}.1"],
                 "filing_no": f"BA2024{n:07d}", "patent_intensive": True, "certified_on": "2024-03-01"}]
    if certified:
        products.append({"name": f"新产品{n}", "main": False, "patent_intensive": True,
                         "certified_on": certified.isoformat()})
    return {
        "uscc": uscc.make("91", code, f"MG{n:07d}"), "name": f"黄石上线基准企业{n}有限公司", "county": name,
        "assessment_year": 2024, "independent_legal_person": True, "industry_code": "C3562",
        "employees": employees, "operating_revenue": revenue, "total_assets": revenue * 2,
        "rd_expense": (revenue * Decimal("0.12")).quantize(Decimal("0.01")), "rd_staff": employees * 3 // 10,
        "has_rd_leader": True,
        "qualifications": [{"type": "high_tech", "certificate_no": f"GR{n}", "valid_from": "2023-12-01",
                            "valid_to": "2026-11-30"}],
        "patents": [{"number": f"ZL2023{n:07d}.{k}", "kind": "invention", "status": "valid", "origin": "self",
                     "core": k == 1, "industrialized": k < 3} for k in range(1, 5)],
        "products": products,
        "trademarks": [{"reg_no": f"6{n:07d}", "owned": True, "valid_to": "2031-05-06"}],
        "brand_evidence": ["湖北省名牌产品"],
        "ip_management": {"rules": True, "department": True, "staff": True, "budget": True,
                          "certified_gbt29490": False},
        "integrity": {"abnormal_patent_applications": False, "major_accident": False, "violation": False,
                      "serious_dishonesty": False},
    }


def build(n: int, counties: list[tuple[str, str]], seed: int = 21) -> bytes:
    rng = random.Random(seed)
    applicants, events = [], []
    for i in range(1, n + 1):
        applied = date(2024, 10, 8) + timedelta(days=rng.randint(0, 60))
        admitted = applied + timedelta(days=rng.randint(1, 20))
        graduates = rng.random() < 0.2
        certified = admitted + timedelta(days=rng.randint(60, 200)) if graduates else None
        data = applicant(i, counties[i % len(counties)], rng, certified)
        applicants.append(data)
        code = data["uscc"]
        events += [(code, applied, "申报", None, None, ""), (code, admitted, "入库", None, None, ""),
                   (code, date(2025, 3, 2) + timedelta(days=rng.randint(0, 90)), "实质性进展", "新增产业化专利",
                    None, "新增产业化专利"),
                   (code, date(2025, 8, 1) + timedelta(days=rng.randint(0, 60)), "实质性进展", "专利产业化率提高",
                    None, "产业化率提高")]
        if graduates:
            events.append((code, admitted + timedelta(days=400), "培育出库", "a", f"黄市监〔2025〕{i}号",
                           "新认定专利密集型产品"))
        else:
            events.append((code, date(2026, 3, 1) + timedelta(days=rng.randint(0, 90)), "实质性进展",
                           "新增专利产品备案", None, "新增专利产品备案"))
    buffer = io.BytesIO()
    golive.write_template(buffer, counties=[name for _, name in counties], applicants=applicants,
                          rounds=ROUNDS, events=events)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL database of its own (its public schema is replaced)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-golive-"))
    try:
        run(args.n, tmp, args.postgres)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(n: int, tmp: Path, postgres: str | None) -> None:
    url = postgres or f"sqlite:///{tmp / 'bench.sqlite3'}"
    app = create_app({"INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench", "DATABASE_URL": url})
    with app.app_context():
        from flask_migrate import upgrade
        if postgres:
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        session = db.session
        counties, _ = city.ensure_counties(session)
        admin = User(username="admin", display_name="市局管理员", role=CITY_ADMIN, password_hash="-",
                     email="admin@example.gov.cn")
        session.add(admin)
        session.commit()
        started = time.perf_counter()
        content = build(n, [(c.code, c.name) for c in counties])
        print(f"生成上线导入工作簿：{n:,} 家企业，{len(content) / 1024 / 1024:.1f} MiB，"
              f"{time.perf_counter() - started:.1f} 秒（不计入）")

        started = time.perf_counter()
        history = golive.read_history(content)
        reading = time.perf_counter() - started
        started = time.perf_counter()
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        for sheet in book.worksheets:
            for _row in sheet.iter_rows(values_only=True):
                pass
        book.close()
        floor = time.perf_counter() - started
        rules = rulebook.load(session)

        started = time.perf_counter()
        outcome = golive.preview(session, history, actor=admin, today=TODAY, rulebook=rules)
        previewing = time.perf_counter() - started
        session.rollback()

        started, cpu = time.perf_counter(), time.process_time()
        done = golive.replay(session, history, actor=admin, today=TODAY, rulebook=rules)
        session.commit()
        importing, importing_cpu = time.perf_counter() - started, time.process_time() - cpu
        members = session.scalar(select(func.count()).select_from(Enterprise))
        events = session.scalar(select(func.count()).select_from(PoolEvent))

    backend = "PostgreSQL" if postgres else "SQLite"
    print()
    print(f"| go-live import, {n:,} members × {len(history.events) / n:.1f} events ({backend}) | s | floor s |")
    print("|---|---|---|")
    print(f"| read the workbook | {reading:.1f} | {floor:.1f} (openpyxl's read-only pass) |")
    print(f"| preview (replay in a savepoint, summary, next scan's flags) | {previewing:.1f} | |")
    print(f"| **import** (replay and commit) | **{importing:.1f}** (this process's CPU {importing_cpu:.1f}) | |")
    print()
    print("preview: " + "；".join(golive.describe(outcome)))
    print(f"written: {done.registered:,} enterprises, {members:,} in the database, {events:,} pool events")
    verdict = "met" if importing < 60 else "NOT met"
    print(f"target: the import of 10,000 members with 5 events each in under 60 s — {verdict} "
          f"({importing:.1f} s for {n:,})")


if __name__ == "__main__":
    main()
