"""培育库 application package, one sub-package per bounded context.

Edges (``pool.web``, ``pool.api``, ``pool.cli``, ``jobs``) talk to Flask and
call the contexts; the contexts (``pool.io`` → ``pool.monitoring`` →
``pool.records`` → ``pool.membership`` → ``pool.eligibility`` →
``pool.access`` → ``pool.reference``) are plain Python taking plain inputs, a
database session where they must, and an explicit ``as_of`` date; each may
import only those after it and the shared kernel (``pool.kernel``,
``models``).  ``.importlinter`` states this order and the test suite keeps it.
"""
