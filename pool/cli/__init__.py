"""``flask pool …``: thin command-line callers of the domain packages and jobs.
"""
