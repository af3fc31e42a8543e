"""The facts one scan decides on, loaded for the whole pool by set-based queries.

(And the criteria's verdicts on the members' records, kept between scans:
:mod:`pool.monitoring.verdicts`.)

Each is one query (never one per enterprise), run when a stage first asks
for it and kept for the scan.  SQL here selects and aggregates — the members
on ``as_of``, their last progress, their certified products and those
products' figures — and compares no threshold: the stages decide in Python
with the rules of :mod:`pool.membership.rules`.

The queries run on the session's connection as plain SQL expressions, with
no ORM loading on top, and the stages read rows by position in their loops:
a city's pool is 100,000 rows, read several times.
"""
from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Collection

from sqlalchemy import and_, func, select

from models import Enterprise, PoolEvent, Product, ProductFigure
from models.event import PROGRESS

from pool.membership.proposals import certified
from pool.monitoring import verdicts
from pool.monitoring.flags import in_pool, live


class Facts:
    """The pool's facts on ``as_of``, read through ``session``."""

    def __init__(self, session, as_of: date, rulebook, *, keep_verdicts: bool = False,
                 only: int | Collection[int] | None = None):
        self.session, self.as_of, self.rulebook = session, as_of, rulebook
        self.keep_verdicts = keep_verdicts
        # Some enterprises' facts (an officer's action just changed them): an id or ids.
        self.only = None if only is None else [only] if isinstance(only, int) else sorted(only)

    def in_pool(self):
        """SQL condition: a member on ``as_of`` (:func:`pool.monitoring.flags.in_pool`),
        the one enterprise of ``only`` if given.  Every stage selects its members with it."""
        condition = in_pool(self.as_of)
        return condition if self.only is None else and_(condition, Enterprise.id.in_(self.only))

    def _rows(self, statement) -> list:
        return self.session.connection().execute(statement).all()  # fetchall: not row by row

    def _only(self, column) -> tuple:
        return () if self.only is None else (column.in_(self.only),)

    @cached_property
    def members(self) -> dict[int, object]:
        """``{id: row}`` of the enterprises in the pool on ``as_of``: ``id``,
        ``county_id``, ``name``, ``admitted_on``."""
        rows = self._rows(select(Enterprise.id, Enterprise.county_id, Enterprise.name, Enterprise.admitted_on)
                          .where(self.in_pool()))
        return {row[0]: row for row in rows}

    @cached_property
    def verdicts(self) -> dict[int, verdicts.Verdict]:
        """``{enterprise id: Verdict}``: the criteria on each member's record on
        ``as_of`` (:mod:`pool.monitoring.verdicts`; stored when the scan keeps them)."""
        return verdicts.current(self.session, self.as_of, self.rulebook, self.members,
                                keep=self.keep_verdicts)

    @cached_property
    def last_progress(self) -> dict[int, date]:
        """``{enterprise id: date}`` of the last live progress event effective by ``as_of``."""
        return dict(self._rows(
            select(PoolEvent.enterprise_id, func.max(PoolEvent.effective_on))
            .where(live(PROGRESS, self.as_of), *self._only(PoolEvent.enterprise_id))
            .group_by(PoolEvent.enterprise_id)))

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
            .where(self.in_pool(), certified(self.as_of))
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
