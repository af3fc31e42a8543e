"""Load benchmark: officers at work on the production server, on SQLite and PostgreSQL.

    python bench/bench_load.py [--enterprises 100000] [--duration 60] [--users 10,50,100]
                               [--backends sqlite,postgresql] [--postgres URL] [--workdir DIR]
    make bench-load            (BENCH_LOAD_ARGS="--enterprises 10000 --duration 20" to change)

For each backend it builds a pool the way an operator would (``flask db
upgrade``; ``flask pool seed-demo --enterprises N --years 5 --seed 2024 --scan``
dated 30 days back), starts **gunicorn with the project's gunicorn.conf.py**
(its worker count, 4 on the 2-core machine) on a free loopback port, gives
the demo accounts their own passwords through the password form (they must
change it at first login), then runs Locust headless
(``bench/load_users.py``):

1. the ceiling: ``GET /healthz`` with no think time (the server's own limit);
2. county officers of four counties and the city administrator (6 : 1) at
   each level of ``--users`` for ``--duration`` seconds (statistics from the
   moment every user is started);
3. ``--scan-users`` users again while ``flask pool scan`` runs back to back
   (the next day's scan, then the same day again, …) until the level ends.

It prints one table per backend — p50 / p95 / p99 per request kind at each
level, throughput and errors — beside the ceiling, and writes them to
``DIR/report.md``.  ``--postgres URL`` names a database of its own (created if
missing; its ``public`` schema is replaced).  With ``--workdir DIR`` a pool
built before for the same N is reused (the scan dates move on a day per run).
Not part of the tests; sends traffic only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import load_report  # noqa: E402
from load_forms import csrf_token  # noqa: E402

BIN = Path(sys.executable).parent
COUNTIES = ("大冶市", "阳新县", "黄石经济技术开发区", "黄石港区")  # the simulated officers'
SAMPLE = 2000  # enterprise ids per account the users pick from


def sh(args, env, log: Path | None = None, check=True) -> subprocess.CompletedProcess:
    with open(log, "a") if log else open(os.devnull, "w") as out:
        return subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=check)


def backend_env(backend: str, workdir: Path, url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(FLASK_APP="app", POOL_INSTANCE_PATH=str(workdir / backend), SECRET_KEY="bench-load",
               PYTHONUNBUFFERED="1")
    if url:
        env["DATABASE_URL"] = url
    return env


def sqlalchemy_url(env: dict) -> str:
    url = env.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{env['POOL_INSTANCE_PATH']}/pool.sqlite3"
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def fresh_postgres(url: str) -> None:
    """Create the database if missing, then replace its ``public`` schema."""
    base, name = url.rsplit("/", 1)
    admin = create_engine("postgresql+psycopg://" + base.split("://", 1)[1] + "/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = create_engine("postgresql+psycopg://" + url.split("://", 1)[1], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build(backend: str, env: dict, n: int, log: Path) -> date:
    """Migrate and bulk-generate the pool (with its first scan); returns its date."""
    as_of = today() - timedelta(days=1)  # the scan under load is then the next day's
    if backend == "postgresql":
        fresh_postgres(env["DATABASE_URL"])
    Path(env["POOL_INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sh([BIN / "flask", "db", "upgrade"], env, log)
    sh([BIN / "flask", "pool", "seed-demo", "--enterprises", str(n), "--years", "5", "--seed", "2024",
        "--scan", "--as-of", as_of.isoformat()], env, log)
    if backend == "postgresql":  # what autovacuum would do soon after a bulk load
        engine = create_engine(sqlalchemy_url(env), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
        engine.dispose()
    print(f"[{backend}] built {n:,} enterprises with the first scan in {time.perf_counter() - started:.0f} s",
          flush=True)
    return as_of


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
                              env={**env, "POOL_BIND": f"127.0.0.1:{port}"},
                              stdout=open(log, "a"), stderr=subprocess.STDOUT)
    host = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if requests.get(f"{host}/healthz", timeout=2).status_code == 200:
                return server, host
        except requests.RequestException:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not start: see {log}")


def own_password(host: str, username: str, demo_password: str) -> str:
    """Log in with the demo password and choose a new one through the password form."""
    new = "Bench-" + secrets.token_urlsafe(12)
    browser = requests.Session()
    page = browser.get(f"{host}/auth/login")
    browser.post(f"{host}/auth/login", data={"csrf_token": csrf_token(page.text), "username": username,
                                             "password": demo_password})
    page = browser.get(f"{host}/auth/password")
    fields = {"csrf_token": csrf_token(page.text), "current_password": demo_password,
              "new_password": new, "confirm": new}
    answer = browser.post(f"{host}/auth/password", data=fields, allow_redirects=False)
    if answer.status_code != 302:
        raise SystemExit(f"could not set the password of {username}: {answer.status_code}")
    return new


def plan(backend: str, env: dict, host: str, workdir: Path) -> Path:
    """The accounts (with their own passwords) and enterprise ids the users work on."""
    path = workdir / backend / "plan.json"
    if path.exists():
        return path
    demo = [line.split("\t") for line in
            (Path(env["POOL_INSTANCE_PATH"]) / "demo_accounts.txt").read_text(encoding="utf-8").splitlines()]
    engine = create_engine(sqlalchemy_url(env))
    with engine.connect() as conn:
        counties = dict(conn.execute(text("SELECT name, id FROM county")).all())
        ids: dict[int, list[int]] = {}
        for enterprise_id, county_id in conn.execute(text("SELECT id, county_id FROM enterprise")):
            ids.setdefault(county_id, []).append(enterprise_id)
    engine.dispose()
    rng = random.Random(2024)
    every = [i for county in ids.values() for i in county]
    result = {"officers": [], "county_ids": sorted(ids)}
    for username, password, role, county in demo:
        account = {"username": username, "password": own_password(host, username, password)}
        if role == "city_admin":
            result["admin"] = dict(account, ids=rng.sample(every, min(SAMPLE, len(every))))
        elif county in COUNTIES:
            mine = ids.get(counties[county], [])
            result["officers"].append(dict(account, ids=rng.sample(mine, min(SAMPLE, len(mine)))))
    path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return path


def today() -> date:
    """Today where the officers work (the app's clock, Asia/Shanghai)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


SPAWN_RATE = 5  # users started a second (each logs in first)
WARMUP = 5  # seconds after the last login before statistics begin


def locust(host: str, env: dict, prefix: Path, users: int, seconds: int, classes: list[str],
           think: str, log: Path) -> subprocess.Popen:
    """Locust in the background; statistics begin (``PREFIX.started`` appears) once every
    user has logged in and ``WARMUP`` seconds more have passed, and last ``seconds``."""
    args = [BIN / "locust", "-f", str(ROOT / "bench" / "load_users.py"), "--headless", "--host", host,
            "-u", str(users), "-r", str(SPAWN_RATE), "-t", f"{seconds + 900}s",
            "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", *classes]
    started = Path(f"{prefix}.started")
    started.unlink(missing_ok=True)
    return subprocess.Popen(args, cwd=ROOT, env={**env, "LOAD_THINK": think, "LOAD_WARMUP": str(WARMUP),
                                                 "LOAD_DURATION": str(seconds), "LOAD_STARTED": str(started)},
                            stdout=open(log, "a"), stderr=subprocess.STDOUT)


def measure(backend: str, env: dict, args, workdir: Path) -> str:
    out = workdir / backend
    log = out / "bench.log"
    env = {**env, "LOAD_PLAN": ""}
    # Yesterday's scan first (not measured; refused if the pool is past it), so the one
    # under load is the next day's.
    subprocess.run([sys.executable, str(ROOT / "bench" / "load_scan.py"), (today() - timedelta(days=1)).isoformat(),
                    "0"], cwd=ROOT, env=env, capture_output=True, check=False)
    server, host = start_server(env, out / "gunicorn.log")
    try:
        env["LOAD_PLAN"] = str(plan(backend, env, host, workdir))
        print(f"[{backend}] gunicorn at {host}; ceiling run", flush=True)
        locust(host, env, out / "ceiling", args.ceiling_users, args.ceiling_duration, ["Ceiling"],
               args.think, log).wait()
        ceiling = load_report.read(out / "ceiling", f"{args.ceiling_users} users, no think time, "
                                   f"{args.ceiling_duration} s", args.ceiling_users)
        runs = []
        for users in args.users:
            print(f"[{backend}] {users} users for {args.duration} s", flush=True)
            locust(host, env, out / f"u{users}", users, args.duration, ["Officer", "CityAdmin"],
                   args.think, log).wait()
            runs.append(load_report.read(out / f"u{users}", f"{users} users", users))
        runs.append(during_scan(backend, env, host, args, out, log))
    finally:
        server.terminate()
        server.wait(timeout=60)
    title = (f"{backend}: {args.enterprises:,} enterprises, gunicorn.conf.py workers, "
             f"think time {args.think.replace(',', '–')} s, {args.duration} s a level")
    return load_report.table(title, runs, ceiling)


def during_scan(backend, env, host, args, out: Path, log: Path) -> load_report.Run:
    """``--scan-users`` users while the daily scan runs back to back (``bench/load_scan.py``)."""
    users, day = args.scan_users, today()
    print(f"[{backend}] {users} users while the daily scan of {day} runs", flush=True)
    crowd = locust(host, env, out / "scan", users, args.duration, ["Officer", "CityAdmin"], args.think, log)
    while not Path(f"{out / 'scan'}.started").exists() and crowd.poll() is None:
        time.sleep(0.2)  # statistics begin: the users are all logged in and warm
    scanner = subprocess.run([sys.executable, str(ROOT / "bench" / "load_scan.py"), day.isoformat(),
                              str(args.duration)], cwd=ROOT, env=env, capture_output=True, text=True)
    crowd.wait()
    lines = [line.split(" ", 2) for line in scanner.stdout.splitlines() if line.startswith("scan ")]
    seconds = [float(line[1]) for line in lines]
    failed = [line[2] for line in lines if line[2] != "ok"]
    (out / "scan.log").write_text(scanner.stdout + scanner.stderr, encoding="utf-8")
    note = (f"the daily scan job of {day} (what `flask pool scan --as-of {day}` runs) ran {len(seconds)} "
            f"times back to back (the first the next day's, then the same day again): "
            + ", ".join(f"{s:.1f}" for s in seconds) + f" s; {len(failed)} failed"
            + (f" ({failed[0]})" if failed else ""))
    return load_report.read(out / "scan", f"{users} users + daily scan", users, note=note)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=60, help="seconds at each level")
    parser.add_argument("--users", default="10,50,100", help="levels, comma-separated")
    parser.add_argument("--scan-users", type=int, default=50)
    parser.add_argument("--think", default="1,3", help="think time between clicks, seconds: low,high")
    parser.add_argument("--ceiling-users", type=int, default=20)
    parser.add_argument("--ceiling-duration", type=int, default=15)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/bench_load",
                        help="a database of the benchmark's own (its public schema is replaced)")
    parser.add_argument("--workdir", type=Path, help="keep the pools here and reuse them (same N)")
    args = parser.parse_args(argv)
    args.users = [int(u) for u in args.users.split(",")]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-load-"))
    tables = []
    try:
        for backend in args.backends.split(","):
            env = backend_env(backend, workdir, args.postgres if backend == "postgresql" else None)
            marker = workdir / backend / "built"
            if not (marker.exists() and marker.read_text() == str(args.enterprises)):
                shutil.rmtree(workdir / backend, ignore_errors=True)
                build(backend, env, args.enterprises, workdir / backend / "build.log")
                marker.write_text(str(args.enterprises))
            else:  # a kept pool, brought to the current schema as an upgrade would
                sh([BIN / "flask", "db", "upgrade"], env, workdir / backend / "build.log")
                print(f"[{backend}] reusing the pool in {workdir / backend} (migrated)", flush=True)
            tables.append(measure(backend, env, args, workdir))
            print(tables[-1], flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    report = "\n".join(tables)
    if args.workdir:
        (workdir / "report.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
