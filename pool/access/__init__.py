"""Who may do what: accounts and passwords, revocable sessions, API tokens, and
the county scoping every object is reached through.

May import ``pool.kernel``, ``pool.reference`` and ``models``.
"""
