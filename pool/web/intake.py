"""批量申报: the rows of an uploaded batch — save the valid ones as checks,
open one in the prefilled form, register the selected ones.  Thin callers of
:mod:`pool.io.intake_batch`; a batch is reached through its county."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import IntakeBatch, db
from pool.eligibility import rulebook
from pool.io import intake_batch
from pool.web.clock import today
from pool.web.checks import batch_page
from pool.web.forms import ConfirmForm
from pool.web.access import child_or_404

bp = Blueprint("intake", __name__, url_prefix="/checks/batch")


def _batch_or_404(batch_id: int) -> IntakeBatch:
    batch = child_or_404(IntakeBatch, batch_id)
    return batch


@bp.route("/<int:batch_id>")
def show(batch_id: int):
    return batch_page(_batch_or_404(batch_id), 200)


@bp.post("/<int:batch_id>/save")
def save(batch_id: int):
    batch = _batch_or_404(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    made = intake_batch.save_valid(db.session, batch, intake_batch.rows(db.session, batch, rulebook.load(db.session)),
                                   actor=current_user)
    db.session.commit()
    flash(_("已保存 %(n)s 份有效评估", n=len(made)), "success")
    return redirect(url_for("intake.show", batch_id=batch.id), 303)


@bp.post("/<int:batch_id>/register")
def register(batch_id: int):
    batch = _batch_or_404(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    chosen = [int(v) for v in request.form.getlist("application_id") if v.isdigit() and len(v) < 10]
    if not chosen:
        flash(_("请先勾选要登记的企业"), "warning")
        return redirect(url_for("intake.show", batch_id=batch.id), 303)
    done, refused = intake_batch.register(db.session, batch, chosen, actor=current_user, on=today())
    db.session.commit()
    if done:
        flash(_("已登记为申报企业 %(n)s 家", n=len(done)), "success")
    for application, reason in refused:
        flash(_("%(name)s 未登记：%(reason)s", name=application.name, reason=reason), "danger")
    return redirect(url_for("intake.show", batch_id=batch.id), 303)
