"""The records pages: register a saved check, edit (409 on a concurrent edit),
yearly and product figures, contacts."""
from datetime import date
from decimal import Decimal

from markupsafe import escape
from sqlalchemy import select

from models import Application, ChangeRecord, Contact, Enterprise, Product, ProductFigure, User
from pool.eligibility import applications
from pool.records import changes
from pool.eligibility.criteria import check
from pool.eligibility.policy import Policy

from . import factories as af

ON = date(2025, 6, 30)


def save_check(use_db, county_id, username, **overrides) -> int:
    with use_db() as session:
        data = af.applicant(**overrides)
        evaluation = check(data, af.AS_OF, Policy(), af.industry_table())
        officer = session.scalar(select(User).where(User.username == username))
        application = applications.save(session, data=data, evaluation=evaluation,
                                        county_id=county_id, actor=officer)
        session.commit()
        return application.id


def page(response) -> str:
    return response.get_data(as_text=True)


def edit_form(enterprise: Enterprise, **overrides) -> dict:
    """The edit form as the browser would post it for ``enterprise`` now."""
    flags = {f: {True: "1", False: "0", None: ""}[getattr(enterprise, f)] for f in changes.FLAG_FIELDS}
    data = {"version": str(enterprise.version), "name": enterprise.name,
            "address": enterprise.address or "", "industry_code": enterprise.industry_code or "",
            "registered_region_code": enterprise.registered_region_code or "",
            "brand_evidence": "\n".join(enterprise.brand_evidence), **flags}
    data.update(overrides)
    return data


def get_enterprise(use_db, enterprise_id) -> Enterprise:
    with use_db() as session:
        enterprise = session.get(Enterprise, enterprise_id)
        session.expunge(enterprise)
        return enterprise


# --- registering a saved check -------------------------------------------------------

def test_register_a_saved_check_after_confirming(client, auth, world, use_db):
    application_id = save_check(use_db, world.dy.id, "dy", rd_expense=Decimal("200.2"))
    auth.login("dy")
    confirm = client.get(f"/records/from-check/{application_id}")
    assert confirm.status_code == 200
    assert "确认登记" in page(confirm) and "data-confirm=" in page(confirm)
    assert af.applicant()["uscc"] in page(confirm)

    response = client.post(f"/records/from-check/{application_id}")
    assert response.status_code == 302
    with use_db() as session:
        enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == af.applicant()["uscc"]))
        assert response.headers["Location"].endswith(f"/enterprises/{enterprise.id}")
        assert (enterprise.state, enterprise.county_id) == ("applied", world.dy.id)
        assert enterprise.figures[0].rd_expense == Decimal("200.2")
        assert session.get(Application, application_id).enterprise_id == enterprise.id
    detail = client.get(response.headers["Location"])
    assert "已登记为申报企业" in page(detail)

    again = client.post(f"/records/from-check/{save_check(use_db, world.dy.id, 'dy')}")
    assert again.status_code == 409
    assert "已登记，不能重复登记" in page(again)


def test_another_countys_check_cannot_be_registered(client, auth, world, use_db):
    application_id = save_check(use_db, world.yx.id, "yx")
    auth.login("dy")
    assert client.get(f"/records/from-check/{application_id}").status_code == 404
    assert client.post(f"/records/from-check/{application_id}").status_code == 404
    with use_db() as session:
        assert session.scalar(select(Enterprise).where(Enterprise.uscc == af.applicant()["uscc"])) is None
    auth.logout()
    auth.login("admin")
    assert client.post(f"/records/from-check/{application_id}").status_code == 302


# --- editing ------------------------------------------------------------------------

def test_edit_saves_and_is_audited(client, auth, world, use_db):
    auth.login("dy")
    form_page = client.get(f"/records/{world.dy_ent.id}/edit")
    enterprise = get_enterprise(use_db, world.dy_ent.id)
    assert form_page.status_code == 200
    assert f'name="version" type="hidden" value="{enterprise.version}"' in page(form_page)
    response = client.post(f"/records/{world.dy_ent.id}/edit",
                           data=edit_form(enterprise, address="大冶市罗桥街道", violation="0"))
    assert response.status_code == 302
    with use_db() as session:
        [record] = session.scalars(select(ChangeRecord).where(ChangeRecord.entity == "enterprise")).all()
        assert record.changes == {"address": [None, "大冶市罗桥街道"], "violation": [None, False]}
        assert record.actor_id == world.dy_officer.id
    # Posting the same values again changes nothing.
    enterprise = get_enterprise(use_db, world.dy_ent.id)
    response = client.post(f"/records/{world.dy_ent.id}/edit", data=edit_form(enterprise),
                           follow_redirects=True)
    assert "没有需要保存的修改" in page(response)
    assert get_enterprise(use_db, world.dy_ent.id).version == enterprise.version


def test_the_second_officer_gets_409_with_the_first_ones_change_and_keeps_the_input(
        client, app, auth, world, use_db):
    seen = get_enterprise(use_db, world.dy_ent.id)
    # The first officer (in another browser) saves a new name and an address.
    other = app.test_client()
    other.post("/auth/login", data={"username": "dy", "password": "correct-horse-9"})
    assert other.post(f"/records/{world.dy_ent.id}/edit",
                      data=edit_form(seen, name="大冶磁湖智能科技有限公司", address="大冶市")
                      ).status_code == 302

    # The admin had opened the form before and now saves on the old version.
    auth.login("admin")
    response = client.post(f"/records/{world.dy_ent.id}/edit",
                           data=edit_form(seen, address="黄石市下陆区团城山", has_rd_leader="1"))
    html = page(response)
    assert response.status_code == 409
    assert 'id="conflict"' in html
    assert "<strong>dy</strong>" in html
    assert f"企业名称：{escape('大冶磁湖科技有限公司')} → {escape('大冶磁湖智能科技有限公司')}" in html
    assert "地址：" in html and "双方都修改了" in html  # both changed the address
    assert 'value="黄石市下陆区团城山"' in html  # what the admin typed is kept...
    assert '<option selected value="1">' in html
    # ...and the name the admin left alone now shows the other's, so saving again keeps it.
    assert "表单中已换成对方保存的值：企业名称" in html
    assert 'id="name" maxlength="200" name="name" required type="text" value="大冶磁湖智能科技有限公司"' in html
    assert f'value="{seen.version + 1}"' in html  # the version moved on: saving again overwrites
    with use_db() as session:
        now = session.get(Enterprise, world.dy_ent.id)
        assert (now.name, now.address, now.has_rd_leader) == ("大冶磁湖智能科技有限公司", "大冶市", None)

    # Having looked, the admin saves the page as it came back.
    resubmit = edit_form(seen, name="大冶磁湖智能科技有限公司", address="黄石市下陆区团城山",
                         has_rd_leader="1", version=str(seen.version + 1))
    assert client.post(f"/records/{world.dy_ent.id}/edit", data=resubmit).status_code == 302
    with use_db() as session:
        now = session.get(Enterprise, world.dy_ent.id)
        assert (now.name, now.address, now.has_rd_leader) == (
            "大冶磁湖智能科技有限公司", "黄石市下陆区团城山", True)


def test_invalid_edits_are_shown_at_the_field(client, auth, world, use_db):
    auth.login("dy")
    enterprise = get_enterprise(use_db, world.dy_ent.id)
    response = client.post(f"/records/{world.dy_ent.id}/edit",
                           data=edit_form(enterprise, industry_code="C9999"))
    assert response.status_code == 422
    assert "不是GB/T 4754-2017《国民经济行业分类》的行业小类" in page(response)
    response = client.post(f"/records/{world.dy_ent.id}/edit", data=edit_form(enterprise, name=""))
    assert response.status_code == 422 and "请填写企业名称" in page(response)
    response = client.post(f"/records/{world.dy_ent.id}/edit", data=edit_form(enterprise, version=""))
    assert response.status_code == 422
    assert get_enterprise(use_db, world.dy_ent.id).version == enterprise.version


def test_officer_cannot_edit_another_countys_enterprise(client, auth, world, use_db):
    auth.login("dy")
    enterprise = get_enterprise(use_db, world.yx_ent.id)
    response = client.post(f"/records/{world.yx_ent.id}/edit", data=edit_form(enterprise, address="x"))
    assert response.status_code == 404
    assert get_enterprise(use_db, world.yx_ent.id).address is None


# --- figures ------------------------------------------------------------------------

FIGURES = {"year": "2024", "operating_revenue": "2002", "total_assets": "9200",
           "rd_expense": "200.2", "employees": "120", "rd_staff": "30"}


def test_add_then_edit_a_years_figures(client, auth, world, use_db):
    auth.login("dy")
    url = f"/records/{world.dy_ent.id}/figures"
    assert client.get(url).status_code == 200
    assert client.post(url, data=FIGURES).status_code == 302
    listing = page(client.get(url))
    assert "200.20" in listing and "2,002.00" in listing
    form_page = page(client.get(f"{url}?year=2024"))
    assert 'name="version" type="hidden" value="1"' in form_page and 'value="200.2"' in form_page
    assert client.post(url, data=dict(FIGURES, rd_expense="520", version="1")).status_code == 302
    with use_db() as session:
        enterprise = session.get(Enterprise, world.dy_ent.id)
        [figure] = enterprise.figures
        assert (figure.rd_expense, figure.version) == (Decimal("520"), 2)
        entries = session.scalars(select(ChangeRecord).where(ChangeRecord.entity == "yearly_figure")
                                  .order_by(ChangeRecord.id)).all()
        assert [r.action for r in entries] == ["create", "update"]
        assert entries[1].changes == {"rd_expense": [Decimal("200.2"), Decimal("520")]}


def test_figures_edited_meanwhile_answer_409(client, auth, world, use_db):
    auth.login("dy")
    url = f"/records/{world.dy_ent.id}/figures"
    client.post(url, data=FIGURES)
    client.post(url, data=dict(FIGURES, rd_staff="40", version="1"))
    client.post(url, data=dict(FIGURES, rd_staff="40", rd_expense="300", version="2"))
    # Seen at version 1: rd_staff changed by both, rd_expense only by the other.
    response = client.post(url, data=dict(FIGURES, rd_staff="35", version="1"))
    html = page(response)
    assert response.status_code == 409
    assert "研发人员" in html and "30 → 40" in html and "200.2 → 300" in html
    assert 'name="rd_staff" type="number" value="35"' in html  # typed, kept
    assert 'name="rd_expense" step="any" type="number" value="300"' in html  # untouched: theirs
    assert "表单中已换成对方保存的值：研发投入（万元）" in html
    assert 'name="version" type="hidden" value="3"' in html
    # Adding a year that exists by now opens it for editing, not a duplicate row.
    response = client.post(url, data=dict(FIGURES, version=""))
    assert response.status_code == 200 and "该年度已有数据（第 3 版）" in page(response)


def test_figure_errors_name_the_field(client, auth, world, use_db):
    auth.login("dy")
    url = f"/records/{world.dy_ent.id}/figures"
    response = client.post(url, data=dict(FIGURES, rd_staff="121"))
    assert response.status_code == 422
    assert "研发人员数 121 人不能多于从业人员（职工总数） 120 人" in page(response)
    response = client.post(url, data=dict(FIGURES, operating_revenue="-1"))
    assert response.status_code == 422 and "不能为负数" in page(response)
    response = client.post(url, data=dict(FIGURES, year="2099"))
    assert response.status_code == 422 and "不能填报未来年度" in page(response)
    with use_db() as session:
        assert session.get(Enterprise, world.dy_ent.id).figures == []


def add_product(use_db, enterprise_id, name) -> int:
    with use_db() as session:
        product = Product(enterprise_id=enterprise_id, name=name)
        session.add(product)
        session.commit()
        return product.id


def test_product_figures_with_a_loss(client, auth, world, use_db):
    product_id = add_product(use_db, world.dy_ent.id, "晶圆检测设备")
    auth.login("dy")
    url = f"/records/{world.dy_ent.id}/figures/products"
    form = {"product-product_id": str(product_id), "product-year": "2024",
            "product-sales": "1200.5", "product-profit": "-35.25"}
    assert client.post(url, data=form).status_code == 302
    listing = page(client.get(f"/records/{world.dy_ent.id}/figures"))
    assert "晶圆检测设备" in listing and "-35.25" in listing
    edit = page(client.get(f"/records/{world.dy_ent.id}/figures?product={product_id}&product_year=2024"))
    assert 'name="product-version" type="hidden" value="1"' in edit
    again = client.post(url, data=dict(form, **{"product-profit": "5"}))  # the year exists: edit it
    assert again.status_code == 200 and "该年度已有数据（第 1 版）" in page(again)
    assert 'name="product-version" type="hidden" value="1"' in page(again)
    negative = client.post(url, data=dict(form, **{"product-sales": "-1", "product-version": "1"}))
    assert negative.status_code == 422 and "销售收入不能为负数" in page(negative)
    with use_db() as session:
        [figure] = session.scalars(select(ProductFigure)).all()
        assert (figure.sales, figure.profit) == (Decimal("1200.5"), Decimal("-35.25"))


def test_another_enterprises_product_is_not_a_choice(client, auth, world, use_db):
    product_id = add_product(use_db, world.yx_ent.id, "阳新产品")
    auth.login("admin")
    response = client.post(f"/records/{world.dy_ent.id}/figures/products",
                           data={"product-product_id": str(product_id), "product-year": "2024"})
    assert response.status_code == 422
    with use_db() as session:
        assert session.scalars(select(ProductFigure)).all() == []


# --- contacts -----------------------------------------------------------------------

def test_contacts_add_edit_remove(client, auth, world, use_db):
    auth.login("dy")
    url = f"/records/{world.dy_ent.id}/contacts"
    assert 'name="contacts-0-name"' in page(client.get(url))
    response = client.post(url, data={
        "contacts-0-name": "张三", "contacts-0-email": "zhang@example.gov.cn",
        "contacts-0-receives_reminders": "y",
        "contacts-1-name": "", "contacts-1-receives_reminders": "y",  # the blank new row
    })
    assert response.status_code == 302
    with use_db() as session:
        [zhang] = session.scalars(select(Contact)).all()
        assert (zhang.name, zhang.receives_reminders) == ("张三", True)
        zhang_id = zhang.id
    html = page(client.get(url))
    assert 'value="zhang@example.gov.cn"' in html and 'name="contacts-0-remove"' in html
    response = client.post(url, data={
        "contacts-0-id": str(zhang_id), "contacts-0-name": "张三", "contacts-0-title": "总经理",
        "contacts-0-email": "zhang@example.gov.cn", "contacts-0-receives_reminders": "y",
        "contacts-1-name": "李四", "contacts-1-phone": "0714-1234567",
    })
    assert response.status_code == 302
    with use_db() as session:
        assert [(c.name, c.title, c.receives_reminders) for c in session.scalars(
            select(Contact).order_by(Contact.id))] == [("张三", "总经理", True), ("李四", None, False)]
    response = client.post(url, data={
        "contacts-0-id": str(zhang_id), "contacts-0-name": "张三", "contacts-0-remove": "y"})
    assert response.status_code == 302
    with use_db() as session:
        assert [c.name for c in session.scalars(select(Contact))] == []
        actions = [r.action for r in session.scalars(
            select(ChangeRecord).where(ChangeRecord.entity == "contact").order_by(ChangeRecord.id))]
        assert actions == ["create", "update", "create", "delete", "delete"]


def test_contact_errors_are_shown_at_the_row(client, auth, world, use_db):
    auth.login("dy")
    response = client.post(f"/records/{world.dy_ent.id}/contacts", data={
        "contacts-0-name": "张三", "contacts-0-email": "zhang@example.gov.cn",
        "contacts-1-name": "王五", "contacts-1-receives_reminders": "y"})
    html = page(response)
    assert response.status_code == 422
    assert "第 2 位联系人：接收提醒邮件的联系人须填写电子邮箱" in html
    assert 'value="王五"' in html
    with use_db() as session:
        assert session.scalars(select(Contact)).all() == []


def test_adding_a_year_that_exists_opens_it_for_editing(client, auth, world, use_db):
    auth.login("dy")
    url = f"/records/{world.dy_ent.id}/figures"
    assert client.post(url, data=FIGURES).status_code == 302
    response = client.post(url, data=dict(FIGURES, employees="150"))
    assert response.status_code == 200
    body = page(response)
    assert "该年度已有数据（第 1 版）" in body and "其他人修改了这条记录" not in body
    assert 'name="version" type="hidden" value="1"' in body and 'value="150"' in body
    assert client.post(url, data=dict(FIGURES, employees="150", version="1")).status_code == 302
    with use_db() as session:
        assert session.get(Enterprise, world.dy_ent.id).figures[0].employees == 150


def test_an_empty_year_and_the_unfinished_year_are_refused(client, auth, world, use_db, freeze_today):
    freeze_today(date(2025, 6, 30))
    auth.login("dy")
    url = f"/records/{world.dy_ent.id}/figures"
    response = client.post(url, data={"year": "2024"})
    assert response.status_code == 422 and "2024 年度数据一项都没有填写" in page(response)
    response = client.post(url, data=dict(FIGURES, year="2025"))
    assert response.status_code == 422 and "2025 年尚未结束" in page(response)
    with use_db() as session:
        assert session.get(Enterprise, world.dy_ent.id).figures == []
