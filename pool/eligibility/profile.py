"""Criteria 1-4 and 8-10 of 附件2: who the enterprise is.

Registration and size (第1条), qualifications (第2条), industry (第3条), core
patents and product filing (第4条), trademark (第8条), IP management (第9条) and
integrity (第10条) — read from the applicant's facts on ``as_of``.  How SPEC §2
is read is set out in :mod:`pool.eligibility.criteria`.
"""
from __future__ import annotations

from datetime import date

from pool.eligibility.applicant import Applicant
from pool.eligibility.figures import figures_year_gap
from pool.eligibility.outcome import all3, any3, criterion, in_force, missing, status
from pool.eligibility.policy import Snapshot
from pool.eligibility.sme import SizeResult, classify
from pool.reference.gbt4754 import lookup as industry_class
from pool.reference.industries import CLASSIFICATION_NAME, IndustryTable

QUALIFICATION_LABELS = {
    "specialized_sme": "专精特新中小企业", "little_giant": "专精特新“小巨人”企业",
    "high_tech": "高新技术企业", "ip_advantage": "国家知识产权优势企业",
    "ip_demonstration": "国家知识产权示范企业", "ip_pilot": "工业企业知识产权运用试点单位",
    "tech_sme": "科技型中小企业", "other": "其他资格",
}
ORIGIN_LABELS = {"self": "自研", "acquired": "受让", "licensed": "许可"}

_LEGAL_PERSON = {True: "具有独立法人资格", False: "不具有独立法人资格", None: "未填写是否具有独立法人资格"}


@criterion(1, "黄石注册的独立法人中小企业", ("city_region_prefix", "sme_size_table"))
def c1_registered_sme(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """在黄石注册登记、具有独立法人资格、符合《中小企业划型标准规定》的中小企业."""
    prefix = p["city_region_prefix"]
    region = a.region_code
    where = "登记机关行政区划代码" if a.registered_region_code else "统一社会信用代码第3-8位"
    in_city = region.startswith(prefix)
    parts = [f"{where} {region} {'以' if in_city else '不以'} {prefix} 开头"
             f"（{'在' if in_city else '不在'}黄石注册登记）"]
    legal = a.independent_legal_person
    parts.append(_LEGAL_PERSON[legal])
    stale = figures_year_gap(a, as_of)
    if stale:
        size = SizeResult(None, None, stale + "，无法按上年度数据划型")
    else:
        size = classify(a.industry_code, a.employees, a.operating_revenue, a.total_assets, p["sme_size_table"])
    parts.append(size.detail)
    outcome = all3((in_city, legal, size.is_sme))
    absent = (["independent_legal_person"] if legal is None else []) + size.missing
    if outcome is None and absent:
        parts.append(missing(absent))
    return status(outcome, "missing" if absent or stale else "review"), "；".join(parts)


@criterion(2, "专精特新、高新技术企业等资格", ("accepted_qualifications",))
def c2_qualifications(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """原则上应具备专精特新中小企业、高新技术企业或国家知识产权优势示范企业、工业企业知识产权运用试点单位等资格."""
    accepted = p["accepted_qualifications"]
    valid = [q for q in a.qualifications if q.type in accepted and in_force(q.valid_from, q.valid_to, as_of)]
    if valid:
        held = "、".join(describe_qualification(q) for q in valid)
        return "pass", f"具备在 {as_of} 有效的资格：{held}"
    notes = [_why_not_counted(q, accepted, as_of) for q in a.qualifications]
    listed = "、".join(QUALIFICATION_LABELS.get(t, t) for t in accepted)
    detail = f"无在 {as_of} 有效的认可资格（{listed}）"
    if notes:
        detail += "；" + "；".join(notes)
    return "review", detail + "；原则上应具备，需人工判断"


def describe_qualification(q) -> str:
    """A qualification as details quote it: type, certificate number, validity."""
    number = f"证书 {q.certificate_no}，" if q.certificate_no else ""
    return f"{QUALIFICATION_LABELS.get(q.type, q.type)}（{number}{q.valid_from} 至 {q.valid_to}）"


def _why_not_counted(q, accepted, as_of: date) -> str:
    label = QUALIFICATION_LABELS.get(q.type, q.type)
    if q.type not in accepted:
        return f"{label}不在认可资格之列"
    if q.valid_to < as_of:
        return f"{label}已于 {q.valid_to} 到期，不计入"
    return f"{label}自 {q.valid_from} 起才有效，不计入"


@criterion(3, "主营业务属于专利密集型产业")
def c3_patent_intensive(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """主营业务原则上属于专利密集型产业."""
    if a.industry_code is None:
        return "missing", missing(["industry_code"])
    cls = industry_class(a.industry_code)
    head = f"主营业务 {cls.lettered} {cls.name}"
    entry = industries.lookup(cls.code, as_of)
    if entry is not None and entry.included:
        where = f"{entry.group} › {entry.category}" if entry.category else entry.group
        if entry.partial:
            return "review", (f"{head} 部分属于专利密集型产业：{where}（分类表标注 *，仅部分活动属于）；"
                              "需人工判断")
        if not entry.category:  # an administrator's correction: say on what authority
            where += f"（依据：{entry.source}）"
        return "pass", f"{head} 属于专利密集型产业：{where}"
    if entry is not None:
        return "review", (f"{head} 经核对不属于专利密集型产业（依据：{entry.source}）；"
                          "原则上应属于，需人工判断")
    version = industries.version_on(as_of)
    if version is None:
        return "review", f"{head}：{as_of} 尚无生效的《{CLASSIFICATION_NAME}》，需人工核对是否属于专利密集型产业"
    return "review", (f"{head} 不在《{CLASSIFICATION_NAME}》所列 {version.included_count} 个行业小类之中"
                      f"（{version.valid_from} 起施行）；主营业务原则上应属于专利密集型产业，需人工判断")


@criterion(4, "核心专利技术与专利产品备案")
def c4_core_patents(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """主营产品的核心功能、制造方法等具有自研或引进的核心专利技术，原则上应完成专利产品备案."""
    patents = {pt.number: (i, pt) for i, pt in enumerate(a.patents)}
    certain, uncertain, unknown_fields = [], [], []
    for index, product in enumerate(a.products):
        outcome, core, gaps = _product_has_core_patent(index, product, patents)
        if outcome:
            certain.append((product, core))
        elif outcome is None:
            uncertain.append(product)
            unknown_fields += gaps
    if certain:
        filed = [(prod, core) for prod, core in certain if prod.filing_no]
        if filed:
            prod, core = filed[0]
            return "pass", (f"主营产品“{prod.name}”具有有效核心专利 {core}，"
                            f"已完成专利产品备案（备案号 {prod.filing_no}）")
        prod, core = certain[0]
        detail = f"主营产品“{prod.name}”具有有效核心专利 {core}，但未完成专利产品备案"
        if any(u.filing_no for u in uncertain):
            return "missing", f"{detail}；已备案的产品能否计入无法判断，{missing(unknown_fields)}"
        return "review", detail + "；原则上应完成备案，需人工判断"
    if uncertain:
        return "missing", f"无法判断主营产品是否具有有效的自研或引进核心专利，{missing(unknown_fields)}"
    return "fail", _no_core_patent_reason(a)


def _product_has_core_patent(index: int, product, patents: dict):
    """(True/False/None, description of the core patents, unknown field paths)."""
    gaps = [f"products[{index}].main"] if product.main is None else []
    checks, found = [], []
    for number in product.patents:
        if number not in patents:
            checks.append(False)
            continue
        position, patent = patents[number]
        if patent.status != "valid":
            checks.append(False)
            continue
        known = (patent.core, None if patent.origin is None else True)
        checks.append(all3(known))
        if patent.core is None:
            gaps.append(f"patents[{position}].core")
        if patent.origin is None and patent.core is not False:
            gaps.append(f"patents[{position}].origin")
        if all3(known):
            found.append(f"{number}（{ORIGIN_LABELS[patent.origin]}）")
    outcome = all3((product.main, any3(checks)))
    return outcome, "、".join(found), gaps


def _no_core_patent_reason(a: Applicant) -> str:
    if not a.products:
        return "未申报产品，无法认定主营产品具有自研或引进的核心专利技术"
    if not any(prod.main for prod in a.products):
        return "未申报主营产品，无法认定主营产品具有自研或引进的核心专利技术"
    return "主营产品关联的专利均不是有效的自研或引进核心专利"


@criterion(8, "自主商标品牌")
def c8_trademark(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """拥有自主商标品牌，具有一定的品牌影响力."""
    owned = [t for t in a.trademarks if t.owned and (t.valid_to is None or t.valid_to >= as_of)]
    if not owned:
        reasons = [f"商标 {t.reg_no} 非自主商标" if not t.owned else f"商标 {t.reg_no} 已于 {t.valid_to} 到期"
                   for t in a.trademarks]
        tail = f"（{'；'.join(reasons)}）" if reasons else "（未申报商标）"
        return "fail", f"无在 {as_of} 有效的自主商标{tail}"
    mark = owned[0]
    held = f"拥有有效的自主商标（注册号 {mark.reg_no}，" + (
        f"有效期至 {mark.valid_to}）" if mark.valid_to else "未填写有效期止，视为有效）")
    evidence = [e.strip() for e in a.brand_evidence if e.strip()]
    if not evidence:
        return "review", f"{held}，但未提供品牌影响力证明；需人工判断品牌影响力"
    return "pass", f"{held}；品牌影响力证明 {len(evidence)} 项：{'；'.join(evidence)}"


_IP_SYSTEM = (("rules", "制度"), ("department", "机构"), ("staff", "人员"), ("budget", "保障"))


@criterion(9, "知识产权管理体系")
def c9_ip_management(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """具备涵盖制度、机构、人员、保障等较为完善的知识产权管理体系."""
    m = a.ip_management
    system = all3(getattr(m, key) for key, _ in _IP_SYSTEM)
    outcome = any3((m.certified_gbt29490, system))
    if outcome and m.certified_gbt29490:
        return "pass", "已通过 GB/T 29490 企业知识产权管理规范认证"
    if outcome:
        return "pass", "知识产权管理体系涵盖制度、机构、人员、保障"
    lacking = "、".join(label for key, label in _IP_SYSTEM if getattr(m, key) is False)
    certified = {False: "未通过 GB/T 29490 认证", None: "未填写是否通过 GB/T 29490 认证"}[m.certified_gbt29490]
    if outcome is False:
        return "fail", f"{certified}，且知识产权管理体系缺少：{lacking}"
    gaps = ["ip_management.certified_gbt29490"] if m.certified_gbt29490 is None else []
    if system is None:
        gaps += [f"ip_management.{key}" for key, _ in _IP_SYSTEM if getattr(m, key) is None]
    return "missing", f"{certified}；{missing(gaps)}"


_INTEGRITY = (("abnormal_patent_applications", "非正常申请专利行为"), ("major_accident", "重大事故"),
              ("violation", "违法违规"), ("serious_dishonesty", "严重失信"))


@criterion(10, "无非正常申请专利、重大事故、违法违规及严重失信")
def c10_integrity(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """无非正常申请专利行为和各类重大事故、违法违规及严重失信等情况."""
    record = a.integrity
    found = [label for key, label in _INTEGRITY if getattr(record, key) is True]
    if found:
        return "fail", "存在" + "、".join(found) + "情况"
    blank = [f"integrity.{key}" for key, _ in _INTEGRITY if getattr(record, key) is None]
    if blank:
        return "missing", missing(blank)
    return "pass", "无非正常申请专利行为、重大事故、违法违规及严重失信情况"
