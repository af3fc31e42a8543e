"""Enterprise records (pool.records.edits): registering a check, edits with optimistic
locking, yearly and product figures, contacts — and the audit trail of each."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Application, ChangeRecord, Contact, Enterprise, PoolEvent, Product, ProductFigure, User,
    YearlyFigure, db,
)
from models.event import STATE_CHANGE
from pool.eligibility import applications
from pool.records import changes, edits as records, registration
from pool.eligibility.criteria import check
from pool.eligibility.policy import Policy

from . import factories as af

ON = date(2025, 6, 30)
PATENT = "ZL202310012345.6"


def save_check(session, county_id, officer, as_of=af.AS_OF, **overrides) -> Application:
    """A saved check of ``af.applicant(**overrides)`` evaluated on ``as_of``."""
    data = af.applicant(**overrides)
    evaluation = check(data, as_of, Policy(), af.industry_table())
    application = applications.save(session, data=data, evaluation=evaluation,
                                    county_id=county_id, actor=officer)
    session.commit()
    return application


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def audit(session, entity, entity_id=None):
    stmt = select(ChangeRecord).where(ChangeRecord.entity == entity).order_by(ChangeRecord.id)
    if entity_id is not None:
        stmt = stmt.where(ChangeRecord.entity_id == entity_id)
    return session.scalars(stmt).all()


@pytest.fixture
def people(session, world):
    return {name: session.get(User, getattr(world, key).id) for name, key in
            (("dy", "dy_officer"), ("yx", "yx_officer"), ("admin", "admin"))}


@pytest.fixture
def dy_ent(session, world):
    return session.get(Enterprise, world.dy_ent.id)


# --- registering a check ---------------------------------------------------------

def test_register_copies_the_check_exactly(session, world, people):
    products = [af.product(patents=[PATENT, "ZL209999999999.9"]),  # second number: not listed
                af.product(name="配套软件", main=False, patents=[], filing_no=af.OMIT)]
    application = save_check(session, world.dy.id, people["dy"], operating_revenue=Decimal("2002"),
                             rd_expense=Decimal("200.2"), total_assets=Decimal("9200.0001"),
                             products=products, registered_region_code="420281")
    enterprise = registration.register_from_application(session, application, actor=people["dy"], on=ON)
    session.commit()
    session.expire_all()

    e = session.get(Enterprise, enterprise.id)
    data = af.applicant()
    assert (e.uscc, e.name, e.county_id, e.state) == (data["uscc"], data["name"], world.dy.id, "applied")
    assert (e.registered_region_code, e.industry_code, e.independent_legal_person,
            e.has_rd_leader) == ("420281", "C3562", True, True)
    assert e.brand_evidence == ["2023 年湖北省名牌产品"]
    assert (e.ip_rules, e.ip_department, e.ip_staff, e.ip_budget, e.ip_certified_gbt29490) == (
        True, True, True, True, True)
    assert (e.abnormal_patent_applications, e.major_accident, e.violation,
            e.serious_dishonesty) == (False, False, False, False)
    [figure] = e.figures
    assert figure.year == 2023  # the assessment year 2024's 上年度
    assert (figure.operating_revenue, figure.rd_expense, figure.total_assets) == (
        Decimal("2002"), Decimal("200.2"), Decimal("9200.0001"))
    assert isinstance(figure.rd_expense, Decimal)
    assert (figure.employees, figure.rd_staff) == (120, 30)
    assert [(q.type, q.certificate_no, q.valid_from, q.valid_to) for q in e.qualifications] == [
        ("high_tech", "GR202342000123", date(2023, 12, 1), date(2026, 11, 30))]
    assert [(p.number, p.kind, p.status, p.origin, p.core, p.industrialized) for p in e.patents] == [
        (PATENT, "invention", "valid", "self", True, True),
        ("ZL202210054321.X", "utility_model", "valid", "licensed", False, True),
        ("ZL202120098765.4", "utility_model", "valid", "self", False, False),
        ("ZL201910011111.1", "invention", "expired", "self", False, False)]
    main, software = e.products
    assert (main.name, main.main, main.filing_no, main.patent_intensive, main.certified_on) == (
        "晶圆检测设备", True, "BA2024420200001", True, date(2024, 3, 1))
    assert [p.number for p in main.patents] == [PATENT]
    assert main.patents[0].enterprise_id == e.id
    assert (software.main, software.filing_no, software.patents) == (False, None, [])
    assert [(t.reg_no, t.owned, t.valid_to) for t in e.trademarks] == [("61234567", True, date(2031, 5, 6))]
    assert [(r.partner, r.partner_type, r.valid_from, r.valid_to) for r in e.partnerships] == [
        ("湖北师范大学", "university", date(2023, 1, 1), date(2025, 12, 31))]

    assert session.get(Application, application.id).enterprise_id == e.id
    [event] = session.scalars(select(PoolEvent).where(PoolEvent.enterprise_id == e.id)).all()
    assert (event.kind, event.to_state, event.effective_on, event.actor_id) == (
        STATE_CHANGE, "applied", ON, people["dy"].id)
    assert f"#{application.id}" in event.reason
    [created] = audit(session, "enterprise", e.id)
    assert (created.action, created.actor_id, created.version) == ("create", people["dy"].id, e.version)
    assert created.changes["application_id"] == [None, application.id]
    assert created.changes["uscc"] == [None, e.uscc]
    assert created.changes["major_accident"] == [None, False]
    [figure_record] = audit(session, "yearly_figure", figure.id)
    assert figure_record.changes["rd_expense"] == [None, Decimal("200.2")]
    assert figure_record.changes["year"] == [None, 2023]


def test_register_links_earlier_checks_of_the_same_enterprise(session, world, people):
    earlier = save_check(session, world.dy.id, people["dy"])
    other_county = save_check(session, world.yx.id, people["yx"])
    application = save_check(session, world.dy.id, people["dy"])
    enterprise = registration.register_from_application(session, application, actor=people["dy"], on=ON)
    assert session.get(Application, earlier.id).enterprise_id == enterprise.id
    assert session.get(Application, other_county.id).enterprise_id is None


def test_register_without_figures_records_no_year(session, world, people):
    application = save_check(session, world.dy.id, people["dy"], **{
        k: af.OMIT for k in ("operating_revenue", "total_assets", "rd_expense", "employees",
                             "rd_staff")})
    enterprise = registration.register_from_application(session, application, actor=people["dy"], on=ON)
    assert enterprise.figures == []
    assert audit(session, "yearly_figure") == []


def refused(session, field, action, *args, **kwargs) -> changes.RecordRefused:
    """Assert that ``action`` is refused naming ``field`` and writes nothing."""
    before = [count(session, m) for m in (Enterprise, PoolEvent, ChangeRecord, YearlyFigure, Contact)]
    with pytest.raises(changes.RecordRefused) as info:
        action(*args, **kwargs)
    assert info.value.field == field, str(info.value)
    session.flush()
    assert [count(session, m) for m in (Enterprise, PoolEvent, ChangeRecord, YearlyFigure,
                                        Contact)] == before
    return info.value


def test_a_uscc_is_registered_once(session, world, people):
    application = save_check(session, world.dy.id, people["dy"])
    registration.register_from_application(session, application, actor=people["dy"], on=ON)
    session.commit()
    again = save_check(session, world.dy.id, people["dy"])
    exc = refused(session, "uscc", registration.register_from_application, session, again,
                  actor=people["dy"], on=ON)
    assert "已登记" in str(exc) and af.applicant()["name"] in str(exc)


def test_a_uscc_registered_at_the_same_moment_is_refused(app, world, monkeypatch):
    """Both pass the duplicate check; the other's insert commits first: the
    unique violation becomes the same refusal, and nothing of ours is left."""
    with app.app_context():
        ours_id = save_check(db.session, world.dy.id, db.session.get(User, world.dy_officer.id)).id
        theirs_id = save_check(db.session, world.dy.id, db.session.get(User, world.admin.id)).id
        db.session.remove()
        with Session(db.engine, expire_on_commit=False) as session:
            ours, officer = session.get(Application, ours_id), session.get(User, world.dy_officer.id)
            session.commit()  # no transaction (on SQLite: no write lock) until the insert
            real, calls = registration.refuse_duplicate, []

            def racing(s, uscc, county_id, actor):
                if not calls:  # our check passes; the other officer's registration lands right after
                    calls.append(uscc)
                    with Session(db.engine) as other:
                        registration.register_from_application(other, other.get(Application, theirs_id),
                                                          actor=other.get(User, world.admin.id), on=ON)
                        other.commit()
                    return None
                return real(s, uscc, county_id, actor)

            monkeypatch.setattr(registration, "refuse_duplicate", racing)
            with pytest.raises(changes.RecordRefused, match="已登记，不能重复登记"):
                registration.register_from_application(session, ours, actor=officer, on=ON)
            session.commit()  # the SAVEPOINT kept the transaction usable
            assert count(session, Enterprise) == 3  # the world's two and theirs
            assert count(session, PoolEvent) == 1
            linked = session.scalar(select(Application.enterprise_id).where(Application.id == ours_id))
            assert linked is not None  # their registration linked our check of the same USCC


def test_a_duplicate_in_another_county_is_refused_without_saying_it_exists(session, world, people):
    yx_ent = session.get(Enterprise, world.yx_ent.id)
    application = save_check(session, world.dy.id, people["dy"], uscc=yx_ent.uscc)
    exc = refused(session, "uscc", registration.register_from_application, session, application,
                  actor=people["dy"], on=ON)
    assert str(exc) == "该统一社会信用代码无法在本县市区登记，请联系市级管理员"
    # the city administrator, registering for 大冶市, is told the whole story
    exc = refused(session, "uscc", registration.register_from_application, session, application,
                  actor=people["admin"], on=ON)
    assert str(exc) == (f"统一社会信用代码 {yx_ent.uscc} 的企业“{yx_ent.name}”已在阳新县登记，"
                        "不能重复登记")


def test_an_officer_cannot_register_another_countys_check(session, world, people):
    application = save_check(session, world.yx.id, people["yx"])
    exc = refused(session, None, registration.register_from_application, session, application,
                  actor=people["dy"], on=ON)
    assert "无权" in str(exc)
    assert session.get(Application, application.id).enterprise_id is None
    enterprise = registration.register_from_application(session, application, actor=people["admin"], on=ON)
    assert enterprise.county_id == world.yx.id


def test_data_that_no_longer_validates_is_refused_with_its_path(session, world, people):
    application = save_check(session, world.dy.id, people["dy"])
    application.data = af.applicant(rd_staff=500)  # e.g. edited in the database by hand
    session.commit()
    exc = refused(session, "rd_staff", registration.register_from_application, session, application,
                  actor=people["dy"], on=ON)
    assert "申报数据有误" in str(exc)


def test_figures_of_a_future_year_are_refused_on_registering(session, world, people):
    # Checks assessed on a later date (a "what if" self-check) carry figures of a
    # year that has not ended on the day of registering: refused.
    for later in (2027, 2026):
        application = save_check(session, world.dy.id, people["dy"], as_of=date(later, 6, 30),
                                 assessment_year=later)
        refused(session, "year", registration.register_from_application, session, application,
                actor=people["dy"], on=ON)
    application = save_check(session, world.dy.id, people["dy"], as_of=ON, assessment_year=2025)
    assert registration.register_from_application(session, application, actor=people["dy"],
                                                  on=ON).figures[0].year == 2024


# --- editing with optimistic locking ------------------------------------------------

def test_update_records_only_the_fields_that_changed(session, dy_ent, people):
    version = dy_ent.version
    record = records.update_enterprise(
        session, dy_ent, actor=people["dy"], expected_version=version,
        changes={"name": dy_ent.name, "address": "  大冶市罗桥街道  ", "industry_code": "c3562",
                 "ip_rules": True, "brand_evidence": ["湖北名牌", " ", "省著名商标 "]})
    assert dy_ent.version == version + 1
    assert (record.entity, record.entity_id, record.version, record.action, record.actor_id) == (
        "enterprise", dy_ent.id, version + 1, "update", people["dy"].id)
    assert record.changes == {"address": [None, "大冶市罗桥街道"], "industry_code": [None, "C3562"],
                              "ip_rules": [None, True], "brand_evidence": [[], ["湖北名牌", "省著名商标"]]}
    # The same values again change nothing and use up no version.
    assert records.update_enterprise(session, dy_ent, actor=people["dy"],
                                     expected_version=version + 1,
                                     changes={"address": "大冶市罗桥街道", "ip_rules": True}) is None
    assert dy_ent.version == version + 1
    assert len(audit(session, "enterprise", dy_ent.id)) == 1
    # None clears a fact (not recorded), which is a change from False.
    record = records.update_enterprise(session, dy_ent, actor=people["dy"],
                                       expected_version=version + 1,
                                       changes={"ip_rules": False, "address": ""})
    assert record.changes == {"ip_rules": [True, False], "address": ["大冶市罗桥街道", None]}


def test_the_second_editor_gets_a_conflict_naming_the_first_ones_change(session, dy_ent, people):
    seen = dy_ent.version
    records.update_enterprise(session, dy_ent, actor=people["dy"], expected_version=seen,
                              changes={"name": "大冶磁湖智能科技有限公司", "address": "大冶市"})
    session.commit()
    before = count(session, ChangeRecord)
    with pytest.raises(changes.VersionConflict) as info:
        records.update_enterprise(session, dy_ent, actor=people["admin"], expected_version=seen,
                                  changes={"address": "黄石市"})
    conflict = info.value
    assert (conflict.entity, conflict.entity_id, conflict.expected, conflict.current) == (
        "enterprise", dy_ent.id, seen, seen + 1)
    [change] = conflict.changes
    assert change.actor.display_name == "dy"
    assert change.changes == {"name": ["大冶磁湖科技有限公司", "大冶磁湖智能科技有限公司"],
                              "address": [None, "大冶市"]}
    assert "dy" in str(conflict) and f"第 {seen} 版" in str(conflict)
    assert count(session, ChangeRecord) == before
    assert session.get(Enterprise, dy_ent.id).address == "大冶市"
    # Having seen the other change, the admin saves on top of it.
    records.update_enterprise(session, dy_ent, actor=people["admin"],
                              expected_version=conflict.current, changes={"address": "黄石市"})
    assert (dy_ent.name, dy_ent.address) == ("大冶磁湖智能科技有限公司", "黄石市")


def test_a_commit_between_read_and_write_becomes_a_conflict(app, world):
    """StaleDataError: this request read version v, another committed v+1 before
    this one's UPDATE ... WHERE version = v ran."""
    with app.app_context():
        with Session(db.engine, expire_on_commit=False) as stale:
            enterprise = stale.get(Enterprise, world.dy_ent.id)
            officer = stale.get(User, world.dy_officer.id)
            seen = enterprise.version
            stale.commit()  # ends the read transaction; the loaded values stay (SQLite's lock is freed)

            with Session(db.engine) as other:
                records.update_enterprise(other, other.get(Enterprise, world.dy_ent.id),
                                          actor=other.get(User, world.admin.id), expected_version=seen,
                                          changes={"address": "黄石市团城山"})
                other.commit()

            assert enterprise.version == seen  # the stale copy passes the version check...
            with pytest.raises(changes.VersionConflict) as info:
                records.update_enterprise(stale, enterprise, actor=officer, expected_version=seen,
                                          changes={"address": "大冶市"})
            conflict = info.value  # ...and the UPDATE finds no row at version `seen`
            assert (conflict.expected, conflict.current) == (seen, seen + 1)
            assert [c.changes for c in conflict.changes] == [{"address": [None, "黄石市团城山"]}]
            assert conflict.changes[0].actor.username == "admin"
            # The SAVEPOINT kept the transaction usable: retry on the current version.
            assert enterprise.address == "黄石市团城山"
            records.update_enterprise(stale, enterprise, actor=officer,
                                      expected_version=conflict.current, changes={"address": "大冶市"})
            stale.commit()
        assert db.session.get(Enterprise, world.dy_ent.id).address == "大冶市"


def test_a_lifecycle_change_also_moves_the_version(session, world, people):
    application = save_check(session, world.dy.id, people["dy"])
    enterprise = registration.register_from_application(session, application, actor=people["dy"], on=ON)
    created = audit(session, "enterprise", enterprise.id)[0]
    assert created.version == enterprise.version  # the version after the 申报 event
    with pytest.raises(changes.VersionConflict) as info:
        records.update_enterprise(session, enterprise, actor=people["dy"],
                                  expected_version=enterprise.version - 1, changes={"address": "x"})
    assert [c.action for c in info.value.changes] == ["create"]


@pytest.mark.parametrize("changes, field, message", [
    ({"name": "   "}, "name", "企业名称不能为空"),
    ({"name": "名" * 201}, "name", "不能超过 200 个字"),
    ({"industry_code": "C9999"}, "industry_code", "不是GB/T 4754-2017《国民经济行业分类》的行业小类"),
    ({"industry_code": "X3562"}, "industry_code", "门类字母应为 C"),
    ({"registered_region_code": "42028"}, "registered_region_code", "6 位数字"),
    ({"violation": "否"}, "violation", "须为“是”“否”或不填"),
    ({"brand_evidence": "湖北名牌"}, "brand_evidence", "文字列表"),
    ({"uscc": "91420281MA4T00001X"}, "uscc", "不能修改字段"),
    ({"state": "admitted"}, "state", "不能修改字段"),
])
def test_invalid_edits_name_the_field(session, dy_ent, people, changes, field, message):
    version = dy_ent.version
    exc = refused(session, field, records.update_enterprise, session, dy_ent, actor=people["dy"],
                  expected_version=version, changes=changes)
    assert message in str(exc)
    assert dy_ent.version == version


def test_an_officer_cannot_edit_another_countys_enterprise(session, dy_ent, people):
    exc = refused(session, None, records.update_enterprise, session, dy_ent, actor=people["yx"],
                  expected_version=dy_ent.version, changes={"address": "阳新县"})
    assert "无权" in str(exc)
    people["dy"].active = False
    refused(session, None, records.update_enterprise, session, dy_ent, actor=people["dy"],
            expected_version=dy_ent.version, changes={"address": "大冶市"})


# --- yearly figures ----------------------------------------------------------------

FIGURES = {"operating_revenue": Decimal("2002"), "total_assets": Decimal("9200"),
           "rd_expense": Decimal("200.2"), "employees": 120, "rd_staff": 30}


def test_figures_are_created_then_updated_with_their_version(session, dy_ent, people):
    figure = records.record_figures(session, dy_ent, actor=people["dy"], year=2024,
                                    values=FIGURES, expected_version=None, on=ON)
    assert (figure.year, figure.version, figure.rd_expense) == (2024, 1, Decimal("200.2"))
    assert [f.year for f in dy_ent.figures] == [2024]
    updated = records.record_figures(session, dy_ent, actor=people["dy"], year=2024,
                                     values={"rd_expense": Decimal("520.00"), "employees": 120},
                                     expected_version=1, on=ON)
    assert updated is figure and figure.version == 2
    assert (figure.rd_expense, figure.operating_revenue) == (Decimal("520"), Decimal("2002"))
    create, update = audit(session, "yearly_figure", figure.id)
    assert (create.action, create.version, update.action, update.version) == ("create", 1, "update", 2)
    assert update.changes == {"rd_expense": [Decimal("200.2"), Decimal("520.00")]}
    assert records.record_figures(session, dy_ent, actor=people["dy"], year=2024,
                                  values=FIGURES | {"rd_expense": Decimal("520")},
                                  expected_version=2, on=ON) is None


def test_figures_edited_meanwhile_conflict(session, dy_ent, people):
    records.record_figures(session, dy_ent, actor=people["dy"], year=2024, values=FIGURES,
                           expected_version=None, on=ON)
    records.record_figures(session, dy_ent, actor=people["admin"], year=2024,
                           values={"rd_staff": 40}, expected_version=1, on=ON)
    with pytest.raises(changes.VersionConflict) as info:
        records.record_figures(session, dy_ent, actor=people["dy"], year=2024,
                               values={"rd_staff": 35}, expected_version=1, on=ON)
    assert [(c.actor.username, c.changes) for c in info.value.changes] == [
        ("admin", {"rd_staff": [30, 40]})]
    assert info.value.row.rd_staff == 40
    # Adding a year someone else has added in the meantime is a conflict too.
    with pytest.raises(changes.VersionConflict) as info:
        records.record_figures(session, dy_ent, actor=people["dy"], year=2024, values=FIGURES,
                               expected_version=None, on=ON)
    assert [c.action for c in info.value.changes] == ["create", "update"]
    assert info.value.current == 2


def test_figures_added_at_the_same_moment_conflict(app, world, monkeypatch):
    """Both read "no 2024 figures"; the other's insert commits first: the unique
    (enterprise, year) violation becomes a conflict naming the other's figures."""
    with app.app_context():
        with Session(db.engine, expire_on_commit=False) as session:
            enterprise = session.get(Enterprise, world.dy_ent.id)
            officer = session.get(User, world.dy_officer.id)
            session.commit()  # no transaction (on SQLite: no write lock) until the insert
            real = records._year_row
            calls = []

            def racing(s, model, owner, owner_id, year):
                if not calls:  # the first read: the other officer's insert lands right after it
                    calls.append(year)
                    with Session(db.engine) as other:
                        records.record_figures(other, other.get(Enterprise, owner_id),
                                               actor=other.get(User, world.admin.id), year=year,
                                               values={"employees": 99}, expected_version=None, on=ON)
                        other.commit()
                    return None
                return real(s, model, owner, owner_id, year)

            monkeypatch.setattr(records, "_year_row", racing)
            with pytest.raises(changes.VersionConflict) as info:
                records.record_figures(session, enterprise, actor=officer, year=2024, values=FIGURES,
                                       expected_version=None, on=ON)
            assert info.value.row.employees == 99
            assert [(c.actor.username, c.action) for c in info.value.changes] == [("admin", "create")]
            session.commit()  # the SAVEPOINT kept the transaction usable
            assert session.scalar(select(func.count()).select_from(YearlyFigure)) == 1


@pytest.mark.parametrize("year, values, field, message", [
    (2024, {"operating_revenue": Decimal("-0.01")}, "operating_revenue", "不能为负数"),
    (2024, {"rd_expense": 200.2}, "rd_expense", "精确的十进制数"),
    (2024, {"rd_expense": "abc"}, "rd_expense", "须为数值"),
    (2024, {"total_assets": Decimal("NaN")}, "total_assets", "有限数值"),
    (2024, {"total_assets": Decimal("0.00001")}, "total_assets", "精确到元"),
    (2024, {"total_assets": Decimal("1E12")}, "total_assets", "数值过大"),
    (2024, {"employees": 10, "rd_staff": 11}, "rd_staff", "研发人员数 11 人不能多于从业人员（职工总数） 10 人"),
    (2024, {"employees": -1}, "employees", "0 至"),
    (2024, {"employees": True}, "employees", "须为整数"),
    (2024, {"employees": Decimal("12")}, "employees", "须为整数"),
    (2024, {"sales": Decimal("1")}, "sales", "未知字段"),
    (2026, {}, "year", "2025"),
    (2025, {"employees": 10}, "year", "2025 年尚未结束"),
    (2024, {"employees": None}, "operating_revenue", "2024 年度数据一项都没有填写"),
    (changes.EARLIEST_YEAR - 1, {}, "year", "不能填报未来年度"),
    ("2024", {}, "year", "整数"),
])
def test_invalid_figures_name_the_field(session, dy_ent, people, year, values, field, message):
    exc = refused(session, field, records.record_figures, session, dy_ent, actor=people["dy"],
                  year=year, values=values, expected_version=None, on=ON)
    assert message in str(exc)


def test_figure_boundaries_are_accepted(session, dy_ent, people):
    for year in (changes.EARLIEST_YEAR, ON.year - 1):
        records.record_figures(session, dy_ent, actor=people["dy"], year=year,
                               values={"employees": 10, "rd_staff": 10,
                                       "operating_revenue": Decimal("0"),
                                       "total_assets": Decimal("0.0001"), "rd_expense": "12.5"},
                               expected_version=None, on=ON)
    assert [(f.year, f.total_assets, f.rd_expense) for f in dy_ent.figures] == [
        (1999, Decimal("0.0001"), Decimal("12.5")), (2024, Decimal("0.0001"), Decimal("12.5"))]


def test_a_partial_update_is_checked_against_the_stored_figures(session, dy_ent, people):
    records.record_figures(session, dy_ent, actor=people["dy"], year=2024, values=FIGURES,
                           expected_version=None, on=ON)
    refused(session, "rd_staff", records.record_figures, session, dy_ent, actor=people["dy"],
            year=2024, values={"rd_staff": 121}, expected_version=1, on=ON)
    refused(session, None, records.record_figures, session, dy_ent, actor=people["yx"],
            year=2023, values=FIGURES, expected_version=None, on=ON)


def test_product_figures_allow_a_loss_but_no_negative_sales(session, dy_ent, people):
    product = Product(enterprise_id=dy_ent.id, name="晶圆检测设备", patent_intensive=True)
    session.add(product)
    session.flush()
    figure = records.record_product_figures(session, product, actor=people["dy"], year=2024,
                                            sales=Decimal("1200.5"), profit=Decimal("-35.25"),
                                            expected_version=None, on=ON)
    assert (figure.sales, figure.profit, figure.version) == (Decimal("1200.5"), Decimal("-35.25"), 1)
    records.record_product_figures(session, product, actor=people["dy"], year=2024,
                                   sales=Decimal("1200.5"), profit=Decimal("10"),
                                   expected_version=1, on=ON)
    create, update = audit(session, "product_figure", figure.id)
    assert update.changes == {"profit": [Decimal("-35.25"), Decimal("10")]}
    with pytest.raises(changes.VersionConflict) as info:
        records.record_product_figures(session, product, actor=people["admin"], year=2024,
                                       sales=None, profit=None, expected_version=1, on=ON)
    assert [c.actor.username for c in info.value.changes] == ["dy"]
    with pytest.raises(changes.RecordRefused) as refusal:
        records.record_product_figures(session, product, actor=people["dy"], year=2024,
                                       sales=Decimal("-1"), profit=None, expected_version=2, on=ON)
    assert refusal.value.field == "sales"
    with pytest.raises(changes.RecordRefused):
        records.record_product_figures(session, product, actor=people["yx"], year=2023,
                                       sales=None, profit=None, expected_version=None, on=ON)
    assert session.scalar(select(func.count()).select_from(ProductFigure)) == 1


# --- contacts ----------------------------------------------------------------------

def test_contacts_are_added_edited_and_removed_with_an_audit(session, dy_ent, people):
    added = records.set_contacts(session, dy_ent, actor=people["dy"], contacts=[
        {"name": "张三", "title": "总经理", "email": "zhang@example.gov.cn", "phone": "0714-1234567"},
        {"name": "李四", "email": None, "receives_reminders": False},
    ])
    assert [(r.action, r.changes["name"]) for r in added] == [("create", [None, "张三"]),
                                                               ("create", [None, "李四"])]
    assert added[0].changes["enterprise_id"] == [None, dy_ent.id]
    zhang, li = dy_ent.contacts
    assert (zhang.receives_reminders, li.receives_reminders, li.email) == (True, False, None)

    changed = records.set_contacts(session, dy_ent, actor=people["admin"], contacts=[
        {"id": zhang.id, "name": "张三", "title": "董事长", "email": "zhang@example.gov.cn",
         "phone": "0714-1234567", "receives_reminders": True},
    ])
    assert [(r.entity_id, r.action, r.actor_id) for r in changed] == [
        (li.id, "delete", people["admin"].id), (zhang.id, "update", people["admin"].id)]
    assert changed[0].changes["enterprise_id"] == [dy_ent.id, None]
    assert changed[0].changes["name"] == ["李四", None]
    assert changed[1].changes == {"title": ["总经理", "董事长"]}
    assert [c.name for c in dy_ent.contacts] == ["张三"]
    assert records.set_contacts(session, dy_ent, actor=people["dy"], contacts=[
        {"id": zhang.id, "name": "张三", "title": "董事长", "email": "zhang@example.gov.cn",
         "phone": "0714-1234567"}]) == []


@pytest.mark.parametrize("item, field, message", [
    ({"name": " "}, "name", "第 1 位联系人：联系人姓名不能为空"),
    ({"name": "王五"}, "email", "接收提醒邮件的联系人须填写电子邮箱"),
    ({"name": "王五", "email": "wang@"}, "email", "格式不正确"),
    ({"name": "王五", "email": "w@example.gov.cn", "receives_reminders": "yes"},
     "receives_reminders", "须为“是”或“否”"),
    ({"name": "王五", "phone": "1" * 33, "receives_reminders": False}, "phone", "不能超过 32 个字"),
    ({"name": "王五", "id": 999999, "receives_reminders": False}, "id", "已被他人删除"),
    ({"name": "王五", "fax": "1", "receives_reminders": False}, "fax", "未知字段"),
])
def test_invalid_contacts_name_the_field(session, dy_ent, people, item, field, message):
    exc = refused(session, field, records.set_contacts, session, dy_ent, actor=people["dy"],
                  contacts=[item])
    assert message in str(exc) and exc.index == 0


def test_another_countys_officer_cannot_set_contacts(session, dy_ent, people):
    refused(session, None, records.set_contacts, session, dy_ent, actor=people["yx"],
            contacts=[{"name": "张三", "receives_reminders": False}])
