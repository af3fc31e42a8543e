"""Benchmark: facts JSON text -> parse (contract check) -> evaluate, for N beneficiaries' year.

    python bench/bench_awards.py [N [PROGRAMME]]    (defaults 10000 and every shipped programme)

Prints, per programme, the time of parsing + validating the facts (the floor any
implementation pays) beside the time of the evaluation, and the total.  Target
(issue #18): evaluating 10,000 beneficiaries' facts for a year in under 10 s.
Single process; not collected by pytest.
"""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pool.awards import engine, facts, programme  # noqa: E402

YEAR = 2024
OFFICES = ("CN", "CN", "CN", "US", "EP", "JP")


def _day(rng: random.Random, year: int = YEAR) -> str:
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def make_beneficiary(rng: random.Random, index: int) -> dict:
    """One enterprise with about a dozen varied facts of the year (and a few of earlier years)."""
    fs = []
    for k in range(rng.randint(2, 8)):
        converted = rng.random() < 0.5
        grant = {"id": f"g{k}", "type": "patent_grant", "date": _day(rng), "subject": f"P{index}-{k}",
                 "kind": rng.choice(("invention", "invention", "utility_model")), "office": rng.choice(OFFICES),
                 "converted_in_district": converted, "patentee_in_district": True, "cost": f"{rng.randint(1, 300) / 100}"}
        if converted:
            grant["converted_on"] = _day(rng)
        fs.append(grant)
    for k in range(rng.randint(0, 3)):
        fs.append({"id": f"l{k}", "type": "loan", "date": _day(rng), "subject": f"L{index}-{k}",
                   "collateral": rng.choice(("patent", "patent", "trademark")), "amount": str(rng.randint(50, 900)),
                   "term_months": rng.choice((6, 12, 24)), "repaid_on_schedule": True, "interest_paid": "9"})
        fs.append({"id": f"f{k}", "type": "fee", "date": _day(rng), "subject": f"L{index}-{k}",
                   "fee": rng.choice(("evaluation", "guarantee", "insurance")), "amount": str(rng.randint(1, 15)),
                   "borne_by_beneficiary": True})
    if rng.random() < 0.3:
        fs.append({"id": "h0", "type": "qualification", "date": _day(rng, 2021), "designation": "high_tech"})
    if rng.random() < 0.5:
        fs.append({"id": "h", "type": "qualification", "date": _day(rng), "designation": "high_tech"})
    if rng.random() < 0.3:
        fs.append({"id": "q", "type": "qualification", "date": _day(rng), "designation": "ip_enterprise",
                   "level": rng.choice(("national", "provincial", "municipal")), "subtype": "advantage"})
    if rng.random() < 0.2:
        fs.append({"id": "pz", "type": "prize", "date": _day(rng), "subject": f"P{index}-0",
                   "level": rng.choice(("national", "provincial")), "grade": "excellent"})
    if rng.random() < 0.2:
        fs.append({"id": "c", "type": "case", "date": _day(rng), "foreign": rng.random() < 0.3, "won": True,
                   "costs": {"lawyer": str(rng.randint(1, 30)), "court": "1"}})
    fs.append({"id": "y", "type": "yearly_counts", "date": f"{YEAR}-12-31", "invention_applications": rng.randint(0, 20)})
    return {"id": f"9136{index:014d}", "name": f"测试企业{index}", "kind": "enterprise", "facts": fs}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    codes = sys.argv[2:] or list(programme.codes())
    rng = random.Random(18)
    text = json.dumps({"beneficiaries": [make_beneficiary(rng, i) for i in range(n)]}, ensure_ascii=False)
    print(f"{n} 个受益人，事实 JSON {len(text) / 1e6:.1f} MB")
    for code in codes:
        started = time.perf_counter()
        beneficiaries = facts.parse(json.loads(text))
        parsed = time.perf_counter()
        evaluation = engine.evaluate(code, beneficiaries, YEAR)
        done = time.perf_counter()
        items = sum(len(b.items) for b in evaluation.beneficiaries)
        print(f"{code}: 解析校验（下限）{parsed - started:.2f} s；试算 {done - parsed:.2f} s（{items} 项，"
              f"合计 {evaluation.total} 万元）；总计 {done - started:.2f} s（目标 < 10 s）")


if __name__ == "__main__":
    main()
