"""Password policy (issue #11, finding 7): length, not common, not the username;
accounts created for someone change their password at first login."""
import pytest
from sqlalchemy import select

from models import User
from pool.access import accounts

from . import model_factories as mf


@pytest.mark.parametrize("password", ["password12", "aaaaaaaaa1", "Abcdefghij"])
def test_the_reported_weak_passwords_are_refused(password):
    assert accounts.password_problems(password, "dy") != []


def test_length_boundary_is_twelve():
    assert accounts.password_problems("Tuanchengs1") == ["密码至少 12 位"]  # 11
    assert accounts.password_problems("Tuanchengs12") == []  # 12


@pytest.mark.parametrize("password", ["password1234", "QWERTYUIOP12", "1qaz2wsx3edc",
                                      "Baseball2026!", "dragon-123456"])
def test_common_passwords_are_refused_whatever_the_case_or_suffix(password):
    assert "密码过于常见，容易被猜中，请换一个" in accounts.password_problems(password)


def test_the_list_holds_ten_thousand_passwords_most_common_first():
    lines = accounts.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == 10_000
    assert lines[:2] == ["123456", "password"]


@pytest.mark.parametrize("password, ok", [("Huangshi-dy-2026", False), ("HuangshiDY2026", False),
                                          ("Huangshi-d-y-2026", True)])
def test_the_username_may_not_appear_in_any_case(password, ok):
    assert ("密码不能包含用户名" not in accounts.password_problems(password, "Dy")) is ok


def test_few_distinct_characters_are_refused_on_both_sides_of_the_limit():
    assert accounts.password_problems("abcdabcdabcd") == ["密码至少包含 5 个不同的字符"]
    assert accounts.password_problems("abcdeabcdeab") == []


def test_generated_passwords_pass_the_policy():
    for _ in range(50):
        assert accounts.password_problems(accounts.generate_password()) == []


def test_create_user_refuses_a_common_password_naming_the_field(session, world):
    with pytest.raises(accounts.AccountError) as refusal:
        accounts.create_user(session, username="newbie", display_name="", role=mf.CITY_ADMIN,
                             password="password1234")
    assert refusal.value.field == "password" and "过于常见" in str(refusal.value)


def test_created_accounts_must_change_their_password(runner, world, use_db):
    result = runner.invoke(args=["pool", "create-user", "newbie", "--county", "大冶市"])
    assert result.exit_code == 0, result.output
    with use_db() as session:
        assert session.scalar(select(User).where(User.username == "newbie")).must_change_password


def test_demo_accounts_must_change_their_password(runner, app, use_db):
    assert runner.invoke(args=["pool", "seed-demo", "--as-of", "2026-11-23"]).exit_code == 0
    with use_db() as session:
        assert all(u.must_change_password for u in session.scalars(select(User)))


def must_change(use_db, user_id):
    with use_db() as session:
        session.get(User, user_id).must_change_password = True
        session.commit()


def test_every_page_leads_to_the_password_change_first(client, auth, world, use_db):
    must_change(use_db, world.dy_officer.id)
    response = auth.login("dy")
    assert response.status_code == 302
    for url in ("/", "/enterprises/", f"/enterprises/{world.dy_ent.id}", "/account/tokens",
                "/reports/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/auth/password"), url
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 302
    page = client.get("/auth/password", follow_redirects=True)
    assert page.status_code == 200 and "首次登录请先设置您自己的密码" in page.get_data(as_text=True)
    assert client.get("/static/css/pool.css").status_code == 200

    response = client.post("/auth/password", data={
        "current_password": mf.PASSWORD, "new_password": "Tuanchengshan-2026",
        "confirm": "Tuanchengshan-2026"})
    assert response.status_code == 302
    assert client.get("/enterprises/").status_code == 200
    with use_db() as session:
        assert not session.get(User, world.dy_officer.id).must_change_password


def test_logout_stays_possible_before_the_password_change(client, auth, world, use_db):
    must_change(use_db, world.dy_officer.id)
    auth.login("dy")
    response = client.post("/auth/logout", follow_redirects=True)
    assert "您已退出登录" in response.get_data(as_text=True)
