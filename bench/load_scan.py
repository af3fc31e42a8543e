"""The daily scan, again and again, beside the load benchmark's users.

    python bench/load_scan.py DAY SECONDS     (started by bench/bench_load.py)

Runs the scheduler's ``daily_scan`` job (``judge_records``, then the scan,
under the job's lease — what ``flask pool scan --as-of DAY`` runs) back to
back in one process until SECONDS have passed (at least once; or until one fails), so the users meet a scan all
the time rather than the command's start-up.  Prints one line per scan:
``scan SECONDS ok`` or ``scan SECONDS failed: …``.
"""
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from jobs import scheduler as jobs  # noqa: E402


def main(day: str, seconds: str) -> None:
    app = create_app()
    until = time.monotonic() + float(seconds)
    while True:
        started = time.perf_counter()
        try:
            summary = jobs.run_job(app, "daily_scan", as_of=date.fromisoformat(day))
            outcome = "ok" if summary is not None else "failed: lease held"
        except Exception as exc:  # reported; a refused date will not run later either
            print(f"scan {time.perf_counter() - started:.2f} failed: {exc!r}", flush=True)
            return
        print(f"scan {time.perf_counter() - started:.2f} {outcome}", flush=True)
        if time.monotonic() >= until:
            return


if __name__ == "__main__":
    main(*sys.argv[1:3])
