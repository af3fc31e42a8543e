"""Entry and exit (SPEC §3): intake rounds, the replenishment quota, admission,
graduation and expulsion, the append-only event history, the pool on a date,
and the graduation / expulsion proposals.

May import ``pool.io.batch`` and the layers below it.
"""
