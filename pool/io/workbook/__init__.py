"""The project's Excel workbook (入库申报数据): template, defensive reader, writer.

County officers collect applicants' data in Excel; this package turns such a
workbook into dicts of the interchange shape (``contracts/applicant.schema.json``,
SPEC §2) and back.  It checks *types* only — whether a cell holds a number, a
date, a known drop-down label — and leaves the rules of the schema (patterns,
minimums, required fields, ``valid_from <= valid_to``) to the validator.

Layout (also written into the workbook's first sheet, 填写说明):

* 企业 — one row per applicant with its scalar fields, ``ip_management`` and
  ``integrity`` flags as 是/否 columns, ``brand_evidence`` in one cell.
* 资格证书, 专利, 产品, 商标, 产学研合作 — one row per item of the repeated
  groups ``qualifications``, ``patents``, ``products``, ``trademarks``,
  ``research_partnerships``; the first column is the enterprise's 统一社会信用代码.
* 选项 (hidden) — the drop-down lists.

Row 1 of each sheet is the header.  Columns are found by their header text, so
officers may reorder columns or add their own (a 备注 column is ignored), but
every header of the layout must be present.

The modules, by responsibility: :mod:`.layout` (sheets, columns, labels),
:mod:`.cells` (one cell to one contract value and back), :mod:`.reader` (the
defensive reader, its :class:`Problem` and :class:`WorkbookError`),
:mod:`.writer` (template and applicants).  This package re-exports what callers use, so they keep
``from pool.io import workbook``.

Public API: :func:`write_template`, :func:`read_applicants`,
:func:`write_applicants`, :func:`open_workbook`, :class:`WorkbookError`,
:class:`Problem`, :data:`MAX_BYTES`, :data:`MAX_ROWS`, and the label maps
(``QUALIFICATION_LABELS`` …, ``FIELD_LABELS``) for the web UI.
"""
from pool.io.workbook.layout import (
    BOOLEAN_LABELS, ENTERPRISE_SHEET, FIELD_LABELS, PARTNER_TYPE_LABELS, PATENT_KIND_LABELS,
    PATENT_ORIGIN_LABELS, PATENT_STATUS_LABELS, QUALIFICATION_LABELS, SHEETS, Column, SheetLayout,
)
from pool.io.workbook.reader import (
    MAX_BYTES, MAX_ROWS, Problem, WorkbookError, open_workbook, read_applicants,
)
from pool.io.workbook.writer import write_applicants, write_template

__all__ = [
    "BOOLEAN_LABELS", "ENTERPRISE_SHEET", "FIELD_LABELS", "MAX_BYTES", "MAX_ROWS", "PARTNER_TYPE_LABELS",
    "PATENT_KIND_LABELS", "PATENT_ORIGIN_LABELS", "PATENT_STATUS_LABELS",
    "QUALIFICATION_LABELS", "SHEETS", "Column", "Problem", "SheetLayout",
    "WorkbookError", "open_workbook", "read_applicants", "write_applicants", "write_template",
]
