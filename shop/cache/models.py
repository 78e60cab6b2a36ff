"""The counters that cached pages are keyed by."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db


class CacheGeneration(db.Model):
    """A named counter raised after every commit that changed what it covers."""

    __tablename__ = "cache_generation"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ProductStock(db.Model):
    """What the cached pages of one product depend on in stock: `version`, raised after each
    commit that changed the stock of one of its variants, and whether the shop could sell it
    online then (`in_stock`), as seen at the stock generation `stock_generation`. Listings show
    only that flag: they are kept until it turns for some product."""

    __tablename__ = "product_stock"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"),
                                            primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    in_stock: Mapped[bool] = mapped_column(default=False)
    stock_generation: Mapped[int] = mapped_column(BigInteger, default=0)
