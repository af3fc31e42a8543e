"""The application form (资格自检): scalar facts plus editable repeated groups.

Field names follow the applicant contract, so ``to_applicant`` is a plain
mapping; each repeated group is a ``FieldList`` that grows by one row when the
officer presses its "添加一行" button (no JavaScript needed).
"""
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField, DateField, DecimalField, FieldList, FormField, IntegerField,
    SelectField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from pool.io.workbook import (
    PARTNER_TYPE_LABELS, PATENT_KIND_LABELS, PATENT_ORIGIN_LABELS, PATENT_STATUS_LABELS,
    QUALIFICATION_LABELS,
)
from pool.web.safe_forms import SafeForm, SafeRow

TRI = [("", "未填写"), ("1", "是"), ("0", "否")]
_TRI_VALUE = {"": None, "1": True, "0": False}


def _choices(labels: dict, blank: bool = False):
    out = [(k, v) for k, v in labels.items()]
    return ([("", "未填写")] + out) if blank else out


class TriField(SelectField):
    """Yes / no / not recorded: an absent fact is ``None``, not ``False``."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=TRI, default="", **kwargs)

    @property
    def value(self) -> bool | None:
        return _TRI_VALUE.get(self.data or "")

    def process_data(self, value):
        self.data = {True: "1", False: "0"}.get(value, value if value in ("1", "0") else "")


class QualificationRow(SafeRow):
    type = SelectField(_l("资格类型"), choices=_choices(QUALIFICATION_LABELS))
    certificate_no = StringField(_l("证书编号"), validators=[Optional(), Length(max=64)])
    valid_from = DateField(_l("有效期起"), validators=[Optional()])
    valid_to = DateField(_l("有效期止"), validators=[Optional()])


class PatentRow(SafeRow):
    number = StringField(_l("专利号"), validators=[Optional(), Length(max=32)])
    kind = SelectField(_l("类型"), choices=_choices(PATENT_KIND_LABELS))
    status = SelectField(_l("法律状态"), choices=_choices(PATENT_STATUS_LABELS))
    origin = SelectField(_l("来源"), choices=_choices(PATENT_ORIGIN_LABELS, blank=True))
    core = TriField(_l("核心专利"))
    industrialized = TriField(_l("已产业化"))


class ProductRow(SafeRow):
    name = StringField(_l("产品名称"), validators=[Optional(), Length(max=200)])
    main = TriField(_l("主营产品"))
    patents = StringField(_l("关联专利号（用、或逗号分隔）"), validators=[Optional(), Length(max=1000)])
    filing_no = StringField(_l("专利产品备案号"), validators=[Optional(), Length(max=64)])
    patent_intensive = TriField(_l("已认定专利密集型产品"))
    certified_on = DateField(_l("认定日期"), validators=[Optional()])


class TrademarkRow(SafeRow):
    reg_no = StringField(_l("注册号"), validators=[Optional(), Length(max=32)])
    owned = TriField(_l("自主商标"))
    valid_to = DateField(_l("有效期止"), validators=[Optional()])


class PartnershipRow(SafeRow):
    partner = StringField(_l("合作单位"), validators=[Optional(), Length(max=200)])
    partner_type = SelectField(_l("单位类型"), choices=_choices(PARTNER_TYPE_LABELS))
    valid_from = DateField(_l("合作起"), validators=[Optional()])
    valid_to = DateField(_l("合作止"), validators=[Optional()])


GROUPS = {
    "qualifications": (QualificationRow, _l("资格证书")),
    "patents": (PatentRow, _l("专利")),
    "products": (ProductRow, _l("产品")),
    "trademarks": (TrademarkRow, _l("商标")),
    "research_partnerships": (PartnershipRow, _l("产学研合作")),
}
MAX_ROWS = 200


class ApplicationForm(SafeForm):
    as_of = DateField(_l("评估日期"), validators=[DataRequired(_l("请填写评估日期"))])
    county_id = SelectField(_l("所属县（市、区）"), coerce=int)
    uscc = StringField(_l("统一社会信用代码"), validators=[DataRequired(_l("请填写统一社会信用代码")), Length(max=18)])
    uscc_checksum_override = BooleanField(_l("校验位不符但属早期试点地区合法代码"))
    name = StringField(_l("企业名称"), validators=[DataRequired(_l("请填写企业名称")), Length(max=200)])
    assessment_year = IntegerField(_l("申报年度"), validators=[DataRequired(_l("请填写申报年度")), NumberRange(2000, 2100)])
    registered_region_code = StringField(_l("登记机关行政区划代码"), validators=[Optional(), Length(max=6)])
    independent_legal_person = TriField(_l("具有独立法人资格"))
    industry_code = StringField(_l("主营业务行业代码（GB/T 4754-2017）"), validators=[Optional(), Length(max=5)])
    employees = IntegerField(_l("从业人员（人）"), validators=[Optional()])
    operating_revenue = DecimalField(_l("上年度营业收入（万元）"), places=None, validators=[Optional()])
    total_assets = DecimalField(_l("资产总额（万元）"), places=None, validators=[Optional()])
    rd_expense = DecimalField(_l("上年度研发投入（万元）"), places=None, validators=[Optional()])
    rd_staff = IntegerField(_l("研发人员（人）"), validators=[Optional()])
    has_rd_leader = TriField(_l("有稳定的科研带头人和研发团队"))
    brand_evidence = TextAreaField(_l("品牌影响力证明（每行一项）"), validators=[Optional(), Length(max=4000)])
    ip_rules = TriField(_l("知识产权管理制度"))
    ip_department = TriField(_l("知识产权管理机构"))
    ip_staff = TriField(_l("知识产权管理人员"))
    ip_budget = TriField(_l("知识产权经费保障"))
    certified_gbt29490 = TriField(_l("通过 GB/T 29490 贯标认证"))
    abnormal_patent_applications = TriField(_l("有非正常申请专利行为"))
    major_accident = TriField(_l("发生重大事故"))
    violation = TriField(_l("有违法违规行为"))
    serious_dishonesty = TriField(_l("有严重失信行为"))

    qualifications = FieldList(FormField(QualificationRow), min_entries=1, max_entries=MAX_ROWS)
    patents = FieldList(FormField(PatentRow), min_entries=1, max_entries=MAX_ROWS)
    products = FieldList(FormField(ProductRow), min_entries=1, max_entries=MAX_ROWS)
    trademarks = FieldList(FormField(TrademarkRow), min_entries=1, max_entries=MAX_ROWS)
    research_partnerships = FieldList(FormField(PartnershipRow), min_entries=1, max_entries=MAX_ROWS)

    evaluate = SubmitField(_l("评估"))
    save = SubmitField(_l("评估并保存"))


SCALARS = ("uscc", "name", "assessment_year", "registered_region_code", "industry_code",
           "employees", "operating_revenue", "total_assets", "rd_expense", "rd_staff")
TRIS = ("independent_legal_person", "has_rd_leader")
IP = ("ip_rules", "ip_department", "ip_staff", "ip_budget", "certified_gbt29490")
INTEGRITY = ("abnormal_patent_applications", "major_accident", "violation", "serious_dishonesty")


def _contract_key(form_key: str) -> str:
    """The form's ``ip_rules`` is the contract's ``ip_management.rules``."""
    return form_key[3:] if form_key in IP[:4] else form_key


def _value(field):
    if isinstance(field, TriField):
        return field.value
    data = field.data
    if isinstance(data, str):
        data = data.strip()
        return data or None
    if isinstance(data, date):
        return data.isoformat()
    return data


def _row(entry_form) -> dict:
    out = {}
    for field in entry_form:
        if field.name.endswith("csrf_token"):
            continue
        key = field.short_name
        value = _value(field)
        if key == "patents" and value:
            value = [p.strip() for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()]
        if value is not None and value != "":
            out[key] = value
    return out


# The first field of each group: a row without it is an empty row, not an error.
_ROW_KEY = {"qualifications": "valid_from", "patents": "number", "products": "name",
            "trademarks": "reg_no", "research_partnerships": "partner"}


def to_applicant(form: ApplicationForm, county_name: str | None, positions: dict | None = None) -> dict:
    """The applicant in contract shape; blank fields are left out (absent ≠ false).

    ``positions``, if given, receives for each repeated group the form row each
    data row came from (empty rows are left out, so the indices differ)."""
    data = {}
    for key in SCALARS:
        value = _value(getattr(form, key))
        if value is not None:
            data[key] = value
    if "uscc" in data:
        data["uscc"] = data["uscc"].upper()
    if form.uscc_checksum_override.data:
        data["uscc_checksum_override"] = True
    if county_name:
        data["county"] = county_name
    for key in TRIS:
        if getattr(form, key).value is not None:
            data[key] = getattr(form, key).value
    evidence = [line.strip() for line in (form.brand_evidence.data or "").splitlines() if line.strip()]
    if evidence:
        data["brand_evidence"] = evidence
    for section, keys in (("ip_management", IP), ("integrity", INTEGRITY)):
        facts = {_contract_key(k): getattr(form, k).value for k in keys
                 if getattr(form, k).value is not None}
        if facts:
            data[section] = facts
    for group in GROUPS:
        kept = [(i, r) for i, r in enumerate(_row(entry.form) for entry in getattr(form, group))
                if r.get(_ROW_KEY[group]) or len(r) > 2]
        if kept:
            data[group] = [r for _i, r in kept]
        if positions is not None:
            positions[group] = [i for i, _r in kept]
    return data


_SECTIONS = {"ip_management": {_contract_key(k): k for k in IP}, "integrity": {k: k for k in INTEGRITY}}


def field_for(form: ApplicationForm, path: str, positions: dict):
    """The form field a contract path names (``qualifications[0].valid_to``,
    ``ip_management.rules``, ``brand_evidence[1]``), or ``None``."""
    head, _dot, rest = path.partition(".")
    name, _bracket, index = head.partition("[")
    if name in _SECTIONS:
        return form._fields.get(_SECTIONS[name].get(rest))
    if name in GROUPS and index:
        try:
            row = positions.get(name, [])[int(index.rstrip("]"))]
            entry = getattr(form, name).entries[row].form
        except (IndexError, ValueError):
            return getattr(form, name)
        return entry._fields.get(rest.split("[")[0]) if rest else None
    return form._fields.get(name)


def place_problems(form: ApplicationForm, problems, positions: dict) -> list:
    """Put each problem on its field (outlined, message beside it); return those
    that name no field of the form."""
    left = []
    for problem in problems:
        field = field_for(form, problem.path, positions)
        if field is None or not hasattr(field, "errors"):
            left.append(problem)
        else:
            field.errors = [*field.errors, problem.message] if isinstance(field.errors, list) else [problem.message]
    return left


def fill(form: ApplicationForm, data: dict) -> None:
    """Put a contract-shape applicant into the form (to re-check a saved one)."""
    for key in SCALARS + TRIS:
        if key in data:
            getattr(form, key).process_data(data[key] if not isinstance(data[key], float) else Decimal(str(data[key])))
    form.uscc_checksum_override.data = bool(data.get("uscc_checksum_override"))
    form.brand_evidence.data = "\n".join(data.get("brand_evidence", []))
    for section, keys in (("ip_management", IP), ("integrity", INTEGRITY)):
        for key in keys:
            getattr(form, key).process_data(data.get(section, {}).get(_contract_key(key)))
    for group in GROUPS:
        rows = data.get(group) or [{}]
        field = getattr(form, group)
        while len(field.entries):
            field.pop_entry()
        for row in rows:
            row = dict(row)
            for k, v in list(row.items()):
                if k in ("valid_from", "valid_to", "certified_on") and isinstance(v, str):
                    row[k] = date.fromisoformat(v)
                if k == "patents" and isinstance(v, list):
                    row[k] = "、".join(v)
            field.append_entry(row)


def add_row_requested(form: ApplicationForm, formdata) -> bool:
    """Handle a "添加一行" button: one more empty row in that group (at most
    :data:`MAX_ROWS`), nothing evaluated."""
    for group in GROUPS:
        if f"add_{group}" in formdata:
            field = getattr(form, group)
            if len(field.entries) < MAX_ROWS:
                field.append_entry()
            return True
    return False


class UploadForm(SafeForm):
    file = FileField(_l("申报文件（Excel 模板 .xlsx 或 JSON）"), validators=[
        FileRequired(_l("请选择文件")), FileAllowed(["xlsx", "json"], _l("只接受 .xlsx 或 .json 文件"))])
    as_of = DateField(_l("评估日期"), validators=[DataRequired(_l("请填写评估日期"))])
    county_id = SelectField(_l("县（市、区）"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("上传并评估"))
