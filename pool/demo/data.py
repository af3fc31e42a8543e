"""Demo data: Huangshi's counties, accounts and ~60 plausible enterprises.

Deterministic (a seeded ``random.Random``) and idempotent: counties are keyed
by code, users by username, enterprises by USCC, so running it twice adds
nothing.  Every date is derived from ``as_of``, never from the clock.
"""
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from models import (
    CITY_ADMIN, COUNTY_OFFICER, Contact, County, Enterprise, Patent, PoolEvent, Product,
    Qualification, ResearchPartnership, Trademark, User, YearlyFigure,
)
from models.event import STATE_CHANGE

from pool.access import accounts
from pool.reference import city
from pool.eligibility import uscc

# (GB/T 4754-2017 class, product noun, name word) — typical Huangshi industries;
# 15 of the 20 classes are patent-intensive (2019 classification), 5 are not
# (steel structures, metal products, glass, steel rolling, copper rolling).
INDUSTRIES = (
    ("C3311", "钢结构件", "钢构"), ("C3399", "特种金属制品", "金属"), ("C3562", "半导体专用设备", "半导体装备"),
    ("C3841", "锂离子电池", "新能源"), ("C3985", "电子专用材料", "电子材料"), ("C3982", "印制电路板", "电路"),
    ("C2761", "生物药品", "生物医药"), ("C2710", "化学原料药", "制药"), ("C3360", "表面处理装备", "表面工程"),
    ("C3444", "液压元件", "液压"), ("C3516", "冶金专用设备", "冶金装备"), ("C3042", "特种玻璃", "玻璃"),
    ("C3130", "特钢型材", "特钢"), ("C3251", "铜合金材料", "铜材"), ("C2614", "有机化学原料", "化工"),
    ("C3589", "医疗器械", "医疗器械"), ("I6513", "工业软件", "软件"), ("M7320", "工程技术服务", "工程技术"),
    ("C4011", "工业自动化仪表", "仪表"), ("C3824", "电力电子元器件", "电气"),
)
NAME_PARTS = ("华新", "鑫鹏", "东贝", "劲牌", "三环", "晟祥", "美岛", "恒信", "楚天", "磁湖",
              "铜都", "矿冶", "黄金山", "港泰", "汇川", "海亮", "达诚", "力源", "瑞华", "宏宇",
              "金盛", "长乐", "信大", "中拓", "天诚", "博雅", "兴业", "泰和", "正和", "安达")
SUFFIXES = ("科技有限公司", "股份有限公司", "新材料有限公司", "智能装备有限公司", "技术有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
PARTNERS = ("湖北师范大学", "湖北理工学院", "武汉理工大学", "华中科技大学")
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞")

# How many enterprises in each state (about 60 in all).
STATE_MIX = (("admitted", 34), ("applied", 10), ("graduated", 6), ("expelled", 4), ("rejected", 6))


@dataclass
class DemoResult:
    counties: int = 0
    users: int = 0
    enterprises: int = 0
    credentials: list = None  # [(username, password, role, county)] of users created now


def seed(session, *, as_of: date, seed: int = 2024) -> DemoResult:
    """Create whatever of the demo data is missing; return what was created."""
    rng = random.Random(seed)
    result = DemoResult(credentials=[])
    counties = _counties(session, result)
    _users(session, counties, result)
    admin = session.scalar(select(User).where(User.username == "admin"))
    plan = [state for state, n in STATE_MIX for _ in range(n)]
    for i, state in enumerate(plan):
        county = counties[i % len(counties)]
        _enterprise(session, rng, i, state, county, admin, as_of, result)
    return result


def _counties(session, result) -> list[County]:
    counties, result.counties = city.ensure_counties(session)
    return counties


def _users(session, counties, result) -> None:
    wanted = [("admin", "市局管理员", CITY_ADMIN, None)]
    wanted += [(f"officer_{slug}", f"{name}工作人员", COUNTY_OFFICER, county)
               for (code, name, slug), county in zip(city.COUNTIES, counties)]
    for username, display, role, county in wanted:
        if session.scalar(select(User.id).where(User.username == username)):
            continue
        user, password = accounts.create_user(
            session, username=username, display_name=display, role=role, county=county,
            email=f"{username}@example.gov.cn")
        result.users += 1
        result.credentials.append((username, password, role, county.name if county else "全市"))
    session.flush()


def _money(rng, low: int, high: int) -> Decimal:
    """An amount in 万元 with two decimals."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _enterprise(session, rng, i, state, county, admin, as_of, result) -> None:
    industry, noun, word = INDUSTRIES[i % len(INDUSTRIES)]
    # Deterministic, unique body: an index-based 9-character organisation code part.
    body = f"MA4{i:05d}{'XYKLMN'[i % 6]}"
    code = uscc.make("91", county.code, body)
    if session.scalar(select(Enterprise.id).where(Enterprise.uscc == code)):
        return
    name = f"{county.name[:2] if county.name != '黄石经济技术开发区' else '黄石'}" \
           f"{NAME_PARTS[i % len(NAME_PARTS)]}{word}{SUFFIXES[i % len(SUFFIXES)]}"
    e = Enterprise(
        uscc=code, name=name, county=county, state="applied", industry_code=industry,
        registered_region_code=county.code, independent_legal_person=True,
        has_rd_leader=rng.random() < 0.9, address=f"湖北省黄石市{county.name}{rng.randint(1, 300)}号",
        ip_rules=True, ip_department=rng.random() < 0.85, ip_staff=True,
        ip_budget=rng.random() < 0.8, ip_certified_gbt29490=rng.random() < 0.4,
        abnormal_patent_applications=False, major_accident=False, violation=False,
        serious_dishonesty=state == "expelled",
        brand_evidence=["湖北省著名商标"] if rng.random() < 0.5 else [],
    )
    session.add(e)
    person = f"{SURNAMES[i % len(SURNAMES)]}{rng.choice(GIVEN)}{rng.choice(GIVEN)}"
    e.contacts.append(Contact(name=person, title="知识产权专员",
                              email=f"ip{i:03d}@example.com", phone=f"0714-6{rng.randint(100000, 999999)}"))
    _figures(rng, e, as_of)
    _assets(rng, e, i, noun, as_of)
    session.flush()
    _history(session, rng, e, state, admin, as_of)
    result.enterprises += 1


def _figures(rng, e, as_of) -> None:
    revenue = _money(rng, 1500, 30000)
    employees = rng.randint(40, 600)
    for year in range(as_of.year - 3, as_of.year):
        growth = Decimal(rng.randint(95, 125)) / 100
        revenue = (revenue * growth).quantize(Decimal("0.01"))
        ratio = Decimal(rng.randint(60, 160)) / 1000  # 6 %–16 % of revenue
        employees = max(20, employees + rng.randint(-10, 30))
        e.figures.append(YearlyFigure(
            year=year, operating_revenue=revenue,
            total_assets=(revenue * Decimal(rng.randint(8, 20)) / 10).quantize(Decimal("0.01")),
            rd_expense=(revenue * ratio).quantize(Decimal("0.01")),
            employees=employees, rd_staff=int(employees * rng.randint(12, 35) / 100),
        ))


def _assets(rng, e, i, noun, as_of) -> None:
    start = as_of.replace(year=as_of.year - rng.randint(1, 2), month=1, day=1)
    if rng.random() < 0.85:
        kind = rng.choice(("high_tech", "specialized_sme", "ip_advantage", "little_giant"))
        e.qualifications.append(Qualification(
            type=kind, certificate_no=f"GR{as_of.year - 2}42{i:06d}", valid_from=start,
            valid_to=start.replace(year=start.year + 3) - timedelta(days=1)))
    patents = []
    for k in range(rng.randint(4, 14)):
        patents.append(Patent(
            number=f"ZL20{rng.randint(15, 24)}1{rng.randint(1000000, 9999999)}.{rng.randint(0, 9)}",
            title=f"一种{noun}的{'制备方法' if k % 2 else '装置'}",
            kind=rng.choice(("invention", "invention", "utility_model", "design")),
            status="valid" if rng.random() < 0.9 else "pending",
            origin=rng.choice(("self", "self", "self", "acquired", "licensed")),
            core=k < 3, industrialized=rng.random() < 0.7))
    # Patent numbers are unique per enterprise; a repeated random one is dropped.
    seen = set()
    for p in patents:
        if p.number not in seen:
            seen.add(p.number)
            e.patents.append(p)
    core = [p for p in e.patents if p.core]
    main = Product(name=f"高性能{noun}", main=True,
                   filing_no=f"BA{as_of.year - 1}42{i:05d}" if rng.random() < 0.7 else None,
                   patent_intensive=rng.random() < 0.5)
    main.patents = core[:2]
    if main.patent_intensive:
        main.certified_on = start + timedelta(days=rng.randint(30, 300))
    e.products.append(main)
    e.products.append(Product(name=f"{noun}配套组件", main=False))
    e.trademarks.append(Trademark(reg_no=f"{rng.randint(10000000, 69999999)}", name=e.name[2:6],
                                  owned=True, valid_to=as_of.replace(year=as_of.year + 5)))
    if rng.random() < 0.6:
        e.partnerships.append(ResearchPartnership(
            partner=rng.choice(PARTNERS),
            partner_type="university", valid_from=start,
            valid_to=start.replace(year=start.year + 3)))


def _history(session, rng, e, state, admin, as_of) -> None:
    """The events that bring ``e`` to ``state`` (dates before ``as_of``)."""
    applied_on = as_of - timedelta(days=rng.randint(450, 800))
    steps = [("applied", applied_on, "企业提交入库申报")]
    if state == "rejected":
        steps.append(("rejected", applied_on + timedelta(days=20), "专利产业化率未达到 50%，不予入库"))
    elif state != "applied":
        admitted_on = applied_on + timedelta(days=30)
        steps.append(("admitted", admitted_on, "首批入库：经审核符合入库企业基本标准"))
        if state == "graduated":
            # After the 12-month minimum, and before as_of.
            room = (as_of - admitted_on).days - 366
            steps.append(("graduated", admitted_on + timedelta(days=366 + rng.randint(0, room)),
                          "新增 1 件专利密集型产品，培育出库"))
        elif state == "expelled":
            steps.append(("expelled", admitted_on + timedelta(days=rng.randint(200, 360)),
                          "列入严重失信主体名单，予以退库"))
    previous = None
    for to_state, on, reason in steps:
        session.add(PoolEvent(enterprise_id=e.id, county_id=e.county_id, kind=STATE_CHANGE,
                              from_state=previous, to_state=to_state, effective_on=on,
                              actor_id=admin.id if admin else None, reason=reason))
        previous = to_state
        e.state = to_state
        e.state_changed_on = on
        if to_state == "admitted":
            e.admitted_on = on
