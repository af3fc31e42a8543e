"""The database handle and the column types every model shares.

``db`` is created without an app and bound in the factory.  Money and times
get their own types so that no model can store them wrongly:

* ``Money``: 万元 as an exact ``Decimal``, stored as an integer number of yuan
  (1 万元 = 10 000 元), so sums and comparisons are exact in SQL on SQLite and
  PostgreSQL alike and ``200.2 / 2002`` stays exactly 10 %.  ``PayableMoney``
  does the same in fen, for award amounts paid to 0.01 元.
* ``UTCDateTime``: aware datetimes, stored as naive UTC; shown in Asia/Shanghai
  by the web layer.
"""
from datetime import datetime, timezone
from decimal import Decimal

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, DateTime, MetaData, TypeDecorator, event
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names: Alembic's batch mode on SQLite needs them to alter tables.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

YUAN_PER_WAN = 10000


class Money(TypeDecorator):
    """万元 amounts as exact ``Decimal``; stored as integer yuan.

    :raise ValueError: on binding an amount finer than one yuan (0.0001 万元).
    """

    impl = BigInteger
    cache_ok = True
    units_per_wan, unit = YUAN_PER_WAN, "0.0001 万元，即 1 元"

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        units = amount * self.units_per_wan
        if units != units.to_integral_value():
            raise ValueError(f"金额 {amount} 万元 超出精度（最小 {self.unit}）")
        return int(units)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value) / self.units_per_wan


class PayableMoney(Money):
    """A payable amount (万元, exact ``Decimal``), stored as integer fen: awards are paid to 0.01 元."""

    cache_ok = True
    units_per_wan, unit = YUAN_PER_WAN * 100, "0.000001 万元，即 0.01 元"


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as naive UTC (portable across backends).

    :raise ValueError: on binding a naive datetime: its zone would be a guess.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("时间必须带时区（aware datetime）")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    """Current time in UTC; used as a column default (a callable, evaluated per row)."""
    return datetime.now(timezone.utc)


class AppendOnlyError(RuntimeError):
    """Raised on an attempt to change or delete a row of an append-only table."""


def append_only(model, *, on_update: str, on_delete: str):
    """Make ``model``'s rows append-only: a flush that would change or delete one raises
    :class:`AppendOnlyError` with the Chinese message saying how to correct instead."""
    def refuse(message):
        def listener(mapper, connection, target):
            raise AppendOnlyError(message)
        return listener

    event.listen(model, "before_update", refuse(on_update))
    event.listen(model, "before_delete", refuse(on_delete))
    return model
