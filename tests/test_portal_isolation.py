"""An enterprise account reaches its own portal and nothing else (issue #16):
no officer page (not even its own enterprise's), no other account's
submission or evidence, no API — by any URL."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from models import ApiToken, Evidence, Submission, User
from pool.access import tokens as api_domain

from .test_api import with_api
from .test_portal import DAY, PDF, _file, invite, join
from .test_scoping import SECRETS, child_urls, other_countys_children, readable

# What an enterprise account may open besides the portal (none shows enterprise data).
ALLOWED = {"auth.password", "main.set_language", "main.index", "main.healthz"}


@pytest.fixture(autouse=True)
def _today(freeze_today):
    freeze_today(DAY)


@pytest.fixture
def accounts(app, client, auth, world, use_db):
    """Both counties' enterprises invited; the other one (阳新) with a submission
    and a file; the client logged in as 大冶's account."""
    with_api(app)
    path = invite(client, auth, "yx", enterprise=world.yx_ent.id, email="yx@example.com")
    join(client, path, world.yx_ent.uscc)
    client.post("/portal/changes/trademark", data={"reg_no": "55667788", "owned": "1", "draft": "1"})
    with use_db() as session:
        other = session.scalars(select(Submission)).one()
    client.post(f"/portal/submissions/{other.id}/evidence", data={"label": "阳新秘密材料", "file": (_file(PDF), "x.pdf")})
    client.post("/auth/logout")
    path = invite(client, auth, "dy", enterprise=world.dy_ent.id)
    join(client, path, world.dy_ent.uscc)
    with use_db() as session:
        evidence_id = session.scalars(select(Evidence.id)).one()
        ids = other_countys_children(session, world)
    return {**ids, "submission_id": other.id, "evidence_id": evidence_id}


def test_no_url_of_the_web_ui_or_the_api_answers_an_enterprise_account(app, client, world, accounts, use_db):
    with use_db() as session:
        own = session.scalars(select(User).where(User.username == world.dy_ent.uscc)).one()
        token, secret = api_domain.issue_token(session, session.get(User, world.yx_officer.id), name="t",
                                               now=datetime.now(timezone.utc))
        # A token of the enterprise account itself, as if it had one: refused all the same.
        token.user_id = own.id
        session.commit()
    seen = set()
    for method, url, endpoint in child_urls(app, world.dy_ent.id, accounts):
        headers = {"Authorization": f"Bearer {secret}"} if endpoint.startswith("api.") else {}
        response = client.open(url, method=method, headers=headers, data={"reason": "x"})
        body = readable(response)
        assert not [s for s in SECRETS + ("阳新秘密材料",) if s in body], (method, url)
        seen.add(endpoint)
        if endpoint.startswith(("portal.", "portal_awards.")):
            if endpoint in ("portal.submission", "portal.submit", "portal.upload", "portal.remove", "portal.download",
                            "portal_awards.withdraw"):
                assert response.status_code == 404, (method, url, response.status_code)
        elif endpoint.startswith("api."):
            assert response.status_code in (401, 404, 405) or endpoint in ("api.docs", "api.home", "api.openapi_json"), \
                (method, url, response.status_code)
        elif endpoint not in ALLOWED:
            assert response.status_code == 404, (method, url, response.status_code)
    assert {"enterprises.detail", "records.figures", "reviews.detail", "reviews.download", "portal.download",
            "portal.submission", "api.admit"} <= seen
    assert client.get("/").headers["Location"].endswith("/portal/")  # still logged in: the loop proved something
    with use_db() as session:
        assert session.get(Submission, accounts["submission_id"]).status == "draft"  # nothing of theirs changed


def test_an_enterprise_account_gets_no_api_token(session, world):
    from models import ENTERPRISE
    account = User(username="91420281MA4PRTA03X", display_name="x", role=ENTERPRISE, county_id=world.dy.id,
                   password_hash="x")
    session.add(account)
    session.flush()
    with pytest.raises(api_domain.TokenRefused, match="只有工作人员账号可以使用 API"):
        api_domain.issue_token(session, account, name="脚本", now=datetime.now(timezone.utc))
    assert session.scalar(select(ApiToken.id)) is None
