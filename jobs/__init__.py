"""Scheduled jobs (APScheduler): thin callers of ``pool``.

The factory calls :func:`init_app`, which only records settings: no scheduler
or thread is ever started by creating the app (any number of web workers may
do that).  Jobs run in the dedicated process started by ``flask pool
scheduler``.
"""


def init_app(app) -> None:
    app.extensions["pool.jobs"] = {
        "enabled": app.config["SCHEDULER_ENABLED"],
        "timezone": app.config["SCHEDULER_TIMEZONE"],
    }
