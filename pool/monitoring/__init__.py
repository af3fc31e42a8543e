"""Risk monitoring (SPEC §4): the daily scan and its flags, the mail outbox and
its relay, and the database leases that keep jobs from overlapping.

May import ``pool.records.edits`` and the layers below it.
"""
