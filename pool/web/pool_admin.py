"""A pool's settings and the city administrator's changes to them (issue #17).

Thin callers of :mod:`pool.ladder.catalogue` and :mod:`pool.ladder.previews`: a new
pool from a shipped template, a new criteria-set version or dated parameter
value — previewed (what-if) before it is saved, the preview exportable for the
decision meeting and stored with the change —, retirement.  Everyone may read a
pool's settings and history; only the city administrator changes them.  A refusal
comes back on the page with the input kept.
"""
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import ChangeRecord, db
from pool.ladder import catalogue, previews
from pool.ladder.catalogue import ChangeRefused
from pool.kernel.refusal import DateRefused, TransitionRefused
from pool.pools import changes
from pool.pools.definition import shipped

from pool.web import ladder, ladder_forms as forms, what_if
from pool.web.access import admin_required
from pool.web.clock import today

bp = Blueprint("pool_admin", __name__, url_prefix="/pools")


def _store(change: dict, *, preview: dict | None = None):
    """Store ``change``; the audit trail names who; the caller commits."""
    row = catalogue.record(db.session, change, actor=current_user, today=today(), preview=preview)
    db.session.add(ChangeRecord(actor_id=current_user.id, entity="pool_change", entity_id=row.id, action="create",
                                changes={"pool": [None, row.pool_code], "kind": [None, row.kind],
                                         "valid_from": [None, row.valid_from.isoformat()]}))
    return row


def _refused(form, exc: TransitionRefused, field: str = "source"):
    """Take back what was written; each problem at its field: a date's at the date, the rest at ``field``."""
    db.session.rollback()
    for problem in getattr(exc, "problems", [str(exc)]):
        dated = isinstance(exc, DateRefused) or problem.startswith("生效日期")
        target = form.valid_from if dated else form[field]
        target.errors = list(target.errors) + [problem]


@bp.route("/<code>/settings")
def settings(code: str):
    """The pool's programme, criteria versions, parameters, lifecycle and the history of its changes."""
    pool = ladder.pool_or_404(code, configured=False)
    return render_template("ladder/settings.html", pool=pool, history=catalogue.history(db.session, pool.code),
                           day=today(), json=json)


@bp.route("/<code>/changes/<int:change_id>/preview.csv")
@admin_required
def stored_preview(code: str, change_id: int):
    """The preview a version or value was saved with, as exported before it was saved (the city
    administrator's: it names enterprises of every county)."""
    pool = ladder.pool_or_404(code, configured=False)
    row = catalogue.preview_of(db.session, pool.code, change_id)
    if row is None or not row.preview:
        abort(404)
    return _export(pool, row.valid_from.isoformat(), row.preview, value=row.kind == changes.PARAMETER)


def _change_page(form, template, build, message, field="source", **context):
    """The shape of the simple changes: on GET the form dated today; a valid POST stores
    ``build(form)`` (``None``: the form already says what is wrong) and goes to the pool's
    settings with ``message(form)``; a refusal shows the form again, each problem at its field."""
    if request.method == "GET":
        form.valid_from.data = today()
        return render_template(template, form=form, **context)
    status = 422
    if form.validate() and (change := build(form)) is not None:
        try:
            _store(change)
        except TransitionRefused as exc:
            _refused(form, exc, field)
            status = 409
        else:
            db.session.commit()
            flash(message(form), "success")
            return redirect(url_for("pool_admin.settings", code=change["code"]))
    return render_template(template, form=form, **context), status


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = forms.CreatePoolForm()
    form.template.choices = [(c, json.loads(text)["name"]) for c, text in shipped().items()
                             if json.loads(text)["criteria_set"].get("backed_by") != "code"]
    return _change_page(form, "ladder/create.html", lambda f: {
        "kind": changes.CREATE, "code": f.code.data.strip(), "name": f.name.data, "template": f.template.data,
        "valid_from": f.valid_from.data.isoformat(), "source": f.source.data,
        "programme": {k: (f[k].data or "").strip() for k in ("document", "city", "issuer_region")}},
        lambda f: _("已新建培育库：%(name)s", name=f.name.data), field="code")


@bp.route("/<code>/versions/new", methods=["GET", "POST"])
@admin_required
def new_version(code: str):
    """A draft version: previewed on the pool as it stands, exported, then saved with its preview."""
    pool = ladder.pool_or_404(code, configured=False)
    if pool.code_backed:
        flash(_("该培育库的标准由代码实现，参数请在「政策参数」页维护"), "warning")
        return redirect(url_for("rules.policy"))
    form = forms.VersionForm()
    current = pool.criteria_set.versions[-1]
    if request.method == "GET":
        form.criteria.data = json.dumps([{"id": c.id, "title": c.title, "clause": c.clause, "excerpt": c.excerpt,
                                          "rule": c.rule} for c in current.criteria], ensure_ascii=False, indent=2)
    shown, status = None, 200
    if request.method == "POST":
        status = 422
        if form.validate():
            draft = _draft(form)
            try:
                shown = previews.preview(db.session, pool, draft, today()) if draft else None
            except ChangeRefused as exc:
                form.criteria.errors = list(form.criteria.errors) + exc.problems
            if shown is not None and form.export.data:
                return _export(pool, draft["valid_from"], shown)
            if shown is not None and form.save.data:
                try:
                    _store({"kind": changes.CRITERIA, "code": pool.code, "version": draft,
                            "valid_from": draft["valid_from"], "source": form.source.data}, preview=shown)
                except TransitionRefused as exc:
                    _refused(form, exc)
                    status = 409
                else:
                    db.session.commit()
                    flash(_("已保存%(name)s自 %(day)s 起的新标准版本", name=pool.name, day=draft["valid_from"]),
                          "success")
                    return redirect(url_for("pool_admin.settings", code=pool.code))
            elif shown is not None:
                status = 200
    return render_template("ladder/version.html", pool=pool, form=form, shown=shown, rows=what_if.SHOWN_ROWS), status



def _draft(form) -> dict | None:
    try:
        criteria = json.loads(form.criteria.data)
    except json.JSONDecodeError as exc:
        form.criteria.errors = list(form.criteria.errors) + [_("不是有效的 JSON：%(msg)s（第 %(line)s 行）",
                                                               msg=exc.msg, line=exc.lineno)]
        return None
    return {"valid_from": form.valid_from.data.isoformat(), "source": form.source.data,
            "note": form.note.data or "", "criteria": criteria}


def _export(pool, valid_from: str, shown, *, value: bool = False):
    return what_if.export(pool.name, pool.code, valid_from, shown, value=value)


@bp.route("/<code>/parameters/new", methods=["GET", "POST"])
@admin_required
def new_parameter(code: str):
    pool = ladder.pool_or_404(code, configured=False)
    if pool.code_backed:
        return redirect(url_for("rules.policy"))
    form = forms.ParameterForm()
    form.key.choices = [(k, k) for k in pool.parameters]

    if request.method == "GET":
        form.valid_from.data = today()
        return render_template("ladder/parameter.html", form=form, pool=pool, shown=None, rows=what_if.SHOWN_ROWS,
                               value=True)
    shown, status = None, 422
    if form.validate() and (change := _parameter(form, pool)) is not None:
        try:  # previewed on every submission: shown, exported, or stored with the value saved
            shown = previews.preview_parameter(db.session, pool, change, today())
        except ChangeRefused as exc:
            _refused(form, exc, "value")
            status = 409
        else:
            if form.export.data:
                return _export(pool, change["valid_from"], shown, value=True)
            if form.preview.data:
                status = 200
            else:
                try:
                    _store(change, preview=shown)
                except TransitionRefused as exc:
                    _refused(form, exc, "value")
                    status = 409
                else:
                    db.session.commit()
                    flash(_("已新增参数 %(key)s 自 %(day)s 起的取值", key=change["key"], day=change["valid_from"]),
                          "success")
                    return redirect(url_for("pool_admin.settings", code=pool.code))
    return render_template("ladder/parameter.html", form=form, pool=pool, shown=shown, rows=what_if.SHOWN_ROWS,
                           value=True), status


def _parameter(form, pool) -> dict | None:
    """The change the form asks for (None: the value is not JSON, said at its field)."""
    try:
        value = json.loads(form.value.data)
    except json.JSONDecodeError as exc:
        form.value.errors = list(form.value.errors) + [_("不是有效的 JSON：%(msg)s", msg=exc.msg)]
        return None
    return {"kind": changes.PARAMETER, "code": pool.code, "key": form.key.data, "value": value,
            "valid_from": form.valid_from.data.isoformat(), "source": form.source.data}


@bp.route("/<code>/retire", methods=["GET", "POST"])
@admin_required
def retire(code: str):
    pool = ladder.pool_or_404(code, configured=False)
    return _change_page(forms.RetireForm(), "ladder/retire.html", lambda f: {
        "kind": changes.RETIRE, "code": pool.code, "valid_from": f.valid_from.data.isoformat(),
        "source": f.source.data}, lambda f: _("%(name)s自 %(day)s 起停用", name=pool.name,
                                              day=f.valid_from.data.isoformat()), pool=pool)
