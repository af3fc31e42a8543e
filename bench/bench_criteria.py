"""Benchmark: JSON text -> validate + parse -> evaluate, for N varied applicants.

    python bench/bench_criteria.py [N [CHUNK]]    (defaults 100000 and 100)

Prints the time of each stage, per applicant, and relative to the floor (bare
``json.loads`` of the same text, which any implementation must pay).  The
target (task brief): validate + parse + evaluate of 100,000 applicants in
10 s or less on the project's 2-core machine.  Single process; not collected
by pytest.
"""
from __future__ import annotations

import json
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pool.eligibility.applicant import InvalidApplicant, parse  # noqa: E402
from pool.eligibility.contract import SCHEMA  # noqa: E402
from pool.eligibility.criteria import evaluate  # noqa: E402
from pool.reference.industries import IndustryEntry, IndustryTable  # noqa: E402
from pool.eligibility.policy import Policy  # noqa: E402
from pool.eligibility.uscc import ALPHABET, make  # noqa: E402

AS_OF = date(2024, 10, 1)
REGIONS = ("420202", "420203", "420204", "420205", "420222", "420281", "420100", "110108")
INDUSTRIES = ("C3562", "3562", "C3913", "I6513", "6513", "M7320", "C2710", "F5191", "E4710", "L7212", "J6621")
QUALIFICATIONS = ("specialized_sme", "little_giant", "high_tech", "ip_advantage", "tech_sme", "other")
STATUSES = ("valid", "valid", "valid", "pending", "lapsed", "expired")


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randint(low * 100, high * 100) / 100:.2f}"


def _date(rng: random.Random, first: int, last: int) -> str:
    return date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28)).isoformat()


def make_applicant(rng: random.Random, index: int) -> dict:
    """One varied applicant in contract shape (about 1 % carry an input error)."""
    body = "".join(rng.choice(ALPHABET) for _ in range(9))
    code = make("91", rng.choice(REGIONS), body)
    if rng.random() < 0.01:
        code = code[:17] + ("0" if code[17] != "0" else "1")  # wrong check character
    employees = rng.randint(5, 1500)
    patents = [{
        "number": f"ZL2023{index:08d}{k}.{k}", "kind": rng.choice(("invention", "utility_model", "design")),
        "status": rng.choice(STATUSES), "origin": rng.choice(("self", "acquired", "licensed")),
        "core": rng.random() < 0.5, "industrialized": rng.random() < 0.6,
    } for k in range(rng.randint(0, 8))]
    data = {
        "uscc": code, "name": f"黄石测试企业{index}有限公司", "assessment_year": 2024,
        "county": "大冶市", "independent_legal_person": rng.random() < 0.97,
        "industry_code": rng.choice(INDUSTRIES), "employees": employees,
        "operating_revenue": _money(rng, 0, 60000), "total_assets": _money(rng, 10, 90000),
        "rd_expense": _money(rng, 0, 2000), "rd_staff": rng.randint(0, employees),
        "has_rd_leader": rng.random() < 0.9,
        "research_partnerships": [{"partner": "湖北理工学院", "partner_type": rng.choice(("university", "other")),
                                   "valid_from": _date(rng, 2020, 2023), "valid_to": _date(rng, 2024, 2027)}
                                  for _ in range(rng.randint(0, 2))],
        "qualifications": [{"type": rng.choice(QUALIFICATIONS), "certificate_no": f"GR{index}",
                            "valid_from": _date(rng, 2019, 2023), "valid_to": _date(rng, 2024, 2026)}
                           for _ in range(rng.randint(0, 2))],
        "patents": patents,
        "products": [{"name": f"产品{k}", "main": k == 0,
                      "patents": [p["number"] for p in patents[:2]],
                      **({"filing_no": f"BA{index}{k}"} if rng.random() < 0.5 else {})}
                     for k in range(rng.randint(0, 3))],
        "trademarks": [{"reg_no": f"{index}{k}", "owned": rng.random() < 0.8,
                        **({"valid_to": _date(rng, 2023, 2032)} if rng.random() < 0.7 else {})}
                       for k in range(rng.randint(0, 2))],
        "brand_evidence": ["省级名牌"] if rng.random() < 0.6 else [],
        "ip_management": {"rules": True, "department": rng.random() < 0.8, "staff": True,
                          "budget": rng.random() < 0.8, "certified_gbt29490": rng.random() < 0.4},
        "integrity": {"abnormal_patent_applications": False, "major_accident": rng.random() < 0.01,
                      "violation": False, "serious_dishonesty": False},
    }
    for optional in ("total_assets", "rd_staff", "has_rd_leader", "ip_management"):
        if rng.random() < 0.03:
            del data[optional]
    return data


def generate(count: int, seed: int = 20240930) -> list[str]:
    """``count`` applicants as JSON texts (amounts written as JSON decimals)."""
    rng = random.Random(seed)
    texts = []
    for index in range(count):
        texts.append(_unquote_amounts(json.dumps(make_applicant(rng, index), ensure_ascii=False)))
    return texts


def _unquote_amounts(text: str) -> str:
    """Amounts are generated as strings to keep their exact decimals; write them
    as JSON numbers, as a real file would."""
    for key in ("operating_revenue", "total_assets", "rd_expense"):
        marker = f'"{key}": "'
        start = text.find(marker)
        if start >= 0:
            end = text.index('"', start + len(marker))
            text = text[:start] + f'"{key}": ' + text[start + len(marker):end] + text[end + 1:]
    return text


def industries() -> IndustryTable:
    # Benchmark data only: a few classes marked patent-intensive so that
    # criterion 3 exercises both its pass and review paths.
    return IndustryTable(IndustryEntry(code, "新装备制造业", "基准测试", "基准测试数据", date(2019, 4, 1), "bench")
                         for code in ("3562", "3913", "6513"))


def run(count: int, chunk: int = 100) -> None:
    """Time the stages chunk by chunk.  A real run streams applicants and keeps
    no more than it prints; holding thousands of parsed objects at once would
    mostly measure the cyclic garbage collector re-scanning them (about +30 %
    at CHUNK=1000)."""
    texts = generate(count)
    policy, table = Policy(), industries()
    snapshot = policy.in_force(AS_OF)
    t_load = t_parse = t_eval = 0.0
    invalid, verdicts = 0, {}
    # CPU time of this process: the figures hold even while other work shares
    # the machine's two cores (wall time is printed as well).
    clock = time.process_time
    wall = time.perf_counter()
    for first in range(0, count, chunk):
        start = clock()
        objects = [json.loads(t, parse_float=Decimal) for t in texts[first:first + chunk]]
        t_load += clock() - start

        start = clock()
        applicants = []
        for obj in objects:
            try:
                applicants.append(parse(obj))
            except InvalidApplicant:
                invalid += 1
        t_parse += clock() - start

        start = clock()
        results = [evaluate(applicant, AS_OF, snapshot, table) for applicant in applicants]
        t_eval += clock() - start
        for result in results:
            verdicts[result.verdict] = verdicts.get(result.verdict, 0) + 1

    wall = time.perf_counter() - wall
    total = t_load + t_parse + t_eval
    print(f"{count} applicants ({invalid} rejected as invalid input); verdicts: {verdicts}")
    print(f"{'stage (CPU time)':<30}{'seconds':>9}{'µs/applicant':>14}{'× floor':>9}")
    for label, seconds in (("parse JSON (floor: json.loads)", t_load), ("validate + parse", t_parse),
                           ("evaluate", t_eval), ("validate + parse + evaluate", t_parse + t_eval),
                           ("total incl. json.loads", total)):
        print(f"{label:<30}{seconds:>9.3f}{seconds / count * 1e6:>14.1f}{seconds / t_load:>9.2f}")
    print(f"(wall time of the whole loop: {wall:.3f} s)")
    _compare_with_jsonschema([json.loads(t, parse_float=Decimal) for t in texts[:2000]], t_parse / count)


def _compare_with_jsonschema(sample: list, ours_per_item: float) -> None:
    """For context: jsonschema's Draft202012Validator on a sample."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    start = time.process_time()
    for obj in sample:
        list(validator.iter_errors(obj))
    per_item = (time.process_time() - start) / len(sample)
    print(f"(jsonschema alone, schema only: {per_item * 1e6:.1f} µs/applicant on {len(sample)} — "
          f"our validate + parse: {ours_per_item * 1e6:.1f} µs)")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, int(sys.argv[2]) if len(sys.argv) > 2 else 100)
