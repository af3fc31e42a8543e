"""Saving a record form: the domain write, then commit and redirect, or the
refusal at its field, or — after a concurrent change — the form kept as typed
beside what is stored now (HTTP 409).  Shared by the records and parts pages.
"""
from typing import Any, Callable

from flask import flash, redirect
from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional, Regexp

from models import db
from pool.records import changes
from pool.web.check_forms import TriField
from pool.web.monitor import follow

# The hidden version a record form carries (optimistic locking): digits, or blank when adding.
VERSION = [Optional(), Regexp(r"^[0-9]{1,9}$", message=_l("版本号无效，请刷新页面"))]


def version_of(field) -> int | None:
    return int(field.data) if field.data else None


def refusal(form, exc: changes.RecordRefused) -> None:
    """Show a refusal at the field it names, else as a form-wide message."""
    field = form._fields.get(exc.field) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(exc)]
    else:
        flash(str(exc), "danger")


def conflicting(form, conflict: changes.VersionConflict, typed: dict) -> dict:
    """Prepare the form for a second look after a conflict.

    The version moves on to the current one, so saving again is a deliberate
    decision.  A field the others changed while this user left it as they saw
    it (the oldest recorded "old" value) takes the value stored now — saving
    again must not undo their change.  Returns ``adopted`` (labels of those
    fields) and ``differences``: ``(label, stored now, typed, clash)`` for what
    this user typed differently from what is stored, ``clash`` where the others
    changed that field too.
    """
    form.version.data = str(conflict.current) if conflict.current is not None else ""
    seen = {}
    for change in conflict.changes:
        for field, (old, _new) in change.changes.items():
            seen.setdefault(field, old)
    adopted, differences = [], []
    for field, value in typed.items():
        now = getattr(conflict.row, field) if conflict.row is not None else None
        if value == now:
            continue
        label = form[field].label.text
        if field in seen and value == seen[field]:
            put(form[field], now)
            adopted.append(label)
        else:
            differences.append((label, now, value, field in seen))
    return {"adopted": adopted, "differences": differences}


def put(field, value) -> None:
    """Show ``value`` in ``field`` instead of what was posted."""
    if isinstance(field, TriField):
        field.process_data(value)
    else:
        field.data = "\n".join(value) if isinstance(value, list) else value
    field.raw_data = None


def save(form, typed: dict, write, done: Callable[[Any], tuple], target: str, enterprise_id: int | None = None):
    """Run the domain ``write()``; on success (the flags of ``enterprise_id``
    following the record at once) commit, flash ``done(result)`` and redirect
    to ``target``.  A conflict or refusal is put on ``form``.

    Returns ``(redirect or None, VersionConflict or None, merge)``; ``typed``
    is what the user entered, for :func:`_conflicting`.
    """
    try:
        result = write()
    except changes.VersionConflict as exc:
        return None, exc, conflicting(form, exc, typed)
    except changes.RecordRefused as exc:
        refusal(form, exc)
        return None, None, {}
    if enterprise_id is not None:
        follow(enterprise_id)
    db.session.commit()
    flash(*done(result))
    return redirect(target), None, {}


def labels_of(form) -> dict:
    """Field → label, for the field names of change records."""
    return {**changes.LABELS, **{name: field.label.text for name, field in form._fields.items()}}
