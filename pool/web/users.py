"""账号管理 (the city administrator), 个人资料 (everyone) and the one-time
link that sets a password.  Thin callers of :mod:`pool.access.users`."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from models import OFFICER_ROLES, ChangeRecord, County, User, db
from pool.access import users

from pool.web.access import admin_required
from pool.web.forms import ConfirmForm
from pool.web import clock
from pool.web.safe_forms import SafeForm
from pool.web.saving import refusal as _refused

bp = Blueprint("users", __name__)



class ProfileForm(SafeForm):
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=users.NAME_LENGTH)])
    email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=users.EMAIL_LENGTH)])
    submit = SubmitField(_l("保存"))


class AccountForm(ProfileForm):
    role = SelectField(_l("角色"), choices=[(k, _l(v)) for k, v in users.ROLE_LABELS.items()])
    county = SelectField(_l("所属县（市、区）"), choices=[], validate_choice=False)


class NewAccountForm(AccountForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=64)])
    submit = SubmitField(_l("创建账号"))


class ResetForm(SafeForm):
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")), Length(max=256)])
    confirm = PasswordField(_l("确认新密码"), validators=[
        DataRequired(_l("请再次输入新密码")), EqualTo("new_password", _l("两次输入的新密码不一致"))])
    submit = SubmitField(_l("设置密码"))


def _counties(form) -> None:
    form.county.choices = [("", _("（无：市级管理员）"))] + [
        (str(c.id), c.name) for c in db.session.scalars(select(County).order_by(County.sort_order, County.id))]


def _county(form) -> County | None:
    return db.session.get(County, int(form.county.data)) if form.county.data else None


@bp.get("/admin/users/")
@admin_required
def index():
    query = (request.args.get("q") or "").strip()[:64]
    return render_template("users/index.html", rows=users.listing(db.session, query=query), q=query,
                           roles=users.ROLE_LABELS)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def new():
    form = NewAccountForm()
    _counties(form)
    if form.validate_on_submit():
        try:
            user, secret = users.create(db.session, actor=current_user, username=form.username.data,
                                        display_name=form.display_name.data, role=form.role.data,
                                        county=_county(form), email=form.email.data, now=clock.now())
        except users.AccountError as exc:
            db.session.rollback()
            _refused(form, exc)
        else:
            db.session.commit()
            return _link_page(user, secret, created=True)
    return render_template("users/new.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def detail(user_id: int):
    user = _officer_or_404(user_id)
    form = AccountForm(obj=None if request.method == "POST" else user)
    _counties(form)
    if request.method == "GET":
        form.county.data = str(user.county_id or "")
    elif form.validate_on_submit():
        done = _saved(form, user, url_for("users.detail", user_id=user.id), role=form.role.data,
                      county=_county(form))
        if done:
            return done
    trail = db.session.scalars(select(ChangeRecord).where(ChangeRecord.entity == "user_account",
                                                          ChangeRecord.entity_id == user.id)
                               .order_by(ChangeRecord.id.desc()).limit(50)).all()
    counties = dict(db.session.execute(select(County.id, County.name)).all())
    changes = [(r, [(users.FIELD_LABELS.get(k, k), users.describe_change(k, old, counties),
                     users.describe_change(k, new, counties)) for k, (old, new) in r.changes.items()])
               for r in trail]
    return render_template("users/detail.html", user=user, form=form, action=ConfirmForm(), trail=changes,
                           roles=users.ROLE_LABELS), 422 if form.errors else 200


def _officer_or_404(user_id: int) -> User:
    """An officer's or administrator's account (an enterprise's is managed by its county: pool.web.reviews)."""
    user = db.session.get(User, user_id)
    if user is None or user.role not in OFFICER_ROLES:
        abort(404)
    return user


ACTIONS = ("deactivate", "activate", "reset", "sign_out")


@bp.post("/admin/users/<int:user_id>/<what>")
@admin_required
def act(user_id: int, what: str):
    user = _officer_or_404(user_id)
    if what not in ACTIONS:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if what == "reset":
            secret = users.issue_reset(db.session, user, actor=current_user, now=clock.now())
        elif what == "sign_out":
            users.sign_out_everywhere(db.session, user, actor=current_user)
        else:
            users.set_active(db.session, user, actor=current_user, active=what == "activate")
    except users.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("users.detail", user_id=user.id))
    db.session.commit()
    if what == "reset":
        return _link_page(user, secret, created=False)
    flash({"sign_out": _("已使该用户在所有设备上退出登录"), "activate": _("账号已启用"),
           "deactivate": _("账号已停用，其所有登录已结束")}[what], "success")
    return redirect(url_for("users.detail", user_id=user.id))


def _saved(form, user, target: str, **admin_fields):
    """Save the account form's fields (and the administrator's ``admin_fields``):
    the redirect to ``target``, or ``None`` with the refusal on the form."""
    try:
        changed = users.update_account(db.session, user, actor=current_user, display_name=form.display_name.data,
                                       email=form.email.data, **admin_fields)
    except users.AccountError as exc:
        db.session.rollback()
        _refused(form, exc)
        return None
    db.session.commit()
    flash(_("已保存（%(n)s 处修改）", n=len(changed)) if changed else _("没有需要保存的修改"), "success")
    return redirect(target)


def _link_page(user, secret: str, *, created: bool):
    """The one-time link, shown this once (it is kept only as a digest)."""
    link = url_for("users.reset", token=secret, _external=True)
    return render_template("users/link.html", user=user, link=link, created=created,
                           hours=int(users.RESET_LIFETIME.total_seconds() // 3600))


@bp.route("/account/profile", methods=["GET", "POST"])
def profile():
    form = ProfileForm(obj=None if request.method == "POST" else current_user)
    if form.validate_on_submit():
        done = _saved(form, current_user, url_for("users.profile"))
        if done:
            return done
    return render_template("users/profile.html", form=form), 422 if form.errors else 200


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Set one's password with a one-time link (no login needed; the link is the credential)."""
    user = users.reset_user(db.session, token, now=clock.now())
    if user is None:
        return render_template("users/reset.html", form=None), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            users.use_reset(db.session, token, form.new_password.data, now=clock.now())
        except users.AccountError as exc:
            db.session.rollback()
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("密码已设置，请用新密码登录"), "success")
            return redirect(url_for("portal.login" if user.is_enterprise else "auth.login"))
    return render_template("users/reset.html", form=form, user=user), 422 if form.errors else 200
