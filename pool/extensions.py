"""Flask extensions, created without an app and bound in ``app.create_app``.

Imports nothing from the application (the database handle lives in
``models.base``).
"""
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

babel = Babel()
bootstrap = Bootstrap5()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
