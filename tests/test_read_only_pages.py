"""Pages shown only read: on SQLite their transactions take no lock, so a page view
never waits for a writer (an officer's save, the daily scan) — issue #20's load benchmark
found every GET serialised behind the write lock (``BEGIN IMMEDIATE``)."""
import sqlite3

import pytest
from sqlalchemy import text

from models import db
from pool import database


def _sqlite_path(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("SQLite's locking")
    return uri[len("sqlite:///"):]


def test_a_page_view_does_not_wait_for_a_writer(app, client, auth, world):
    auth.login("dy")
    writer = sqlite3.connect(_sqlite_path(app), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # e.g. the daily scan, holding the write lock
    try:
        for url in ("/", "/enterprises/", f"/enterprises/{world.dy_ent.id}", "/healthz"):
            assert client.get(url).status_code == 200, url
    finally:
        writer.rollback()
        writer.close()


def test_a_save_after_a_page_view_still_writes(app, client, auth, world):
    """The read-only mark ends with its request: the next POST writes as ever."""
    client.get("/auth/login")
    assert auth.login("dy").status_code == 302  # records the login: a write
    assert client.get("/enterprises/").status_code == 200
    assert auth.logout().status_code == 302  # ends the session: a write
    assert auth.login("dy").status_code == 302


def test_a_write_in_a_read_only_transaction_is_refused(app):
    _sqlite_path(app)
    with app.app_context(), database.read_only():
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            with pytest.raises(database.WriteInReadOnlyTransaction):
                conn.execute(text("UPDATE county SET name = name"))
    with app.app_context(), db.engine.connect() as conn:  # outside the block: writes as ever
        conn.execute(text("UPDATE county SET name = name"))
        conn.rollback()
