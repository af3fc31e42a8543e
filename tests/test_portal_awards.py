"""Award claims in the enterprise portal: the enterprise claims a fact for itself (never for
another), withdraws its own claim but not an officer's entry, and sees its awards only once
the list is published."""
from datetime import date

import pytest
from sqlalchemy import select

from models import AwardFact, AwardItem

from .test_portal import invite, join

DAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _today(freeze_today):
    freeze_today(DAY)


@pytest.fixture
def member(client, auth, world):
    path = invite(client, auth, "dy", enterprise=world.dy_ent.id)
    assert join(client, path, world.dy_ent.uscc).status_code == 302
    return world.dy_ent


def claim(client, **fields):
    data = {"date": "2024-11-20", "subject": "ZL202210000001.1", "level": "provincial", **fields}
    return client.post("/portal/awards/new?type=prize", data=data)


def test_an_enterprise_claims_for_itself_only(client, auth, world, member, use_db):
    page = claim(client, beneficiary_key=world.yx_ent.uscc, beneficiary_name="别人家")
    assert page.status_code == 303
    with use_db() as session:
        row = session.scalars(select(AwardFact)).one()
        assert (row.enterprise_id, row.beneficiary_key, row.source) == (member.id, member.uscc, "portal")
        assert row.beneficiary_name == member.name and row.county_id == world.dy.id
    page = client.get("/portal/awards/")
    assert "ZL202210000001.1" in page.get_data(as_text=True)
    page = claim(client, date="2025-07-01")
    assert page.status_code == 422 and "2025-07-01 晚于今天" in page.get_data(as_text=True)


def test_a_claim_is_withdrawn_with_a_reason_and_an_officers_entry_is_not_the_enterprises(client, auth, world, member,
                                                                                           use_db):
    claim(client)
    with use_db() as session:
        mine = session.scalars(select(AwardFact)).one().id
    assert client.post(f"/portal/awards/{mine}/withdraw", data={"reason": ""}).status_code == 303
    with use_db() as session:
        assert session.get(AwardFact, mine).withdrawn_at is None
    client.post(f"/portal/awards/{mine}/withdraw", data={"reason": "填错了奖项级别"})
    with use_db() as session:
        assert session.get(AwardFact, mine).withdraw_reason == "填错了奖项级别"
    auth.logout()
    auth.login("dy")
    page = client.post("/awards/facts/new?type=prize", data={
        "beneficiary_key": world.dy_ent.uscc, "beneficiary_kind": "enterprise", "in_region": "true",
        "date": "2024-11-20", "level": "municipal"})
    assert page.status_code == 303
    auth.logout()
    with use_db() as session:
        officers = session.scalars(select(AwardFact).where(AwardFact.source == "officer")).one().id
    auth.login("dy")
    assert client.get("/portal/awards/").status_code == 404  # an officer does not use the portal
    auth.logout()
    join(client, invite(client, auth, "dy", enterprise=world.dy_ent.id), world.dy_ent.uscc)
    assert client.post(f"/portal/awards/{officers}/withdraw", data={"reason": "不是我们的"}).status_code == 404
    assert client.get("/awards/facts/").status_code == 404  # nor the officers' pages


def test_awards_show_in_the_portal_only_once_published(client, auth, world, member, use_db):
    claim(client, subject="ZL201910000009.9")
    auth.logout()
    auth.login("admin")
    opened = client.post("/awards/open", data={"programme": "yuanzhou-2023", "year": 2024})
    settlement_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    with use_db() as session:
        items = session.scalars(select(AwardItem).where(AwardItem.payable > 0)).all()
        ids = [i.id for i in items]
    for item_id in ids:
        client.post(f"/awards/{settlement_id}/items/{item_id}/decide", data={"kind": "approve"})
    auth.logout()
    path = invite(client, auth, "dy", enterprise=world.dy_ent.id)
    join(client, path, world.dy_ent.uscc)
    assert "还没有公示的奖补" in client.get("/portal/awards/").get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    assert client.post(f"/awards/{settlement_id}/publish", data={"on": "2025-06-30"}).status_code == 303
    auth.logout()
    path = invite(client, auth, "dy", enterprise=world.dy_ent.id)
    join(client, path, world.dy_ent.uscc)
    page = client.get("/portal/awards/").get_data(as_text=True)
    assert "YZ-06-city" in page and "还没有公示的奖补" not in page
