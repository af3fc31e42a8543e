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
from pool.kernel.wording import phrase
from pool.reference.gbt4754 import lookup as industry_class
from pool.reference.industries import CLASSIFICATION_NAME, IndustryTable

QUALIFICATION_LABELS = {
    "specialized_sme": phrase("专精特新中小企业"), "little_giant": phrase("专精特新“小巨人”企业"),
    "high_tech": phrase("高新技术企业"), "ip_advantage": phrase("国家知识产权优势企业"),
    "ip_demonstration": phrase("国家知识产权示范企业"), "ip_pilot": phrase("工业企业知识产权运用试点单位"),
    "tech_sme": phrase("科技型中小企业"), "other": phrase("其他资格"),
}
ORIGIN_LABELS = {"self": phrase("自研"), "acquired": phrase("受让"), "licensed": phrase("许可")}

_LEGAL_PERSON = {True: phrase("具有独立法人资格"), False: phrase("不具有独立法人资格"),
                 None: phrase("未填写是否具有独立法人资格")}
_WHERE = {True: phrase("登记机关行政区划代码"), False: phrase("统一社会信用代码第3-8位")}
_IN_CITY = {True: phrase("{where} {region} 以 {prefix} 开头（在黄石注册登记）"),
            False: phrase("{where} {region} 不以 {prefix} 开头（不在黄石注册登记）")}
_STALE_SIZE = phrase("{stale}，无法按上年度数据划型")
_NEEDS_JUDGEMENT = phrase("需人工判断")
_QUALIFIED = phrase("具备在 {day} 有效的资格：{held}")
_NOT_QUALIFIED = phrase("无在 {day} 有效的认可资格（{listed}）")
_IN_PRINCIPLE_QUALIFIED = phrase("原则上应具备，需人工判断")
_QUALIFICATION = phrase("{label}（{valid_from} 至 {valid_to}）")
_QUALIFICATION_NO = phrase("{label}（证书 {number!s}，{valid_from} 至 {valid_to}）")
_NOT_ACCEPTED = phrase("{label}不在认可资格之列")
_EXPIRED = phrase("{label}已于 {day} 到期，不计入")
_NOT_YET = phrase("{label}自 {day} 起才有效，不计入")


@criterion(1, "黄石注册的独立法人中小企业", ("city_region_prefix", "sme_size_table"))
def c1_registered_sme(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """在黄石注册登记、具有独立法人资格、符合《中小企业划型标准规定》的中小企业."""
    prefix = p["city_region_prefix"]
    region = a.region_code
    in_city = region.startswith(prefix)
    where = _WHERE[bool(a.registered_region_code)]
    parts = [_IN_CITY[in_city].format(where=where, region=region, prefix=prefix)]
    legal = a.independent_legal_person
    parts.append(_LEGAL_PERSON[legal])
    stale = figures_year_gap(a, as_of)
    if stale:
        size = SizeResult(None, None, _STALE_SIZE.format(stale=stale))
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
        return "pass", _QUALIFIED.format(day=as_of, held=held)
    notes = [_why_not_counted(q, accepted, as_of) for q in a.qualifications]
    listed = "、".join(QUALIFICATION_LABELS.get(t, t) for t in accepted)
    detail = _NOT_QUALIFIED.format(day=as_of, listed=listed)
    if notes:
        detail += "；" + "；".join(notes)
    return "review", detail + "；" + _IN_PRINCIPLE_QUALIFIED


def describe_qualification(q) -> str:
    """A qualification as details quote it: type, certificate number, validity."""
    label = QUALIFICATION_LABELS.get(q.type, q.type)
    if q.certificate_no:
        return _QUALIFICATION_NO.format(label=label, number=q.certificate_no, valid_from=q.valid_from,
                                        valid_to=q.valid_to)
    return _QUALIFICATION.format(label=label, valid_from=q.valid_from, valid_to=q.valid_to)


def _why_not_counted(q, accepted, as_of: date) -> str:
    label = QUALIFICATION_LABELS.get(q.type, q.type)
    if q.type not in accepted:
        return _NOT_ACCEPTED.format(label=label)
    if q.valid_to < as_of:
        return _EXPIRED.format(label=label, day=q.valid_to)
    return _NOT_YET.format(label=label, day=q.valid_from)


_C3_HEAD = phrase("主营业务 {code} {name}")
_C3_PARTIAL = phrase("{head} 部分属于专利密集型产业：{where}（分类表标注 *，仅部分活动属于）")
_C3_AUTHORITY = phrase("{where}（依据：{source!s}）")
_C3_IN = phrase("{head} 属于专利密集型产业：{where}")
_C3_CHECKED_OUT = phrase("{head} 经核对不属于专利密集型产业（依据：{source!s}）")
_C3_IN_PRINCIPLE = phrase("原则上应属于，需人工判断")
_C3_NO_TABLE = phrase("{head}：{day} 尚无生效的《{table}》，需人工核对是否属于专利密集型产业")
_C3_OUTSIDE = phrase("{head} 不在《{table}》所列 {count} 个行业小类之中（{valid_from} 起施行）")
_C3_OUTSIDE_PRINCIPLE = phrase("主营业务原则上应属于专利密集型产业，需人工判断")


@criterion(3, "主营业务属于专利密集型产业")
def c3_patent_intensive(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """主营业务原则上属于专利密集型产业."""
    if a.industry_code is None:
        return "missing", missing(["industry_code"])
    cls = industry_class(a.industry_code)
    head = _C3_HEAD.format(code=cls.lettered, name=cls.name)
    entry = industries.lookup(cls.code, as_of)
    if entry is not None and entry.included:
        where = f"{entry.group} › {entry.category}" if entry.category else entry.group
        if entry.partial:
            return "review", _C3_PARTIAL.format(head=head, where=where) + "；" + _NEEDS_JUDGEMENT
        if not entry.category:  # an administrator's correction: say on what authority
            where = _C3_AUTHORITY.format(where=where, source=entry.source)
        return "pass", _C3_IN.format(head=head, where=where)
    if entry is not None:
        return "review", _C3_CHECKED_OUT.format(head=head, source=entry.source) + "；" + _C3_IN_PRINCIPLE
    version = industries.version_on(as_of)
    if version is None:
        return "review", _C3_NO_TABLE.format(head=head, day=as_of, table=CLASSIFICATION_NAME)
    return "review", (_C3_OUTSIDE.format(head=head, table=CLASSIFICATION_NAME, count=version.included_count,
                                         valid_from=version.valid_from) + "；" + _C3_OUTSIDE_PRINCIPLE)


_C4_FILED = phrase("主营产品“{product!s}”具有有效核心专利 {core}，已完成专利产品备案（备案号 {filing_no}）")
_C4_NOT_FILED = phrase("主营产品“{product!s}”具有有效核心专利 {core}，但未完成专利产品备案")
_C4_UNKNOWN_FILED = phrase("已备案的产品能否计入无法判断，{missing}")
_C4_FILING_PRINCIPLE = phrase("原则上应完成备案，需人工判断")
_C4_UNKNOWN = phrase("无法判断主营产品是否具有有效的自研或引进核心专利，{missing}")
_C4_CORE = phrase("{number}（{origin}）")
_C4_NO_PRODUCTS = phrase("未申报产品，无法认定主营产品具有自研或引进的核心专利技术")
_C4_NO_MAIN = phrase("未申报主营产品，无法认定主营产品具有自研或引进的核心专利技术")
_C4_NO_CORE = phrase("主营产品关联的专利均不是有效的自研或引进核心专利")


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
            return "pass", _C4_FILED.format(product=prod.name, core=core, filing_no=prod.filing_no)
        prod, core = certain[0]
        detail = _C4_NOT_FILED.format(product=prod.name, core=core)
        if any(u.filing_no for u in uncertain):
            return "missing", detail + "；" + _C4_UNKNOWN_FILED.format(missing=missing(unknown_fields))
        return "review", detail + "；" + _C4_FILING_PRINCIPLE
    if uncertain:
        return "missing", _C4_UNKNOWN.format(missing=missing(unknown_fields))
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
            found.append(_C4_CORE.format(number=number, origin=ORIGIN_LABELS[patent.origin]))
    outcome = all3((product.main, any3(checks)))
    return outcome, "、".join(found), gaps


def _no_core_patent_reason(a: Applicant) -> str:
    if not a.products:
        return _C4_NO_PRODUCTS
    if not any(prod.main for prod in a.products):
        return _C4_NO_MAIN
    return _C4_NO_CORE


_C8_NOT_OWNED = phrase("商标 {number} 非自主商标")
_C8_EXPIRED = phrase("商标 {number} 已于 {day} 到期")
_C8_NONE_LISTED = phrase("未申报商标")
_C8_NONE = phrase("无在 {day} 有效的自主商标（{reasons}）")
_C8_HELD_UNTIL = phrase("拥有有效的自主商标（注册号 {number}，有效期至 {day}）")
_C8_HELD_OPEN = phrase("拥有有效的自主商标（注册号 {number}，未填写有效期止，视为有效）")
_C8_NO_EVIDENCE = phrase("{held}，但未提供品牌影响力证明")
_C8_JUDGE = phrase("需人工判断品牌影响力")
_C8_EVIDENCE = phrase("品牌影响力证明 {count} 项：{evidence!s}")


@criterion(8, "自主商标品牌")
def c8_trademark(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """拥有自主商标品牌，具有一定的品牌影响力."""
    owned = [t for t in a.trademarks if t.owned and (t.valid_to is None or t.valid_to >= as_of)]
    if not owned:
        reasons = [_C8_NOT_OWNED.format(number=t.reg_no) if not t.owned
                   else _C8_EXPIRED.format(number=t.reg_no, day=t.valid_to) for t in a.trademarks]
        return "fail", _C8_NONE.format(day=as_of, reasons="；".join(reasons) if reasons else _C8_NONE_LISTED)
    mark = owned[0]
    held = (_C8_HELD_UNTIL.format(number=mark.reg_no, day=mark.valid_to) if mark.valid_to
            else _C8_HELD_OPEN.format(number=mark.reg_no))
    evidence = [e.strip() for e in a.brand_evidence if e.strip()]
    if not evidence:
        return "review", _C8_NO_EVIDENCE.format(held=held) + "；" + _C8_JUDGE
    return "pass", held + "；" + _C8_EVIDENCE.format(count=len(evidence), evidence="；".join(evidence))


_IP_SYSTEM = (("rules", phrase("制度")), ("department", phrase("机构")), ("staff", phrase("人员")),
              ("budget", phrase("保障")))
_C9_CERTIFIED = phrase("已通过 GB/T 29490 企业知识产权管理规范认证")
_C9_SYSTEM = phrase("知识产权管理体系涵盖制度、机构、人员、保障")
_C9_CERTIFIED_NOT = {False: phrase("未通过 GB/T 29490 认证"), None: phrase("未填写是否通过 GB/T 29490 认证")}
_C9_LACKING = phrase("{certified}，且知识产权管理体系缺少：{lacking}")


@criterion(9, "知识产权管理体系")
def c9_ip_management(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """具备涵盖制度、机构、人员、保障等较为完善的知识产权管理体系."""
    m = a.ip_management
    system = all3(getattr(m, key) for key, _ in _IP_SYSTEM)
    outcome = any3((m.certified_gbt29490, system))
    if outcome and m.certified_gbt29490:
        return "pass", _C9_CERTIFIED
    if outcome:
        return "pass", _C9_SYSTEM
    lacking = "、".join(label for key, label in _IP_SYSTEM if getattr(m, key) is False)
    certified = _C9_CERTIFIED_NOT[m.certified_gbt29490]
    if outcome is False:
        return "fail", _C9_LACKING.format(certified=certified, lacking=lacking)
    gaps = ["ip_management.certified_gbt29490"] if m.certified_gbt29490 is None else []
    if system is None:
        gaps += [f"ip_management.{key}" for key, _ in _IP_SYSTEM if getattr(m, key) is None]
    return "missing", certified + "；" + missing(gaps)


_INTEGRITY = (("abnormal_patent_applications", phrase("非正常申请专利行为")), ("major_accident", phrase("重大事故")),
              ("violation", phrase("违法违规")), ("serious_dishonesty", phrase("严重失信")))
_C10_FOUND = phrase("存在{found}情况")
_C10_CLEAN = phrase("无非正常申请专利行为、重大事故、违法违规及严重失信情况")


@criterion(10, "无非正常申请专利、重大事故、违法违规及严重失信")
def c10_integrity(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """无非正常申请专利行为和各类重大事故、违法违规及严重失信等情况."""
    record = a.integrity
    found = [label for key, label in _INTEGRITY if getattr(record, key) is True]
    if found:
        return "fail", _C10_FOUND.format(found="、".join(found))
    blank = [f"integrity.{key}" for key, _ in _INTEGRITY if getattr(record, key) is None]
    if blank:
        return "missing", missing(blank)
    return "pass", _C10_CLEAN
