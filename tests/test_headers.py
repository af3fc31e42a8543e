"""Response headers and private files (issue #11, finding 11)."""
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text

from app import ROOT, create_app
from models import db

from .conftest import make_config


def test_pages_with_data_are_not_stored(client, auth, world):
    auth.login("admin")
    for url in ("/", "/enterprises/", f"/enterprises/{world.dy_ent.id}", "/reports/pool.csv",
                "/reports/pool.xlsx", "/account/tokens"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        response.close()
    # Also when the answer is an error or a redirect, and for the login page.
    assert client.get("/enterprises/999999").headers["Cache-Control"] == "no-store"
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored(client):
    assert client.get("/api/v1/openapi.json").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/enterprises").headers["Cache-Control"] == "no-store"  # 401


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/pool.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_hsts_is_off_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers


def test_hsts_is_sent_when_configured(database_url):
    app = create_app(make_config(database_url, HSTS_SECONDS=31536000))
    response = app.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    with app.app_context():
        db.engine.dispose()


def test_hsts_seconds_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POOL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("HSTS_SECONDS", "600")
    assert create_app().config["HSTS_SECONDS"] == 600


def test_405_keeps_its_allow_header_on_the_error_page(client, auth, world):
    auth.login("dy")
    response = client.delete("/enterprises/")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert "不支持的操作" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_405_keeps_its_allow_header_in_the_api(client):
    response = client.delete("/api/v1/openapi.json")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_sqlite_database_and_secret_key_are_created_private(tmp_path, monkeypatch):
    monkeypatch.setenv("POOL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    old = os.umask(0o022)  # the usual umask, which would make them world-readable
    try:
        app = create_app()
        with app.app_context():
            db.session.execute(text("CREATE TABLE t (x INTEGER)"))
            db.session.commit()
            db.engine.dispose()
    finally:
        os.umask(old)
    assert private(tmp_path / "pool.sqlite3")
    assert private(tmp_path / "secret_key")


def test_an_existing_database_file_is_left_as_it_is(tmp_path):
    path = tmp_path / "pool.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o640)
    create_app(make_config(f"sqlite:///{path}", INSTANCE_PATH=str(tmp_path)))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with the project's config, one worker, on a free loopback port."""
    pytest.importorskip("gunicorn")
    port = _free_port()
    env = dict(os.environ, POOL_INSTANCE_PATH=str(tmp_path), SECRET_KEY="test",
               DATABASE_URL=f"sqlite:///{tmp_path / 'pool.sqlite3'}", WEB_CONCURRENCY="1",
               POOL_BIND=f"127.0.0.1:{port}")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:  # poll until it answers: the worker has to import the app first
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"gunicorn did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_the_production_server_does_not_announce_its_version(gunicorn):
    with urllib.request.urlopen(gunicorn + "/healthz", timeout=5) as response:
        server = response.headers.get("Server", "")
        assert response.headers["Cache-Control"] == "no-store"
    assert server in ("", "gunicorn")
    assert not any(ch.isdigit() for ch in server)
