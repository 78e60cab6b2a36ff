"""What checkout shows before an order is placed: the shipments a delivery would make, and
the sales points where the whole cart could be picked up now."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select

from shop.extensions import db
from shop.inventory import queries as stock_queries
from shop.inventory.models import Location
from shop.orders.checkout import OrderSettings
from shop.orders.models import Cart


def delivery_shipments(cart: Cart, settings: OrderSettings) -> list[dict]:
    """One shipment per producer, as place_order makes them, with its fee."""
    def producer_of(line):
        return line.variant.product.producer_id

    shipments = []
    for _producer_id, group in groupby(sorted(cart.lines, key=producer_of), key=producer_of):
        group = list(group)
        subtotal = sum(line.quantity * line.variant.price_vnd for line in group)
        shipments.append({"producer": group[0].variant.product.producer.name,
                          "subtotal_vnd": subtotal, "shipping_vnd": settings.shipping_fee(subtotal)})
    return shipments


def pickup_points(cart: Cart) -> list[dict]:
    """The sales points that offer pickup, those holding every line now first."""
    points = db.session.scalars(select(Location).where(
        Location.kind == "sales_point", Location.is_active, Location.offers_pickup)
        .order_by(Location.name, Location.id)).all()
    held = {location.id: available for location, available in
            stock_queries.sales_point_stock([line.variant_id for line in cart.lines])}
    result = []
    for point in points:
        available = held.get(point.id, {})
        missing = [f"{line.variant.product.name} – {line.variant.label}" for line in cart.lines
                   if available.get(line.variant_id, 0) < line.quantity]
        result.append({"location": point, "ready": not missing, "missing": missing})
    return sorted(result, key=lambda item: not item["ready"])
