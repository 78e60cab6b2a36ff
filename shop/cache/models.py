"""The counters that cached pages are keyed by."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db


class CacheGeneration(db.Model):
    """A named counter raised after every commit that changed what it covers."""

    __tablename__ = "cache_generation"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
