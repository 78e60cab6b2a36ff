"""What can be sold where: stock seen from the online shop and from the sales points.

The online shop sells from the producer's own warehouse and from sales points that ship
online; what it can sell is the sum of what those hold and no online order has reserved.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import contains_eager

from shop.catalog.models import Product, Variant
from shop.extensions import db
from shop.inventory.models import Location, StockLevel, StockMovement

_AVAILABLE = case((StockLevel.on_hand - StockLevel.reserved > 0,
                   StockLevel.on_hand - StockLevel.reserved), else_=0)


def _online_levels(select):
    """Join a select over StockLevel to the locations that sell online for the variant."""
    return (select.join(Variant, Variant.id == StockLevel.variant_id)
            .join(Product, Product.id == Variant.product_id)
            .join(Location, Location.id == StockLevel.location_id)
            .where(Location.is_active, Variant.is_active, or_(
                and_(Location.kind == "warehouse", Location.producer_id == Product.producer_id),
                and_(Location.kind == "sales_point", Location.ships_online))))


def online_available_of(product_ids):
    """(product_id, units: what the shop can sell online) of each of `product_ids` (a list or
    a select of ids) that has stock levels."""
    return (_online_levels(
        db.select(Variant.product_id, func.sum(_AVAILABLE).label("units")).select_from(StockLevel))
        .where(Variant.product_id.in_(product_ids), Product.id.in_(product_ids))
        .group_by(Variant.product_id))  # both sides named: each is looked up by its index


def online_available_by_product(product_ids: list[int]) -> dict[int, int]:
    if not product_ids:
        return {}
    rows = db.session.execute(online_available_of(product_ids))
    return {product_id: int(total or 0) for product_id, total in rows}


def online_available_by_variant(variant_ids: list[int]) -> dict[int, int]:
    if not variant_ids:
        return {}
    rows = db.session.execute(_online_levels(
        db.select(StockLevel.variant_id, func.sum(_AVAILABLE)).select_from(StockLevel))
        .where(StockLevel.variant_id.in_(variant_ids)).group_by(StockLevel.variant_id))
    return {variant_id: int(total or 0) for variant_id, total in rows}


def sales_point_stock(variant_ids: list[int]) -> list[tuple[Location, dict[int, int]]]:
    """Sales points holding any of the variants, with what is available of each."""
    if not variant_ids:
        return []
    rows = db.session.execute(
        db.select(Location, StockLevel.variant_id, _AVAILABLE)
        .join(StockLevel, StockLevel.location_id == Location.id)
        .where(Location.kind == "sales_point", Location.is_active,
               StockLevel.variant_id.in_(variant_ids), StockLevel.on_hand > 0)
        .order_by(Location.name, Location.id)).all()
    points: dict[int, tuple[Location, dict[int, int]]] = {}
    for location, variant_id, available in rows:
        points.setdefault(location.id, (location, {}))[1][variant_id] = int(available)
    return list(points.values())


def levels_at(location_id: int) -> list[tuple[StockLevel, Variant]]:
    """Everything a location stocks, with its variant and product, by product name."""
    return list(db.session.execute(
        db.select(StockLevel, Variant).join(Variant, Variant.id == StockLevel.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .where(StockLevel.location_id == location_id)
        .options(contains_eager(StockLevel.variant).contains_eager(Variant.product))
        .order_by(Product.name, Variant.label)).all())


def movements(location_ids: list[int], *, sku: str | None = None, reason: str | None = None,
              since=None, until=None, variant_ids: list[int] | None = None, limit: int = 200):
    """Ledger lines of some locations, newest first, with optional filters."""
    query = (db.select(StockMovement, Variant.sku, Location.code)
             .join(Variant, Variant.id == StockMovement.variant_id)
             .join(Location, Location.id == StockMovement.location_id)
             .where(StockMovement.location_id.in_(location_ids)))
    if sku:
        query = query.where(Variant.sku == sku)
    if reason:
        query = query.where(StockMovement.reason == reason)
    if since:
        query = query.where(StockMovement.occurred_at >= since)
    if until:
        query = query.where(StockMovement.occurred_at < until)
    if variant_ids is not None:
        query = query.where(StockMovement.variant_id.in_(variant_ids))
    return db.session.execute(
        query.order_by(StockMovement.occurred_at.desc(), StockMovement.id.desc()).limit(limit)).all()
