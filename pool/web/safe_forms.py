"""Base forms whose every text field refuses control and format characters.

:mod:`pool.kernel.text` is the rule; here WTForms applies it to each ``StringField``
(a ``TextAreaField`` keeps its line breaks and tabs) as the fields are bound,
so no form can forget it and the message stands at the field, naming its
label.  Passwords are left as typed: they are never shown or mailed.
"""
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Form, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from pool.kernel import text


class CleanText:
    """Validator: ``field.data`` holds no forbidden character (:mod:`pool.kernel.text`)."""

    def __init__(self, multiline: bool):
        self.multiline = multiline

    def __call__(self, form, field):
        if not isinstance(field.data, str):
            return
        found = text.forbidden_character(field.data, multiline=self.multiline)
        if found is not None:
            raise ValidationError(_("%(label)s不能含有换行等控制字符或不可见的格式字符（%(char)s）",
                                    label=field.label.text, char=found))


class _CleanTextMeta:
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField) and not isinstance(field, PasswordField):
            field.validators = [*field.validators,
                                CleanText(multiline=isinstance(field, TextAreaField))]
        return field


class SafeForm(FlaskForm):
    """A Flask-WTF form (CSRF) with clean text fields."""

    class Meta(_CleanTextMeta):
        pass


class SafeRow(Form):
    """A repeated group inside a :class:`SafeForm` (``FormField``), with clean text fields."""

    class Meta(_CleanTextMeta):
        pass
