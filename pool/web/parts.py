"""The parts of an enterprise's record: add, change, end early, renew, and
each row's change history.  Thin callers of :mod:`pool.records.parts`.

Every row is reached through its enterprise, scoped to the officer's county
(:func:`pool.access.scoping.get_child`): another county's row answers 404.
A change carries the version the form showed; after a concurrent change the
page answers 409 with the other officer's changes and keeps what was typed.
"""
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from models import Patent, db
from pool.web.clock import today
from pool.records import changes, parts
from pool.records.fields import PARTS
from pool.web.access import child_or_404, enterprise_or_404
from pool.web.part_forms import fill, form_values, part_form
from pool.web.saving import labels_of, save, version_of

bp = Blueprint("parts", __name__, url_prefix="/records/<int:enterprise_id>")


def _part(name: str):
    if name not in PARTS:
        abort(404)
    return PARTS[name]


def _row(enterprise, part, row_id: int):
    row = child_or_404(part.model, row_id, enterprise_id=enterprise.id)
    return row


def _patent_numbers(enterprise) -> list[str]:
    return list(db.session.scalars(select(Patent.number).where(Patent.enterprise_id == enterprise.id)
                                   .order_by(Patent.id)))


def _render(template, enterprise, part, form, status, **context):
    return render_template(template, e=enterprise, part=part, form=form, labels=labels_of(form),
                           **context), status


@bp.route("/<part_name>/new", methods=["GET", "POST"])
def add(enterprise_id: int, part_name: str):
    enterprise, part = enterprise_or_404(enterprise_id), _part(part_name)
    form = part_form(part, patents=_patent_numbers(enterprise))()
    if form.validate_on_submit():
        values = form_values(form, part)
        done, _conflict, _merge = save(
            form, values,
            lambda: parts.add_part(db.session, enterprise, part.name, actor=current_user, today=today(),
                                   values=values, reason=form.reason.data),
            lambda row: (_("已新增%(what)s", what=part.describe(row)), "success"),
            url_for("enterprises.detail", enterprise_id=enterprise.id), enterprise_id=enterprise.id)
        if done:
            return done
    return _render("records/part.html", enterprise, part, form, 422 if form.errors else 200,
                   title=_("新增%(part)s", part=_(part.label)), row=None, conflict=None, merge={})


@bp.route("/<part_name>/<int:row_id>/edit", methods=["GET", "POST"])
def edit(enterprise_id: int, part_name: str, row_id: int):
    enterprise, part = enterprise_or_404(enterprise_id), _part(part_name)
    row = _row(enterprise, part, row_id)
    form = part_form(part, patents=_patent_numbers(enterprise))()
    if request.method == "GET":
        fill(form, parts.values_of(part, row))
        form.version.data = str(row.version)
    conflict, merge = None, {}
    if form.validate_on_submit():
        values = form_values(form, part)
        done, conflict, merge = save(
            form, values,
            lambda: parts.change_part(db.session, row, part.name, actor=current_user, today=today(),
                                      expected_version=version_of(form.version), values=values,
                                      reason=form.reason.data),
            lambda record: ((_("已保存修改"), "success") if record else (_("没有需要保存的修改"), "info")),
            url_for("enterprises.detail", enterprise_id=enterprise.id), enterprise_id=enterprise.id)
        if done:
            return done
    status = 409 if conflict else 422 if form.errors else 200
    return _render("records/part.html", enterprise, part, form, status, row=row, conflict=conflict,
                   merge=merge, title=_("修改%(what)s", what=part.describe(row)))


@bp.route("/<part_name>/<int:row_id>/end", methods=["GET", "POST"])
def end(enterprise_id: int, part_name: str, row_id: int):
    """Ending a qualification, trademark or partnership early: a day and a reason."""
    enterprise, part = enterprise_or_404(enterprise_id), _part(part_name)
    if part.ends is None:
        abort(404)
    row = _row(enterprise, part, row_id)
    form = part_form(part, only=(part.ends,), reason_label=_("终止原因（必填）"))()
    form[part.ends].label.text = _("终止日期")
    if request.method == "GET":
        form.version.data = str(row.version)
    conflict, merge = None, {}
    if form.validate_on_submit():
        day = (form[part.ends].data or "").strip() or None
        done, conflict, merge = save(
            form, {part.ends: day},
            lambda: parts.end_part(db.session, row, part.name, actor=current_user, today=today(),
                                   expected_version=version_of(form.version), on=day,
                                   reason=form.reason.data or ""),
            lambda record: (_("已登记提前终止：%(what)s", what=part.describe(row)), "success"),
            url_for("enterprises.detail", enterprise_id=enterprise.id), enterprise_id=enterprise.id)
        if done:
            return done
    status = 409 if conflict else 422 if form.errors else 200
    return _render("records/part.html", enterprise, part, form, status, row=row, conflict=conflict,
                   merge=merge, title=_("提前终止：%(what)s", what=part.describe(row)), ending=True)


@bp.route("/qualification/<int:row_id>/renew", methods=["GET", "POST"])
def renew(enterprise_id: int, row_id: int):
    enterprise, part = enterprise_or_404(enterprise_id), PARTS["qualification"]
    row = _row(enterprise, part, row_id)
    form = part_form(part)()
    if request.method == "GET":
        fill(form, {"type": row.type, "level": row.level, "issuer": row.issuer})
    if form.validate_on_submit():
        values = form_values(form, part)
        done, _conflict, _merge = save(
            form, values,
            lambda: parts.renew_qualification(db.session, row, actor=current_user, today=today(),
                                              values=values, reason=form.reason.data),
            lambda new: (_("已登记续期证书：%(what)s", what=part.describe(new)), "success"),
            url_for("enterprises.detail", enterprise_id=enterprise.id), enterprise_id=enterprise.id)
        if done:
            return done
    return _render("records/part.html", enterprise, part, form, 422 if form.errors else 200, row=row,
                   conflict=None, merge={}, title=_("续期：%(what)s", what=part.describe(row)))


@bp.route("/<part_name>/<int:row_id>/history")
def history(enterprise_id: int, part_name: str, row_id: int):
    """Every change of one row: who, when recorded, effective when, old → new, why."""
    enterprise, part = enterprise_or_404(enterprise_id), _part(part_name)
    row = _row(enterprise, part, row_id)
    records = list(reversed(parts.history(db.session, part.name, row)))  # newest first
    labels = {**changes.LABELS, **{k: _(v.label) for k, v in part.fields.items()}, "patents": _("所依专利"),
              "renews_id": _("续期自")}
    return render_template("records/part_history.html", e=enterprise, part=part, row=row, records=records,
                           labels=labels)
