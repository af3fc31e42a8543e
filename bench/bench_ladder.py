"""Benchmark: the ladder's daily work over two configured pools of N memberships each (issue #17).

    python bench/bench_ladder.py [N] [--preview M]     (default 100000 and 1000; a fresh SQLite file)

M: the members the what-if judges with nothing kept (the whole pool is judged from kept inputs).

Generates N enterprises as ``bench/bench_scan.py`` does (the first pool's members
with everything the scan reads), then gives each of them a membership of the two
configured pools — 接续培育 and Xuchang's reserve pool (the pool's criteria are not
judged here: the rows are bulk-inserted as an operator's import would leave them):
70 % admitted, 20 % applied, 10 % graduated, with every tenth admitted one holding
the certificate its pool graduates on.  Then times, each the best of three:

* the daily scan, the next day's (:func:`pool.monitoring.scan.scan`, after the daily job's
  judging of records, as ``bench/bench_scan.py``): the first pool's SPEC §4 flags and both
  configured pools' graduation_ready flags (:mod:`pool.monitoring.ladder`), and, apart, the
  configured pools' stage alone — the reference;
* the ladder's part of the officer's day for the whole city
  (:func:`pool.monitoring.worklist.ladder_tasks`: graduations due, applications
  awaiting a decision, graduates who may apply, for both pools) and for one county;
* each pool's graduations due as its page shows them (:func:`pool.ladder.proposals.graduations_due`:
  how many, the first 50) and the first page of its members, today and on a day 180 days before
  (:mod:`pool.ladder.past`: the state of each membership that day from its live events);
* the daily keeping of the configured pools' members' inputs (:func:`pool.ladder.inputs.refresh`,
  the next day: only what changed), and the what-if of two draft versions of Xuchang's criteria
  (:func:`pool.ladder.previews.preview`) over the whole pool, from the kept inputs — one that
  drops criterion 4, one that raises a threshold within it — and, for comparison, over M
  members with nothing kept (every record read, as before the daily job has run),

each beside its **floor**: the SELECTs it sent, captured while it ran and executed again
on the bare DB-API cursor.  Not collected by pytest.
"""
from __future__ import annotations

import argparse
import copy
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import delete, func, insert, select, update  # noqa: E402

from app import create_app  # noqa: E402
from bench_scan import AS_OF, Capture, generate  # noqa: E402
from models import (County, Enterprise, Membership, MembershipEvent, Qualification, RecordInputs, RiskFlag,  # noqa: E402
                    db)
from pool.eligibility import rulebook  # noqa: E402
from pool.ladder import catalogue, inputs, past, previews, proposals  # noqa: E402
from pool.monitoring import scan as monitoring, worklist  # noqa: E402
from pool.monitoring.facts import Facts  # noqa: E402
from pool.monitoring.ladder import pool_graduations  # noqa: E402

POOLS = {"huangshi-continuing-2024": "little_giant", "xuchang-2022": "high_tech"}
CHUNK = 5000
RUNS = 3


def memberships(session, n: int, seed: int = 2026) -> None:
    """A membership of each configured pool for every enterprise; a tenth of the first pool graduated."""
    rng = random.Random(seed)
    session.execute(update(Enterprise).where(Enterprise.id % 10 == 0).values(state="graduated",
                                                                               state_changed_on=date(2026, 1, 5)))
    counties = dict(session.execute(select(Enterprise.id, Enterprise.county_id)).all())
    next_id = 1
    for code, exit_type in POOLS.items():
        rows, events, certificates = [], [], []
        for i in range(1, n + 1):
            luck = rng.random()
            state = "admitted" if luck < 0.7 else "applied" if luck < 0.9 else "graduated"
            since = date(2025, 1, 1) + timedelta(days=rng.randint(0, 500))
            rows.append({"id": next_id, "enterprise_id": i, "county_id": counties[i], "pool_code": code,
                         "state": state, "since": since, "admitted_on": since if state != "applied" else None,
                         "facts": {}, "version": 1})
            events.append({"membership_id": next_id, "kind": "move", "from_state": None, "to_state": state,
                           "effective_on": since, "reason": "基准数据", "evidence": {}})
            next_id += 1
            if state == "admitted" and rng.random() < 0.1:
                certificates.append({"enterprise_id": i, "type": exit_type, "certificate_no": f"X{code[:2]}{i}",
                                     "valid_from": AS_OF - timedelta(days=rng.randint(0, 400)),
                                     "valid_to": AS_OF + timedelta(days=rng.randint(1, 700))})
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(Membership), rows[start:start + CHUNK])
        for start in range(0, len(events), CHUNK):
            session.execute(insert(MembershipEvent), events[start:start + CHUNK])
        for start in range(0, len(certificates), CHUNK):
            session.execute(insert(Qualification), certificates[start:start + CHUNK])
    session.commit()


def timed(capture: Capture, label: str, work):
    """The best of :data:`RUNS` runs of ``work()`` (its result, seconds), the last captured as ``label``."""
    best, result = None, None
    for k in range(RUNS):
        capture.stage, capture.active = label, k == RUNS - 1
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        capture.active = False
        db.session.rollback()
        best = seconds if best is None else min(best, seconds)
    return result, best


def run(n: int, sample: int, tmp: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench",
                      "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}"})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        session = db.session
        started = time.perf_counter()
        generate(session, n)
        memberships(session, n)
        print(f"生成 {n:,} 家企业及两个培育库各 {n:,} 条成员记录：{time.perf_counter() - started:.1f} 秒（不计入）")
        counts = session.execute(select(Membership.pool_code, Membership.state, func.count())
                                 .group_by(Membership.pool_code, Membership.state)).all()
        print("  " + "，".join(f"{c} {s} {k:,}" for c, s, k in counts))
        rules = rulebook.load(session)
        one_county = session.scalar(select(County.id).order_by(County.id))
        capture = Capture(db.engine)
        figures = []

        def measure(label, work):
            result, seconds = timed(capture, label, work)
            figures.append((label, seconds))
            return result

        monitoring.judge_records(session, AS_OF, rules, commit=session.commit)  # as the daily job does first
        monitoring.scan(session, AS_OF, rulebook=rules)  # the first scan (every flag new), not timed
        session.commit()
        monitoring.judge_records(session, AS_OF + timedelta(days=1), rules, commit=session.commit)
        measure("每日扫描：首个培育库与两个可配置培育库（参照，次日）",
                lambda: monitoring.scan(session, AS_OF + timedelta(days=1), rulebook=rules))
        flags = session.execute(select(RiskFlag.pool_code, func.count()).where(RiskFlag.closed_on.is_(None))
                                .group_by(RiskFlag.pool_code)).all()
        print("  未关闭风险：" + "，".join(f"{code} {k:,}" for code, k in flags))
        measure("其中两个可配置培育库的出库提示（扫描的一步）", lambda: pool_graduations(
            Facts(session, AS_OF + timedelta(days=1), rules), AS_OF + timedelta(days=1), None))
        tasks = measure("工作台的培育阶梯待办（全市，两个库）", lambda: worklist.ladder_tasks(session, None, AS_OF))
        measure("工作台的培育阶梯待办（一个县）", lambda: worklist.ladder_tasks(session, [one_county], AS_OF))
        pools = catalogue.pools(session)
        for code in POOLS:
            due, _shown = measure(f"{code}：建议出库（总数与前 50 家）", lambda c=code: proposals.graduations_due(
                session, pools[c], AS_OF, None, 50))
            measure(f"{code}：成员第一页（25 条）与总数", lambda c=code: proposals.count_and_first(
                session, proposals.members_stmt(c, None), 25))
            measure(f"{code}：某日的成员第一页（25 条）、总数与各状态数", lambda c=code: _past_page(
                session, pools[c], AS_OF - timedelta(days=180), None))
            print(f"  {code}：建议出库 {due:,} 家")
        pool = pools["xuchang-2022"]
        inputs.refresh(session, AS_OF, commit=session.commit)  # as the daily job keeps them (not timed)
        measure("每日：更新可配置培育库成员的核验数据（次日，仅已变化者）",
                lambda: inputs.refresh(session, AS_OF + timedelta(days=1), commit=session.rollback))
        criteria = [{"id": c.id, "title": c.title, "clause": c.clause, "rule": copy.deepcopy(c.rule)}
                    for c in pool.criteria_set.in_force(AS_OF).criteria]
        dropped = {"valid_from": "2027-01-01", "source": "bench", "criteria": [c for c in criteria if c["id"] != 4]}
        raised = copy.deepcopy(criteria)
        raised[3]["rule"]["any"][1]["all"][0]["any"][1]["all"][1]["value"] = 100  # 研发投入 > 0 → > 100 万元
        raised = {"valid_from": "2027-01-01", "source": "bench", "criteria": raised}
        whole = session.scalar(select(func.count()).select_from(Membership).where(
            Membership.pool_code == pool.code, Membership.state.in_(("applied", "admitted"))))
        previewed = {}
        for label, draft in ((f"标准修订影响预览：删去第4条（全库 {whole:,} 家申报与在库成员）", dropped),
                             (f"标准修订影响预览：提高第4条中的研发投入门槛（全库 {whole:,} 家）", raised)):
            previewed[label] = measure(label, lambda d=draft: previews.preview(session, pool, d, AS_OF))
        sample = min(sample, whole)
        measure(f"标准修订影响预览：未保存核验数据时（{sample:,} 家，逐家读取记录）", lambda: _unkept(
            session, pool, dropped, sample))
        capture.close()
        floor = capture.floor()
    print()
    print("| 项目 | 用时 (s) | 其 SELECT 的下限 (s) | 倍数 |")
    print("|---|---|---|---|")
    for label, seconds in figures:
        low = floor.get(label, 0.0)
        print(f"| {label} | {seconds:.3f} | {low:.3f} | {seconds / low if low else float('nan'):.1f}× |")
    print()
    for label, shown in previewed.items():
        print(f"{label}：核验 {shown['checked']:,} 家，变化 {len(shown['changes']):,} 家，"
              f"其中结论变化 {shown['verdicts_changed']:,} 家")
    print("待办：" + "；".join(f"{t.label} {t.count:,}" for t in tasks))


def _past_page(session, pool, day, county_ids) -> tuple:
    """The pool page on a past day (:mod:`pool.ladder.past`): its first page, the total and the count per state."""
    stmt = past.members_stmt(pool, day, county_ids)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return total, past.members(session, stmt.limit(25)), past.counts(session, pool, day, county_ids)


def _unkept(session, pool, draft, sample: int) -> dict:
    """The preview over the first ``sample`` applied or admitted members (one county at a time until enough),
    with no inputs kept: every record read, as before the daily job has kept them."""
    with session.no_autoflush:
        session.execute(delete(RecordInputs))
        try:
            return _preview(session, pool, draft, sample)
        finally:
            session.rollback()


def _preview(session, pool, draft, sample: int) -> dict:
    """The preview over the first ``sample`` applied or admitted members (one county at a time until enough)."""
    counties = list(session.scalars(select(County.id).order_by(County.id)))
    per_county = max(1, sample // len(counties))
    seen = {"checked": 0, "verdicts_changed": 0}
    for county in counties:
        ids = list(session.scalars(select(Membership.id).where(
            Membership.pool_code == pool.code, Membership.county_id == county,
            Membership.state.in_(("applied", "admitted"))).order_by(Membership.id).limit(per_county)))
        shown = previews.preview(session, pool, draft, AS_OF, [county], membership_ids=ids)
        seen["checked"] += shown["checked"]
        seen["verdicts_changed"] += shown["verdicts_changed"]
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--preview", type=int, default=1000, help="members the what-if judges with nothing kept")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ladder-"))
    try:
        run(args.n, args.preview, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
