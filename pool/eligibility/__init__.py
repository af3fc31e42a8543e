"""Admission criteria (SPEC §2): the applicant contract, USCC and SME size, the
ten criteria, the dated policy parameters (rulebook) and saved self-checks.

Plain Python over plain facts with an explicit ``as_of``.  May import
``pool.access``, ``pool.reference``, ``pool.kernel`` and ``models``.
"""
