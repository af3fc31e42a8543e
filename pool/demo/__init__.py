"""Demo data: the small demo pool with its accounts — brought in through the
go-live import from a workbook of two years' history (:mod:`.data`,
:mod:`.story`, :mod:`.applicants`, :mod:`.details`) — and the bulk generator
for benchmarks (:mod:`.bulk`).

May import ``pool.io`` and every context below it.
"""
