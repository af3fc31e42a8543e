"""Pools (issue #17, 梯度培育): each pool's definition as data — programme, dated
criteria set, lifecycle settings, parameters — the configurable evaluators a
criteria set is composed of, evaluating an applicant against a pool and the
what-if of a draft criteria-set version.

Pure domain over plain data with an explicit ``as_of``; no database.  May import
``pool.eligibility``, ``pool.reference`` and ``pool.kernel``.
"""
