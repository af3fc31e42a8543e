"""The city the system serves: its counties (SPEC §1), created on a fresh database.

A deployment runs ``flask db upgrade`` then ``flask pool init``: the counties
below (and the 省 › 市 › 县 regions the targets dashboard reads) are created if missing, so that the first county officer can be created
at once (``flask pool create-user NAME --county 大冶市``).  Idempotent; it never
renames or deletes a county an administrator has since changed.  The shipped
reference tables (GB/T 4754-2017, the patent-intensive classification, the SME
size standard, the catalogues) are data files in ``pool/data`` and need no
step: they are in force from their official dates on any database.
"""
from sqlalchemy import select

from models import County, Region

CITY_NAME = "黄石市"
CITY_DIVISION_CODE = "420200"
PROVINCE = ("420000", "湖北省")
# (division code, name, short slug for demo user names).  The development zone
# has no statutory division code of its own; 420271 is the code the city uses
# for it in its own statistics.
COUNTIES = (
    ("420202", "黄石港区", "hsg"),
    ("420203", "西塞山区", "xss"),
    ("420204", "下陆区", "xl"),
    ("420205", "铁山区", "ts"),
    ("420271", "黄石经济技术开发区", "kfq"),
    ("420281", "大冶市", "dy"),
    ("420222", "阳新县", "yx"),
)


def ensure_counties(session) -> tuple[list[County], int]:
    """The city's counties in order, creating those missing (by code or name);
    returns them and how many were created."""
    out, created = [], 0
    for order, (code, name, _slug) in enumerate(COUNTIES):
        county = session.scalar(select(County).where((County.code == code) | (County.name == name)))
        if county is None:
            county = County(code=code, name=name, sort_order=order)
            session.add(county)
            created += 1
        out.append(county)
    session.flush()
    ensure_regions(session, out)
    return out, created


def ensure_regions(session, counties: list[County]) -> None:
    """The province › city › county regions the targets dashboard reads (issue #19), created if
    missing by code; regions the administrator imported stay as they are."""
    have = {r.code: r for r in session.scalars(select(Region))}

    def ensure(code, name, level, parent, order):
        if code not in have:
            have[code] = Region(code=code, name=name, level=level, parent=parent, sort_order=order)
            session.add(have[code])
        return have[code]

    province = ensure(*PROVINCE, "province", None, 0)
    town = ensure(CITY_DIVISION_CODE, CITY_NAME, "city", province, 0)
    for county in counties:
        ensure(county.code, county.name, "county", town, county.sort_order)
    session.flush()
