"""Awards and subsidies (issue #18): from a city's schedule and the year's facts to a
published, paid list.

Owns the award programmes shipped as dated data (``pool/data/awards/*.json``: every
amount, rate, cap, tier and reading marked [R] in POLICIES.md a named, dated value
citing its clause) and the administrator's dated values for them
(:mod:`.parameters`), the dated reference series they use (LPR), the facts contract
(``pool/data/awards/award-facts.schema.json``), and:

* the **engine** (:mod:`.engine`, :mod:`.formulas`, :mod:`.caps`, :mod:`.predicates`):
  one programme's year for many beneficiaries — formula kinds, caps by scope, the
  no-double rule, funding lines, payment year and a trace per item.  Pure: plain
  facts and an explicit year in, no database, no clock, nothing written;
* the **facts** a year is computed from: stored (:mod:`.store`), read from the
  living record (:mod:`.recorded`) and awards decided in earlier years;
* the **settlement** of a year (:mod:`.settlement`) and its append-only **ledger**
  of decisions, publication and payments (:mod:`.ledger`, :mod:`.publication`).

Takes a database session where it must and explicit dates; never Flask.  May
import ``models`` and ``pool.kernel``.
"""
