"""Failed-login throttling that holds (issue #11, finding 6): no reset bought with
another account, no username enumeration by timing, exact under concurrency."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from models import LoginAttempt, db
from pool.access import accounts

from . import model_factories as mf
from .concurrency import all_at_once

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
WINDOW = timedelta(minutes=15)


def attempt(session, username, password="wrong-password", *, at, addr="10.0.0.1"):
    """``"ok"``, ``"refused"`` (wrong credentials) or ``"throttled"``; committed."""
    try:
        user = accounts.authenticate(session, username, password, remote_addr=addr, now=at,
                                     max_failures=5, window=WINDOW)
    except accounts.LoginThrottled:
        session.rollback()
        return "throttled"
    session.commit()
    return "ok" if user is not None else "refused"


def test_logging_in_to_ones_own_account_does_not_reset_the_address(session, world):
    """The address allows 4 × 5 = 20 failures, however many successes come between."""
    at = NOW
    for i in range(20):
        at += timedelta(seconds=1)
        assert attempt(session, "yx", mf.PASSWORD, at=at) == "ok"
        # Spraying many usernames stays under each username's own limit.
        assert attempt(session, f"guess{i % 5}", at=at) == "refused"
    assert attempt(session, "dy", at=at + timedelta(seconds=1)) == "throttled"
    assert attempt(session, "yx", mf.PASSWORD, at=at + timedelta(seconds=1)) == "throttled"
    # From another address the attacker's own login still works.
    assert attempt(session, "yx", mf.PASSWORD, at=at, addr="10.0.0.2") == "ok"


def test_another_users_success_does_not_reset_a_username(session, world):
    at = NOW
    for i in range(4):
        assert attempt(session, "dy", at=at + timedelta(seconds=i)) == "refused"
    assert attempt(session, "yx", mf.PASSWORD, at=at + timedelta(seconds=5)) == "ok"
    assert attempt(session, "dy", at=at + timedelta(seconds=6)) == "refused"  # the 5th
    assert attempt(session, "dy", mf.PASSWORD, at=at + timedelta(seconds=7)) == "throttled"


def test_a_username_counts_whatever_its_case(session, world):
    for i, name in enumerate(["dy", "DY", "Dy", "dY", " dy "]):
        assert attempt(session, name, at=NOW + timedelta(seconds=i)) == "refused"
    assert attempt(session, "dy", mf.PASSWORD, at=NOW + timedelta(minutes=1)) == "throttled"


def test_the_users_own_success_restarts_their_count(session, world):
    for i in range(4):
        attempt(session, "dy", at=NOW + timedelta(seconds=i))
    assert attempt(session, "dy", mf.PASSWORD, at=NOW + timedelta(seconds=10)) == "ok"
    for i in range(4):
        assert attempt(session, "dy", at=NOW + timedelta(seconds=20 + i)) == "refused"
    assert attempt(session, "dy", mf.PASSWORD, at=NOW + timedelta(seconds=30)) == "ok"


def test_the_lock_out_doubles_for_whoever_goes_on(session, world):
    at = NOW
    for i in range(5):
        assert attempt(session, "dy", at=at + timedelta(seconds=i)) == "refused"
    # 15 minutes after the first of the five, one more try.
    at = NOW + WINDOW
    assert attempt(session, "dy", at=at - timedelta(seconds=1)) == "throttled"
    for i in range(5):  # each released in turn as the oldest of the last five ages
        at = NOW + WINDOW + timedelta(seconds=i)
        assert attempt(session, "dy", at=at) == "refused"
    # Ten failures: the next lock lasts 30 minutes from the 5th-newest failure.
    fifth_newest = NOW + WINDOW
    assert attempt(session, "dy", at=fifth_newest + 2 * WINDOW - timedelta(seconds=1)) == "throttled"
    assert attempt(session, "dy", mf.PASSWORD, at=fifth_newest + 2 * WINDOW) == "ok"


def test_the_back_off_never_exceeds_a_day(session, world):
    session.add_all(LoginAttempt(username="dy", remote_addr=None, success=False,
                                 at=NOW + timedelta(seconds=i)) for i in range(50))
    session.commit()
    last = NOW + timedelta(seconds=49)
    # The 5th-newest failure + 24 h; by then the older failures have left the memory.
    assert attempt(session, "dy", at=last + timedelta(hours=23), addr=None) == "throttled"
    assert attempt(session, "dy", mf.PASSWORD, at=last + timedelta(hours=24), addr=None) == "ok"


class HashSpy:
    def __init__(self, monkeypatch):
        self.hashes = []
        real = accounts.check_password_hash

        def spy(pwhash, password):
            self.hashes.append(pwhash)
            return real(pwhash, password)

        monkeypatch.setattr(accounts, "check_password_hash", spy)


@pytest.mark.parametrize("username", ["nobody", "dy"])
def test_unknown_and_known_users_both_cost_a_password_hash(session, world, monkeypatch,
                                                           username):
    spy = HashSpy(monkeypatch)
    assert attempt(session, username, at=NOW) == "refused"
    assert len(spy.hashes) == 1
    real_method = session.get(mf.User, world.dy_officer.id).password_hash.split("$")[0]
    assert spy.hashes[0].split("$")[0] == real_method  # same algorithm and cost


def test_an_inactive_user_costs_a_hash_too(session, world, monkeypatch):
    session.get(mf.User, world.dy_officer.id).active = False
    session.commit()
    spy = HashSpy(monkeypatch)
    assert attempt(session, "dy", mf.PASSWORD, at=NOW) == "refused"
    assert len(spy.hashes) == 1


THREADS = 40


def _guess_all_at_once(app) -> list[str]:
    with app.app_context():
        mf.user(db.session, "victim", role=mf.CITY_ADMIN)
        db.session.commit()

    def guess(i: int) -> str:
        return attempt(db.session, "victim", f"guess-{i}", at=NOW, addr=f"10.1.{i // 250}.{i % 250}")

    outcomes = all_at_once(app, THREADS, guess, barrier_timeout=60)
    return [o if isinstance(o, str) else repr(o) for o in outcomes]


def _race(app) -> None:
    outcomes = _guess_all_at_once(app)
    assert sorted(outcomes) == ["refused"] * 5 + ["throttled"] * (THREADS - 5), outcomes
    with app.app_context():
        recorded = db.session.scalar(select(func.count(LoginAttempt.id)))
        assert recorded == 5


def test_parallel_guesses_get_exactly_the_limit(app):
    """On the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    _race(app)


@pytest.mark.postgres
def test_parallel_guesses_get_exactly_the_limit_on_postgres(pg_app):
    _race(pg_app)
