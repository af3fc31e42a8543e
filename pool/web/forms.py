"""WTForms for the account pages (every form carries a CSRF token via Flask-WTF)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=256)])
    remember = BooleanField(_l("保持登录（14 天）"))
    submit = SubmitField(_l("登录"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码"))])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")), Length(max=256)])
    confirm = PasswordField(_l("确认新密码"), validators=[
        DataRequired(_l("请再次输入新密码")), EqualTo("new_password", _l("两次输入的新密码不一致"))])
    submit = SubmitField(_l("修改密码"))


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with a CSRF token (logout, confirmations)."""

    submit = SubmitField(_l("确认"))
