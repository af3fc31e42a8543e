"""Files in and out: the applicant workbook (template, reader, writer), checking
applicants in bulk, Excel exports, and importing reference tables.

May import every context below it; only the edges import it.
"""
