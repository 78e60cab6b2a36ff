"""What the producer pages show, always loaded through the producer (pure reads, no rules)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from shop.accounts.models import ProducerMember
from shop.catalog.models import Product, Variant
from shop.extensions import db
from shop.inventory.models import Location, StockLevel, Transfer, TransferLine


def memberships(user_id: int) -> list[ProducerMember]:
    """The producers a user works for, the earliest membership first."""
    return list(db.session.scalars(
        db.select(ProducerMember).where(ProducerMember.user_id == user_id)
        .options(joinedload(ProducerMember.producer)).order_by(ProducerMember.id)))


def warehouses(producer_id: int) -> list[Location]:
    return list(db.session.scalars(
        db.select(Location).where(Location.kind == "warehouse", Location.producer_id == producer_id)
        .order_by(Location.name, Location.id)))


def warehouse(producer_id: int, location_id: int | None) -> Location | None:
    """One of the producer's own warehouses, or None (someone else's is not found)."""
    if location_id is None:
        return None
    return db.session.scalar(
        db.select(Location).where(Location.id == location_id, Location.kind == "warehouse",
                                  Location.producer_id == producer_id))


def sales_points() -> list[Location]:
    """The open sales points a transfer can go to."""
    return list(db.session.scalars(
        db.select(Location).where(Location.kind == "sales_point", Location.is_active)
        .order_by(Location.name, Location.id)))


def sales_point(location_id: int | None) -> Location | None:
    if location_id is None:
        return None
    return db.session.scalar(
        db.select(Location).where(Location.id == location_id, Location.kind == "sales_point",
                                  Location.is_active))


def variants(producer_id: int) -> list[Variant]:
    """The producer's own variants with their products, by product name and pack."""
    return list(db.session.scalars(
        db.select(Variant).join(Product, Product.id == Variant.product_id)
        .where(Product.producer_id == producer_id)
        .options(contains_eager(Variant.product)).order_by(Product.name, Variant.label, Variant.id)))


def stock_levels(producer_id: int) -> list[StockLevel]:
    """Every stock row of the producer's variants, wherever they are: warehouses first."""
    return list(db.session.scalars(
        db.select(StockLevel)
        .join(Variant, Variant.id == StockLevel.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(Product.producer_id == producer_id)
        .options(contains_eager(StockLevel.variant).contains_eager(Variant.product),
                 contains_eager(StockLevel.location))
        .order_by(Product.name, Variant.label, Variant.id, Location.kind.desc(), Location.name)))


def in_transit(producer_id: int) -> dict[int, int]:
    """Units of each variant on the way from the producer's warehouses to sales points."""
    rows = db.session.execute(
        db.select(TransferLine.variant_id, func.sum(TransferLine.quantity_sent))
        .join(Transfer, Transfer.id == TransferLine.transfer_id)
        .join(Location, Location.id == Transfer.from_location_id)
        .where(Transfer.status == "in_transit", Location.producer_id == producer_id)
        .group_by(TransferLine.variant_id))
    return {variant_id: int(total) for variant_id, total in rows}


def available_at(location_id: int, variant_ids: list[int]) -> dict[int, int]:
    """On hand minus reserved of some variants at one location."""
    if not variant_ids:
        return {}
    rows = db.session.execute(
        db.select(StockLevel.variant_id, StockLevel.on_hand - StockLevel.reserved)
        .where(StockLevel.location_id == location_id, StockLevel.variant_id.in_(variant_ids)))
    return {variant_id: int(available) for variant_id, available in rows}


def stock_location_ids(producer_id: int) -> list[int]:
    """Every location that has held any of the producer's variants (each movement has a row)."""
    return list(db.session.scalars(
        db.select(StockLevel.location_id).distinct()
        .join(Variant, Variant.id == StockLevel.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .where(Product.producer_id == producer_id)))


def _transfers(producer_id: int):
    source = db.aliased(Location)
    return (db.select(Transfer).join(source, source.id == Transfer.from_location_id)
            .where(source.producer_id == producer_id))


def transfers(producer_id: int, page: int, per_page: int = 30):
    """The producer's transfers, newest first, a page at a time."""
    query = (_transfers(producer_id)
             .options(joinedload(Transfer.from_location), joinedload(Transfer.to_location),
                      selectinload(Transfer.lines))
             .order_by(Transfer.created_at.desc(), Transfer.id.desc()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def transfer(producer_id: int, transfer_id: int) -> Transfer | None:
    """One of the producer's transfers with its lines, or None (someone else's is not found)."""
    return db.session.scalar(
        _transfers(producer_id).where(Transfer.id == transfer_id)
        .options(joinedload(Transfer.from_location), joinedload(Transfer.to_location),
                 selectinload(Transfer.lines).joinedload(TransferLine.variant)
                 .joinedload(Variant.product)))


def transfer_counts(producer_id: int) -> dict[str, int]:
    """How many of the producer's transfers are in each status."""
    source = db.aliased(Location)
    rows = db.session.execute(
        db.select(Transfer.status, func.count()).join(source, source.id == Transfer.from_location_id)
        .where(source.producer_id == producer_id).group_by(Transfer.status))
    return {status: int(count) for status, count in rows}
