"""Sessions the server can end (issue #11, finding 2).

A copy of a session or remember-me cookie is an attacker's; each test checks
that such a copy stops working when the server says so.
"""
from datetime import datetime, timedelta, timezone

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import func, select

from models import RememberToken, User
from pool.access import sessions
from pool.web.remember import COOKIE

from . import model_factories as mf

DOMAIN = "localhost.localdomain"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def copy_of(client, app, *names):
    """A second browser holding copies of ``client``'s cookies ``names``."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name, domain=DOMAIN)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value, domain=DOMAIN)
    return thief


def logged_in(client) -> bool:
    return client.get("/enterprises/").status_code == 200


def login(client, username="dy", password=mf.PASSWORD, remember=False):
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def token_count(use_db, user_id) -> int:
    with use_db() as session:
        return session.scalar(select(func.count(RememberToken.id))
                              .where(RememberToken.user_id == user_id))


def test_a_captured_session_cookie_dies_at_logout(client, app, world):
    login(client)
    thief = copy_of(client, app, "session")
    assert logged_in(thief)
    client.post("/auth/logout")
    assert not logged_in(thief)
    assert not logged_in(client)


def test_a_password_change_ends_the_other_sessions_but_not_this_one(client, app, world):
    login(client)
    thief = copy_of(client, app, "session")
    response = client.post("/auth/password", data={
        "current_password": mf.PASSWORD, "new_password": "Tuanchengshan-2026",
        "confirm": "Tuanchengshan-2026"})
    assert response.status_code == 302
    assert logged_in(client)
    assert not logged_in(thief)


def test_flask_logins_old_remember_cookie_is_no_longer_honoured(client, app, world):
    with app.test_request_context():
        legacy = encode_cookie(str(world.dy_officer.id))  # "id|HMAC", the old format
    client.set_cookie("remember_token", legacy, domain=DOMAIN)
    assert not logged_in(client)


def test_remember_me_gives_a_random_hashed_token_per_login(client, app, world, use_db):
    response = login(client, remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert f"Max-Age={14 * 24 * 3600}" in header
    first = client.get_cookie(COOKIE, domain=DOMAIN).value
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))

    other = app.test_client()
    login(other, remember=True)
    second = other.get_cookie(COOKIE, domain=DOMAIN).value
    assert first != second and len(first) >= 43
    with use_db() as session:
        hashes = session.scalars(select(RememberToken.token_hash)).all()
        assert len(hashes) == 2 and first not in hashes and second not in hashes

    # The token alone (a new browser, no session) logs in.
    assert logged_in(copy_of(client, app, COOKIE))


def test_one_token_per_device(client, world, use_db):
    for _ in range(3):
        login(client, remember=True)
        client.post("/auth/logout")
    login(client, remember=True)
    assert token_count(use_db, world.dy_officer.id) == 1


def test_a_new_token_replaces_the_one_the_device_holds(session, world):
    dy, yx = session.get(User, world.dy_officer.id), session.get(User, world.yx_officer.id)
    first = sessions.remember(session, dy, now=NOW)
    second = sessions.remember(session, yx, now=NOW, replacing=first)
    assert sessions.user_for_remember_token(session, first, now=NOW) is None
    assert sessions.user_for_remember_token(session, second, now=NOW) is yx
    assert session.scalar(select(func.count(RememberToken.id))) == 1


def test_logout_deletes_this_devices_token_only(client, app, world, use_db):
    login(client, remember=True)
    laptop = app.test_client()
    login(laptop, remember=True)
    stolen = copy_of(client, app, COOKIE)
    client.post("/auth/logout")
    assert client.get_cookie(COOKIE, domain=DOMAIN) is None
    assert not logged_in(stolen)
    assert token_count(use_db, world.dy_officer.id) == 1
    # The laptop's session ended too, but its own token logs it in again.
    assert logged_in(laptop)


def test_sign_out_everywhere_from_the_account_menu(client, app, world, use_db):
    login(client, remember=True)
    assert "退出所有设备" in client.get("/").get_data(as_text=True)
    laptop = app.test_client()
    login(laptop, remember=True)
    stolen = copy_of(laptop, app, "session", COOKIE)
    response = client.post("/auth/sessions/end", follow_redirects=True)
    assert "已在所有设备上退出登录" in response.get_data(as_text=True)
    assert not logged_in(client) and not logged_in(laptop) and not logged_in(stolen)
    assert token_count(use_db, world.dy_officer.id) == 0


def test_sign_out_everywhere_needs_a_login(client, world):
    response = client.post("/auth/sessions/end")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_administrator_revokes_a_users_sessions_from_the_command_line(client, app, runner,
                                                                       world, use_db):
    login(client, remember=True)
    stolen = copy_of(client, app, "session", COOKIE)
    result = runner.invoke(args=["pool", "revoke-sessions", "DY"])
    assert result.exit_code == 0, result.output
    assert "已使用户 dy 在所有设备上退出登录" in result.output
    assert not logged_in(client) and not logged_in(stolen)
    assert token_count(use_db, world.dy_officer.id) == 0


def test_revoke_sessions_of_an_unknown_user_says_so(runner, world):
    result = runner.invoke(args=["pool", "revoke-sessions", "nobody"])
    assert result.exit_code == 2 and "用户名 nobody 不存在" in result.output


def test_deactivation_ends_sessions_for_good(client, app, runner, world):
    login(client, remember=True)
    stolen = copy_of(client, app, "session", COOKIE)
    assert runner.invoke(args=["pool", "deactivate-user", "dy"]).exit_code == 0
    assert not logged_in(stolen)
    assert runner.invoke(args=["pool", "deactivate-user", "dy", "--reactivate"]).exit_code == 0
    assert not logged_in(stolen) and not logged_in(client)
    login(client)  # the user can log in again; only the old sessions are gone


def test_remember_token_expires_after_fourteen_days(session, world):
    user = session.get(User, world.dy_officer.id)
    secret = sessions.remember(session, user, now=NOW)
    expiry = NOW + timedelta(days=14)
    assert sessions.user_for_remember_token(session, secret, now=expiry - timedelta(seconds=1)) is user
    assert sessions.user_for_remember_token(session, secret, now=expiry) is None
    # An expired token is deleted when the user next asks to be remembered.
    sessions.remember(session, user, now=expiry)
    assert session.scalar(select(func.count(RememberToken.id))) == 1


def test_an_expired_token_cookie_is_removed(client, app, world, use_db):
    login(client, remember=True)
    with use_db() as session:
        token = session.scalar(select(RememberToken))
        token.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        session.commit()
    stolen = copy_of(client, app, COOKIE)
    response = stolen.get("/enterprises/")
    assert response.status_code == 302
    assert any(h.startswith(f"{COOKIE}=;") for h in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("value", [None, "", "7", "7:", ":0", "x:0", "7:x", "7:0:0", "-1:0"])
def test_malformed_session_ids_load_nobody(session, world, value):
    assert sessions.user_for_session_id(session, value) is None


def test_session_id_names_the_generation(session, world):
    user = session.get(User, world.dy_officer.id)
    current = user.get_id()
    assert sessions.user_for_session_id(session, current) is user
    sessions.end_all(session, user)
    assert sessions.user_for_session_id(session, current) is None
    assert sessions.user_for_session_id(session, user.get_id()) is user
