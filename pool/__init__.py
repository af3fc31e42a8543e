"""培育库 application package.

The domain modules here (criteria, policy, lifecycle, monitoring, ...) are plain
Python: they take plain inputs, a database session where they must, and an
explicit ``as_of`` date.  ``pool.web``, ``pool.api``, ``pool.cli.commands`` and ``jobs``
are the thin callers that talk to Flask.
"""
