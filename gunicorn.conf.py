"""gunicorn settings for production: ``.venv/bin/gunicorn -c gunicorn.conf.py``.

Environment: ``POOL_BIND`` (default 127.0.0.1:8000, behind an HTTPS reverse
proxy), ``WEB_CONCURRENCY`` (workers, default 4), ``FORWARDED_ALLOW_IPS``
(the proxy's address, whose X-Forwarded-* headers gunicorn trusts).

Version disclosure: gunicorn (since 20.0) answers ``Server: gunicorn`` with no
version number and has no setting to drop the header; the version appears only
in the WSGI environ, never in a response (tests/test_headers.py checks this on
a running server).  The reverse proxy may hide the header altogether.

Jobs never run in these workers: start exactly one ``flask pool scheduler``
beside them (README, "Exactly one scheduler").
"""
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("POOL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
timeout = 120  # the Excel export of a whole pool takes ~13 s; leave room
accesslog = "-"
