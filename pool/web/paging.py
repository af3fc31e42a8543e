"""A page of any statement whose rows a function turns into items (the pages' and the API's pager
reads it as it reads ``db.paginate``'s)."""
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select


class RowsPagination(Pagination):
    """``RowsPagination(select=…, session=…, items=…, page=…, per_page=…)``: ``items(session, stmt)``
    turns the page's limited statement into its items (e.g. :func:`pool.ladder.past.members`);
    the total is counted by the database."""

    def _query_items(self) -> list:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["items"](self._query_args["session"], stmt))

    def _query_count(self) -> int:
        stmt = self._query_args["select"].order_by(None).subquery()
        return self._query_args["session"].scalar(select(func.count()).select_from(stmt))
