"""Forms of the ladder: a decision (date, reason) and the pool's supplementary facts, built from its declaration."""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from pool.web.filters import wording
from pool.web.safe_forms import SafeForm

# Actions whose reason the domain requires (the form says so at the field first).
REASON_REQUIRED = {"reject", "leave", "void"}
YES_NO = [("", _l("未填写")), ("yes", _l("是")), ("no", _l("否"))]


class DecisionForm(SafeForm):
    on = DateField(_l("生效日期"), validators=[DataRequired(_l("请填写日期"))])
    reason = TextAreaField(_l("理由"), validators=[Length(max=2000)])
    submit = SubmitField(_l("确认"))


def _non_negative(form, field):
    if not field.data:
        return
    try:
        value = Decimal(field.data.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise ValidationError(_("%(label)s须为不小于 0 的数", label=field.label.text))


def decision_form(action: str, pool) -> DecisionForm:
    """The form of ``action`` (apply also takes the pool's facts)."""
    fields = {}
    if action in ("apply", "facts"):
        fields = fact_fields(pool)
    cls = type("LadderForm", (DecisionForm,), fields)
    form = cls()
    if action in REASON_REQUIRED:
        form.reason.validators = [DataRequired(_("请写明理由")), Length(max=2000)]
    return form


def fact_fields(pool) -> dict:
    """A field per declared fact, named ``fact_NAME`` and labelled with the fact's label."""
    fields = {}
    for name, (kind, label) in pool.facts.items():
        shown = wording(label)
        if kind == "bool":
            fields[f"fact_{name}"] = SelectField(shown, choices=YES_NO, validators=[Optional()])
        elif kind == "number":
            fields[f"fact_{name}"] = StringField(shown, validators=[Optional(), Length(max=30), _non_negative])
        else:
            fields[f"fact_{name}"] = StringField(shown, validators=[Optional(), Length(max=200)])
    return fields


def facts_from(form, pool) -> dict:
    """The facts the form holds (an empty field: not recorded), typed as the pool declares them."""
    facts = {}
    for name, (kind, _label) in pool.facts.items():
        raw = form[f"fact_{name}"].data
        if raw in (None, ""):
            continue
        facts[name] = (raw == "yes") if kind == "bool" else Decimal(raw.strip()) if kind == "number" \
            else raw.strip()
    return facts


def fill_facts(form, pool, facts: dict) -> None:
    for name, (kind, _label) in pool.facts.items():
        value = facts.get(name)
        if value is None:
            continue
        form[f"fact_{name}"].data = ("yes" if value else "no") if kind == "bool" else str(value)


# --- the city administrator's changes to a pool ------------------------------------------------------

def _basis():
    return StringField(_l("依据（文件、会议纪要或理由）"), validators=[DataRequired(_l("请写明依据")), Length(max=300)])


class CreatePoolForm(SafeForm):
    template = SelectField(_l("模板"))
    code = StringField(_l("培育库代码（小写字母、数字、连字符）"), validators=[DataRequired(_l("请填写培育库代码")),
                                                                   Length(max=63)])
    name = StringField(_l("培育库名称"), validators=[DataRequired(_l("请填写培育库名称")), Length(max=120)])
    document = StringField(_l("政策文件"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("城市"), validators=[Optional(), Length(max=20)])
    issuer_region = StringField(_l("发文地区代码（6 位）"), validators=[Optional(), Length(min=6, max=6)])
    valid_from = DateField(_l("生效日期"), validators=[DataRequired(_l("请填写日期"))])
    source = _basis()
    submit = SubmitField(_l("新建培育库"))


class VersionForm(SafeForm):
    valid_from = DateField(_l("生效日期"), validators=[DataRequired(_l("请填写日期"))])
    criteria = TextAreaField(_l("标准（JSON，与培育库文件的 criteria 相同）"),
                             validators=[DataRequired(_l("请填写标准")), Length(max=100000)])
    note = TextAreaField(_l("说明"), validators=[Length(max=2000)])
    source = _basis()
    preview = SubmitField(_l("预览影响"))
    export = SubmitField(_l("导出预览（CSV）"))
    save = SubmitField(_l("保存为新版本"))


class ParameterForm(SafeForm):
    key = SelectField(_l("参数"))
    value = TextAreaField(_l("取值（JSON：数值如 10，列表如 [\"4202\"]）"),
                          validators=[DataRequired(_l("请填写取值")), Length(max=20000)])
    valid_from = DateField(_l("生效日期"), validators=[DataRequired(_l("请填写日期"))])
    source = _basis()
    preview = SubmitField(_l("预览影响"))
    export = SubmitField(_l("导出预览（CSV）"))
    submit = SubmitField(_l("新增参数取值"))


class RetireForm(SafeForm):
    valid_from = DateField(_l("停用日期"), validators=[DataRequired(_l("请填写日期"))])
    source = _basis()
    submit = SubmitField(_l("停用培育库"))
