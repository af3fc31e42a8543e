"""County isolation: an officer can neither see nor change another county's data."""
import io
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import (
    Application, AwardEntry, AwardFact, AwardItem, AwardSettlement, Contact, County, Enterprise, MatchmakingEvent,
    OutboxMail, Patent, PoolEvent, Product, ProductFigure, RiskFlag, User, YearlyFigure,
)
from models.event import PROGRESS
from models.monitoring import FLAG_KINDS, SEVERITIES
from pool.access import tokens as api_domain, scoping
from pool.eligibility import applications, criteria
from pool.records import directory
from pool.reference import city
from pool.membership.history import PROGRESS_TYPES
from pool.eligibility.policy import Policy

from . import factories as af


def enterprise_urls(app, enterprise_id):
    """Every URL rule of the app that takes an ``enterprise_id``, filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        # The API authenticates by token; tests/test_api.py covers its scoping.
        if "enterprise_id" in rule.arguments and not rule.endpoint.startswith("api."):
            path = rule.rule.replace("<int:enterprise_id>", str(enterprise_id))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                urls.append((method, path))
    assert urls, "no enterprise URL found: the isolation test would prove nothing"
    return urls


def test_officer_gets_404_on_every_url_of_another_countys_enterprise(app, client, auth, world):
    auth.login("dy")
    for method, path in enterprise_urls(app, world.yx_ent.id):
        response = client.open(path, method=method)
        assert response.status_code == 404, (method, path, response.status_code)


def test_officer_sees_own_countys_enterprise(app, client, auth, world):
    auth.login("dy")
    response = client.get(f"/enterprises/{world.dy_ent.id}")
    assert response.status_code == 200
    assert world.dy_ent.name in response.get_data(as_text=True)


def test_not_found_and_forbidden_look_the_same(client, auth, world):
    auth.login("dy")
    other = client.get(f"/enterprises/{world.yx_ent.id}")
    missing = client.get("/enterprises/999999")
    assert other.status_code == missing.status_code == 404


def test_admin_sees_every_county(client, auth, world):
    auth.login("admin")
    for ent in (world.dy_ent, world.yx_ent):
        assert client.get(f"/enterprises/{ent.id}").status_code == 200


def test_list_shows_only_own_county_even_when_asking_for_another(client, auth, world):
    auth.login("dy")
    page = client.get(f"/enterprises/?county={world.yx.id}").get_data(as_text=True)
    assert world.dy_ent.name in page
    assert world.yx_ent.name not in page
    page = client.get(f"/enterprises/?q={world.yx_ent.name}").get_data(as_text=True)
    assert "没有符合条件的企业" in page


def test_home_counts_only_own_county(client, auth, world):
    auth.login("dy")
    page = client.get("/").get_data(as_text=True)
    assert "大冶市" in page and "阳新县" not in page


@pytest.mark.parametrize("role, county_id", [
    ("county_officer", None),  # an officer whose county is missing
    ("auditor", 1),  # an unknown role
])
def test_scope_fails_closed(session, world, role, county_id):
    class Viewer:
        is_authenticated = True
        active = True

    viewer = Viewer()
    viewer.role, viewer.county_id = role, county_id
    assert session.scalars(scoping.enterprises(viewer)).all() == []
    assert scoping.counties(session, viewer) == []
    assert not scoping.may_act_for(viewer, world.dy.id)


def test_anonymous_and_inactive_see_nothing(session, world):
    assert session.scalars(scoping.enterprises(None)).all() == []
    admin = session.get(User, world.admin.id)
    assert len(session.scalars(scoping.enterprises(admin)).all()) == 2
    admin.active = False
    assert session.scalars(scoping.enterprises(admin)).all() == []


def test_search_is_scoped(session, world):
    yx_officer, admin = session.get(User, world.yx_officer.id), session.get(User, world.admin.id)
    found = session.scalars(directory.search(yx_officer, q="有限公司")).all()
    assert [e.id for e in found] == [world.yx_ent.id]
    found = session.scalars(directory.search(admin, q="有限公司")).all()
    assert {e.id for e in found} == {world.dy_ent.id, world.yx_ent.id}


def test_may_act_for(session, world):
    dy_officer, admin = session.get(User, world.dy_officer.id), session.get(User, world.admin.id)
    assert scoping.may_act_for(dy_officer, world.dy.id)
    assert not scoping.may_act_for(dy_officer, world.yx.id)
    assert scoping.may_act_for(admin, world.yx.id)


# --- child objects: reached only through their own, visible enterprise ----------------

# Values that exist only in the other county's child rows: no page may show them.
SECRET_SALES, SECRET_PROFIT = Decimal("86420.13"), Decimal("7531.97")
SECRETS = ("86420.13", "86,420.13", "7531.97", "7,531.97", "阳新秘密产品", "ZL209912345678.9",
           "yx-secret@example.com", "阳新秘密联系人", "阳新秘密进展", "阳新秘密风险",
           "阳新秘密邮件", "阳新楚天新材料有限公司", "阳新秘密奖补", "阳新秘密对接活动")


def other_countys_children(session, world) -> dict:
    """A child row of every kind for the other county's enterprise, by argument name."""
    yx_ent = session.get(Enterprise, world.yx_ent.id)
    yx_officer = session.get(User, world.yx_officer.id)
    product = Product(enterprise=yx_ent, name="阳新秘密产品")
    patent = Patent(enterprise=yx_ent, number="ZL209912345678.9", kind="invention", status="valid",
                    granted_on=date(2024, 5, 1))  # counted by the targets dashboard's grants of 2024
    contact = Contact(enterprise=yx_ent, name="阳新秘密联系人", email="yx-secret@example.com")
    own = Product(enterprise_id=world.dy_ent.id, name="大冶自有产品")  # so the product form shows
    session.add_all([product, patent, contact, own])
    session.flush()
    figure = ProductFigure(product_id=product.id, year=2025, sales=SECRET_SALES, profit=SECRET_PROFIT)
    yearly = YearlyFigure(enterprise_id=yx_ent.id, year=2024, operating_revenue=SECRET_SALES)
    event = PoolEvent(enterprise_id=yx_ent.id, county_id=yx_ent.county_id, kind=PROGRESS,
                      subtype=next(iter(PROGRESS_TYPES)), effective_on=date(2025, 5, 1),
                      actor_id=yx_officer.id, reason="阳新秘密进展", evidence={})
    flag = RiskFlag(enterprise_id=yx_ent.id, county_id=yx_ent.county_id, kind=FLAG_KINDS[0],
                    severity=SEVERITIES[0], opened_on=date(2025, 5, 1), last_seen_on=date(2025, 5, 1),
                    detail="阳新秘密风险", evidence={})
    mail = OutboxMail(key="yx-secret", reason="annual_reminder", to_addr="yx-secret@example.com",
                      subject="阳新秘密邮件", text_body="阳新秘密邮件", message_id="<yx@pool>",
                      county_id=yx_ent.county_id, enterprise_id=yx_ent.id)
    data = af.applicant(name="阳新楚天新材料有限公司")
    check = applications.save(session, data=data, evaluation=criteria.check(
        data, af.AS_OF, Policy(), af.industry_table()), county_id=yx_ent.county_id, actor=yx_officer)
    check.enterprise_id = yx_ent.id
    token, _secret = api_domain.issue_token(session, yx_officer, name="阳新", now=datetime.now(timezone.utc))
    session.add_all([figure, yearly, event, flag, mail])
    fact, entry = _award_rows(session, yx_ent)
    city.ensure_regions(session, [session.get(County, world.dy.id), yx_ent.county])  # the targets' regions
    matchmaking = MatchmakingEvent(county_id=yx_ent.county_id, held_on=date(2025, 5, 1), field="阳新秘密对接活动",
                                   title="阳新秘密对接活动", organiser="阳新秘密对接活动", note="")
    session.add(matchmaking)
    session.commit()
    ids = {"product": product.id, "patent_id": patent.id, "contact_id": contact.id,
           "figure_id": figure.id, "event_id": event.id, "flag_id": flag.id, "mail_id": mail.id,
           "application_id": check.id, "check_id": check.id, "token_id": token.id,
           "county_id": yx_ent.county_id, "enterprise_id": yx_ent.id, "row_id": patent.id,
           "fact_id": fact.id, "settlement_id": entry.settlement_id, "item_id": entry.item_id, "entry_id": entry.id,
           # the targets dashboard and its drill-down: the other county's region, a measure its records hold
           "region": yx_ent.county.code, "programme": "huangshi-2024", "measure": "grants.count",
           "matchmaking_id": matchmaking.id}
    return ids


def _award_rows(session, yx_ent):
    """An award fact of the other county's enterprise, and its item decided in a settlement."""
    secret = "阳新秘密奖补"
    fact = AwardFact(beneficiary_key=yx_ent.uscc, beneficiary_name=yx_ent.name, beneficiary_kind="enterprise",
                     enterprise_id=yx_ent.id, county_id=yx_ent.county_id, fact_id=secret, type="prize",
                     date=date(2024, 5, 1), subject=secret, source="officer",
                     data={"id": secret, "type": "prize", "date": "2024-05-01", "level": "municipal"})
    year = AwardSettlement(programme="xuchang-2022", year=2024, status="open")
    session.add_all([fact, year])
    session.flush()
    item = AwardItem(settlement_id=year.id, beneficiary_key=yx_ent.uscc, beneficiary_name=yx_ent.name,
                     beneficiary_kind="enterprise", enterprise_id=yx_ent.id, county_id=yx_ent.county_id, rule="XC-12",
                     rule_label="获得国家、省、市专利奖", clause="三(五)", subject=secret, facts=[secret],
                     date=date(2024, 5, 1), status="payable", gross="5", amount="5", payable=Decimal(5),
                     lines=[["city", "5"]], trace=[secret], award_year=2024, payment_year=2024)
    session.add(item)
    session.flush()
    entry = AwardEntry(settlement_id=year.id, item_id=item.id, kind="approve", amount=Decimal(5), basis=Decimal(5),
                       reason=secret)
    session.add(entry)
    session.flush()
    return fact, entry


def child_urls(app, own_enterprise_id, ids):
    """Every URL rule, its own enterprise filled in, every other id argument the
    other county's, and every child id also as a query argument."""
    query = "&".join(f"{k}={v}" for k, v in ids.items() if k != "enterprise_id")
    query += "&product_year=2025&year=2024"
    urls = []
    for rule in app.url_map.iter_rules():
        # Endpoints that end this session would stop the loop proving anything.
        if rule.endpoint in ("auth.logout", "auth.end_sessions", "auth.login", "static", "bootstrap.static"):
            continue
        values = {name: own_enterprise_id if name == "enterprise_id" else ids.get(name, ids["event_id"])
                  for name in rule.arguments}
        for name, converter in rule._converters.items():
            if not isinstance(values[name], int) or "Integer" not in type(converter).__name__:
                values[name] = {"fmt": "csv", "fact": "progress", "code": "zh", "part_name": "patent",
                                "unknown": "x", "filename": "x", "programme": ids["programme"],
                                "region": ids["region"]}.get(name, "x")
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, f"{path}?{query}", rule.endpoint))
    return urls


def readable(response) -> str:
    """The response's text, an Excel file's XML parts included."""
    raw = response.get_data()
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return raw.decode("utf-8", "replace")


def test_other_countys_child_ids_answer_404_or_reveal_nothing(app, client, auth, world, use_db):
    with use_db() as session:
        ids = other_countys_children(session, world)
        dy_officer = session.get(User, world.dy_officer.id)
        _token, secret = api_domain.issue_token(session, dy_officer, name="t",
                                                now=datetime.now(timezone.utc))
        session.commit()
    form = {"product-product_id": ids["product"], "product-year": "2025", "application_id":
            ids["application_id"], "contacts-0-id": ids["contact_id"], "event_id": ids["event_id"]}
    api = {"Authorization": f"Bearer {secret}"}
    auth.login("dy")
    seen = []
    for method, url, endpoint in child_urls(app, world.dy_ent.id, ids):
        if endpoint.startswith("api."):
            response = client.open(url, method=method, headers=api, json={
                "check_id": ids["check_id"], "reason": "x", "reviews": []})
        else:
            response = client.open(url, method=method, data=form)
        body = readable(response)
        if response.status_code != 404:
            leaked = [s for s in SECRETS if s in body]
            assert not leaked, (method, url, response.status_code, leaked)
        if endpoint == "api.evaluate_target_region":  # the other county's figures are counts: no secret to find
            assert response.status_code == 404, (method, url, response.status_code)
        seen.append(endpoint)
    assert {"records.figures", "actions.correct", "api.admit", "checks.detail", "parts.edit",
            "targets.drill_down", "api.evaluate_target_region", "target_events.detail",
            "target_events.withdraw"} <= set(seen)
    assert client.get("/").status_code == 200  # still logged in: the loop proved something
    with use_db() as session:  # and nothing of the other county changed
        assert session.get(Contact, ids["contact_id"]).name == "阳新秘密联系人"
        assert session.get(ProductFigure, ids["figure_id"]).sales == SECRET_SALES
        assert session.get(MatchmakingEvent, ids["matchmaking_id"]).withdrawal is None
        assert session.scalar(select(func.count()).select_from(PoolEvent)
                              .where(PoolEvent.corrects_id == ids["event_id"])) == 0


def test_targets_drill_down_shows_another_countys_records_to_the_city_only(client, auth, world, use_db):
    with use_db() as session:
        ids = other_countys_children(session, world)
    args = f"programme=huangshi-2024&measure=grants.count&year=2024&as_of={date.today()}"
    auth.login("dy")
    assert client.get(f"/targets/records?region={ids['region']}&{args}").status_code == 404
    assert "ZL209912345678.9" not in readable(client.get(f"/targets/records?region=420200&{args}"))
    own = client.get(f"/targets/records?region={world.dy.code}&{args}")
    assert own.status_code == 200 and "ZL209912345678.9" not in readable(own)
    auth.logout()
    auth.login("admin")  # the row is there: the officer's answers above proved something
    assert "ZL209912345678.9" in readable(client.get(f"/targets/records?region=420200&{args}"))


def test_figures_page_does_not_prefill_another_countys_product(client, auth, world, use_db):
    with use_db() as session:
        ids = other_countys_children(session, world)
    auth.login("dy")
    response = client.get(f"/records/{world.dy_ent.id}/figures?product={ids['product']}"
                          "&product_year=2025")
    assert response.status_code == 200
    assert "大冶自有产品" in response.get_data(as_text=True)  # the form is there, but empty
    assert "86420.13" not in response.get_data(as_text=True)
    assert "修改产品年度数据" not in response.get_data(as_text=True)
    posted = client.post(f"/records/{world.dy_ent.id}/figures/products", data={
        "product-product_id": ids["product"], "product-year": "2025", "product-sales": "1"})
    assert posted.status_code == 422
    with use_db() as session:
        assert session.get(ProductFigure, ids["figure_id"]).sales == SECRET_SALES


def test_get_child_goes_through_the_scoped_enterprise(session, world):
    ids = other_countys_children(session, world)
    dy_officer, yx_officer, admin = (session.get(User, u.id) for u in
                                     (world.dy_officer, world.yx_officer, world.admin))
    for model, key in ((Product, "product"), (ProductFigure, "figure_id"), (PoolEvent, "event_id"),
                       (Contact, "contact_id"), (Application, "application_id"),
                       (RiskFlag, "flag_id"), (OutboxMail, "mail_id"), (Patent, "patent_id")):
        assert scoping.get_child(session, dy_officer, model, ids[key]) is None, model
        assert scoping.get_child(session, yx_officer, model, ids[key]) is not None, model
        assert scoping.get_child(session, admin, model, ids[key]) is not None, model
        # the right county but another enterprise than the one named
        assert scoping.get_child(session, admin, model, ids[key],
                                 enterprise_id=world.dy_ent.id) is None, model
    for junk in (None, 0, -1, 2**31, 10**30, "1", True):
        assert scoping.get_child(session, admin, Product, junk) is None
    with pytest.raises(TypeError):
        scoping.children(admin, County)


def test_the_targets_regions_an_officer_may_evaluate_are_their_countys_alone(session, world):
    city.ensure_regions(session, [session.get(County, world.dy.id), session.get(County, world.yx.id)])
    admin, dy_officer = session.get(User, world.admin.id), session.get(User, world.dy_officer.id)
    assert [r.code for r in scoping.target_regions(session, admin)] == ["420000", "420200", "420222", "420281"]
    assert [r.code for r in scoping.target_regions(session, dy_officer)] == ["420281"]  # not the city's sum
    dy_officer.active = False
    admin.active = False
    assert scoping.target_regions(session, dy_officer) == scoping.target_regions(session, admin) == []
    assert scoping.target_regions(session, None) == []
