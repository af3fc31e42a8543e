"""Who may do what: accounts and passwords, revocable sessions, API tokens, and
the county scoping every object is reached through (the targets' regions included).

May import ``pool.kernel``, ``pool.reference``, ``pool.targets`` (its stored regions) and ``models``.
"""
