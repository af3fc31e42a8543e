"""The shared kernel: the text rules every field obeys, refusals of future dates,
JSON helpers and the clock the edges read.

Owns no table and no rule of the policy.  Imports nothing from the rest of
``pool`` (only ``models`` and Flask); every other package may import it.
"""
