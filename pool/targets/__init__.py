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

The database mode (second slice) sits beside the engine: :mod:`~pool.targets.statistics` (regions, their
append-only official statistics, and the values reported for the measures the records cannot produce),
:mod:`~pool.targets.events` (the 专利技术供需对接活动 officers record and withdraw),
:mod:`~pool.targets.records` (each measure as one select of the rows it counts: the figure and its
drill-down) and :mod:`~pool.targets.database` (assembles the same input from them and calls the engine).
They take a session; the pool on a date comes in as a callable (the membership context sits above this
one), and so do the counties an officer may act for (the access context too).

Arithmetic is exact (``fractions.Fraction``): 20 % growth is exactly 20 %, and
an average annual growth is compared as ``V_n / V_0`` against ``(1 + r) ** n``,
never through a root.  The engine takes plain inputs and an explicit ``as_of`` date;
reads neither Flask, a database session nor the clock, and writes nothing.  May import
``pool.kernel``, ``pool.database`` and ``models`` (the database mode only), never Flask.
"""
