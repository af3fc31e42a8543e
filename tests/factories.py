"""Test-data factories for applicants in contract shape (plain dicts).

``applicant()`` is a fully eligible enterprise on :data:`AS_OF`, with the
shipped patent-intensive table (C3562 is in it) or with :func:`industry_table`.  Numbers are ``Decimal`` as
``json.loads(..., parse_float=Decimal)`` would give them.

Override any top-level field with a keyword; pass :data:`OMIT` to drop it::

    applicant(rd_expense=Decimal("199.9"), operating_revenue=OMIT)
"""
from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

from pool.reference.industries import IndustryEntry, IndustryTable
from pool.eligibility.uscc import make

AS_OF = date(2024, 10, 1)
INDUSTRY_CODE = "C3562"  # 半导体器件专用设备制造
OMIT = object()


def uscc(region: str = "420202", body: str = "MA4ABCD1X", registration: str = "91") -> str:
    """A USCC with a correct check character (default region: 黄石港区)."""
    return make(registration, region, body)


def industry_table(*codes: str, group: str = "新装备制造业") -> IndustryTable:
    """A patent-intensive table holding ``codes`` (default: the factory's code).

    Test data only — the entries are not a claim about the official list.
    """
    codes = codes or (INDUSTRY_CODE,)
    return IndustryTable(
        IndustryEntry(code[-4:], group, "测试行业", "测试数据", date(2019, 4, 1), "tests")
        for code in codes)


def patent(**overrides) -> dict:
    """A valid, self-developed, core, industrialised invention patent."""
    item = {"number": "ZL202310012345.6", "kind": "invention", "status": "valid",
            "origin": "self", "core": True, "industrialized": True}
    return _apply(item, overrides)


def product(**overrides) -> dict:
    """A filed main product built on :func:`patent`'s number."""
    item = {"name": "晶圆检测设备", "main": True, "patents": ["ZL202310012345.6"],
            "filing_no": "BA2024420200001", "patent_intensive": True, "certified_on": "2024-03-01"}
    return _apply(item, overrides)


def qualification(**overrides) -> dict:
    """A 高新技术企业 certificate covering :data:`AS_OF`."""
    item = {"type": "high_tech", "certificate_no": "GR202342000123",
            "valid_from": "2023-12-01", "valid_to": "2026-11-30"}
    return _apply(item, overrides)


def partnership(**overrides) -> dict:
    """A university partnership covering :data:`AS_OF`."""
    item = {"partner": "湖北师范大学", "partner_type": "university",
            "valid_from": "2023-01-01", "valid_to": "2025-12-31"}
    return _apply(item, overrides)


def trademark(**overrides) -> dict:
    """An owned trademark in force on :data:`AS_OF`."""
    item = {"reg_no": "61234567", "owned": True, "valid_to": "2031-05-06"}
    return _apply(item, overrides)


def applicant(**overrides) -> dict:
    """A fully eligible applicant (see module doc), as a fresh dict."""
    data = {
        "uscc": uscc(),
        "name": "黄石示例精密装备有限公司",
        "county": "黄石港区",
        "assessment_year": 2024,
        "independent_legal_person": True,
        "industry_code": INDUSTRY_CODE,
        "employees": 120,
        "operating_revenue": Decimal("6800.00"),
        "total_assets": Decimal("9200.00"),
        "rd_expense": Decimal("720.00"),
        "rd_staff": 30,
        "has_rd_leader": True,
        "research_partnerships": [partnership()],
        "qualifications": [qualification()],
        "patents": [
            patent(),
            patent(number="ZL202210054321.X", kind="utility_model", origin="licensed",
                   core=False, industrialized=True),
            patent(number="ZL202120098765.4", kind="utility_model", origin="self",
                   core=False, industrialized=False),
            patent(number="ZL201910011111.1", status="expired", core=False, industrialized=False),
        ],
        "products": [product(), product(name="配套软件", main=False, patents=[], filing_no=OMIT)],
        "trademarks": [trademark()],
        "brand_evidence": ["2023 年湖北省名牌产品"],
        "ip_management": {"rules": True, "department": True, "staff": True, "budget": True,
                          "certified_gbt29490": True},
        "integrity": {"abnormal_patent_applications": False, "major_accident": False,
                      "violation": False, "serious_dishonesty": False},
    }
    return _apply(data, overrides)


def _apply(item: dict, overrides: dict) -> dict:
    item = copy.deepcopy(item)
    for key, value in overrides.items():
        if value is OMIT:
            item.pop(key, None)
        else:
            item[key] = copy.deepcopy(value)
    return {k: v for k, v in item.items() if v is not OMIT}
