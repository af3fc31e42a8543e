"""Accounts in the UI (issue #15): the administrator creates officers,
changes their county, deactivates them, resets with a one-time link and
signs them out everywhere; everyone edits their own profile; all audited."""
import html
import re
from urllib.parse import urlsplit
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from models import CITY_ADMIN, COUNTY_OFFICER, ChangeRecord, User
from pool.access import users

from . import model_factories as mf

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def people(session):
    dy, yx = mf.county(session, "420281", "大冶市"), mf.county(session, "420222", "阳新县")
    admin = mf.user(session, "admin", role=CITY_ADMIN)
    officer = mf.user(session, "dy", county=dy)
    session.commit()
    return {"admin": admin, "officer": officer, "dy": dy, "yx": yx}


def test_a_new_account_sets_its_own_password_with_a_one_time_link(session, people):
    user, secret = users.create(session, actor=people["admin"], username="dy_zhang", display_name="张敏",
                                role=COUNTY_OFFICER, county=people["dy"], email="zhangmin@dy.gov.cn", now=NOW)
    assert users.reset_user(session, secret, now=NOW + users.RESET_LIFETIME - timedelta(seconds=1)) == user
    assert users.reset_user(session, secret, now=NOW + users.RESET_LIFETIME) is None  # expired on the dot
    with pytest.raises(users.AccountError, match="密码至少 12 位") as weak:
        users.use_reset(session, secret, "short", now=NOW)
    assert weak.value.field == "new_password"
    users.use_reset(session, secret, "磁湖边的三棵老樟树2026", now=NOW)
    assert user.check_password("磁湖边的三棵老樟树2026") and not user.must_change_password
    with pytest.raises(users.AccountError, match="已使用或已过期"):
        users.use_reset(session, secret, "另一个足够长的密码口令", now=NOW)
    trail = session.scalars(select(ChangeRecord).where(ChangeRecord.entity == "user_account")).all()
    assert [r.action for r in trail] == ["create", "update"]
    assert "磁湖" not in str([r.changes for r in trail]) and secret not in str([r.changes for r in trail])


def test_a_new_link_voids_the_old_one_and_a_deactivated_account_has_none(session, people):
    officer, admin = people["officer"], people["admin"]
    first = users.issue_reset(session, officer, actor=admin, now=NOW)
    second = users.issue_reset(session, officer, actor=admin, now=NOW)
    assert users.reset_user(session, first, now=NOW) is None
    assert users.reset_user(session, second, now=NOW) == officer
    users.set_active(session, officer, actor=admin, active=False)
    assert users.reset_user(session, second, now=NOW) is None
    with pytest.raises(users.AccountError, match="请先启用"):
        users.issue_reset(session, officer, actor=admin, now=NOW)


def test_only_the_administrator_manages_and_the_last_one_stays(session, people):
    admin, officer = people["admin"], people["officer"]
    with pytest.raises(users.AccountError, match="只有市级管理员"):
        users.create(session, actor=officer, username="x", display_name="x", role=COUNTY_OFFICER,
                     county=people["dy"], email=None, now=NOW)
    with pytest.raises(users.AccountError, match="只有市级管理员"):
        users.update_account(session, officer, actor=officer, role=CITY_ADMIN)
    with pytest.raises(users.AccountError, match="不能停用自己的账号"):
        users.set_active(session, admin, actor=admin, active=False)
    with pytest.raises(users.AccountError, match="至少要保留一个启用的市级管理员"):
        users.update_account(session, admin, actor=admin, role=COUNTY_OFFICER, county=people["dy"])


def test_moving_an_officer_to_another_county_ends_their_sessions(session, people):
    officer = people["officer"]
    generation = officer.session_generation
    changed = users.update_account(session, officer, actor=people["admin"], role=COUNTY_OFFICER, county=people["yx"])
    assert changed == {"county_id": [people["dy"].id, people["yx"].id]}
    assert officer.session_generation == generation + 1


def test_an_officer_edits_their_own_profile_and_bad_input_names_the_field(session, people):
    officer = people["officer"]
    changed = users.update_account(session, officer, actor=officer, display_name="李大冶", email="li@dy.gov.cn")
    assert set(changed) == {"display_name", "email"}
    assert (officer.display_name, officer.email) == ("李大冶", "li@dy.gov.cn")
    assert users.update_account(session, officer, actor=officer, display_name="李大冶") == {}
    for email in ("li@", "li dy@gov.cn", "no-at-sign"):
        with pytest.raises(users.AccountError, match="电子邮箱格式不正确") as refused:
            users.update_account(session, officer, actor=officer, email=email)
        assert refused.value.field == "email"
    with pytest.raises(users.AccountError, match="只有市级管理员"):
        users.update_account(session, people["admin"], actor=officer, display_name="改别人")


# --- the pages ---------------------------------------------------------------------------

def test_the_administrator_creates_an_officer_who_sets_a_password_and_logs_in(client, auth, people):
    auth.login("admin")
    page = client.post("/admin/users/new", data={"username": "dy_wang", "display_name": "王芳", "role": COUNTY_OFFICER,
                                                 "county": str(people["dy"].id), "email": "wangfang@dy.gov.cn"})
    assert page.status_code == 200 and "只在此显示一次" in page.text
    link = re.search(r'id="reset-link" readonly value="([^"]+)"', page.text).group(1)
    path = urlsplit(html.unescape(link)).path
    auth.logout()
    assert client.get(path).status_code == 200
    short = client.post(path, data={"new_password": "short", "confirm": "short"})
    assert short.status_code == 422 and "密码至少 12 位" in short.text
    done = client.post(path, data={"new_password": "黄荆山下清晨的薄雾2026", "confirm": "黄荆山下清晨的薄雾2026"})
    assert done.status_code == 302, re.findall(r"invalid-feedback[^<]*<|alert[^<]*<[^<]*", done.text)
    assert client.get(path).status_code == 404  # used
    assert auth.login("dy_wang", "黄荆山下清晨的薄雾2026").status_code == 302
    assert "王芳" in client.get("/").text


def test_the_list_finds_a_fragment_and_officers_may_not_manage(client, auth, people):
    auth.login("admin")
    listing = client.get("/admin/users/?q=D").text  # any part, any case
    assert ">dy</a>" in listing and ">admin</a>" in listing
    assert ">dy</a>" not in client.get("/admin/users/?q=adm").text
    auth.logout()
    auth.login("dy")
    assert client.get("/admin/users/").status_code == 403
    assert client.post(f"/admin/users/{people['admin'].id}/deactivate").status_code == 403


def test_missing_fields_are_named_and_nothing_is_created(client, auth, session, people):
    auth.login("admin")
    page = client.post("/admin/users/new", data={"username": "dy_li", "display_name": "", "role": COUNTY_OFFICER,
                                                 "county": ""})
    assert page.status_code == 422 and "请填写姓名" in page.text
    page = client.post("/admin/users/new", data={"username": "dy_li", "display_name": "李", "role": COUNTY_OFFICER,
                                                 "county": ""})
    assert page.status_code == 422 and "必须指定所属县市区" in page.text
    assert session.scalar(select(User).where(User.username == "dy_li")) is None


def test_deactivating_on_the_page_signs_the_officer_out(app, auth, use_db):
    with use_db() as session:  # no app context held across two clients' requests
        dy = mf.county(session, "420281", "大冶市")
        mf.user(session, "admin", role=CITY_ADMIN)
        officer_id = mf.user(session, "dy", county=dy).id
        session.commit()
    officer_client = app.test_client()
    officer_client.post("/auth/login", data={"username": "dy", "password": mf.PASSWORD})
    assert officer_client.get("/").status_code == 200
    auth.login("admin")
    done = auth.client.post(f"/admin/users/{officer_id}/deactivate")
    assert done.status_code == 302
    assert officer_client.get("/").status_code == 302  # back to the login page
    detail = auth.client.get(f"/admin/users/{officer_id}").text
    assert "已停用" in detail and "启用：是 → 否" in detail
