"""The benchmark suite: every figure beside its floor, measured in the same run.

    python bench/run.py [--enterprises N] [--years Y] [--requests R] [--postgres URL]
    make bench                      (this, after the criteria benchmark)

Builds a fresh SQLite database in a temporary directory (and, with
``--postgres URL``, migrates that database too — its ``public`` schema is
dropped first, so never point it at data you keep), generates N enterprises
with ``pool.demo.bulk`` (the ``flask pool seed-demo --enterprises`` generator),
runs the first daily scan, then prints one table per backend:

* the enterprise list with filters and search and the enterprise page, server
  time p50/p95 over R requests through Flask's test client, logged in as a
  county officer and as the city administrator;
* the pool on a date (``lifecycle.members_on``), the daily scan (the next
  day's, as in ``bench/bench_scan.py``), the Excel export of the whole pool
  (``exports.pool_rows`` + ``write_xlsx``) and the Excel import of 10,000
  applicants (``workbook.read_applicants``).

The **floor** of a database figure is the SQL that figure sent — captured
while it ran, executed again on the bare DB-API cursor with ``fetchall`` — so
"× floor" is what the application adds on top of the database.  The import's
floor is openpyxl's read-only iteration of the same file.  Not part of the
tests.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import event, select, text, update  # noqa: E402

from app import create_app  # noqa: E402
from models import Enterprise, User, db  # noqa: E402
from pool.demo import bulk as demo_bulk
from pool.io import exports, workbook
from pool.membership import lifecycle
from pool.eligibility import rulebook  # noqa: E402

AS_OF = date(2026, 6, 30)
IMPORT_ROWS = 10_000


class Statements:
    """The statements sent on an engine while active (``before_cursor_execute``)."""

    def __init__(self, engine):
        self.engine, self.items, self.active = engine, [], False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.active and not executemany:
            self.items.append((statement, parameters))

    @contextmanager
    def capturing(self):
        self.items, self.active = [], True
        try:
            yield self
        finally:
            self.active = False

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def replay(self) -> float:
        """Seconds to run the captured SELECTs again on the bare DB-API cursor."""
        raw = self.engine.raw_connection()
        try:
            started = time.perf_counter()
            for statement, parameters in self.items:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                cursor = raw.cursor()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                cursor.close()
            seconds = time.perf_counter() - started
            raw.rollback()
        finally:
            raw.close()
        return seconds


def pct(samples: list[float], p: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Table:
    def __init__(self, title: str):
        self.title, self.rows = title, []

    def add(self, figure: str, samples: list[float], floor: list[float], note: str = "") -> None:
        self.rows.append((figure, samples, floor, note))
        print(f"  {figure}: p50 {pct(samples, 50) * 1000:.1f} ms, floor {pct(floor, 50) * 1000:.1f} ms",
              flush=True)

    def print(self) -> None:
        print()
        print(f"### {self.title}")
        print()
        print("| figure | p50 ms | p95 ms | floor p50 ms | floor p95 ms | × floor (p50) | n | note |")
        print("|---|---|---|---|---|---|---|---|")
        for figure, samples, floor, note in self.rows:
            f50 = pct(floor, 50)
            ratio = pct(samples, 50) / f50 if f50 else float("inf")
            print(f"| {figure} | {pct(samples, 50) * 1000:.1f} | {pct(samples, 95) * 1000:.1f} | "
                  f"{f50 * 1000:.1f} | {pct(floor, 95) * 1000:.1f} | {ratio:.1f} | {len(samples)} | {note} |")


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def pages(app, statements, table, label, username, password, urls, requests):
    """p50/p95 of ``requests`` GETs (cycling ``urls``) against the floor of each."""
    client = app.test_client()
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"login as {username} failed"
    client.get(urls[0])  # warm-up: templates compiled, rulebook cached
    samples, floor = [], []
    for i in range(requests):
        url = urls[i % len(urls)]
        with statements.capturing():
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        floor.append(statements.replay())
    table.add(f"{label} ({username})", samples, floor)


def repeated(statements, table, label, fn, runs, note=""):
    samples, floor = [], []
    for _ in range(runs):
        with statements.capturing():
            samples.append(timed(fn))
        floor.append(statements.replay())
    table.add(label, samples, floor, note)


def run(url: str | None, backend: str, args, tmp: Path) -> Table:
    config = {"INSTANCE_PATH": str(tmp / backend), "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
              "DATABASE_URL": url or f"sqlite:///{tmp / 'bench.sqlite3'}"}
    (tmp / backend).mkdir(exist_ok=True)
    app = create_app(config)
    table = Table(f"{backend}: {args.enterprises:,} enterprises × {args.years} years")
    with app.app_context():
        from flask_migrate import upgrade

        if backend == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        session = db.session
        started = time.perf_counter()
        result = demo_bulk.generate(session, enterprises=args.enterprises, years=args.years,
                                    as_of=AS_OF, seed=2024)
        session.commit()
        print(f"[{backend}] generated {result.enterprises:,} enterprises in "
              f"{time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{k} {v:,}" for k, v in result.rows.items()), flush=True)
        if backend == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()
        passwords = {u: pw for u, pw, _role, _county in result.created.credentials}
        # Demo accounts must change their password first; the benchmark measures the pages.
        session.execute(update(User).values(must_change_password=False))
        session.commit()
        rules = rulebook.load(session)
        import bench_scan

        judged, judging = bench_scan.timed_judging(session, AS_OF, rules)
        print(f"[{backend}] records judged before the first scan: {judged:,} in {judging:.1f} s", flush=True)
        first, first_s, _ = bench_scan.timed_scan(session, AS_OF, rules)
        print(f"[{backend}] first scan: {first_s:.1f} s — {first.summary()}", flush=True)
        officer = session.scalar(select(User).where(User.username == "officer_dy"))
        ids = {"officer_dy": list(session.scalars(
            select(Enterprise.id).where(Enterprise.county_id == officer.county_id))),
            "admin": list(session.scalars(select(Enterprise.id)))}
        session.remove()
    with app.app_context():
        statements = Statements(db.engine)

    rng = random.Random(1)
    list_urls = ["/enterprises/?q=华新&state=admitted", "/enterprises/?q=科技",
                 "/enterprises/?state=graduated&page=3", "/enterprises/?q=91420281MB",
                 "/enterprises/?page=40", "/enterprises/"]
    for username in ("officer_dy", "admin"):
        pages(app, statements, table, "enterprise list, filters + search", username,
              passwords[username], list_urls, args.requests)
    for username in ("officer_dy", "admin"):
        urls = [f"/enterprises/{i}" for i in rng.sample(ids[username], min(50, len(ids[username])))]
        pages(app, statements, table, "enterprise page", username, passwords[username], urls,
              args.requests)

    bulk_intake(app, statements, table, tmp, passwords["officer_dy"])

    with app.app_context():
        session = db.session
        days = [AS_OF - timedelta(days=180 * k) for k in range(6)]
        cycle = iter(days * 100)
        repeated(statements, table, "pool on a date (members_on, whole city)",
                 lambda: lifecycle.members_on(session, next(cycle)), 10)
        session.rollback()

        import bench_scan

        judged, judging = bench_scan.timed_judging(session, AS_OF + timedelta(days=1), rules)
        print(f"[{backend}] records judged before the next day's scan: {judged:,} in {judging:.2f} s", flush=True)
        samples, floor = [], []
        for k in range(3):  # the next day's scan, rolled back in between (the daily case)
            with statements.capturing():
                _result, seconds, _ = bench_scan.timed_scan(session, AS_OF + timedelta(days=1), rules,
                                                            keep=False)
            samples.append(seconds)
            floor.append(statements.replay())
        table.add("daily scan (next day, whole city)", samples, floor, "bench_scan approach")

        admin = session.scalar(select(User).where(User.username == "admin"))

        def export():
            buffer = io.BytesIO()
            exports.write_xlsx(exports.pool_rows(session, admin), exports.POOL_HEADER, buffer)
            return buffer

        repeated(statements, table, f"Excel export of the whole pool ({args.enterprises:,} rows)",
                 export, 3)
        session.rollback()
        session.remove()
    statements.close()
    return table


BULK_ROWS = 1_000


def bulk_intake(app, statements, table: Table, tmp: Path, password: str) -> None:
    """批量申报 of 1,000 applicants as a county officer: the upload (read, judge every
    row, keep the batch) and saving the valid ones, each beside the SQL it sent
    replayed; the file read alone is in the note."""
    import bench_criteria

    applicants = [json.loads(t, parse_float=Decimal) for t in bench_criteria.generate(BULK_ROWS)]
    path = tmp / "bulk.xlsx"
    workbook.write_applicants(applicants, path, counties=["大冶市"])
    content = path.read_bytes()
    reading = timed(lambda: workbook.read_applicants(content))
    client = app.test_client()
    assert client.post("/auth/login", data={"username": "officer_dy", "password": password}).status_code == 302
    upload, save, floor_upload, floor_save = [], [], [], []
    for _ in range(3):
        with statements.capturing():
            started = time.perf_counter()
            response = client.post("/checks/upload", data={"as_of": "2025-06-30", "file": (io.BytesIO(content),
                                   "bulk.xlsx")}, content_type="multipart/form-data")
            upload.append(time.perf_counter() - started)
        assert response.status_code in (200, 422), response.status_code
        floor_upload.append(statements.replay())
        batch = int(response.get_data(as_text=True).split("/checks/batch/")[1].split("/")[0])
        with statements.capturing():
            started = time.perf_counter()
            assert client.post(f"/checks/batch/{batch}/save").status_code == 303
            save.append(time.perf_counter() - started)
        floor_save.append(statements.replay())
    table.add(f"bulk intake: upload and judge {BULK_ROWS:,} applicants (county officer)", upload, floor_upload,
              f"{len(content) / 2**20:.1f} MiB; reading the file alone {reading:.1f} s")
    table.add(f"bulk intake: save the valid ones of {BULK_ROWS:,} as checks", save, floor_save,
              "target: upload + save ≤ 30 s")


def import_figures(table: Table, tmp: Path) -> None:
    """``read_applicants`` of 10,000 rows against openpyxl's read-only iteration."""
    import openpyxl

    import bench_criteria

    applicants = [json.loads(t, parse_float=Decimal) for t in bench_criteria.generate(IMPORT_ROWS)]
    path = tmp / "applicants.xlsx"
    workbook.write_applicants(applicants, path, counties=["大冶市"])

    def raw():
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for sheet in book.worksheets:
            for _row in sheet.iter_rows(values_only=True):
                pass
        book.close()

    samples, floor = [], []
    for _ in range(3):
        # ~4 patents per applicant: above the upload limits (MAX_ROWS per sheet,
        # MAX_BYTES), which are raised here to read the whole file.
        samples.append(timed(lambda: workbook.read_applicants(path, max_rows=10**6, max_bytes=10**9)))
        floor.append(timed(raw))
    table.add(f"Excel import of {IMPORT_ROWS:,} applicants", samples, floor,
              f"floor: openpyxl read-only iteration; {path.stat().st_size / 2**20:.1f} MiB")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200, help="requests per page and user")
    parser.add_argument("--postgres", metavar="URL", help="also measure this PostgreSQL database "
                                                         "(its public schema is dropped)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-run-"))
    try:
        tables = [run(None, "sqlite", args, tmp)]
        import_figures(tables[0], tmp)
        if args.postgres:
            tables.append(run(args.postgres, "postgresql", args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for table in tables:
        table.print()


if __name__ == "__main__":
    main()
