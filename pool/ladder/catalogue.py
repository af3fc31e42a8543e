"""The pools as they stand: the shipped definitions with the city administrator's changes.

:func:`pools` replays the stored :class:`~models.PoolChange` rows (oldest first)
over the shipped files (:func:`pool.pools.changes.assemble`): pools made from a
template, new criteria-set versions, new parameter values, retirements.
:func:`record` stores one more change once :func:`pool.pools.changes.refusals`
finds nothing wrong with it — only the city administrator, never dated before
the day it is made for a new pool or a retirement — together with the what-if
preview the administrator saw (:mod:`pool.ladder.previews`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import defer

from models import CITY_ADMIN, PoolChange
from pool.kernel.refusal import TransitionRefused, require_not_future
from pool.kernel.wording import phrase
from pool.pools import changes as replay
from pool.pools import definition
from pool.pools.definition import Pool

_ADMIN_ONLY = phrase("只有市级管理员可以修改培育库")


class ChangeRefused(TransitionRefused):
    """Nothing was stored; ``problems`` lists why (Chinese)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


def stored(session) -> list[dict]:
    """Every stored change, oldest first, as :mod:`pool.pools.changes` reads them."""
    rows = session.execute(select(PoolChange.kind, PoolChange.pool_code, PoolChange.payload)
                           .order_by(PoolChange.id)).all()
    return [{**payload, "kind": kind, "code": code} for kind, code, payload in rows]


_ASSEMBLED: dict[str, dict[str, Pool]] = {}


def pools(session) -> dict[str, Pool]:
    """Every pool, by code, as the administrator's changes left it (assembled once per content of the
    change log: a short table, read each time; parsing is what is saved)."""
    changes = stored(session)
    key = json.dumps(changes, sort_keys=True, ensure_ascii=False, default=str)
    found = _ASSEMBLED.get(key)
    if found is None:  # returned from here, never read back: another thread may clear the cache meanwhile
        found = replay.assemble(changes)
        _ASSEMBLED.clear()
        _ASSEMBLED[key] = found
    return found


def get(session, code: str | None = None) -> Pool:
    """The pool ``code`` (default: the first, Huangshi's), shipped or created by the administrator.

    :raise KeyError: no such pool, naming the codes there are (Chinese).
    """
    known = pools(session)
    code = code or definition.DEFAULT_POOL
    if code not in known:
        raise KeyError(definition.UNKNOWN_POOL.format(code=code, codes="、".join(known)))
    return known[code]


@dataclass(frozen=True)
class Entry:
    """A change in a pool's history, with what its preview found (``None``: saved without one)."""

    change: PoolChange
    checked: int | None
    verdicts_changed: int | None
    changed: int | None  # how many enterprises' verdict or criteria the preview listed


def history(session, code: str) -> list[Entry]:
    """The changes made to ``code``, newest first — their previews counted by the database, not read
    (a preview of a whole pool may list 100,000 enterprises)."""
    p = PoolChange.preview
    rows = session.execute(select(PoolChange, p["checked"].as_integer(), p["verdicts_changed"].as_integer(),
                                  p["changed"].as_integer()).where(PoolChange.pool_code == code)
                           .options(defer(PoolChange.preview)).order_by(PoolChange.id.desc()))
    return [Entry(*row) for row in rows]


def preview_of(session, code: str, change_id: int) -> PoolChange | None:
    """The stored change ``change_id`` of pool ``code`` with its preview, if it has one."""
    return session.scalar(select(PoolChange).where(PoolChange.id == change_id, PoolChange.pool_code == code,
                                                   PoolChange.kind.in_((replay.CRITERIA, replay.PARAMETER))))


def check(session, change: Mapping[str, Any]) -> None:
    """``change`` may follow every stored change (:func:`pool.pools.changes.refusals`).

    :raise ChangeRefused: naming every problem.
    """
    problems = replay.refusals(stored(session), change)
    if problems:
        raise ChangeRefused(problems)


def record(session, change: Mapping[str, Any], *, actor, today: date, preview: Mapping | None = None) -> PoolChange:
    """Store ``change`` (see :mod:`pool.pools.changes`), checked against every change before it.

    :raise ChangeRefused: not the city administrator, or what is wrong with the change.
    """
    if getattr(actor, "role", None) != CITY_ADMIN:
        raise ChangeRefused([_ADMIN_ONLY])
    valid_from = replay.day_of(change.get("valid_from") or today)
    if change["kind"] in (replay.CREATE, replay.RETIRE):
        require_not_future(valid_from, today, phrase("生效日期"))
    check(session, change)
    payload = {k: v for k, v in change.items() if k not in ("kind", "code")}
    row = PoolChange(pool_code=change["code"], kind=change["kind"], valid_from=valid_from,
                     payload=payload, source=str(change.get("source") or ""),
                     preview={**preview, "changed": len(preview.get("changes", ()))} if preview else {},
                     actor_id=actor.id)
    session.add(row)
    session.flush()
    return row
