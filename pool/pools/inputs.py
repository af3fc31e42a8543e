"""What a configured pool's criteria read of an applicant: its :class:`Inputs` on a day.

The evaluators (:mod:`pool.pools.evaluators`) never read the parsed
:class:`~pool.eligibility.applicant.Applicant` itself but this projection of it
on the assessment date: the named facts of :mod:`pool.pools.fields` (the
contract's numbers and yes/no facts, the counts derived from its lists), the
qualifications with their validity, and whether a brand evidence, a product's
备案号 is given.  A projection is small and plain, so it can be kept between
scans (:mod:`pool.ladder.inputs`, :func:`to_row` / :func:`from_row`) and a
draft criteria-set version judged against a whole pool without reading every
record again (the what-if, :func:`pool.pools.evaluate.what_if`).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, NamedTuple

from pool.eligibility.applicant import Applicant
from pool.pools.fields import field_values, known_fields


class Held(NamedTuple):
    """A qualification as the evaluators read it (``certificate_no``: whether a number is given;
    a tuple: a whole pool's are read back at once)."""

    type: str
    valid_from: date
    valid_to: date
    certificate_no: bool


class Inputs(NamedTuple):
    """An applicant on ``as_of`` as a configured pool's criteria read it (a tuple: cheap to make
    for a whole pool)."""

    uscc: str
    name: str
    as_of: date
    industry_code: str | None
    fields: Mapping[str, Any]  # name (pool.pools.fields) → value on ``as_of``, None: not given
    qualifications: tuple[Held, ...] = ()
    brand_evidence: bool = False  # a brand evidence that is not blank
    product_filing: bool = False  # a product with its 备案号
    warnings: tuple[str, ...] = ()


def of(applicant: Applicant, as_of: date) -> Inputs:
    """The applicant's :class:`Inputs` on ``as_of``."""
    return Inputs(
        applicant.uscc, applicant.name, as_of, applicant.industry_code, field_values(applicant, as_of),
        tuple(Held(q.type, q.valid_from, q.valid_to, bool(q.certificate_no)) for q in applicant.qualifications),
        any(e.strip() for e in applicant.brand_evidence), any(p.filing_no for p in applicant.products),
        tuple(str(w) for w in applicant.warnings))


def to_row(inputs: Inputs) -> list:
    """JSON-ready and compact (the fields by position, in :func:`pool.pools.fields.known_fields` order;
    money stays ``Decimal`` for :mod:`pool.kernel.jsonutil`)."""
    return [inputs.uscc, inputs.name, inputs.as_of.isoformat(), inputs.industry_code,
            [inputs.fields[name] for name in known_fields()],
            [[q.type, q.valid_from.isoformat(), q.valid_to.isoformat(), q.certificate_no]
             for q in inputs.qualifications],
            inputs.brand_evidence, inputs.product_filing, list(inputs.warnings)]


def from_row(row: list) -> Inputs:
    """The :class:`Inputs` :func:`to_row` wrote."""
    uscc, name, day, industry, values, held, brand, filing, warnings = row
    day_of = date.fromisoformat
    return Inputs(uscc, name, day_of(day), industry, dict(zip(known_fields(), values)),
                  tuple([Held(t, day_of(a), day_of(b), c) for t, a, b, c in held]),
                  brand, filing, tuple(warnings))
