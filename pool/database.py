"""Engine set-up per backend.

SQLite (the embedded default) gets WAL (readers never block the writer),
``busy_timeout`` (a writer waits for the lock instead of failing at once),
``foreign_keys=ON`` (SQLite ignores foreign keys unless asked, per connection)
and ``BEGIN IMMEDIATE`` for every transaction: a deferred transaction that
reads and then writes can fail with "database is locked" on the lock upgrade
whatever the timeout, because two such transactions would deadlock; taking the
write lock at BEGIN makes the second one wait instead.

Transactions marked read-only (:func:`read_only`; the web pages are, for GET
and HEAD requests: :mod:`pool.web`) begin DEFERRED instead: they take no lock, so in WAL mode a
page view never waits for a writer — an officer's save or the daily scan —
nor makes one wait.  A write statement in such a transaction is refused
(:class:`WriteInReadOnlyTransaction`) rather than attempted: a deferred
transaction that upgrades to a writer after another writer committed fails
with "database is locked" at once, so such a write would fail only under load.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event

from models import db

from pool.kernel import jsonutil


_READ_ONLY = ContextVar("pool_read_only_transactions", default=False)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteInReadOnlyTransaction(RuntimeError):
    """A write statement in a transaction begun read-only (SQLite: deferred)."""


def begin_read_only():
    """From now on in this context, transactions only read (SQLite: ``BEGIN``
    DEFERRED, no lock) until :func:`end_read_only` with the token returned.
    By default every transaction takes the write lock."""
    return _READ_ONLY.set(True)


def end_read_only(token) -> None:
    _READ_ONLY.reset(token)


@contextmanager
def read_only():
    """:func:`begin_read_only` for the block."""
    token = begin_read_only()
    try:
        yield
    finally:
        end_read_only(token)


def engine_options(uri: str, busy_timeout_ms: int) -> dict:
    """Extra ``create_engine`` options for the database at ``uri``.

    JSON columns keep ``Decimal`` amounts exact (see :mod:`pool.kernel.jsonutil`).
    """
    options = {"json_serializer": jsonutil.dumps, "json_deserializer": jsonutil.loads}
    if uri.startswith("sqlite"):
        options["connect_args"] = {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
    else:
        options["pool_pre_ping"] = True
    return options


def init_app(app) -> None:
    """Bind ``db`` to the app and tune its engine for the backend."""
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLITE_BUSY_TIMEOUT_MS"]),
    )
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _tune_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _tune_sqlite(engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        deferred = _READ_ONLY.get()
        connection.info["read_only"] = deferred
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes(connection, _cursor, statement, _parameters, _context, _executemany):
        if connection.info.get("read_only") and statement.lstrip()[:7].upper().startswith(_WRITES):
            raise WriteInReadOnlyTransaction(f"只读事务中不能写入：{statement.split(None, 3)[:3]}")
