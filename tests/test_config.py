"""Configuration layering and the generated secret."""
import stat

import pytest

from app import create_app
from pool import config


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("POOL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("MAIL_USE_TLS", "yes")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    app = create_app()
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["MAIL_USE_TLS"] is True
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")


def test_bad_environment_value_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("POOL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(ValueError, match="MAIL_PORT"):
        create_app()


def test_postgres_url_uses_psycopg3(tmp_path):
    assert config.database_uri("postgresql://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert config.database_uri("postgres://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert config.database_uri(None, tmp_path) == f"sqlite:///{tmp_path / 'pool.sqlite3'}"


def test_missing_secret_is_generated_once_and_private(tmp_path):
    first = config._instance_secret(tmp_path)
    second = config._instance_secret(tmp_path)
    assert first == second and len(first) == 64
    mode = (tmp_path / "secret_key").stat().st_mode
    assert not mode & (stat.S_IRGRP | stat.S_IROTH)


def test_cli_lists_the_pool_commands(runner):
    result = runner.invoke(args=["pool", "--help"])
    assert result.exit_code == 0
    for command in ("create-user", "seed-demo"):
        assert command in result.output
