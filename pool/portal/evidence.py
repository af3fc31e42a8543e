"""Evidence files: certificate scans, 备案 notices, contracts — PDF, PNG or
JPEG, told by their content (never by their name), at most ``max_bytes``.

The bytes are kept in the evidence folder (outside the web root; the instance
folder by default) under a random name; the row keeps the name the enterprise
gave, the type, the size and the SHA-256.  A file can be removed only while
its submission is still the enterprise's to change, and is then only marked
removed: what an officer once saw stays.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path, PurePath

from models import Evidence, Submission

from pool.kernel import text
from pool.kernel.wording import phrase

__all__ = ["TYPES", "EvidenceRefused", "sniff", "attach", "path_of", "remove", "current"]

# content type -> (the file's first bytes, the extension it is stored with)
TYPES = {"application/pdf": (b"%PDF-", ".pdf"), "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
         "image/jpeg": (b"\xff\xd8\xff", ".jpg")}
LABEL_LENGTH, FILENAME_LENGTH = 100, 200

_EMPTY = phrase("证明材料文件为空")
_TOO_LARGE = phrase("证明材料文件超过 {limit!s} 上限")
_WRONG_TYPE = phrase("证明材料须为 PDF、PNG 或 JPEG 文件（按文件内容判断，不看扩展名）")
_NEED_LABEL = phrase("请填写材料名称，如“高新技术企业证书”")
_LABEL_LONG = phrase("材料名称不能超过 {n!s} 个字")
_LOCKED = phrase("已提交审核的材料不能再更改；如需补充，请等待退回或联系县（市、区）经办人")


class EvidenceRefused(ValueError):
    """A file that cannot be attached or removed; ``field`` names the input."""

    def __init__(self, message: str, field: str = "file"):
        super().__init__(message)
        self.field = field


def sniff(content: bytes) -> str | None:
    """The content type the bytes are (one of :data:`TYPES`), else ``None``."""
    return next((kind for kind, (magic, _ext) in TYPES.items() if content.startswith(magic)), None)


def attach(session, submission: Submission, *, actor, label: str, filename: str, content: bytes,
           directory: Path, max_bytes: int, now: datetime) -> Evidence:
    """Keep ``content`` as evidence of ``submission`` (while the enterprise may change it).

    :raise EvidenceRefused: locked submission, no label, empty, too large, not a PDF/PNG/JPEG.
    """
    _require_open(submission)
    label = (label or "").strip()
    if not label:
        raise EvidenceRefused(_NEED_LABEL, "label")
    if len(label) > LABEL_LENGTH:
        raise EvidenceRefused(_LABEL_LONG.format(n=LABEL_LENGTH), "label")
    if (unclean := text.refusal("材料名称", label)) is not None:
        raise EvidenceRefused(unclean, "label")
    if not content:
        raise EvidenceRefused(_EMPTY)
    if len(content) > max_bytes:
        raise EvidenceRefused(_TOO_LARGE.format(limit=size_text(max_bytes)))
    kind = sniff(content)
    if kind is None:
        raise EvidenceRefused(_WRONG_TYPE)
    stored = secrets.token_hex(16) + TYPES[kind][1]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored).write_bytes(content)
    row = Evidence(submission_id=submission.id, enterprise_id=submission.enterprise_id,
                   county_id=submission.county_id, label=label, filename=_safe_name(filename, kind),
                   content_type=kind, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                   stored_name=stored, uploaded_by_id=actor.id, uploaded_at=now)
    session.add(row)
    session.flush()
    return row


def remove(session, evidence: Evidence, *, now: datetime) -> None:
    """Take a file back (marked removed; the bytes stay for the record).

    :raise EvidenceRefused: its submission is under review or decided.
    """
    _require_open(evidence.submission)
    evidence.removed_at = now
    session.flush()


def current(submission: Submission) -> list[Evidence]:
    """The submission's files that are not removed."""
    return [e for e in submission.evidence if e.removed_at is None]


def path_of(directory: Path, evidence: Evidence) -> Path:
    """Where the bytes are (the stored name is ours: no path can come from outside)."""
    return directory / PurePath(evidence.stored_name).name


def _require_open(submission: Submission) -> None:
    if submission.status not in ("draft", "returned"):
        raise EvidenceRefused(_LOCKED)


def _safe_name(filename: str | None, kind: str) -> str:
    """The name the file was given, without folders or control characters, with
    the extension its content has."""
    stem = PurePath((filename or "").replace("\\", "/")).stem
    stem = "".join(c for c in stem if c.isprintable() and c not in '"<>|:*?/')[:FILENAME_LENGTH - 8].strip()
    return (stem or "evidence") + TYPES[kind][1]


def size_text(size: int) -> str:
    """A size as people say it: ``5 MB``, ``1 KB``, ``300 B``."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} B"
