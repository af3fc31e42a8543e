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
