"""Enterprise records: register a saved check, edit the enterprise, its yearly
figures and contacts.  Thin callers of :mod:`pool.records.edits`.

Edits carry the version the form showed (a hidden field).  When another officer
saved in between, the page comes back with 409, the other's changes (who, when,
field: old → new), the values now stored beside what this user typed, and the
version moved on — so saving again, after a look, deliberately overwrites.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField, DecimalField, FieldList, FormField, HiddenField, IntegerField,
    SelectField, StringField, SubmitField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from models import Application, Product, ProductFigure, db
from pool.eligibility import applications
from pool.records import changes, edits as records, registration
from pool.access import scoping

from pool.web.access import enterprise_or_404
from pool.web.check_forms import ApplicationForm
from pool.web.saving import VERSION, labels_of, save, version_of
from pool.web.clock import today
from pool.web.forms import ConfirmForm
from pool.web.safe_forms import SafeForm, SafeRow

bp = Blueprint("records", __name__, url_prefix="/records")

MAX_CONTACTS = 50
_AMOUNT = dict(places=None, validators=[Optional()])


class EnterpriseForm(SafeForm):
    """The editable facts; labels and limits are the application form's."""

    version = HiddenField(validators=[InputRequired(_l("缺少版本号，请刷新页面"))] + VERSION)
    name = ApplicationForm.name
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])
    industry_code = ApplicationForm.industry_code
    registered_region_code = ApplicationForm.registered_region_code
    independent_legal_person = ApplicationForm.independent_legal_person
    has_rd_leader = ApplicationForm.has_rd_leader
    ip_rules = ApplicationForm.ip_rules
    ip_department = ApplicationForm.ip_department
    ip_staff = ApplicationForm.ip_staff
    ip_budget = ApplicationForm.ip_budget
    ip_certified_gbt29490 = ApplicationForm.certified_gbt29490
    abnormal_patent_applications = ApplicationForm.abnormal_patent_applications
    major_accident = ApplicationForm.major_accident
    violation = ApplicationForm.violation
    serious_dishonesty = ApplicationForm.serious_dishonesty
    brand_evidence = ApplicationForm.brand_evidence
    submit = SubmitField(_l("保存"))

    def fill(self, values: dict) -> None:
        for field, value in values.items():
            if field == "brand_evidence":
                self.brand_evidence.data = "\n".join(value or [])
            else:
                self[field].process_data(value)

    def changes(self) -> dict:
        """Every editable field as the domain takes it (blank text: ``None``)."""
        out = {}
        for field in changes.ENTERPRISE_FIELDS:
            if field in changes.FLAG_FIELDS:
                out[field] = self[field].value
            elif field == "brand_evidence":
                lines = (self.brand_evidence.data or "").splitlines()
                out[field] = [line.strip() for line in lines if line.strip()]
            else:
                out[field] = (self[field].data or "").strip() or None
        return out


class FiguresForm(SafeForm):
    version = HiddenField(validators=VERSION)
    year = IntegerField(_l("年度"), validators=[InputRequired(_l("请填写年度")), NumberRange(1900, 2100)])
    operating_revenue = DecimalField(_l("营业收入（万元）"), **_AMOUNT)
    total_assets = DecimalField(_l("资产总额（万元）"), **_AMOUNT)
    rd_expense = DecimalField(_l("研发投入（万元）"), **_AMOUNT)
    employees = IntegerField(_l("职工总数（人）"), validators=[Optional()])
    rd_staff = IntegerField(_l("研发人员（人）"), validators=[Optional()])
    submit = SubmitField(_l("保存年度数据"))


class ProductFigureForm(SafeForm):
    version = HiddenField(validators=VERSION)
    product_id = SelectField(_l("产品"), coerce=int)
    year = IntegerField(_l("年度"), validators=[InputRequired(_l("请填写年度")), NumberRange(1900, 2100)])
    sales = DecimalField(_l("销售收入（万元）"), **_AMOUNT)
    profit = DecimalField(_l("利润（万元，亏损填负数）"), **_AMOUNT)
    submit = SubmitField(_l("保存产品数据"))


class ContactRow(SafeRow):
    id = HiddenField()
    name = StringField(_l("姓名"), validators=[Optional(), Length(max=64)])
    title = StringField(_l("职务"), validators=[Optional(), Length(max=64)])
    email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=32)])
    receives_reminders = BooleanField(_l("接收提醒邮件"))
    remove = BooleanField(_l("删除"))


class ContactsForm(SafeForm):
    contacts = FieldList(FormField(ContactRow), max_entries=MAX_CONTACTS)
    submit = SubmitField(_l("保存联系人"))


# --- registering a saved check -------------------------------------------------------

@bp.route("/from-check/<int:application_id>", methods=["GET", "POST"])
def register(application_id: int):
    """登记为申报企业: confirm, then create the enterprise from the check's data."""
    application = db.session.scalar(applications.visible(current_user)
                                    .where(Application.id == application_id))
    if application is None:
        abort(404)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            enterprise = registration.register_from_application(
                db.session, application, actor=current_user, on=today())
        except changes.RecordRefused as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            status = 409 if exc.field == "uscc" else 422
        else:
            db.session.commit()
            flash(_("已登记为申报企业：%(name)s", name=enterprise.name), "success")
            return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))
    return render_template("records/register.html", a=application, data=application.data,
                           form=form), status


# --- the enterprise's facts ------------------------------------------------------------

@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
def edit(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    form = EnterpriseForm()
    if request.method == "GET":
        form.fill(records.enterprise_values(enterprise))
        form.version.data = str(enterprise.version)
    conflict, merge = None, {}
    if form.validate_on_submit():
        changes = form.changes()
        done, conflict, merge = save(
            form, changes,
            lambda: records.update_enterprise(db.session, enterprise, actor=current_user,
                                              expected_version=version_of(form.version),
                                              changes=changes),
            lambda record: ((_("已保存修改"), "success") if record
                            else (_("没有需要保存的修改"), "info")),
            url_for("enterprises.detail", enterprise_id=enterprise.id), enterprise_id=enterprise.id)
        if done:
            return done
    status = 409 if conflict else 422 if form.errors else 200
    return render_template("records/edit.html", e=enterprise, form=form, conflict=conflict,
                           merge=merge, labels=labels_of(form)), status


# --- yearly figures --------------------------------------------------------------------

@bp.route("/<int:enterprise_id>/figures", methods=["GET", "POST"])
def figures(enterprise_id: int):
    """The enterprise's yearly figures; add a year or edit one (``?year=``)."""
    enterprise = enterprise_or_404(enterprise_id)
    form, product_form = FiguresForm(), _product_form(enterprise, formdata=None)
    if request.method == "GET":
        _fill_figures(form, enterprise, request.args.get("year", type=int))
        _fill_product_figures(product_form, enterprise, request.args.get("product", type=int),
                              request.args.get("product_year", type=int))
    conflict, merge = None, {}
    if request.method == "POST" and form.validate():
        values = {f: form[f].data for f in changes.FIGURE_FIELDS}
        done, conflict, merge = save(
            form, values,
            lambda: records.record_figures(db.session, enterprise, actor=current_user,
                                           year=form.year.data, values=values,
                                           expected_version=version_of(form.version), on=today()),
            lambda _figure: (_("已保存 %(year)s 年度数据", year=form.year.data), "success"),
            url_for("records.figures", enterprise_id=enterprise.id), enterprise_id=enterprise.id)
        if done:
            return done
    return _figures_page(enterprise, form, product_form, conflict, merge, labels=labels_of(form))


@bp.post("/<int:enterprise_id>/figures/products")
def product_figures(enterprise_id: int):
    """A product's sales and profit for a year (graduation rule b)."""
    enterprise = enterprise_or_404(enterprise_id)
    form, product_form = FiguresForm(formdata=None), _product_form(enterprise)
    _fill_figures(form, enterprise, None)
    conflict, merge = None, {}
    if product_form.validate():
        product = _product_or_404(enterprise, product_form.product_id.data)
        amounts = {"sales": product_form.sales.data, "profit": product_form.profit.data}
        done, conflict, merge = save(
            product_form, amounts,
            lambda: records.record_product_figures(
                db.session, product, actor=current_user, year=product_form.year.data,
                expected_version=version_of(product_form.version), on=today(), **amounts),
            lambda _figure: (_("已保存%(product)s %(year)s 年度数据", product=product.name,
                               year=product_form.year.data), "success"),
            url_for("records.figures", enterprise_id=enterprise.id), enterprise_id=enterprise.id)
        if done:
            return done
    return _figures_page(enterprise, form, product_form, conflict, merge,
                         labels=labels_of(product_form))


def _product_form(enterprise, **kwargs) -> ProductFigureForm:
    """Prefixed ``product-``: it shares a page with the company figures form."""
    form = ProductFigureForm(prefix="product", **kwargs)
    form.product_id.choices = [(p.id, p.name) for p in enterprise.products]
    return form


def _fill_figures(form, enterprise, year: int | None) -> None:
    figure = next((f for f in enterprise.figures if f.year == year), None)
    if figure is not None:
        form.process(obj=figure)
        form.version.data = str(figure.version)
    else:
        form.year.data = year or today().year - 1


def _product_or_404(enterprise, product_id):
    """One of ``enterprise``'s own products (:func:`pool.access.scoping.get_child`).

    :raise 404: absent, or a product of another enterprise.
    """
    product = scoping.get_child(db.session, current_user, Product, product_id,
                                enterprise_id=enterprise.id)
    if product is None:
        abort(404)
    return product


def _fill_product_figures(form, enterprise, product_id: int | None, year: int | None) -> None:
    """Pre-fill a year of one of ``enterprise``'s products; an id of another
    enterprise's product (``?product=``) shows the empty form, as an unknown one."""
    product = scoping.get_child(db.session, current_user, Product, product_id,
                                enterprise_id=enterprise.id)
    figure = None if product is None else db.session.scalar(
        select(ProductFigure).where(ProductFigure.product_id == product.id,
                                    ProductFigure.year == year))
    if figure is not None:
        form.process(obj=figure)
        form.version.data = str(figure.version)
    else:
        form.year.data = year or today().year - 1
        if product is not None:
            form.product_id.data = product.id


def _figures_page(enterprise, form, product_form, conflict, merge, labels):
    product_ids = [p.id for p in enterprise.products]
    rows = db.session.scalars(
        select(ProductFigure).where(ProductFigure.product_id.in_(product_ids))
        .options(selectinload(ProductFigure.product))
        .order_by(ProductFigure.product_id, ProductFigure.year.desc())).all()
    errors = form.errors or product_form.errors
    # adding a year that exists is not a clash with anyone: the form turns into its edit
    added_existing = conflict is not None and conflict.expected is None and conflict.row is not None
    status = 200 if added_existing else 409 if conflict else 422 if request.method == "POST" and errors else 200
    return render_template("records/figures.html", e=enterprise, form=form,
                           product_form=product_form, product_rows=rows, conflict=conflict,
                           merge=merge, labels=labels,
                           figures=sorted(enterprise.figures, key=lambda f: -f.year)), status


# --- contacts ---------------------------------------------------------------------------

@bp.route("/<int:enterprise_id>/contacts", methods=["GET", "POST"])
def contacts(enterprise_id: int):
    """Add, edit and remove the contacts who receive reminder emails."""
    enterprise = enterprise_or_404(enterprise_id)
    form = ContactsForm()
    if request.method == "GET":
        for contact in enterprise.contacts:
            form.contacts.append_entry(contact)
        form.contacts.append_entry({"receives_reminders": True})
    if request.method == "POST" and form.validate():
        wanted, rows = _wanted_contacts(form)
        try:
            changed = records.set_contacts(db.session, enterprise, actor=current_user,
                                           contacts=wanted)
        except changes.RecordRefused as exc:
            row = form.contacts[rows[exc.index]].form if exc.index is not None else None
            field = row._fields.get(exc.field) if row is not None and exc.field else None
            if field is not None:
                field.errors = list(field.errors) + [str(exc)]
            else:
                flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("已保存联系人（%(n)s 处修改）", n=len(changed)), "success")
            return redirect(url_for("records.contacts", enterprise_id=enterprise.id))
    status = 422 if request.method == "POST" else 200
    return render_template("records/contacts.html", e=enterprise, form=form), status


def _wanted_contacts(form) -> tuple[list[dict], list[int]]:
    """The contacts to keep or add, and each one's row in the form.  Rows marked
    for removal are left out; a new row with nothing typed is ignored."""
    wanted, rows = [], []
    for i, entry in enumerate(form.contacts):
        row = entry.form
        typed = {f: (row[f].data or "").strip() or None for f in ("name", "title", "email", "phone")}
        contact_id = int(row.id.data) if (row.id.data or "").isdigit() else None
        if row.remove.data or (contact_id is None and not any(typed.values())):
            continue
        wanted.append({"id": contact_id, **typed,
                       "receives_reminders": bool(row.receives_reminders.data)})
        rows.append(i)
    return wanted, rows
