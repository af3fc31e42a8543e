"""Forms of the enterprise portal and of the officers' review (every one with
its CSRF token); the domain (:mod:`pool.portal`) judges what they carry."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DecimalField, IntegerField, PasswordField, SelectMultipleField, StringField, SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from pool.web.check_forms import ApplicationForm
from pool.web.safe_forms import SafeForm

_AMOUNT = {"places": None, "validators": [Optional()]}
_COUNT = [Optional(), NumberRange(min=0, message=_l("人数不能为负数"))]


class PortalLoginForm(SafeForm):
    identifier = StringField(_l("电子邮箱或统一社会信用代码"), validators=[
        DataRequired(_l("请输入电子邮箱或统一社会信用代码")), Length(max=254)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=256)])
    submit = SubmitField(_l("登录"))


class DeclarationForm(ApplicationForm):
    """The 资格自检 form, with the enterprise's own buttons."""

    draft = SubmitField(_l("保存草稿"))
    send = SubmitField(_l("提交县（市、区）审核"))


class AnnualForm(SafeForm):
    operating_revenue = DecimalField(_l("营业收入（万元）"), **_AMOUNT)
    total_assets = DecimalField(_l("资产总额（万元）"), **_AMOUNT)
    rd_expense = DecimalField(_l("研发投入（万元）"), **_AMOUNT)
    employees = IntegerField(_l("职工总数（人）"), validators=_COUNT)
    rd_staff = IntegerField(_l("研发人员（人）"), validators=_COUNT)
    draft = SubmitField(_l("保存草稿"))
    send = SubmitField(_l("提交县（市、区）审核"))


class EvidenceForm(SafeForm):
    label = StringField(_l("材料名称"), validators=[DataRequired(_l("请填写材料名称，如“高新技术企业证书”")),
                                                 Length(max=100)])
    file = FileField(_l("文件（PDF、PNG 或 JPEG）"), validators=[FileRequired(_l("请选择文件"))])
    submit = SubmitField(_l("上传"))


class InviteForm(SafeForm):
    name = StringField(_l("企业名称"), validators=[DataRequired(_l("请填写企业名称")), Length(max=200)])
    uscc = StringField(_l("统一社会信用代码"), validators=[DataRequired(_l("请填写统一社会信用代码")), Length(max=18)])
    contact_name = StringField(_l("联系人姓名"), validators=[DataRequired(_l("请填写联系人姓名")), Length(max=64)])
    email = StringField(_l("联系人电子邮箱"), validators=[DataRequired(_l("请填写联系人电子邮箱")), Length(max=254)])
    submit = SubmitField(_l("发送邀请"))


class AcceptForm(SafeForm):
    fields = SelectMultipleField(_l("予以采纳的内容"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("说明（部分采纳时必填）"), validators=[Optional(), Length(max=500)])
    confirm = BooleanField(_l("我已核对证明材料，确认采纳"), validators=[DataRequired(_l("请勾选确认"))])
    submit = SubmitField(_l("审核通过"))


class RejectForm(SafeForm):
    reason = TextAreaField(_l("不予通过的理由"), validators=[DataRequired(_l("请写明不予通过的理由")),
                                                        Length(max=500)])
    submit = SubmitField(_l("不予通过"))


class YearForm(SafeForm):
    year = IntegerField(_l("年度"), validators=[DataRequired(_l("请填写年度")), NumberRange(2000, 2100)])
