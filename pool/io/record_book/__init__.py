"""One enterprise's whole record as the project's workbook, and back (issue #13).

An officer who prefers a sheet exports the record (:func:`export_record`: the
applicant layout of :mod:`pool.io.workbook`, one enterprise), edits it and
uploads it again.  :func:`plan_import` reads the file and lists what it would
change, writing nothing; :func:`apply` makes those changes through the
record's own functions (:mod:`pool.records.edits`, :mod:`pool.records.parts`),
so every rule, audit record and recognised progress is theirs.

What the file is matched on:

* the basic facts and the IP-management and integrity flags: the 企业 row;
* the yearly figures of the year the file carries (申报年度 − 1, 上年度);
* patents by 专利号, products by 产品名称, qualifications by 资格类型 and
  证书编号 (资格类型 and 有效期起 when there is no number), trademarks by
  商标注册号, research partnerships by 合作单位.  A row no part matches is
  added; a part the file leaves out is kept (a sheet is no way to delete).

Dates the rules need and the sheet does not carry — when a patent lapsed, was
granted or put into production, when a product was filed, certified (unless
its row gives 认定日期) or came onto the record — are ``effective_on``, the
day the officer says the changes took effect, never after today.

The plan names the version of every row it changes: :func:`apply` raises
:class:`~pool.records.changes.VersionConflict` if one moved meanwhile, and
writes nothing at all on any refusal (one SAVEPOINT).

:mod:`.compare` exports and plans, :mod:`.applying` applies (and rehearses,
for the preview); callers use this package's names.
"""
from pool.io.record_book.applying import REASON, apply, rehearse
from pool.io.record_book.compare import (
    ADD, CHANGE, KEEP, MAX_BYTES, Change, Difference, Plan, export_record, plan_import,
)

__all__ = ["ADD", "CHANGE", "KEEP", "MAX_BYTES", "REASON", "Change", "Difference", "Plan", "apply",
           "export_record", "plan_import", "rehearse"]
