"""The ten admission criteria (黄石 附件2 入库企业基本标准), one function each.

Each criterion takes ``(applicant, as_of, snapshot, industries)`` and returns a
:class:`CriterionResult`: a status (``pass``, ``fail``, ``review``, ``missing``)
and a Chinese detail that quotes the numbers and the thresholds used.  Every
threshold comes from the policy :class:`~pool.eligibility.policy.Snapshot` in force on
``as_of``; nothing here reads the clock.

How SPEC §2 is encoded (the interpretation, in one place):

* **Absent facts.**  SPEC: an absent list means none; an absent number or yes/no
  fact that a criterion *needs* makes it ``missing``.  "Needs" is decided with
  three-valued logic (True / False / unknown): a criterion is ``missing`` only
  when the absent facts could change its outcome.  So 第6条 passes on
  ``rd_expense >= 500`` even without revenue, 第10条 fails on one recorded
  incident even if the others are blank, and 第5条 passes when the known
  industrialised patents already reach 50 % whatever the blanks are.
* **Within a criterion** the order is the verdict's: a definite ``fail`` beats
  ``missing``, which beats ``review``.
* **第1条.**  The region is ``registered_region_code``, else USCC characters
  3-8.  An industry the SME standard does not list (金融业, 教育, ...) gives
  ``review``: the standard says such industries are sized "by reference", which
  is an officer's judgement, not a failure.
* **第2条.**  A certificate counts on ``valid_from <= as_of <= valid_to``
  (both days inclusive); expired or not-yet-valid ones do not count.
* **上年度** (第1条 size, 第6条) is the calendar year before the assessment
  date's year; the contract's figures are for ``assessment_year - 1``.  Figures
  of another year make both ``missing`` (naming the year required and the year
  supplied); an ``assessment_year`` after the assessment date's year is an
  input error (:func:`check`).
* **第3条.**  The classification in force on ``as_of`` (the shipped 2019 table
  from 2019-04-01, or a later imported version) lists the class → ``pass``
  naming its group and category; a starred (partial) class, a class outside the
  table, or no table in force → ``review`` ("原则上").
* **第4条.**  A qualifying product is ``main`` and names at least one listed patent
  that is ``valid``, ``core`` and has an ``origin`` (self, acquired or licensed —
  every value of the contract's enum is 自研或引进, so only an *absent* origin
  leaves it unknown).  A number the product names but ``patents`` does not list
  does not count (the input carries a warning for it).  ``filing_no`` on a
  qualifying product → ``pass``.
* **第6条.**  Zero revenue: the ratio test fails and the amount decides.
* **第7条.**  ``has_rd_leader`` AND (staff ratio OR a university / research-
  institute partnership in force on ``as_of``, both ends inclusive).  Zero
  employees: the ratio test fails.
* **第8条.**  An owned trademark is in force when ``valid_to`` is absent or
  ``>= as_of``; blank strings are not brand evidence.
* **第9条.**  ``certified_gbt29490`` OR all of rules, department, staff, budget.

Ratios are compared exactly by integer cross-multiplication of the Decimals'
integer ratios; percentages in details are rounded to two decimals, with more
digits only when rounding would contradict the comparison they illustrate.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable

from pool.eligibility.applicant import Applicant, InvalidApplicant, _constructor, parse
from pool.eligibility.contract import FIELD_LABELS, Problem
from pool.reference.gbt4754 import display_code, lookup as industry_class
from pool.reference.industries import CLASSIFICATION_NAME, IndustryTable
from pool.eligibility.policy import Policy, Snapshot
from pool.eligibility.sme import SizeResult, classify, format_money, format_number

STATUSES = ("pass", "fail", "review", "missing")
VERDICTS = ("eligible", "ineligible", "incomplete", "needs_review")

QUALIFICATION_LABELS = {
    "specialized_sme": "专精特新中小企业", "little_giant": "专精特新“小巨人”企业",
    "high_tech": "高新技术企业", "ip_advantage": "国家知识产权优势企业",
    "ip_demonstration": "国家知识产权示范企业", "ip_pilot": "工业企业知识产权运用试点单位",
    "tech_sme": "科技型中小企业", "other": "其他资格",
}
ORIGIN_LABELS = {"self": "自研", "acquired": "受让", "licensed": "许可"}
PARTNER_LABELS = {"university": "高校", "research_institute": "科研机构", "other": "其他机构"}


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """Outcome of one criterion."""

    id: int
    status: str  # pass | fail | review | missing
    detail: str
    title: str
    source: str  # e.g. "附件2 第6条"


@dataclass(frozen=True)
class Evaluation:
    """All ten results for one applicant on one date, and the verdict."""

    uscc: str
    name: str
    verdict: str
    criteria: tuple[CriterionResult, ...]
    warnings: tuple[str, ...]
    as_of: date
    snapshot: Snapshot = field(repr=False, compare=False)

    def to_dict(self) -> dict:
        """What the CLI prints: uscc, name, verdict, criteria (id, status,
        detail) and warnings."""
        return {
            "uscc": self.uscc,
            "name": self.name,
            "verdict": self.verdict,
            "criteria": [{"id": c.id, "status": c.status, "detail": c.detail} for c in self.criteria],
            "warnings": list(self.warnings),
        }

    def to_record(self) -> dict:
        """What is stored with a decision: :meth:`to_dict` plus the assessment
        date, each criterion's title and source, and the parameter values used."""
        record = self.to_dict()
        record["criteria"] = [
            {"id": c.id, "status": c.status, "detail": c.detail, "title": c.title, "source": c.source}
            for c in self.criteria
        ]
        record["as_of"] = self.as_of.isoformat()
        record["parameters"] = self.snapshot.used(PARAMETERS_USED)
        return record

    def criterion(self, number: int) -> CriterionResult:
        """The result of criterion ``number`` (1-10)."""
        return self.criteria[number - 1]


# Ten results per applicant, 100,000 applicants: build them without the frozen
# dataclass __init__ (see pool.eligibility.applicant._constructor).
_new_result = _constructor(CriterionResult)

Rule = Callable[[Applicant, date, Snapshot, IndustryTable], tuple[str, str]]
CRITERIA: list[Callable[[Applicant, date, Snapshot, IndustryTable], CriterionResult]] = []


def criterion(number: int, title: str, parameters: tuple[str, ...] = ()):
    """Register a rule ``(applicant, as_of, snapshot, industries) -> (status,
    detail)`` as criterion ``number``; the registered function returns a
    :class:`CriterionResult` citing ``附件2 第N条``."""
    source = f"附件2 第{number}条"

    def register(rule: Rule):
        @functools.wraps(rule)
        def evaluate_one(applicant, as_of, snapshot, industries) -> CriterionResult:
            status, detail = rule(applicant, as_of, snapshot, industries)
            return _new_result(number, status, detail, title, source)
        evaluate_one.id, evaluate_one.title, evaluate_one.source = number, title, source
        evaluate_one.parameters = parameters
        CRITERIA.append(evaluate_one)
        return evaluate_one
    return register


# --- small helpers ----------------------------------------------------------

def _all3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued AND: False wins, then unknown (None)."""
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def _any3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: True wins, then unknown (None)."""
    result: bool | None = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def _status(outcome: bool | None, undecided: str = "missing") -> str:
    if outcome is None:
        return undecided
    return "pass" if outcome else "fail"


def _missing(paths: Iterable[str]) -> str:
    """"缺少数据：营业收入（operating_revenue）、…" for field paths."""
    named = []
    for path in paths:
        label = FIELD_LABELS.get(path.rsplit(".", 1)[-1].split("[")[0], "")
        named.append(f"{label}（{path}）" if label else path)
    return "缺少数据：" + "、".join(named)


def _fraction(value: int | Decimal) -> tuple[int, int]:
    return (value, 1) if isinstance(value, int) else value.as_integer_ratio()


def _at_least(numerator: int | Decimal, denominator: int | Decimal, threshold: Decimal) -> bool:
    """Exactly ``numerator / denominator >= threshold`` (denominator > 0)."""
    a, b = _fraction(numerator)
    c, d = _fraction(denominator)
    t, u = _fraction(threshold)
    # (a/b) / (c/d) >= t/u  <=>  a*d*u >= t*b*c, all of b, c, d, u positive.
    return a * d * u >= t * b * c


def _ratio(numerator: int | Decimal, denominator: int | Decimal, threshold: Decimal) -> tuple[bool, str]:
    """Compare ``numerator / denominator`` (denominator > 0) with ``threshold``
    exactly; return the outcome and its text, e.g. ``(False, "9.99% < 10%")``.

    The percentage is rounded half up to two decimals ("66.67%"), with more
    decimals only when rounding would contradict the comparison (9.996 % is
    shown as "9.996% < 10%", never "10% < 10%")."""
    a, b = _fraction(numerator)
    c, d = _fraction(denominator)
    t, u = _fraction(threshold)
    passed = a * d * u >= t * b * c
    top, bottom = a * d * 100, b * c  # the percentage is top / bottom, both >= 0
    for places in range(2, 30):
        scale = 10 ** places
        shown = (2 * top * scale + bottom) // (2 * bottom)  # in units of 10^-places %
        if (shown * u >= 100 * t * scale) == passed:  # shown / scale >= 100 t / u
            break
    else:  # this close to the threshold, truncation is always on the right side
        shown = top * scale // bottom
    return passed, f"{_decimal_text(shown, places)}% {'≥' if passed else '<'} {_threshold_percent(threshold)}"


def _decimal_text(units: int, places: int) -> str:
    """``units / 10**places`` without trailing zeros: (6667, 2) -> "66.67"."""
    whole, fraction = divmod(units, 10 ** places)
    if not fraction:
        return str(whole)
    return f"{whole}.{fraction:0{places}d}".rstrip("0")


@functools.lru_cache(maxsize=256)
def _threshold_percent(threshold: Decimal) -> str:
    return f"{format_number(threshold * 100)}%"


def _in_force(valid_from: date, valid_to: date, as_of: date) -> bool:
    return valid_from <= as_of <= valid_to


# --- the ten criteria -------------------------------------------------------

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
    outcome = _all3((in_city, legal, size.is_sme))
    missing = (["independent_legal_person"] if legal is None else []) + size.missing
    if outcome is None and missing:
        parts.append(_missing(missing))
    return _status(outcome, "missing" if missing or stale else "review"), "；".join(parts)


@criterion(2, "专精特新、高新技术企业等资格", ("accepted_qualifications",))
def c2_qualifications(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """原则上应具备专精特新中小企业、高新技术企业或国家知识产权优势示范企业、工业企业知识产权运用试点单位等资格."""
    accepted = p["accepted_qualifications"]
    valid = [q for q in a.qualifications if q.type in accepted and _in_force(q.valid_from, q.valid_to, as_of)]
    if valid:
        held = "、".join(_describe_qualification(q) for q in valid)
        return "pass", f"具备在 {as_of} 有效的资格：{held}"
    notes = [_why_not_counted(q, accepted, as_of) for q in a.qualifications]
    listed = "、".join(QUALIFICATION_LABELS.get(t, t) for t in accepted)
    detail = f"无在 {as_of} 有效的认可资格（{listed}）"
    if notes:
        detail += "；" + "；".join(notes)
    return "review", detail + "；原则上应具备，需人工判断"


def _describe_qualification(q) -> str:
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
        return "missing", _missing(["industry_code"])
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
            return "missing", f"{detail}；已备案的产品能否计入无法判断，{_missing(unknown_fields)}"
        return "review", detail + "；原则上应完成备案，需人工判断"
    if uncertain:
        return "missing", f"无法判断主营产品是否具有有效的自研或引进核心专利，{_missing(unknown_fields)}"
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
        checks.append(_all3(known))
        if patent.core is None:
            gaps.append(f"patents[{position}].core")
        if patent.origin is None and patent.core is not False:
            gaps.append(f"patents[{position}].origin")
        if _all3(known):
            found.append(f"{number}（{ORIGIN_LABELS[patent.origin]}）")
    outcome = _all3((product.main, _any3(checks)))
    return outcome, "、".join(found), gaps


def _no_core_patent_reason(a: Applicant) -> str:
    if not a.products:
        return "未申报产品，无法认定主营产品具有自研或引进的核心专利技术"
    if not any(prod.main for prod in a.products):
        return "未申报主营产品，无法认定主营产品具有自研或引进的核心专利技术"
    return "主营产品关联的专利均不是有效的自研或引进核心专利"


@criterion(5, "专利产业化率", ("min_industrialization_rate",))
def c5_industrialization(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """专利产业化率不低于50%."""
    threshold = p["min_industrialization_rate"]
    valid = [(i, pt) for i, pt in enumerate(a.patents) if pt.status == "valid"]
    if not valid:
        filed = f"申报专利 {len(a.patents)} 件均非有效状态" if a.patents else "未申报专利"
        return "fail", f"无有效专利（{filed}），专利产业化率无法达到 {_threshold_percent(threshold)}"
    total = len(valid)
    done = sum(1 for _, pt in valid if pt.industrialized is True)
    unknown = [f"patents[{i}].industrialized" for i, pt in valid if pt.industrialized is None]
    passed, rate = _ratio(done, total, threshold)
    head = f"有效专利 {total} 件，其中已产业化 {done} 件，产业化率 {rate}"
    if passed:
        tail = f"（另有 {len(unknown)} 件未填写是否已产业化，不影响结论）" if unknown else ""
        return "pass", head + tail
    if not unknown:
        return "fail", head
    could_pass, best = _ratio(done + len(unknown), total, threshold)
    if not could_pass:
        return "fail", f"{head}；即使未填写的 {len(unknown)} 件均已产业化，产业化率也仅 {best}"
    return "missing", (f"{head}，能否达到 {_threshold_percent(threshold)} 取决于未填写的 "
                       f"{len(unknown)} 件；{_missing(unknown)}")


@criterion(6, "研发投入", ("min_rd_ratio", "min_rd_amount"))
def c6_rd_investment(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """上年度研发投入占营业收入总额比重不低于10%或不低于500万元."""
    ratio, amount = p["min_rd_ratio"], p["min_rd_amount"]
    stale = figures_year_gap(a, as_of)
    if stale:
        return "missing", stale + "，无法判断上年度研发投入"
    rd, revenue = a.rd_expense, a.operating_revenue
    if rd is None:
        return "missing", _missing(["rd_expense"] + (["operating_revenue"] if revenue is None else []))
    amount_ok = rd >= amount
    amount_text = f"研发投入 {format_money(rd)} 万元 {'≥' if amount_ok else '<'} {format_number(amount)} 万元"
    if revenue is None:
        ratio_ok, ratio_text = None, "缺少营业收入，无法计算研发投入占营业收入比重"
    elif revenue == 0:
        ratio_ok, ratio_text = False, f"营业收入为 0，研发投入占营业收入比重不能达到 {_threshold_percent(ratio)}"
    else:
        ratio_ok, shown = _ratio(rd, revenue, ratio)
        ratio_text = f"研发投入占营业收入比重 {shown}"
    if ratio_ok and amount_ok:
        return "pass", f"{ratio_text}；{amount_text}"
    if ratio_ok:
        return "pass", f"{ratio_text}（{amount_text}）"
    if amount_ok:
        return "pass", f"{amount_text}（{ratio_text}）"
    if ratio_ok is None:
        return "missing", f"{amount_text}，{ratio_text}；{_missing(['operating_revenue'])}"
    return "fail", f"{ratio_text}，且{amount_text}"


@criterion(7, "科研带头人、研发团队与产学研合作", ("min_rd_staff_ratio",))
def c7_rd_team(a: Applicant, as_of: date, p: Snapshot, industries: IndustryTable):
    """有稳定的科研带头人和研发团队，研发人员占企业职工总数比重不低于20%或与高校、科研机构建立稳定的产学研合作机制."""
    threshold = p["min_rd_staff_ratio"]
    leader = a.has_rd_leader
    ratio_ok, ratio_text = _staff_ratio(a, threshold)
    partners = [x for x in a.research_partnerships
                if x.partner_type != "other" and _in_force(x.valid_from, x.valid_to, as_of)]
    team_ok = _any3((ratio_ok, bool(partners)))
    outcome = _all3((leader, team_ok))
    parts = [{True: "有稳定的科研带头人和研发团队", False: "无稳定的科研带头人和研发团队",
              None: "未填写是否有稳定的科研带头人和研发团队"}[leader], ratio_text]
    if partners:
        x = partners[0]
        parts.append(f"与{PARTNER_LABELS[x.partner_type]}“{x.partner}”的产学研合作在 {as_of} 有效"
                     f"（{x.valid_from} 至 {x.valid_to}）")
    else:
        parts.append(f"无在 {as_of} 有效的高校或科研机构产学研合作")
    if outcome is None:
        gaps = ["has_rd_leader"] if leader is None else []
        if team_ok is None:
            gaps += [k for k in ("rd_staff", "employees") if getattr(a, k) is None]
        parts.append(_missing(gaps))
    return _status(outcome), "；".join(parts)


def _staff_ratio(a: Applicant, threshold: Decimal) -> tuple[bool | None, str]:
    limit = _threshold_percent(threshold)
    if a.rd_staff is None or a.employees is None:
        return None, "缺少研发人员数或职工总数，无法计算研发人员占比"
    if a.employees == 0:
        return False, f"职工总数为 0，研发人员占比不能达到 {limit}"
    ok, shown = _ratio(a.rd_staff, a.employees, threshold)
    return ok, f"研发人员 {a.rd_staff} 人占职工总数 {a.employees} 人的 {shown}"


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
    system = _all3(getattr(m, key) for key, _ in _IP_SYSTEM)
    outcome = _any3((m.certified_gbt29490, system))
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
    return "missing", f"{certified}；{_missing(gaps)}"


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
        return "missing", _missing(blank)
    return "pass", "无非正常申请专利行为、重大事故、违法违规及严重失信情况"


PARAMETERS_USED: tuple[str, ...] = tuple(dict.fromkeys(k for c in CRITERIA for k in c.parameters))


# --- verdict ----------------------------------------------------------------

def aggregate(statuses: Iterable[str]) -> str:
    """SPEC §2: ineligible if any fail; else incomplete if any missing; else
    needs_review if any review; else eligible."""
    statuses = set(statuses)
    if "fail" in statuses:
        return "ineligible"
    if "missing" in statuses:
        return "incomplete"
    if "review" in statuses:
        return "needs_review"
    return "eligible"


def evaluate(applicant: Applicant, as_of: date, snapshot: Snapshot, industries: IndustryTable) -> Evaluation:
    """Evaluate all ten criteria as of ``as_of`` with the parameters of ``snapshot``
    (which must be the snapshot in force on that same date).

    :raise TypeError: if ``as_of`` is not a ``date``.
    :raise ValueError: if ``snapshot`` is for another date.
    """
    if type(as_of) is not date:
        raise TypeError("as_of 须为 datetime.date")
    if snapshot.as_of != as_of:
        raise ValueError(f"参数快照日期 {snapshot.as_of} 与评估日期 {as_of} 不一致")
    results = tuple([rule(applicant, as_of, snapshot, industries) for rule in CRITERIA])
    warnings = tuple([str(w) for w in applicant.warnings]) if applicant.warnings else ()
    return Evaluation(applicant.uscc, applicant.name, aggregate([r.status for r in results]),
                      results, warnings, as_of, snapshot)


def check(data: Any, as_of: date, policy: Policy, industries: IndustryTable) -> Evaluation:
    """Validate, parse and evaluate one applicant object (contract shape).

    :raise InvalidApplicant: with every input error, including an
        ``assessment_year`` after the year of ``as_of`` (figures of a year that
        has not ended cannot be the 上年度 of that date).
    """
    applicant = parse(data)
    if applicant.assessment_year > as_of.year:
        raise InvalidApplicant([Problem(
            "assessment_year", f"申报年度 {applicant.assessment_year} 晚于评估日期 {as_of} 所在年度 "
            f"{as_of.year}：上年度数据须为已结束年度的数据")], list(applicant.warnings))
    return evaluate(applicant, as_of, policy.in_force(as_of), industries)


def figures_year_gap(a: Applicant, as_of: date) -> str | None:
    """Why the applicant's yearly figures are not those of 上年度, or None.

    SPEC: 上年度 is the calendar year before the assessment year, and the
    assessment year is the year of the assessment date; the contract's figures
    are for ``assessment_year - 1``.  So on 2026-06-30 the figures must be for
    2025, i.e. ``assessment_year`` 2026.  Figures of another year are not
    wrong, they are the wrong year's: criteria 1 (size) and 6 say ``missing``.
    """
    required, supplied = as_of.year - 1, a.assessment_year - 1
    if supplied == required:
        return None
    return (f"评估日期 {as_of} 的上年度为 {required} 年，所填年度数据为 {supplied} 年"
            f"（申报年度 {a.assessment_year}）；须提供 {required} 年度数据（申报年度 {as_of.year}）")
