"""The user's API tokens: list, create (shown once), revoke.  Thin callers of
:mod:`pool.access.tokens`; every user manages only their own tokens."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from models import ApiToken, db, utcnow
from pool.access import tokens as api_domain
from pool.web.forms import ConfirmForm
from pool.web.safe_forms import SafeForm

bp = Blueprint("account", __name__, url_prefix="/account")


class TokenForm(SafeForm):
    name = StringField(_l("名称（用途）"), validators=[
        DataRequired(_l("请填写令牌名称")), Length(max=api_domain.MAX_NAME)])
    submit = SubmitField(_l("创建令牌"))


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    """The user's tokens; a POST creates one and shows it in this response only."""
    form, created, status = TokenForm(), None, 200
    if form.validate_on_submit():
        try:
            token, secret = api_domain.issue_token(db.session, current_user, name=form.name.data,
                                                   now=utcnow())
        except api_domain.TokenRefused as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(exc)]
            status = 422
        else:
            db.session.commit()
            created, form = (token, secret), TokenForm(formdata=None)
    elif form.is_submitted():
        status = 422
    page = render_template("account/tokens.html", form=form, created=created,
                           tokens=api_domain.user_tokens(db.session, current_user),
                           revoke_form=ConfirmForm())
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # the new token must not linger in a cache
    return response


@bp.post("/tokens/<int:token_id>/revoke")
def revoke(token_id: int):
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id,
                                                     ApiToken.user_id == current_user.id))
    if token is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if api_domain.revoke_token(db.session, token, actor=current_user, now=utcnow()):
            flash(_("已吊销令牌“%(name)s”，使用它的程序将无法再访问接口", name=token.name), "success")
        db.session.commit()
    return redirect(url_for("account.tokens"))
