"""县(市、区): the unit a county officer's access is scoped to."""
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import db


class County(db.Model):
    __tablename__ = "county"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 6-digit administrative division code (Huangshi's begin with 4202).
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<County {self.code} {self.name}>"
