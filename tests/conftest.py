"""Fixtures: a fresh app and database for every test.

The schema always comes from the migrations (so their triggers are tested):
once per session into a template, then per test either a copy of the SQLite
template file or, on PostgreSQL (``TEST_DATABASE_URL``), truncated tables.
``POOL_REQUIRE_POSTGRES=1`` (set by CI) turns a missing PostgreSQL into a
failure instead of a skip.
"""
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from models import db

from . import model_factories as mf

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PG_URL = os.environ.get("POOL_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def make_config(database_url: str, **overrides) -> dict:
    config = {
        "INSTANCE_PATH": overrides.pop("INSTANCE_PATH", None) or _scratch_instance(),
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost.localdomain",
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_FAILURE_WINDOW_MINUTES": 15,
    }
    config.update(overrides)
    return config


def _scratch_instance() -> str:
    """A throw-away instance folder: tests never write into the project's instance/."""
    import tempfile

    return tempfile.mkdtemp(prefix="pool-instance-")


def migrate(database_url: str) -> None:
    """Bring the database at ``database_url`` to the head migration."""
    from flask_migrate import upgrade

    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def reset_postgres(url: str) -> None:
    """Drop everything in the ``public`` schema of ``url``."""
    from pool.config import database_uri

    engine = create_engine(database_uri(url, Path(".")))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """A migrated database for the session: SQLite template file or PostgreSQL."""
    if TEST_DATABASE_URL:
        reset_postgres(TEST_DATABASE_URL)
        migrate(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


def _truncate_all(engine) -> None:
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(template_database, tmp_path):
    if TEST_DATABASE_URL:
        yield TEST_DATABASE_URL
        return
    path = tmp_path / "pool.sqlite3"
    shutil.copyfile(template_database, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url))
    yield app
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            _truncate_all(db.engine)
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def session(app_ctx):
    """The app's database session (inside an app context)."""
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two counties, an admin, an officer per county and an enterprise in each."""
    with app.app_context():
        return mf.World.build(db.session)


@pytest.fixture
def freeze_today(monkeypatch):
    """``freeze_today(day)``: the web, API and CLI clock reads noon of ``day``
    in Asia/Shanghai (the domain gets ``today`` from that clock)."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from pool.web import clock

    def freeze(day):
        moment = datetime.combine(day, time(12), ZoneInfo("Asia/Shanghai"))
        monkeypatch.setattr(clock, "now", lambda: moment)

    return freeze


@pytest.fixture
def use_db(app):
    """``with use_db() as session:`` — database access between client requests.

    Tests that drive the test client must not hold an app context open across
    requests (Flask would share ``g`` between them), so they open one briefly.
    """
    @contextmanager
    def _use():
        with app.app_context():
            yield db.session

    return _use


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, username, password=mf.PASSWORD):
        return self.client.post("/auth/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture(scope="session")
def postgres_url():
    """A reachable PostgreSQL URL for the concurrency tests (skip or fail without)."""
    url = TEST_DATABASE_URL or PG_URL
    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if os.environ.get("POOL_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required but unreachable at {url}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {url}")
    return url


@pytest.fixture
def pg_app(postgres_url):
    """An app on a freshly migrated PostgreSQL database (for the concurrency tests).

    In the PostgreSQL run this is the suite's database; in the SQLite run the
    same server's ``test`` database is reset and migrated for this test.
    """
    if not TEST_DATABASE_URL:
        reset_postgres(postgres_url)
        migrate(postgres_url)
    app = create_app(make_config(postgres_url))
    yield app
    with app.app_context():
        db.session.remove()
        _truncate_all(db.engine)
        db.engine.dispose()
