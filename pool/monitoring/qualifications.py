"""Qualifications (SPEC §4): the certificates behind criterion 2 running out.

Qualifications of the ``accepted_qualifications`` types (criterion 2,
:func:`pool.eligibility.profile.c2_qualifications`).

* **Warning**: one is valid on ``as_of`` but none that has started by
  ``as_of + qualification_expiring_days`` (90) runs past that day (a renewal
  that starts in time counts).
* **High**: none is valid on ``as_of`` and one that was valid during the
  membership has ended.
* An enterprise admitted without any (criterion 2 is "in principle") gets no flag.
"""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import String, and_, case, cast, func, or_, select

from models import Enterprise, Qualification
from models.monitoring import HIGH, QUALIFICATION_EXPIRING, WARNING

from pool.eligibility.profile import describe_qualification
from pool.monitoring.flags import Condition
from pool.kernel.wording import phrase
_EXPIRING = phrase("第2条所依资格将于 {end} 到期（{days} 天内），且无接续有效的认可资格：{held}")
_EXPIRED = phrase("第2条所依资格已于 {end} 到期，目前无有效的认可资格：{held}")


def qualification_expiring(facts, as_of: date, p) -> list[Condition]:
    """The ``qualification_expiring`` flags on ``as_of``."""
    q = Qualification
    days = p["qualification_expiring_days"]
    horizon = as_of + timedelta(days=days)
    current = and_(q.valid_from <= as_of, q.valid_to >= as_of)
    ended = and_(q.valid_to < as_of, q.valid_to >= Enterprise.admitted_on)
    current_end, last_ended = func.max(case((current, q.valid_to))), func.max(case((ended, q.valid_to)))
    reach = func.max(case((q.valid_from <= horizon, q.valid_to)))
    rows = facts.session.execute(
        select(Enterprise.id, Enterprise.county_id, Enterprise.name, current_end.label("current_end"),
               # Only a current one that ends by the horizon can be quoted: the
               # test keeps SQL from writing strings for every member.
               func.aggregate_strings(case((and_(current, q.valid_to <= horizon), _described(q))),
                                      _RECORD).label("current"),
               func.aggregate_strings(case((ended, _described(q))), _RECORD).label("ended"))
        .join(q, q.enterprise_id == Enterprise.id)
        .where(facts.in_pool(), q.type.in_(p["accepted_qualifications"]))
        .group_by(Enterprise.id)
        .having(or_(and_(current_end.is_not(None), reach <= horizon),
                    and_(current_end.is_(None), last_ended.is_not(None))))
    )
    found = []
    for row in rows:
        quals = _qualification_facts(row.current if row.current_end else row.ended)
        if not row.current_end:  # the ones that ended last
            quals = [x for x in quals if x.valid_to == quals[-1].valid_to]
        held = "、".join(describe_qualification(x) for x in quals)
        end = quals[-1].valid_to
        if row.current_end:
            severity = WARNING
            detail = _EXPIRING.format(end=end, days=days, held=held)
        else:
            severity = HIGH
            detail = _EXPIRED.format(end=end, held=held)
        evidence = {"qualifications": [{"type": x.type, "certificate_no": x.certificate_no,
                                        "valid_from": x.valid_from.isoformat(),
                                        "valid_to": x.valid_to.isoformat()} for x in quals],
                    "horizon_days": days}
        found.append(Condition(row.id, row.county_id, row.name, QUALIFICATION_EXPIRING,
                               severity, detail, evidence))
    return found


# Qualifications travel from SQL as one string per enterprise (portable
# aggregate_strings); control characters cannot occur in the fields.
_FIELD, _RECORD = "\x1f", "\x1e"


def _described(q):
    return (q.type + _FIELD + func.coalesce(q.certificate_no, "") + _FIELD
            + cast(q.valid_from, String) + _FIELD + cast(q.valid_to, String))


def _qualification_facts(text: str) -> list[SimpleNamespace]:
    """Parsed :func:`_described` records, by end date, type and number."""
    facts = []
    for record in text.split(_RECORD):
        kind, number, start, end = record.split(_FIELD)
        facts.append(SimpleNamespace(type=kind, certificate_no=number or None,
                                     valid_from=date.fromisoformat(start), valid_to=date.fromisoformat(end)))
    return sorted(facts, key=lambda x: (x.valid_to, x.type, x.certificate_no or ""))
