"""Awards and subsidies (issue #18, first slice): the award engine as plain domain code.

Owns the award programmes shipped as dated data (``pool/data/awards/*.json``: every
amount, rate, cap, tier and reading marked [R] in POLICIES.md a named, dated value
citing its clause), the dated reference series they use (LPR), the facts contract
(``pool/data/awards/award-facts.schema.json``) and the evaluation of one programme's
year for many beneficiaries: formula kinds, caps by scope, the no-double rule,
funding lines, payment year and a trace per item.

Takes plain facts and an explicit year; reads neither Flask, a database session
nor the clock, and writes nothing (settlement, persistence and the ledger come
later, on top of :func:`pool.awards.engine.evaluate`).  May import ``pool.kernel``
only.
"""
