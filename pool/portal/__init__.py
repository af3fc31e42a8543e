"""The enterprise portal (issue #16): enterprises' own accounts and their
invitations, what an enterprise submits to its county — the declaration (申报),
the annual report of figures, changes to its record — with evidence files, and
the officers' review of it, round by round.

Nothing an enterprise submits changes the record: an officer's acceptance
applies it through the living-record functions (:mod:`pool.records`), so
progress is derived and audited as for an officer's own entry.

May import ``pool.monitoring`` (the outbox) and the layers below it.
"""
