"""Evidence files on the web: the upload (the enterprise's) and the download
(the enterprise's own, or its county's officers and the city administrator,
who reach it through :mod:`pool.web.reviews`).  Always as an attachment, never
shown inline: a file is the enterprise's, not the site's."""
from pathlib import Path

from flask import abort, current_app, flash, send_file
from flask_babel import gettext as _
from flask_login import current_user

from models import db
from pool.portal import evidence
from pool.web import clock


def directory() -> Path:
    """The evidence folder: ``EVIDENCE_DIR``, else ``evidence`` in the instance folder."""
    configured = current_app.config.get("EVIDENCE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "evidence"


def attach(submission, form) -> bool:
    """Keep the uploaded file as evidence of ``submission``; flash the outcome."""
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return False
    upload = form.file.data
    try:
        item = evidence.attach(db.session, submission, actor=current_user, label=form.label.data,
                               filename=upload.filename or "", content=upload.read(), directory=directory(),
                               max_bytes=current_app.config["EVIDENCE_MAX_BYTES"], now=clock.now())
    except evidence.EvidenceRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return False
    db.session.commit()
    flash(_("已上传材料“%(label)s”", label=item.label), "success")
    return True


def send(item):
    """The file, as an attachment with its own type (404 when its bytes are gone)."""
    path = evidence.path_of(directory(), item)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.filename,
                     max_age=0)
