"""``flask pool …``: thin command-line callers of the domain packages and jobs.
"""


def init_app(app) -> None:
    """Register ``flask pool …`` with every command of this package."""
    from pool.cli import awards, commands, golive, ladder, monitoring, pools, targets  # noqa: F401 - each registers its commands on pool_cli
    from pool.cli.base import pool_cli

    app.cli.add_command(pool_cli)
