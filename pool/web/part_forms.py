"""Forms for the parts of a record, built from their field specs
(:mod:`pool.records.fields`), so the page asks exactly what the domain checks.

The domain judges every value (and names the field by its label); the form
only carries them: dates arrive as text and are parsed by the domain, so a bad
date is the domain's Chinese message at that field, never a 500.
"""
from flask_babel import gettext
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from pool.records.fields import Part
from pool.web.check_forms import TriField
from pool.web.safe_forms import SafeForm
from pool.web.saving import VERSION



def _field(name, spec):
    label = gettext(spec.label)
    if spec.kind == "flag":
        return TriField(label)
    if spec.kind == "choice":
        # a blank choice even where the domain requires one: it says so by the field's label
        return SelectField(label, choices=[("", gettext("请选择") if spec.required else gettext("未填写"))]
                           + [(k, gettext(v)) for k, v in spec.choices.items()])
    if spec.kind == "day":
        return StringField(label, render_kw={"type": "date"})
    return StringField(label, validators=[Length(max=spec.max_length)])


def part_form(part: Part, *, patents=(), with_reason=True, only=None, reason_label=None):
    """A form class for ``part`` (``only``: just those fields, e.g. an early end)."""
    attrs = {"version": HiddenField(validators=VERSION)}
    for name, spec in part.fields.items():
        if only is None or name in only:
            attrs[name] = _field(name, spec)
    if part.name == "product" and only is None:
        attrs["patents"] = SelectMultipleField(gettext("所依专利"), choices=[(n, n) for n in patents],
                                               validate_choice=False)
    if with_reason:
        attrs["reason"] = TextAreaField(reason_label or gettext("说明（选填，变更原因或依据）"),
                                        validators=[Optional(), Length(max=500)])
    attrs["submit"] = SubmitField(gettext("保存"))
    return type(f"{part.name.title()}Form", (SafeForm,), attrs)


def form_values(form, part: Part, only=None) -> dict:
    """What the officer entered, as the domain takes it (blank: ``None``)."""
    out = {}
    for name, spec in part.fields.items():
        if only is not None and name not in only:
            continue
        field = form[name]
        if spec.kind == "flag":
            out[name] = field.value
        else:
            out[name] = (field.data or "").strip() or None
    if "patents" in form._fields:
        out["patents"] = list(form.patents.data or [])
    return out


def fill(form, values: dict) -> None:
    """Show stored ``values`` in the form."""
    for name, value in values.items():
        if name not in form._fields:
            continue
        field = form[name]
        if isinstance(field, TriField):
            field.process_data(value)
        elif name == "patents":
            field.data = list(value or [])
        else:
            field.data = value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else value)
