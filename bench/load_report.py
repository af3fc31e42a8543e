"""The load benchmark's tables, read from Locust's ``--csv`` files (``PREFIX_stats.csv``,
``PREFIX_failures.csv``).  Locust rounds percentiles above 100 ms to 10 ms and above
1 s to 100 ms."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

SAVES = ("record edit: save", "self-check: evaluate and save")
EXPORTS = ("export",)
NOT_TIMED = ("login", "ceiling")


@dataclass
class Row:
    name: str
    count: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


@dataclass
class Run:
    """One Locust run: a level (users) with its rows, failures and what ran beside it."""

    label: str
    users: int
    rows: dict = field(default_factory=dict)  # name -> Row
    total: Row | None = None
    failures: list = field(default_factory=list)  # (method, name, error, occurrences)
    note: str = ""


def _num(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")


def read(prefix: Path, label: str, users: int, note: str = "") -> Run:
    run = Run(label, users, note=note)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for line in csv.DictReader(f):
            row = Row(line["Name"], int(line["Request Count"]), int(line["Failure Count"]),
                      _num(line["Requests/s"]), _num(line["50%"]), _num(line["95%"]), _num(line["99%"]))
            if line["Name"] == "Aggregated":
                run.total = row
            else:
                run.rows[row.name] = row
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with open(failures, encoding="utf-8") as f:
            run.failures = [(x["Method"], x["Name"], x["Error"], int(x["Occurrences"]))
                            for x in csv.DictReader(f)]
    return run


def kind(name: str) -> str:
    """``save``, ``export``, ``other`` (login, ceiling, conflicts) or ``page``."""
    if name in SAVES:
        return "save"
    if name.startswith(EXPORTS):
        return "export"
    if name.startswith(NOT_TIMED) or "409" in name:
        return "other"
    return "page"


def _cell(row: Row | None) -> str:
    if row is None or not row.count:
        return "–"
    text = f"{row.p50:.0f} / {row.p95:.0f} / {row.p99:.0f}"
    return text + (f" ({row.failures} err)" if row.failures else "")


def table(title: str, runs: list[Run], ceiling: Run | None) -> str:
    """A Markdown table: one row per request kind, one column per run (p50 / p95 / p99 ms)."""
    names = []
    for run in runs:
        names += [n for n in run.rows if n not in names]
    order = {"page": 0, "save": 1, "export": 2, "other": 3}
    names.sort(key=lambda n: (order[kind(n)], n))
    out = [f"### {title}", "",
           "| request (p50 / p95 / p99 ms) | " + " | ".join(r.label for r in runs) + " |",
           "|---|" + "---|" * len(runs)]
    for name in names:
        out.append(f"| {name} | " + " | ".join(_cell(r.rows.get(name)) for r in runs) + " |")
    out.append("| **requests / s (all)** | " + " | ".join(
        f"{r.total.rps:.1f}" if r.total else "–" for r in runs) + " |")
    out.append("| **requests, errors** | " + " | ".join(
        f"{r.total.count:,}, {r.total.failures}" if r.total else "–" for r in runs) + " |")
    out.append("| worst page view p95 / save p95 | " + " | ".join(_worst(r) for r in runs) + " |")
    if ceiling and ceiling.total:
        t = ceiling.total
        out += ["", f"Trivial endpoint, same harness and server ({ceiling.label}): "
                f"**{t.rps:.0f} requests/s**, p50 {t.p50:.0f} ms, p95 {t.p95:.0f} ms, "
                f"{t.failures} errors."]
    notes = [f"- {r.label}: {r.note}" for r in runs if r.note]
    errors = [f"- {r.label}: {m} {n}: {e} × {k}" for r in runs for m, n, e, k in r.failures]
    if notes:
        out += [""] + notes
    if errors:
        out += ["", "Errors:"] + errors[:30]
    return "\n".join(out) + "\n"


def _worst(run: Run) -> str:
    pages = [r.p95 for n, r in run.rows.items() if kind(n) == "page" and r.count]
    saves = [r.p95 for n, r in run.rows.items() if kind(n) == "save" and r.count]
    return f"{max(pages, default=0):.0f} / {max(saves, default=0):.0f}"
