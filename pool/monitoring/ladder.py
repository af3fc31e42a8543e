"""The configured pools' stage of the scan (issue #17): each pool's members ready to graduate.

A member of a configured pool (接续培育, a 高企备选库 …) that holds on the day the
qualification its pool graduates on (a “小巨人” or 高企 certificate:
``lifecycle.graduation.exit_on_qualification``) gets an ``info`` flag
``graduation_ready`` of that pool — a proposal for an officer to confirm, never a
decision — decided by the one exit rule of the ladder
(:func:`pool.ladder.proposals.due_certificates`).  The flag closes when the
membership graduates (or leaves) or the certificate is no longer in force.  The
first pool's own graduation_ready (SPEC §3's rules) is :mod:`pool.monitoring.exits`'s.
"""
from __future__ import annotations

import functools
from datetime import date

from models.monitoring import GRADUATION_READY, INFO

from pool.eligibility.profile import QUALIFICATION_LABELS
from pool.kernel.wording import phrase
from pool.ladder import catalogue, proposals
from pool.monitoring.flags import Condition

_DUE = phrase("持有{qualification}（证书 {number}，有效期 {start} 至 {end}），符合{pool!s}的出库条件，请确认出库")


def pool_graduations(facts, as_of: date, _snapshot) -> list[Condition]:
    """The ``graduation_ready`` flags of every configured pool on ``as_of``."""
    found = []
    for pool in catalogue.pools(facts.session).values():
        if pool.code_backed:
            continue
        for membership_id, c in proposals.due_certificates(facts.session, pool, as_of, only=facts.only).items():
            evidence = {"membership_id": membership_id, "qualification": c.type, "certificate_no": c.certificate_no,
                        "valid_from": c.valid_from.isoformat(), "valid_to": c.valid_to.isoformat()}
            found.append(Condition(c.enterprise_id, c.county_id, c.name, GRADUATION_READY, INFO,
                                   functools.partial(_detail, c, pool.name), evidence, pool_code=pool.code))
    return found


def _detail(certificate, pool_name) -> str:
    """Worded only for a flag that is new or whose certificate changed (:class:`Condition`)."""
    return _DUE.format(qualification=QUALIFICATION_LABELS.get(certificate.type, certificate.type),
                       number=certificate.certificate_no or "—", start=certificate.valid_from,
                       end=certificate.valid_to, pool=pool_name)
