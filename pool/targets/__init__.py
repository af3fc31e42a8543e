"""Targets and indicators (issue #19, first slice): the targets engine as plain domain code.

Owns the indicator catalogue (``pool/data/targets/indicators.json``: label, the
named measure of the records it counts or sums, operator, unit), the target sets
of the programmes shipped as dated data (``pool/data/targets/<code>.json``:
every value citing its clause, every reading POLICIES.md marks [R] a named,
dated parameter with its default), the yearly-series contract
(``pool/data/targets/target-series.schema.json``: a small region hierarchy
with official statistics and the measured series, each with its source), and
the evaluation of one programme's targets for one region on an explicit date:
each target's value series, comparator, status (met, not met, on track, no
data) and a Chinese trace quoting the numbers.

Arithmetic is exact (``fractions.Fraction``): 20 % growth is exactly 20 %, and
an average annual growth is compared as ``V_n / V_0`` against ``(1 + r) ** n``,
never through a root.  Takes plain inputs and an explicit ``as_of`` date; reads
neither Flask, a database session nor the clock, and writes nothing (the
database mode and the dashboard come later, on top of
:func:`pool.targets.engine.evaluate`).  May import ``pool.kernel`` only.
"""
