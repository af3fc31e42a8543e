"""Login, logout, password change, throttling, CSRF."""
from datetime import datetime, timedelta, timezone

import pytest

from app import create_app
from models import LoginAttempt, User, db
from pool.access import accounts

from . import model_factories as mf
from .conftest import make_config


def test_login_page_is_chinese(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "登录" in page and "用户名" in page and "密码" in page


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(f"/enterprises/{world.dy_ent.id}")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_login_and_logout(client, auth, world):
    response = auth.login("dy")
    assert response.status_code == 302
    assert client.get("/enterprises/").status_code == 200
    auth.logout()
    assert client.get("/enterprises/").status_code == 302


def test_wrong_password_is_refused_with_a_clear_message(client, auth, world):
    response = auth.login("dy", "wrong-password-1")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/enterprises/").status_code == 302


def test_inactive_user_cannot_log_in(client, auth, world, use_db):
    with use_db() as session:
        session.get(User, world.dy_officer.id).active = False
        session.commit()
    assert auth.login("dy").status_code == 401


def test_login_redirects_only_to_local_paths(client, world):
    data = {"username": "dy", "password": mf.PASSWORD}
    response = client.post("/auth/login?next=//evil.example/x", data=data)
    assert response.headers["Location"] in ("/", "http://localhost.localdomain/")
    client.post("/auth/logout")
    response = client.post("/auth/login?next=/enterprises/", data=data)
    assert response.headers["Location"].endswith("/enterprises/")


def test_failed_logins_are_throttled_then_released(session, world):
    now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    window = timedelta(minutes=15)
    kwargs = dict(remote_addr="10.0.0.1", max_failures=5, window=window)
    for i in range(5):
        assert accounts.authenticate(session, "dy", "bad", now=now + timedelta(seconds=i),
                                     **kwargs) is None
    # The 6th attempt is refused even with the right password.
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(session, "dy", mf.PASSWORD, now=now + timedelta(minutes=1), **kwargs)
    # Once the first failure leaves the window, one attempt is allowed again.
    later = now + window + timedelta(seconds=1)
    assert accounts.authenticate(session, "dy", mf.PASSWORD, now=later, **kwargs) is not None


def test_throttled_login_answers_429(client, auth, world):
    for _ in range(5):
        auth.login("dy", "bad-password-1")
    response = auth.login("dy")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)


def test_every_attempt_is_recorded(client, auth, world, use_db):
    auth.login("dy", "bad-password-1")
    auth.login("dy")
    with use_db() as session:
        attempts = session.query(LoginAttempt).order_by(LoginAttempt.id).all()
        assert [a.success for a in attempts] == [False, True]


def test_password_is_stored_hashed(session, world):
    user = session.get(User, world.dy_officer.id)
    assert mf.PASSWORD not in user.password_hash
    assert user.check_password(mf.PASSWORD)


def test_change_password(client, auth, world):
    auth.login("dy")
    response = client.post("/auth/password", data={
        "current_password": mf.PASSWORD, "new_password": "New-password-2026",
        "confirm": "New-password-2026"})
    assert response.status_code == 302
    auth.logout()
    assert auth.login("dy", mf.PASSWORD).status_code == 401
    assert auth.login("dy", "New-password-2026").status_code == 302


@pytest.mark.parametrize("new, message", [
    ("short1", "密码至少 12 位"),
    ("aaaaaaaaaaaaaa", "至少包含 5 个不同的字符"),
    ("dy-password-2026", "不能包含用户名"),
])
def test_weak_new_password_is_refused_naming_the_field(client, auth, world, new, message):
    auth.login("dy")
    response = client.post("/auth/password", data={
        "current_password": mf.PASSWORD, "new_password": new, "confirm": new})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page and "is-invalid" in page


def test_change_password_needs_the_current_one(client, auth, world):
    auth.login("dy")
    response = client.post("/auth/password", data={
        "current_password": "wrong", "new_password": "New-password-2026",
        "confirm": "New-password-2026"})
    assert "当前密码不正确" in response.get_data(as_text=True)


def test_csrf_is_enforced_when_enabled(database_url, world):
    app = create_app(make_config(database_url, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    response = client.post("/auth/login", data={"username": "dy", "password": mf.PASSWORD})
    assert response.status_code == 400
    assert "表单已过期或来源无效" in response.get_data(as_text=True)
    # With the token from the form, the same login succeeds.
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/auth/login", data={"username": "dy", "password": mf.PASSWORD,
                                                 "csrf_token": token})
    assert response.status_code == 302
    # Logout is a POST form too: without the token it does nothing.
    client.post("/auth/logout")
    assert client.get("/enterprises/").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_session_cookie_is_httponly_and_samesite(client, auth, world):
    response = auth.login("dy")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_create_user_command_prints_a_generated_password(runner, world, use_db):
    result = runner.invoke(args=["pool", "create-user", "newbie", "--county", "大冶市",
                                 "--name", "新同事"])
    assert result.exit_code == 0, result.output
    password = result.output.split("初始密码：")[1].strip()
    with use_db() as session:
        user = session.query(User).filter_by(username="newbie").one()
        assert user.county_id == world.dy.id and user.check_password(password)


def test_create_user_refuses_an_officer_without_county(runner, world):
    result = runner.invoke(args=["pool", "create-user", "lost"])
    assert result.exit_code == 2
    assert "必须指定所属县市区" in result.output


def test_create_user_refuses_a_taken_name(runner, world):
    result = runner.invoke(args=["pool", "create-user", "DY", "--county", "大冶市"])
    assert result.exit_code == 2 and "已存在" in result.output
