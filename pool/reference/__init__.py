"""Official reference data: the national industry classification (GB/T 4754-2017),
the patent-intensive industry table (2019) and the other catalogues, the city's
counties.

Owns the shipped tables under ``pool/data/`` and their dated versions and
corrections.  May import ``pool.kernel`` and ``models``.
"""
