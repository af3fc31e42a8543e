"""The facts one scan decides on, loaded for the whole pool by set-based queries.

Each is one query (never one per enterprise), run when a stage first asks
for it and kept for the scan.  SQL here selects and aggregates — the members
on ``as_of``, their last progress, patent counts, latest yearly figures and
research partnerships, their certified products and those products'
figures — and compares no threshold: the stages decide in Python with the rules of
:mod:`pool.eligibility.figures` and :mod:`pool.membership.rules`.

The queries run on the session's connection as plain SQL expressions, with
no ORM loading on top, and the stages read rows by position in their loops:
a city's pool is 100,000 rows, read several times.
"""
from __future__ import annotations

from datetime import date
from functools import cached_property

from sqlalchemy import and_, case, func, select

from models import Enterprise, Patent, PoolEvent, Product, ProductFigure, ResearchPartnership, YearlyFigure
from models.event import PROGRESS

from pool.eligibility.figures import counts_for_c7
from pool.membership.proposals import certified
from pool.monitoring.annual import ANNUAL_FIELDS
from pool.monitoring.flags import in_pool, live

NO_PATENTS = (0, 0, 0, 0)
NO_FIGURES = (None, None) + (None,) * len(ANNUAL_FIELDS)  # (enterprise id, year, *ANNUAL_FIELDS)


class Facts:
    """The pool's facts on ``as_of``, read through ``session``."""

    def __init__(self, session, as_of: date):
        self.session, self.as_of = session, as_of

    def _rows(self, statement) -> list:
        return self.session.connection().execute(statement).all()  # fetchall: not row by row

    @cached_property
    def members(self) -> dict[int, object]:
        """``{id: row}`` of the enterprises in the pool on ``as_of``: ``id``,
        ``county_id``, ``name``, ``admitted_on``, ``has_rd_leader``."""
        rows = self._rows(select(Enterprise.id, Enterprise.county_id, Enterprise.name, Enterprise.admitted_on,
                                 Enterprise.has_rd_leader).where(in_pool(self.as_of)))
        return {row[0]: row for row in rows}

    @cached_property
    def last_progress(self) -> dict[int, date]:
        """``{enterprise id: date}`` of the last live progress event effective by ``as_of``."""
        return dict(self._rows(
            select(PoolEvent.enterprise_id, func.max(PoolEvent.effective_on))
            .where(live(PROGRESS, self.as_of)).group_by(PoolEvent.enterprise_id)))

    @cached_property
    def patent_counts(self) -> dict[int, tuple[int, int, int, int]]:
        """``{enterprise id: (patents, valid, valid and industrialised, valid
        and not known to be)}``; an enterprise without patents is absent
        (:data:`NO_PATENTS`)."""
        valid = Patent.status == "valid"

        def count(condition):
            return func.count(case((condition, 1)))  # an integer on both backends
        rows = self._rows(
            select(Patent.enterprise_id, func.count(), count(valid),
                   count(and_(valid, Patent.industrialized.is_(True))),
                   count(and_(valid, Patent.industrialized.is_(None))))
            .group_by(Patent.enterprise_id))
        return {row[0]: tuple(row[1:]) for row in rows}

    @cached_property
    def latest_figures(self) -> dict[int, object]:
        """``{enterprise id: row}`` of the latest ``YearlyFigure`` of a year
        before ``as_of``'s: ``enterprise_id``, ``year`` and the :data:`ANNUAL_FIELDS`
        (:data:`NO_FIGURES` for an enterprise without)."""
        yf = YearlyFigure
        latest = (select(yf.enterprise_id, func.max(yf.year).label("year"))
                  .where(yf.year < self.as_of.year).group_by(yf.enterprise_id).subquery())
        rows = self._rows(
            select(yf.enterprise_id, yf.year, *(getattr(yf, f) for f in ANNUAL_FIELDS))
            .join(latest, and_(latest.c.enterprise_id == yf.enterprise_id, latest.c.year == yf.year)))
        return {row[0]: row for row in rows}

    @cached_property
    def research_partner(self) -> dict[int, object]:
        """``{enterprise id: partnership}``: the first partnership that counts
        for criterion 7 on ``as_of`` (:func:`pool.eligibility.figures.counts_for_c7`)."""
        rp = ResearchPartnership
        rows = self._rows(select(rp.enterprise_id, rp.partner, rp.partner_type, rp.valid_from, rp.valid_to)
                          .order_by(rp.enterprise_id, rp.id))
        first, as_of = {}, self.as_of
        for row in rows:
            if row[0] not in first and counts_for_c7(row, as_of):
                first[row[0]] = row
        return first

    @property
    def certified_products(self) -> dict[int, list]:
        """``{enterprise id: [product]}`` of the members' patent-intensive
        products certified by ``as_of`` (:func:`pool.membership.proposals.certified`),
        by certification date and id: ``id``, ``name``, ``certified_on``."""
        return self._products[0]

    @property
    def product_figures(self) -> dict[tuple[int, int], object]:
        """``{(product id, year): figures}`` (``sales``, ``profit``) of the
        products in :attr:`certified_products`."""
        return self._products[1]

    @cached_property
    def _products(self) -> tuple[dict, dict]:
        rows = self._rows(
            select(Product.enterprise_id, Product.id, Product.name, Product.certified_on,
                   ProductFigure.year, ProductFigure.sales, ProductFigure.profit)
            .join(Enterprise, Enterprise.id == Product.enterprise_id)
            .outerjoin(ProductFigure, ProductFigure.product_id == Product.id)
            .where(in_pool(self.as_of), certified(self.as_of))
            .order_by(Product.enterprise_id, Product.certified_on, Product.id))
        # One row per product and year of figures: the row is the product and its figures.
        products: dict[int, list] = {}
        figures: dict[tuple[int, int], object] = {}
        last = None
        for row in rows:
            product_id, year = row[1], row[4]
            if product_id != last:
                products.setdefault(row[0], []).append(row)
                last = product_id
            if year is not None:
                figures[product_id, year] = row
        return products, figures
