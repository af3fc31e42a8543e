"""Forms of the award pages: one fact entered by hand (its fields built from the facts
contract for the chosen type), a facts document uploaded, and the settlement's
decisions, publication, payments and reversals."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from pool.awards import facts as contract, labels, programme
from pool.web.safe_forms import SafeForm

_YES_NO = [("", _l("未填")), ("true", _l("是")), ("false", _l("否"))]
_PROBLEM = re.compile(r"「(?P<label>.+?)」（(?P<path>[^（）]*)）：(?P<reason>.*)$")
# The contract's names of the head, as the form calls them.
_HEAD_FIELDS = {"id": "beneficiary_key", "name": "beneficiary_name", "kind": "beneficiary_kind",
                "in_region": "in_region"}


def _choices(values: dict[str, str]) -> list[tuple[str, str]]:
    return [(code, _l(label)) for code, label in values.items()]


def fact_form(fact_type: str, *, enterprise_only: bool, formdata=None):
    """A form for one fact of ``fact_type``: the beneficiary, the fact's common fields
    and its own, each labelled as the contract labels it."""

    class FactForm(SafeForm):
        pass

    kinds = {"enterprise": labels.BENEFICIARY_KIND_LABELS["enterprise"]} if enterprise_only \
        else labels.BENEFICIARY_KIND_LABELS
    FactForm.beneficiary_key = StringField(_l("受益人标识（统一社会信用代码等）"),
                                           validators=[DataRequired(_l("请填写受益人标识")), Length(max=64)])
    FactForm.beneficiary_name = StringField(_l("受益人名称"), validators=[Optional(), Length(max=200)])
    FactForm.beneficiary_kind = SelectField(_l("受益人类别"), choices=_choices(kinds), default="enterprise")
    FactForm.in_region = SelectField(_l("是否在本行政区域内"), choices=_YES_NO[1:], default="true")
    FactForm.fact_id = StringField(_l("事实标识"), validators=[Optional(), Length(max=64)],
                                   description=_l("留空则自动编号"))
    FactForm.date = DateField(_l("发生日期"), validators=[DataRequired(_l("请填写发生日期"))])
    FactForm.subject = StringField(_l("对象（专利号、贷款合同号、案号等）"), validators=[Optional(), Length(max=120)])
    for key, (kind, label) in contract.FACT_FIELDS[fact_type].items():
        field = _field(kind, _l(label))
        if field is not None and key.endswith("*"):
            field.kwargs["description"] = _l("必填")
        setattr(FactForm, key.rstrip("*"), field)
    if fact_type == "case":
        for code, label in labels.COSTS.items():
            setattr(FactForm, f"cost_{code}", StringField(_l(label), validators=[Optional(), Length(max=20)]))
    FactForm.submit = SubmitField(_l("登记"))
    return FactForm(formdata=formdata) if formdata is not None else FactForm()


def _field(kind: str, label):
    if kind == "bool":
        return SelectField(label, choices=_YES_NO, default="")
    if kind == "int":
        return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=10**9)])
    if kind == "date":
        return DateField(label, validators=[Optional()])
    if kind.startswith("enum:"):
        name_values = kind[5:].split("|")
        names = next((values for values in labels.VALUE_LABELS.values() if set(name_values) <= set(values)), {})
        return SelectField(label, choices=[("", _l("未填"))] + [(v, _l(names.get(v, v)))
                                                                 for v in name_values], default="")
    if kind == "costs":
        return None
    return StringField(label, validators=[Optional(), Length(max=120 if kind == "str" else 20)])


def document_of(form, fact_type: str, fact_id: str) -> dict:
    """The facts document (one beneficiary, one fact) the form describes; empty fields left out."""
    fact: dict = {"id": fact_id, "type": fact_type, "date": form.date.data.isoformat()}
    if form.subject.data:
        fact["subject"] = form.subject.data.strip()
    for key, (kind, _label) in contract.FACT_FIELDS[fact_type].items():
        name = key.rstrip("*")
        if kind == "costs":
            costs = {code: form[f"cost_{code}"].data.strip() for code in labels.COSTS if form[f"cost_{code}"].data}
            fact[name] = costs
            continue
        value = form[name].data
        if value is None or value == "":
            continue
        if kind == "bool":
            value = value == "true"
        elif kind == "date":
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip()
        fact[name] = value
    head = {"id": form.beneficiary_key.data.strip(), "kind": form.beneficiary_kind.data,
            "in_region": form.in_region.data == "true"}
    if form.beneficiary_name.data:
        head["name"] = form.beneficiary_name.data.strip()
    return {"beneficiaries": [{**head, "facts": [fact]}]}


def place_problems(form, problems: list[str]) -> list[str]:
    """Put each contract problem at the form field it names; return the ones no field takes."""
    rest = []
    for problem in problems:
        match = _PROBLEM.search(problem)
        name = match and match["path"].rsplit(".", 1)[-1]
        name = _HEAD_FIELDS.get(name, name) if match and ".facts[" not in match["path"] else name
        field = form._fields.get(name) if name else None
        if field is None and name == "costs":
            field = form._fields.get("cost_lawyer")
        if field is not None:
            field.errors = list(field.errors) + [match["reason"]]
        else:
            rest.append(problem)
    return rest


class ImportForm(SafeForm):
    file = FileField(_l("奖补事实文件（JSON）"), validators=[FileRequired(_l("请选择文件"))])
    submit = SubmitField(_l("导入"))


class OpenForm(SafeForm):
    programme = SelectField(_l("奖补政策"), choices=[])
    year = IntegerField(_l("奖补年度"), validators=[DataRequired(_l("请填写奖补年度")), NumberRange(min=2000, max=2100)])
    submit = SubmitField(_l("开始结算"))

    def fill(self) -> "OpenForm":
        self.programme.choices = [(code, f"{programme.load(code).city} · {programme.load(code).document}")
                                  for code in programme.codes()]
        return self


class DecisionForm(SafeForm):
    kind = SelectField(_l("审核结论"), choices=[("approve", _l("同意")), ("reduce", _l("核减")),
                                               ("refuse", _l("不予奖补"))])
    amount = StringField(_l("核减后金额（万元）"), validators=[Optional(), Length(max=20)])
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("保存审核结论"))


class PublishForm(SafeForm):
    on = DateField(_l("公示日期"), validators=[DataRequired(_l("请填写公示日期"))])
    reference = StringField(_l("公示文号或网址"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("公示名单"))


class PayForm(SafeForm):
    level = SelectField(_l("财政级次"), choices=[])
    on = DateField(_l("拨付日期"), validators=[DataRequired(_l("请填写拨付日期"))])
    reference = StringField(_l("拨付凭证号"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("登记拨付"))


class ReasonForm(SafeForm):
    reason = TextAreaField(_l("理由"), validators=[DataRequired(_l("请写明理由")), Length(max=2000)])
    submit = SubmitField(_l("确认"))
