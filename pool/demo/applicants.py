"""Each demo member's record as the applicant contract has it (the 企业 sheets
of the go-live workbook), plus the yearly figures it reported over the years.

The record is what the member's story (:mod:`pool.demo.story`) needs: an
eligible SME of a Huangshi industry (a rejected one: too few patents put into
production), a product certified patent-intensive after admission for those
who graduate by rule a or are ready to, certificates renewed in time (or, for
the scan to find, running out or run out), and figures for the year before
its 申报 — the other years are recorded after the import
(:mod:`pool.demo.records`), a weak one or a missing one where the story says.
Whether the record is eligible on a day is the import's to judge.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pool.demo.story import Member
from pool.demo.vocabulary import INDUSTRIES, NAME_PARTS, PARTNERS, SUFFIXES, money
from pool.eligibility import uscc

THREE_YEARS = timedelta(days=3 * 365)
BRANDS = ("{year} 年湖北省著名商标", "{year} 年湖北名牌产品", "{year} 年黄石市知名商标", "{year} 年省级制造业单项冠军培育企业")


def code_of(m: Member, county_code: str) -> str:
    """The member's USCC: a deterministic body from its index (the same as the earlier demo's)."""
    return uscc.make("91", county_code, f"MA4{m.index:05d}{'XYKLMN'[m.index % 6]}")


def name_of(m: Member, county_name: str) -> str:
    place = "黄石" if county_name == "黄石经济技术开发区" else county_name[:2]
    return f"{place}{NAME_PARTS[m.index % len(NAME_PARTS)]}{INDUSTRIES[m.index % len(INDUSTRIES)][2]}" \
           f"{SUFFIXES[m.index % len(SUFFIXES)]}"


def figures(m: Member, as_of: date, rng) -> dict[int, dict]:
    """The yearly figures (万元, head counts) from three years before the 申报 to
    the year before ``as_of``; a ``weak`` member's last year spends under 6 %
    of revenue on R&D (criterion 6 fails: drift at the next scan)."""
    revenue, employees = money(rng, 2000, 7000), rng.randint(60, 260)
    years = {}
    for year in range(m.applied_on.year - 3, as_of.year):
        revenue = (revenue * Decimal(rng.randint(100, 106)) / 100).quantize(Decimal("0.01"))
        employees = min(290, employees + rng.randint(-5, 8))  # an SME in every industry listed
        weak = "weak" in m.traits and year == as_of.year - 1
        ratio = Decimal(rng.randint(30, 50) if weak else rng.randint(105, 160)) / 1000
        years[year] = {
            "operating_revenue": revenue, "employees": employees,
            "total_assets": (revenue * Decimal(rng.randint(8, 20)) / 10).quantize(Decimal("0.01")),
            "rd_expense": (revenue * ratio).quantize(Decimal("0.01")),
            "rd_staff": employees * rng.randint(22, 35) // 100,
        }
    return years


def applicant(m: Member, county, yearly: dict[int, dict], as_of: date, rng) -> dict:
    """The member's record in contract shape, as registered on its 申报 day."""
    industry, noun, _word = INDUSTRIES[m.index % len(INDUSTRIES)]
    patents = _patents(m, rng)
    core = [p["number"] for p in patents if p["core"]]
    products = [{"name": f"高性能{noun}", "main": True, "patents": core[:2],
                 "filing_no": f"BA{m.applied_on.year - 1}42{m.index:05d}", "patent_intensive": True,
                 "certified_on": (m.applied_on - timedelta(days=rng.randint(100, 600))).isoformat()},
                {"name": f"{noun}配套组件", "main": False}]
    if m.certified_on is not None:  # rule a: certified after admission
        products.append({"name": f"新一代{noun}", "main": False, "patents": core[:1], "patent_intensive": True,
                         "certified_on": m.certified_on.isoformat()})
    data = {
        "uscc": code_of(m, county.code), "name": name_of(m, county.name), "county": county.name,
        "assessment_year": m.applied_on.year, "independent_legal_person": True, "industry_code": industry,
        **yearly[m.applied_on.year - 1], "has_rd_leader": True,
        "qualifications": _qualifications(m, as_of, rng), "patents": patents, "products": products,
        "trademarks": [{"reg_no": f"{rng.randint(10000000, 69999999)}", "owned": True,
                        "valid_to": (as_of + timedelta(days=rng.randint(400, 3000))).isoformat()}],
        "brand_evidence": [rng.choice(BRANDS).format(year=m.applied_on.year - rng.randint(1, 4))],
        "ip_management": {"rules": True, "department": True, "staff": True, "budget": True,
                          "certified_gbt29490": rng.random() < 0.4},
        "integrity": {"abnormal_patent_applications": False, "major_accident": False, "violation": False,
                      "serious_dishonesty": False},
    }
    if rng.random() < 0.6:
        start = m.applied_on - timedelta(days=rng.randint(100, 500))
        data["research_partnerships"] = [{"partner": rng.choice(PARTNERS), "partner_type": "university",
                                          "valid_from": start.isoformat(),
                                          "valid_to": (start + THREE_YEARS).isoformat()}]
    return data


def _patents(m: Member, rng) -> list[dict]:
    """4–12 patents; at least 60 % of them in production (under 30 % for a
    rejected one), the first three core."""
    numbers: list[str] = []
    count = rng.randint(4, 12)
    while len(numbers) < count:
        number = f"ZL20{rng.randint(15, m.applied_on.year % 100 - 1)}{rng.choice('112')}" \
                 f"{rng.randint(1000000, 9999999)}.{rng.randint(0, 9)}"
        if number not in numbers:
            numbers.append(number)
    if "ineligible" in m.traits:
        used = count * rng.randint(0, 30) // 100
    else:
        used = -(-count * rng.randint(60, 100) // 100)  # rounded up
    return [{"number": n, "kind": "invention" if n[6] == "1" else "utility_model", "status": "valid",
             "origin": "self" if k < 3 or rng.random() < 0.8 else "acquired", "core": k < 3,
             "industrialized": k < used} for k, n in enumerate(numbers)]


def _qualifications(m: Member, as_of: date, rng) -> list[dict]:
    """A chain of three-year certificates, each renewed as the last ran out,
    from before the 申报 to its last end: in a few hundred days usually, within
    90 days for an ``expiring`` member, a month or two ago for an ``expired`` one."""
    if "expiring" in m.traits:
        end = as_of + timedelta(days=rng.randint(20, 80))
    elif "expired" in m.traits:
        end = as_of - timedelta(days=rng.randint(20, 60))
    else:
        end = as_of + timedelta(days=rng.randint(200, 900))
    kind = rng.choice(("high_tech", "specialized_sme", "ip_advantage"))
    chain = []
    while not chain or date.fromisoformat(chain[-1]["valid_from"]) > m.applied_on - timedelta(days=30):
        start = end - THREE_YEARS + timedelta(days=1)
        chain.append({"type": kind, "certificate_no": f"GR{start.year}42{m.index:04d}{len(chain)}",
                      "valid_from": start.isoformat(), "valid_to": end.isoformat()})
        end = start - timedelta(days=1)
    return chain[::-1]
