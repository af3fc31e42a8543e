"""Demo data: the small demo pool with its accounts and the bulk generator for
benchmarks.  Built through the same domain functions users call.

May import ``pool.io`` and every context below it.
"""
