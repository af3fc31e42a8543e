"""Whole records of many enterprises at once, for judging them in bulk.

:func:`records` loads the enterprises asked for and every part of their
records with one query per table and chunk, as plain read-only objects that
carry what :func:`pool.records.facts.record_data` reads of an
:class:`~models.Enterprise` and its parts — the same rows, in the same order,
as the ORM's relationships would give, without an identity map, lazy loading
or change tracking: the daily scan judges up to a whole city's pool of
records in one run.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Iterable, Iterator

from sqlalchemy import select

from models import (
    County, Enterprise, Patent, Product, Qualification, ResearchPartnership, Trademark, YearlyFigure,
)
from models.ip_assets import product_patent

__all__ = ["records", "CHUNK"]

CHUNK = 1000  # enterprises per round of queries (well inside every backend's parameter limit)

# the record's lists: attribute, table, order within an enterprise (as the relationships)
_LISTS = (
    ("qualifications", Qualification, Qualification.id),
    ("patents", Patent, Patent.id),
    ("products", Product, Product.id),
    ("trademarks", Trademark, Trademark.id),
    ("partnerships", ResearchPartnership, ResearchPartnership.id),
    ("figures", YearlyFigure, YearlyFigure.year),
)


_PRODUCT_KEYS = [column.key for column in Product.__table__.columns]


def records(session, ids: Iterable[int]) -> Iterator[tuple[int, SimpleNamespace]]:
    """``(enterprise id, record)`` for each of ``ids`` that exists, in id
    order, loaded :data:`CHUNK` enterprises at a time (memory stays flat)."""
    connection = session.connection()
    counties = {i: SimpleNamespace(id=i, name=name)
                for i, name in connection.execute(select(County.id, County.name))}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        yield from _chunk(connection, counties, wanted[start:start + CHUNK])


def _chunk(connection, counties, ids: list[int]) -> Iterator[tuple[int, SimpleNamespace]]:
    table = Enterprise.__table__
    keys = [column.key for column in table.columns]  # a row's names, read once (not row._mapping each time)
    found = {row.id: SimpleNamespace(**dict(zip(keys, row)), **{name: [] for name, _, _ in _LISTS})
             for row in connection.execute(select(table).where(table.c.id.in_(ids))).all()}
    for record in found.values():
        record.county = counties.get(record.county_id)
    products = {}
    patents = {}
    for name, model, order in _LISTS:
        rows = connection.execute(select(model.__table__).where(model.enterprise_id.in_(ids))
                                  .order_by(model.enterprise_id, order)).all()  # fetchall: not row by row
        for row in rows:
            if model is Product:
                row = products[row.id] = SimpleNamespace(**dict(zip(_PRODUCT_KEYS, row)), patents=[])
            elif model is Patent:
                patents[row.id] = row
            getattr(found[row.enterprise_id], name).append(row)
    if products:
        links = connection.execute(
            select(product_patent.c.product_id, product_patent.c.patent_id)
            .join(Product, Product.id == product_patent.c.product_id)
            .where(Product.enterprise_id.in_(ids)).order_by(product_patent.c.patent_id)).all()
        for product_id, patent_id in links:
            products[product_id].patents.append(patents[patent_id])
    for enterprise_id in ids:
        if enterprise_id in found:
            yield enterprise_id, found[enterprise_id]
