"""The enterprise record and its changes: registration, basic fields, yearly
figures, contacts, and finding enterprises (search and lists); every change
versioned and audited.

May import ``pool.membership`` and the layers below it.
"""
