"""The workbook's layout: its sheets, their columns, and the labels in its cells.

Each sheet is a :class:`SheetLayout` of :class:`Column` records; a column's ``kind``
(:data:`TEXT`, :data:`INT` …) says how :mod:`.cells` reads and writes it.  The
label maps (``QUALIFICATION_LABELS`` …) turn contract codes into the Chinese
shown in cells and drop-downs; ``FIELD_LABELS`` names the contract's fields
for messages and forms elsewhere.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pool.eligibility.contract import PATENT_KIND_LABELS
from pool.eligibility.profile import ORIGIN_LABELS as PATENT_ORIGIN_LABELS
from pool.kernel.wording import phrase

# ---------------------------------------------------------------------------
# Labels: contract code -> the Chinese label shown in cells and drop-downs.

QUALIFICATION_LABELS = {
    "specialized_sme": phrase("专精特新中小企业"),
    "little_giant": phrase('专精特新"小巨人"企业'),
    "high_tech": phrase("高新技术企业"),
    "ip_advantage": phrase("国家知识产权优势企业"),
    "ip_demonstration": phrase("国家知识产权示范企业"),
    "ip_pilot": phrase("工业企业知识产权运用试点单位"),
    "tech_sme": phrase("科技型中小企业"),
    "other": phrase("其他"),
}
PATENT_STATUS_LABELS = {
    "valid": phrase("有效"),
    "pending": phrase("审查中"),
    "lapsed": phrase("失效"),
    "invalidated": phrase("无效宣告"),
    "expired": phrase("期满终止"),
}
PARTNER_TYPE_LABELS = {"university": phrase("高校"), "research_institute": phrase("科研院所"), "other": phrase("其他")}
BOOLEAN_LABELS = {True: "是", False: "否"}

# Other spellings officers use for the same thing (the seed text itself says
# 科研机构 and 专精特新小巨人); matched after match_key() normalisation.
EXTRA_ALIASES = {
    "qualification": {"国家高新技术企业": "high_tech", "专精特新小巨人": "little_giant"},
    "patent_kind": {"发明专利": "invention", "实用新型专利": "utility_model", "外观设计专利": "design"},
    "partner_type": {"高等院校": "university", "高等学校": "university", "大学": "university",
                     "科研机构": "research_institute"},
}


# ---------------------------------------------------------------------------
# Layout

TEXT, INT, MONEY, BOOL, DATE, ENUM, CODES, LINES = (
    "text", "int", "money", "bool", "date", "enum", "codes", "lines")


@dataclass(frozen=True)
class Column:
    """One column of the layout.

    ``field`` is the contract key inside the sheet's object: a top-level key on
    企业 (``ip_management.rules`` for the nested flags), an item key on the
    group sheets, whose first column ``uscc`` links the row to its enterprise.
    """

    field: str
    header: str
    kind: str
    note: str = ""
    width: int = 14
    labels: Mapping[str, str] | None = None
    aliases: str | None = None       # key of EXTRA_ALIASES
    required: bool = False           # contract-required; shown in red, not enforced here


@dataclass(frozen=True)
class SheetLayout:
    """One sheet: ``group`` is the contract list its rows fill (None for 企业)."""

    name: str
    group: str | None
    purpose: str
    columns: tuple[Column, ...]


def _flag(field: str, header: str, note: str, *, required: bool = False) -> Column:
    return Column(field, header, BOOL, note, width=12, required=required)


def _uscc_link() -> Column:
    return Column("uscc", "统一社会信用代码", TEXT, "该行所属企业的统一社会信用代码，须与「企业」表中的一致", 22,
                  required=True)


ENTERPRISE_SHEET = "企业"
SHEETS: tuple[SheetLayout, ...] = (
    SheetLayout(ENTERPRISE_SHEET, None, "每家申报企业一行", (
        Column("uscc", "统一社会信用代码", TEXT, "18 位，字母大写；请按文本填写", 22, required=True),
        Column("name", "企业名称", TEXT, "营业执照上的全称", 30, required=True),
        Column("county", "所属县市区", TEXT, "如 大冶市", 16),
        Column("assessment_year", "申报年度", INT, "四位年份，如 2025；“上年度”指申报年度的前一年", 10,
               required=True),
        Column("registered_region_code", "登记机关行政区划代码", TEXT,
               "6 位数字，如 420281；不填时取统一社会信用代码第 3–8 位", 14),
        _flag("independent_legal_person", "具有独立法人资格", "是/否"),
        Column("industry_code", "主营业务行业代码", TEXT, "GB/T 4754-2017 行业小类，如 C3562 或 3562；请按文本填写", 14),
        Column("employees", "从业人员数", INT, "从业人员（职工）总数，整数", 12),
        Column("operating_revenue", "上年度营业收入（万元）", MONEY, "单位：万元，可含小数，如 200.5", 16),
        Column("total_assets", "资产总额（万元）", MONEY, "单位：万元，可含小数", 16),
        Column("rd_expense", "上年度研发投入（万元）", MONEY, "单位：万元，可含小数", 16),
        Column("rd_staff", "研发人员数", INT, "整数，不超过从业人员数", 12),
        _flag("has_rd_leader", "有稳定的科研带头人和研发团队", "是/否"),
        _flag("uscc_checksum_override", "校验码例外",
              "仅当代码合法但不符合校验规则（早期试点地区代码）时填“是”，审查结论将附带提示"),
        _flag("ip_management.rules", "知识产权管理制度", "有知识产权管理制度：是/否"),
        _flag("ip_management.department", "知识产权管理机构", "有知识产权管理机构：是/否"),
        _flag("ip_management.staff", "知识产权管理人员", "有知识产权管理人员：是/否"),
        _flag("ip_management.budget", "知识产权经费保障", "有知识产权经费保障：是/否"),
        _flag("ip_management.certified_gbt29490", "通过GB/T 29490认证", "通过《企业知识产权管理规范》(GB/T 29490) 认证：是/否"),
        _flag("integrity.abnormal_patent_applications", "非正常申请专利行为", "存在非正常申请专利行为：是/否"),
        _flag("integrity.major_accident", "重大事故", "发生重大安全、质量、环境事故：是/否"),
        _flag("integrity.violation", "违法违规", "存在违法违规行为：是/否"),
        _flag("integrity.serious_dishonesty", "严重失信", "列入严重失信主体名单：是/否"),
        Column("brand_evidence", "品牌影响力证明", LINES,
               "获奖、驰名/著名商标、市场占有率等；多条用换行（Alt+Enter）或“；”分隔。"
               "单元格内有换行时只按换行分条", 40),
    )),
    SheetLayout("资格证书", "qualifications", "每张资格证书一行", (
        _uscc_link(),
        Column("type", "资格类型", ENUM, "从下拉列表选择", 28, QUALIFICATION_LABELS, "qualification", True),
        Column("certificate_no", "证书编号", TEXT, "", 20),
        Column("valid_from", "有效期起", DATE, "日期，如 2024-01-01", 13, required=True),
        Column("valid_to", "有效期止", DATE, "日期，如 2026-12-31", 13, required=True),
    )),
    SheetLayout("专利", "patents", "每件专利一行", (
        _uscc_link(),
        Column("number", "专利号", TEXT, "如 ZL202310012345.6；请按文本填写", 22, required=True),
        Column("kind", "专利类型", ENUM, "发明/实用新型/外观设计", 12, PATENT_KIND_LABELS, "patent_kind", True),
        Column("status", "法律状态", ENUM, "有效/审查中/失效/无效宣告/期满终止", 12, PATENT_STATUS_LABELS,
               required=True),
        Column("origin", "来源", ENUM, "自研/受让/许可", 10, PATENT_ORIGIN_LABELS),
        _flag("core", "核心专利", "是/否"),
        _flag("industrialized", "已产业化实施", "是/否"),
    )),
    SheetLayout("产品", "products", "每个产品一行", (
        _uscc_link(),
        Column("name", "产品名称", TEXT, "", 24, required=True),
        _flag("main", "主营产品", "是/否"),
        Column("patents", "关联专利号", CODES,
               "支撑该产品核心功能或制造方法的专利号，多个用“；”“,”或换行分隔；须在「专利」表中列出", 30),
        Column("filing_no", "专利产品备案号", TEXT, "", 20),
        _flag("patent_intensive", "已认定专利密集型产品", "是/否"),
        Column("certified_on", "认定日期", DATE, "认定为专利密集型产品的日期", 13),
    )),
    SheetLayout("商标", "trademarks", "每件商标一行", (
        _uscc_link(),
        Column("reg_no", "商标注册号", TEXT, "请按文本填写", 18, required=True),
        _flag("owned", "自主商标", "自有商标填“是”，被许可使用的填“否”", required=True),
        Column("valid_to", "有效期至", DATE, "注册有效期截止日期", 13),
    )),
    SheetLayout("产学研合作", "research_partnerships", "每项合作一行", (
        _uscc_link(),
        Column("partner", "合作单位", TEXT, "高校或科研院所全称", 30, required=True),
        Column("partner_type", "单位类型", ENUM, "高校/科研院所/其他", 12, PARTNER_TYPE_LABELS, "partner_type",
               True),
        Column("valid_from", "合作起始日期", DATE, "日期，如 2023-06-01", 13, required=True),
        Column("valid_to", "合作终止日期", DATE, "日期，如 2026-05-31", 13, required=True),
    )),
)
#: Contract field path -> Chinese header, for messages and forms elsewhere
#: (``ip_management.rules``; group items as ``patents.number``).
FIELD_LABELS: dict[str, str] = {
    (f"{sheet.group}.{col.field}" if sheet.group else col.field): col.header
    for sheet in SHEETS for col in sheet.columns
    if not (sheet.group and col.field == "uscc")
}
