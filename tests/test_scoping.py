"""County isolation: an officer can neither see nor change another county's data."""
import pytest
from models import User
from pool import directory, scoping


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
