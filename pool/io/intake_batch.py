"""Intake in bulk (批量申报, issue #14): an uploaded file of applicants worked
through row by row.

The file is kept as an :class:`~models.IntakeBatch` of the officer's county
while they work: every row is judged on its own (an invalid row never blocks
a valid one) and matched by USCC against the enterprises registered in that
county; the valid rows are saved as checks in one action; the selected saved
checks are registered in one confirmed step, each in its own SAVEPOINT so a
refused row writes nothing and the others go on.  Batches older than
:data:`KEPT_FOR` are purged when a new one is stored; their saved checks stay.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm.attributes import flag_modified

from models import Application, Enterprise, IntakeBatch

from pool.access.scoping import may_act_for
from pool.eligibility import applications
from pool.eligibility.applicant import InvalidApplicant
from pool.eligibility.criteria import Evaluation, check
from pool.eligibility.rulebook import Rulebook
from pool.io.batch import InputProblem, read
from pool.records import changes, registration

KEPT_FOR = timedelta(days=2)

__all__ = ["Row", "create", "rows", "save_valid", "register", "KEPT_FOR"]


@dataclass(frozen=True)
class Row:
    """One applicant of the file: its verdict or its problems, and what it matches."""

    index: int
    name: str
    uscc: str
    data: Any
    evaluation: Evaluation | None
    problems: tuple[InputProblem, ...]
    enterprise: Enterprise | None  # registered already in the batch's county
    application_id: int | None  # saved from this batch

    @property
    def valid(self) -> bool:
        return self.evaluation is not None


def create(session, *, content: bytes, filename: str, as_of: date, county_id: int, actor,
           now: datetime) -> tuple[IntakeBatch, list]:
    """Store an uploaded file as a batch of ``county_id`` (purging old batches);
    returns the batch and the applicants read from it (for :func:`rows`).

    :raise pool.io.batch.InvalidInput: the file itself cannot be read.
    :raise PermissionError: ``actor`` may not act for the county.
    """
    if not may_act_for(actor, county_id):
        raise PermissionError("不能为其他县市区批量申报")
    items, _many = read(content, filename)  # the whole file must be readable before it is kept
    session.execute(delete(IntakeBatch).where(IntakeBatch.created_at < now - KEPT_FOR))
    batch = IntakeBatch(county_id=county_id, filename=filename[:200], content=content, as_of=as_of, saved={},
                        created_by_id=actor.id, created_at=now)
    session.add(batch)
    session.flush()
    return batch, items


def rows(session, batch: IntakeBatch, rulebook: Rulebook, items: list | None = None) -> list[Row]:
    """Every applicant of the batch (``items``: as :func:`create` read them,
    else read again from the stored file), judged on its own."""
    if items is None:
        items, _many = read(batch.content, batch.filename)
    usccs = {item.get("uscc") for item in items if isinstance(item, dict) and isinstance(item.get("uscc"), str)}
    registered = {e.uscc: e for e in session.scalars(select(Enterprise).where(
        Enterprise.county_id == batch.county_id, Enterprise.uscc.in_(usccs)))} if usccs else {}
    out = []
    for i, item in enumerate(items):
        evaluation, problems = None, ()
        try:
            evaluation = check(item, batch.as_of, rulebook.policy, rulebook.industries)
        except InvalidApplicant as exc:
            problems = tuple(InputProblem(p.path, p.message) for p in exc.problems)
        uscc = item.get("uscc") if isinstance(item, dict) and isinstance(item.get("uscc"), str) else ""
        name = item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else ""
        out.append(Row(i, name, uscc, item, evaluation, problems, registered.get(uscc),
                       (batch.saved or {}).get(str(i))))
    return out


def save_valid(session, batch: IntakeBatch, judged: Iterable[Row], *, actor) -> list[Application]:
    """Save every valid row not saved yet as a check of the batch's county."""
    saved = dict(batch.saved or {})
    made = []
    for row in judged:
        if row.valid and str(row.index) not in saved:
            application = applications.save(session, data=row.data, evaluation=row.evaluation,
                                             county_id=batch.county_id, actor=actor)
            saved[str(row.index)] = application.id
            made.append(application)
    batch.saved = saved
    flag_modified(batch, "saved")
    session.flush()
    return made


def register(session, batch: IntakeBatch, application_ids: Iterable[int], *, actor,
             on: date) -> tuple[list[Enterprise], list[tuple[Application, str]]]:
    """Register the chosen checks saved from this batch, each on its own:
    ``(registered enterprises, [(check, Chinese reason)] refused)``."""
    own = set((batch.saved or {}).values())
    chosen = [i for i in dict.fromkeys(application_ids) if i in own]
    done, refused = [], []
    for application in session.scalars(select(Application).where(Application.id.in_(chosen))
                                       .order_by(Application.id)):
        try:
            with session.begin_nested():
                done.append(registration.register_from_application(session, application, actor=actor, on=on))
        except changes.RecordRefused as exc:
            refused.append((application, str(exc)))
    return done, refused
