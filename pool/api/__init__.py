"""The JSON API (``/api/v1``, described at ``/api/v1/openapi.json``) and the
page where users manage their API tokens (``/account/tokens``).

Thin callers of ``pool/``.  The frame: :mod:`.core` (the blueprint and what
declares an operation), :mod:`.operations` (the registry), :mod:`.inputs`
(request parsing and validation), :mod:`.responses` (JSON and problems),
:mod:`.auth` (token check, rate limit).  The other modules declare the
operations — importing this package declares them all.
"""
from pool.api import (  # noqa: F401
    account, actions, auth, awards, checks, core, corrections, enterprises, inputs, openapi,
    operations, parts, pools, reads, responses, rounds, targets,
)


def init_app(app) -> None:
    """Register the API and the token page on ``app`` (after ``pool.web.init_app``)."""
    from pool.extensions import csrf

    app.register_blueprint(core.bp)
    app.register_blueprint(account.bp)
    # Bearer tokens, not the browser session, authenticate here: no CSRF, and
    # the web's login redirect does not apply (pool.web.access skips the API
    # blueprint; auth answers 401 itself).
    csrf.exempt(core.bp)
