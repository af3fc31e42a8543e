"""The application factory: a table of contents, nothing more.

``flask --app app run`` serves the web UI; ``flask --app app pool --help``
lists the domain commands; ``flask --app app db upgrade`` migrates.
"""
import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent


def create_app(test_config=None) -> Flask:
    """Build the app.  ``test_config`` replaces instance config and environment.

    The instance folder (local config, secret, SQLite database) is
    ``instance/`` unless ``POOL_INSTANCE_PATH`` or the test config's
    ``INSTANCE_PATH`` names another.
    """
    instance = (test_config or {}).get("INSTANCE_PATH") \
        or os.environ.get("POOL_INSTANCE_PATH") or ROOT / "instance"
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_scheduler(app)
    return app


def load_config(app, test_config) -> None:
    from pool import config

    config.load(app, test_config)


def register_extensions(app) -> None:
    from pool import database
    from pool.extensions import babel, bootstrap, csrf, login_manager, migrate
    from pool.web import i18n
    from models import db

    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories=str(ROOT / "translations"))


def register_blueprints(app) -> None:
    from pool import api, web

    web.init_app(app)
    api.init_app(app)


def register_cli(app) -> None:
    from pool import cli

    cli.init_app(app)


def register_scheduler(app) -> None:
    import jobs

    jobs.init_app(app)
