"""The what-if of a draft (a pool's criteria version or parameter value, a policy value of the first
pool) on the page and as CSV: one shape for every caller (:mod:`pool.web.pool_admin`, :mod:`pool.web.rules`)."""
from flask_babel import gettext as _

from pool.web import reports

SHOWN_ROWS = 200  # the changes listed on the page; the export holds them all


def export(name: str, code: str, valid_from: str, shown: dict, *, value: bool = False):
    """``shown`` as CSV, a row per changing criterion (``value``: a parameter value's, not a version's)."""
    from pool.web.filters import status_label, verdict_label
    header = [_("企业名称"), _("统一社会信用代码"), _("现行结论"), _("新取值下的结论") if value else _("新版本结论"),
              _("标准"), _("现行"), _("新取值") if value else _("新版本"),
              _("新取值下的依据") if value else _("新版本的依据")]
    rows = [(c["name"], c["uscc"], verdict_label(c["verdict_before"]), verdict_label(c["verdict_after"]),
             f'{k["id"]}. {k["title"]}', status_label(k["before"]) if k["before"] else "—",
             status_label(k["after"]) if k["after"] else "—", k["detail_after"])
            for c in shown["changes"] for k in (c["criteria"] or [{"id": "", "title": "", "before": None,
                                                                   "after": None, "detail_after": ""}])]
    title = f"{name}-{_('标准修订影响预览')}-{valid_from}"
    return reports.download("csv", rows, header, title, f"{code}-what-if-{valid_from}", name[:31])
