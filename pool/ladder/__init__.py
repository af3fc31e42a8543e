"""The ladder (issue #17, 梯度培育): an enterprise's memberships of the configured pools.

Owns the memberships beyond the first pool (:class:`models.Membership`, one per
enterprise and configured pool, each with its append-only event log): applying,
admitting on the pool's own criteria judged on the stored record, rejecting,
graduating (on the qualification the pool's lifecycle names, e.g. a 高企 or
“小巨人” certificate), leaving, recording the supplementary facts the criteria
read, and voiding a mistaken decision (:mod:`.memberships`); a pool's intake rounds
and county replenishment quota, the first pool's rule counted from the pool's own
events (:mod:`.quota`); the verdict of a
stored enterprise under a configured pool on a date, the ladder read from every
pool the enterprise is in (:mod:`.verdicts`); and what the ladder proposes —
never decides — (:mod:`.proposals`): graduation when the exit qualification is
recorded, and the next pool (``lifecycle.follows``: 接续培育 after 培育出库).

The first pool's membership stays where it was (``Enterprise.state``, the
``pool_event`` log, :mod:`pool.membership`); this context reads it and never
writes it.  May import ``pool.records``, ``pool.membership``, ``pool.pools`` and
the layers below.
"""
