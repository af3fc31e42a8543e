"""Forms for the lifecycle actions: every one carries a date, a written reason and CSRF."""
from flask_babel import gettext, lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from pool.membership.history import INCIDENT_TYPES, OUTCOME_TYPES, PROGRESS_TYPES, TYPED_PROGRESS

from pool.web.safe_forms import SafeForm

REASON = [DataRequired(_l("请写明理由")), Length(max=2000)]


class DatedReasonForm(SafeForm):
    on = DateField(_l("生效日期"), validators=[DataRequired(_l("请填写日期"))])
    reason = TextAreaField(_l("理由"), validators=REASON)
    submit = SubmitField(_l("确认"))


class FactForm(DatedReasonForm):
    subtype = SelectField(_l("类型"))


def progress_form(**kwargs):
    form = FactForm(prefix="progress", **kwargs)
    form.subtype.choices = [(k, gettext(PROGRESS_TYPES[k])) for k in TYPED_PROGRESS]
    return form


def incident_form(**kwargs):
    form = FactForm(prefix="incident", **kwargs)
    form.subtype.choices = [(k, gettext(v)) for k, v in INCIDENT_TYPES.items()]
    return form


def outcome_form(**kwargs):
    form = FactForm(prefix="outcome", **kwargs)
    form.subtype.choices = [(k, gettext(v)) for k, v in OUTCOME_TYPES.items()]
    return form


class GraduateForm(DatedReasonForm):
    rule = RadioField(_l("出库条件"), choices=[
        ("a", _l("(a) 入库后新增 1 件以上专利密集型产品")),
        ("b", _l("(b) 专利密集型产品年销售额及利润均增长"))], validators=[InputRequired(_l("请选择出库条件"))])


class ExpelForm(DatedReasonForm):
    basis = RadioField(_l("退库依据"), choices=[
        ("no_progress", _l("2 年内未取得专利产业化实质性进展")),
        ("incident", _l("发生重大事故或违法违规、严重失信等情况"))],
        validators=[InputRequired(_l("请选择退库依据"))])


class ReapplyForm(SafeForm):
    on = DateField(_l("重新申报日期"), validators=[DataRequired(_l("请填写日期"))])
    application_id = SelectField(_l("所依据的资格评估"), coerce=int,
                                 validators=[InputRequired(_l("请先完成并保存一次资格自检"))])
    reason = TextAreaField(_l("备注"), validators=[Length(max=2000)])
    submit = SubmitField(_l("确认重新申报"))


class AdmitForm(DatedReasonForm):
    application_id = SelectField(_l("所依据的资格评估"), coerce=int)
    reason = TextAreaField(_l("备注"), validators=[Length(max=2000)])


def add_review_fields(form_class, criteria):
    """A subclass of ``form_class`` with a decision and a reason per ``review`` criterion."""
    fields = {}
    for c in criteria:
        fields[f"decision_{c['id']}"] = RadioField(
            _l("第 %(n)s 条复核决定", n=c["id"]),
            choices=[("waive", _l("认可（视为符合）")), ("refuse", _l("不认可（视为不符合）"))],
            validators=[InputRequired(_l("请对第 %(n)s 条作出复核决定", n=c["id"]))])
        fields[f"review_reason_{c['id']}"] = TextAreaField(
            _l("第 %(n)s 条复核理由", n=c["id"]), validators=REASON)
    return type("ReviewedAdmitForm", (form_class,), fields)


class RoundForm(SafeForm):
    name = StringField(_l("批次名称"), validators=[DataRequired(_l("请填写批次名称")), Length(max=100)])
    on = DateField(_l("开始日期"), validators=[DataRequired(_l("请填写日期"))])
    submit = SubmitField(_l("开启批次"))


class CloseRoundForm(SafeForm):
    on = DateField(_l("结束日期（含当日）"), validators=[DataRequired(_l("请填写日期"))])
    submit = SubmitField(_l("关闭批次"))
