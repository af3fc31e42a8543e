"""Policy parameters and the patent-intensive industry table: view, and (city
administrator) add dated values — history is never edited."""
import json
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from models import ChangeRecord, db
from pool.eligibility import rulebook
from pool.reference import catalogues, gbt4754
from pool.reference.industries import CLASSIFICATION_NAME, GROUPS, OFFICIAL_CLASS_COUNT
from pool.eligibility.policy import PARAMETER_SPECS
from pool.monitoring import policy_preview

from pool.web import what_if
from pool.web.access import admin_required
from pool.web.clock import today
from pool.web.safe_forms import SafeForm

bp = Blueprint("rules", __name__, url_prefix="/rules")


def _audit(entity: str, row, **changes) -> None:
    """Record who added which rule: the rule tables are history, this is the trail."""
    db.session.add(ChangeRecord(actor_id=current_user.id, entity=entity, entity_id=row.id,
                                action="create",
                                changes={k: [None, v] for k, v in changes.items()}))


class PolicyValueForm(SafeForm):
    key = SelectField(_l("参数"), choices=[(k, f"{s.label}（{k}）") for k, s in PARAMETER_SPECS.items()])
    value = TextAreaField(_l("取值（JSON：数值如 0.10，列表如 [\"high_tech\"]）"),
                          validators=[DataRequired(_l("请填写取值")), Length(max=20000)])
    valid_from = DateField(_l("生效日期"), validators=[DataRequired(_l("请填写生效日期"))])
    source = StringField(_l("依据（文件及条款）"), validators=[DataRequired(_l("请注明依据")), Length(max=200)])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=500)])
    preview = SubmitField(_l("预览影响"))
    export = SubmitField(_l("导出预览（CSV）"))
    submit = SubmitField(_l("新增参数取值"))


class IndustryForm(SafeForm):
    code = StringField(_l("行业小类代码（如 C3562）"), validators=[DataRequired(_l("请填写行业代码")), Length(max=5)])
    group = SelectField(_l("专利密集型产业分组"), choices=[(g, g) for g in GROUPS])
    name = StringField(_l("小类名称"), validators=[Optional(), Length(max=100)])
    included = BooleanField(_l("属于专利密集型产业"), default=True)
    valid_from = DateField(_l("生效日期"), validators=[DataRequired(_l("请填写生效日期"))])
    source = StringField(_l("依据（文件及条款）"), validators=[DataRequired(_l("请注明依据")), Length(max=200)])
    submit = SubmitField(_l("新增 / 更正条目"))


@bp.route("/policy")
def policy():
    return _policy_page(PolicyValueForm(valid_from=today()))


def _policy_page(form, status=200, shown=None):
    book = rulebook.load_policy(db.session)
    return render_template("rules/policy.html", specs=PARAMETER_SPECS, policy=book,
                           in_force=book.in_force(today()), form=form, json=json,
                           catalogues=catalogues.CATALOGUES.values(), shown=shown, rows=what_if.SHOWN_ROWS,
                           value=True), status


@bp.post("/policy")
@admin_required
def add_policy_value():
    form = PolicyValueForm()
    if form.validate_on_submit():
        try:
            value = json.loads(form.value.data, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            form.value.errors.append(_("不是有效的 JSON：%(msg)s", msg=exc.msg))
        else:
            if form.preview.data or form.export.data:
                return _policy_preview(form, value)
            try:
                row = rulebook.add_policy_value(
                    db.session, key=form.key.data, value=value, valid_from=form.valid_from.data,
                    source=form.source.data, note=form.note.data, actor=current_user, today=today())
            except rulebook.RuleChangeRefused as exc:
                getattr(form, exc.field).errors.append(str(exc))
            else:
                _audit("policy_value", row, key=row.key, value=row.value,
                       valid_from=row.valid_from.isoformat())
                db.session.commit()
                flash(_("已新增参数 %(key)s 自 %(day)s 起的取值", key=row.key,
                        day=row.valid_from.isoformat()), "success")
                return redirect(url_for("rules.policy"))
    return _policy_page(form, 422)


def _policy_preview(form, value):
    """The first pool as it stands today judged with the values in force and with this one: shown
    on the page or exported (:mod:`pool.monitoring.policy_preview`); nothing is saved."""
    try:
        shown = policy_preview.preview(db.session, form.key.data, value, form.valid_from.data, today())
    except rulebook.RuleChangeRefused as exc:
        getattr(form, exc.field).errors.append(str(exc))
        return _policy_page(form, 422)
    except rulebook.NoPolicyInForce as exc:
        form.valid_from.errors.append(str(exc))
        return _policy_page(form, 422)
    if form.export.data:
        return what_if.export(_("专利产业化样板企业培育库"), "huangshi-2024", form.valid_from.data.isoformat(), shown,
                              value=True)
    return _policy_page(form, 200, shown)


@bp.route("/industries")
def industries():
    return _industries_page(IndustryForm(valid_from=today()),
                            (request.args.get("q") or "").strip().upper())


def _industries_page(form, q="", status=200):
    """Every class the table knows, as in force today (or as it will be, if only
    a future entry exists), by group and category, filtered by ``q``."""
    table = rulebook.load_industries(db.session)
    corrections = rulebook.industry_corrections(db.session)
    on = today()
    rows = [table.lookup(code, on) or table.lookup(code) for code in table.codes()]
    rows = [r for r in rows if r is not None]
    if q:
        rows = [r for r in rows if q in gbt4754.SECTION_BY_DIVISION[r.code[:2]] + r.code
                or q in r.name.upper() or q in r.group or q in r.category]
    rows.sort(key=lambda r: (GROUPS.index(r.group), r.category_code or "999", r.code))
    return render_template("rules/industries.html", rows=rows, corrections=corrections, q=q,
                           form=form, official=OFFICIAL_CLASS_COUNT, name=CLASSIFICATION_NAME,
                           version=table.version_on(on), included=table.included_count(on),
                           sections=gbt4754.SECTION_BY_DIVISION), status


@bp.post("/industries")
@admin_required
def add_industry():
    form = IndustryForm()
    if form.validate_on_submit():
        try:
            row = rulebook.add_industry_correction(
                db.session, code=form.code.data, group=form.group.data, name=form.name.data,
                included=form.included.data, source=form.source.data,
                valid_from=form.valid_from.data, actor=current_user, today=today())
        except rulebook.RuleChangeRefused as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            _audit("industry_correction", row, code=row.code, group=row.group,
                   included=row.included)
            db.session.commit()
            flash(_("已记录行业 %(code)s 的条目", code=row.code), "success")
            return redirect(url_for("rules.industries"))
    return _industries_page(form, status=422)
