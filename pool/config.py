"""Configuration: defaults, then ``instance/config.py``, then the environment.

Every key below may be overridden by an environment variable of the same name;
booleans accept 1/0, true/false, yes/no, on/off.  No secret lives in the
repository: a missing ``SECRET_KEY`` is generated once into the instance folder.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

DEFAULTS = {
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: SQLite file instance/pool.sqlite3
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_DEFAULT_SENDER": "培育库 <noreply@pool.localhost>",
    "MAIL_TIMEOUT": 15,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh_CN", "en"],
    "BOOTSTRAP_SERVE_LOCAL": True,  # no internet at officers' desks
    "BOOTSTRAP_BTN_SIZE": "sm",
    "PAGE_SIZE": 25,
    # The address officers reach the system at: mails link to its pages ("" : no links).
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "API_RATE_LIMIT": 120,  # requests per user (all their tokens) per minute
    "API_MAX_APPLICANTS": 1000,  # applicants per /eligibility request; bulk: CLI or upload
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,  # upload limit, bytes
    # Enterprises' evidence files (portal): a folder outside the web root (None: instance/evidence).
    "EVIDENCE_DIR": None,
    "EVIDENCE_MAX_BYTES": 5 * 1024 * 1024,
    "LOGIN_MAX_FAILURES": 5,  # failed logins within the window before a lock-out
    "LOGIN_FAILURE_WINDOW_MINUTES": 15,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set True behind HTTPS
    "HSTS_SECONDS": 0,  # behind HTTPS e.g. 31536000: Strict-Transport-Security max-age
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),  # remember-me token lifetime
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "SCHEDULER_ENABLED": False,  # only `flask pool scheduler` starts jobs
    "SCHEDULER_TIMEZONE": "Asia/Shanghai",
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
}

_BOOL_TRUE = {"1", "true", "yes", "on"}
_BOOL_FALSE = {"0", "false", "no", "off", ""}


def _coerce(default, raw: str, key: str):
    """Convert an environment string to the type of the key's default."""
    if isinstance(default, bool):
        low = raw.strip().lower()
        if low in _BOOL_TRUE:
            return True
        if low in _BOOL_FALSE:
            return False
        raise ValueError(f"环境变量 {key} 应为布尔值（1/0、true/false），实际为 {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"环境变量 {key} 应为整数，实际为 {raw!r}") from None
    if isinstance(default, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(default, timedelta):
        return timedelta(seconds=int(raw))
    return raw


def load(app, test_config=None) -> None:
    """Fill ``app.config``: defaults < instance/config.py < environment < test_config."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for key, default in DEFAULTS.items():
            if key in os.environ:
                app.config[key] = _coerce(default, os.environ[key], key)
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(
        app.config.get("DATABASE_URL"), Path(app.instance_path)
    )
    _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])


def database_uri(url: str | None, instance: Path) -> str:
    """The SQLAlchemy URI for ``DATABASE_URL`` (psycopg 3 for PostgreSQL)."""
    if not url:
        return f"sqlite:///{instance / 'pool.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _private_sqlite_file(uri: str) -> None:
    """Create a SQLite database file with mode 0600 before SQLite does (0644 under
    the usual umask): it holds every enterprise's data and the password hashes.
    SQLite gives its -wal and -shm files the database file's mode."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix) or uri == prefix or ":memory:" in uri or "mode=memory" in uri:
        return
    path = Path(uri[len(prefix):].split("?", 1)[0])
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):
        pass  # an existing database keeps its mode; a missing folder is SQLite's error to report


def _instance_secret(instance: Path) -> str:
    """Read, or create once with mode 0600, the instance's secret key."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting together must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
