"""The shared kernel: the text rules every field obeys, refusals of future dates
and JSON helpers.

Owns no table and no rule of the policy, and reads neither Flask nor the clock
(the edges read the clock in ``pool.web.clock`` and pass dates in).  Imports
nothing from the rest of ``pool`` but ``models``; every other package may import it.
"""
