"""Writing a scan's findings: the open risk flags brought in line with the conditions found.

:func:`reconcile` opens, escalates, de-escalates and closes flags with their
:class:`~models.RiskFlagChange` history in a handful of bulk statements (a city's
first scan opens tens of thousands at once), and returns the flags that became
urgent, for the officers' mails.  In the caller's transaction.
"""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import JSON, Date, Text, and_, bindparam, case, cast, func, literal, literal_column, select, update

from models import Enterprise, Membership, RiskFlag, RiskFlagChange
from models.enterprise import ADMITTED
from models.monitoring import CLOSED, DEESCALATED, ESCALATED, FIRST_POOL, RAISED

from pool.kernel import jsonutil
from pool.monitoring.flags import SEVERITY_RANK, URGENT, Condition, in_pool


def reconcile(session, as_of: date, found: dict, result,
               only: int | None = None) -> list[tuple[int, Condition]]:
    """Open, change and close flags with their history rows (bulk statements),
    counting each in ``result`` (a :class:`~pool.monitoring.scan.ScanResult`);
    return ``(flag id, condition)`` of the flags that became high or
    expulsion due.  ``only``: one enterprise's flags (its ``last_seen_on``
    stays the last scan's)."""
    mine = () if only is None else (RiskFlag.enterprise_id == only,)
    open_flags = session.execute(
        select(RiskFlag.id, RiskFlag.enterprise_id, RiskFlag.kind, RiskFlag.pool_code, RiskFlag.severity,
               cast(RiskFlag.evidence, Text).label("evidence"),
               case((RiskFlag.pool_code == FIRST_POOL, in_pool(as_of)),
                    else_=Membership.state == ADMITTED).label("member"))
        .join(Enterprise, Enterprise.id == RiskFlag.enterprise_id)
        .outerjoin(Membership, and_(Membership.enterprise_id == RiskFlag.enterprise_id,
                                    Membership.pool_code == RiskFlag.pool_code))
        .where(RiskFlag.closed_on.is_(None), *mine)
    ).all()
    seen = set()
    changes, updates, closes, urgent = [], [], [], []
    for flag in open_flags:
        key = (flag.enterprise_id, flag.kind, flag.pool_code)
        seen.add(key)
        now = found.get(key)
        if now is None:
            reason = "条件已消除" if flag.member else "企业已不在培育库中"
            closes.append({"id": flag.id, "closed_on": as_of})
            changes.append(_change(flag.id, CLOSED, flag.severity, reason))
            result.closed += 1
        elif now.severity != flag.severity:
            up = SEVERITY_RANK[now.severity] > SEVERITY_RANK[flag.severity]
            row = {"id": flag.id, "severity": now.severity, "detail": now.detail, "evidence": now.evidence}
            if up:
                row["escalated_on"] = as_of
                result.escalated += 1
                if now.severity in URGENT:
                    urgent.append((flag.id, now))
            else:
                result.deescalated += 1
            updates.append(row)
            changes.append(_change(flag.id, ESCALATED if up else DEESCALATED, now.severity, now.detail))
        else:
            if _stored_json(now.evidence) != flag.evidence:
                updates.append({"id": flag.id, "detail": now.detail, "evidence": now.evidence})
            result.unchanged += 1
    new = [found[key] for key in sorted(found.keys() - seen)]
    if new:
        table = RiskFlag.__table__
        before = session.scalar(select(func.coalesce(func.max(RiskFlag.id), 0)))
        session.execute(
            table.insert().values(opened_on=_sql_date(as_of), last_seen_on=_sql_date(as_of),
                                  evidence=_json_text(session, "evidence_json")),
            [{"enterprise_id": c.enterprise_id, "county_id": c.county_id, "kind": c.kind, "pool_code": c.pool_code,
              "severity": c.severity, "detail": c.detail, "evidence_json": _stored_json(c.evidence)}
             for c in new])
        # No RETURNING: with it SQLAlchemy would insert row by row to keep the order.
        ids = {(e, k, p): i for i, e, k, p in session.execute(
            select(RiskFlag.id, RiskFlag.enterprise_id, RiskFlag.kind, RiskFlag.pool_code)
            .where(RiskFlag.id > before, RiskFlag.severity.in_(URGENT)))}
        urgent += [(ids[c.key], c) for c in new if c.severity in URGENT]
        result.raised += len(new)
    for group in _same_keys(updates):
        session.execute(update(RiskFlag), group)
    if closes:
        session.execute(update(RiskFlag), closes)
    if only is None:
        session.execute(update(RiskFlag)
                        .where(RiskFlag.closed_on.is_(None), RiskFlag.last_seen_on < as_of)
                        .values(last_seen_on=as_of).execution_options(synchronize_session=False))
    history = RiskFlagChange.__table__
    if changes:
        session.execute(history.insert().values(on=_sql_date(as_of)), changes)
    if new:
        # Each new flag's "raised" row, copied from the flags just inserted, in
        # their order: one statement, not one parameter set per flag.
        session.execute(history.insert().from_select(
            ["flag_id", "on", "action", "severity", "detail"],
            select(RiskFlag.id, literal(as_of, Date), literal(RAISED), RiskFlag.severity, RiskFlag.detail)
            .where(RiskFlag.id > before).order_by(RiskFlag.id)))
    return urgent


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _stored_json(evidence: dict) -> str:
    """``evidence`` as the engine stores it (``jsonutil.dumps``, kept verbatim
    by both backends: json, not jsonb), so equal text means equal facts.
    Evidence holds no ``Decimal`` (amounts are strings), for which the plain
    encoder writes the same text, faster."""
    try:
        return _ENCODE(evidence)
    except TypeError:
        return jsonutil.dumps(evidence)


def _json_text(session, name: str):
    """A parameter for a JSON column that takes the text :func:`_stored_json`
    wrote (PostgreSQL wants it cast; SQLite stores the text as it is)."""
    param = bindparam(name, type_=Text)
    return cast(param, JSON) if session.get_bind().dialect.name == "postgresql" else param


def _sql_date(day: date):
    """``day`` written into the statement (ISO text, a date on both backends):
    a bulk insert's common date is then not converted again for every row."""
    return literal_column(f"'{day.isoformat()}'", Date)


def _change(flag_id: int, action: str, severity: str, detail: str) -> dict:
    return {"flag_id": flag_id, "action": action, "severity": severity, "detail": detail}


def _same_keys(rows: list[dict]) -> list[list[dict]]:
    """``rows`` grouped by their set of keys (one executemany per group)."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())
