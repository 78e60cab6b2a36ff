"""Where each line of an order is reserved.

Delivery: the producer's warehouse first, then sales points that ship online, nearest first
(the buyer's province, then the buyer's region, then the rest); a line may be split over
several locations. Pickup: every line at the chosen sales point. The plan is read first, then
reserved with conditional updates taken in a fixed order (variant id, location id); if a race
took units in between, the plan is made again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, or_, select

from shop.catalog.models import Product, Variant
from shop.errors import InsufficientStock
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.models import Location, StockLevel
from shop.places.models import Province

ATTEMPTS = 3


@dataclass(frozen=True)
class Want:
    line_id: int
    variant_id: int
    sku: str
    quantity: int


class _Raced(Exception):
    pass


def _candidates(variant_id: int, province_code: str | None) -> list[tuple[int, int]]:
    """(location id, available) for the variant, in the order delivery should draw on them."""
    region = select(Province.region_code).where(Province.code == province_code).scalar_subquery()
    nearness = case((Location.province_code == province_code, 0),
                    (Province.region_code == region, 1), else_=2)
    rows = db.session.execute(
        select(StockLevel.location_id, StockLevel.on_hand - StockLevel.reserved)
        .join(Location, Location.id == StockLevel.location_id)
        .join(Province, Province.code == Location.province_code)
        .join(Variant, Variant.id == StockLevel.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .where(StockLevel.variant_id == variant_id, Location.is_active,
               StockLevel.on_hand - StockLevel.reserved > 0,
               or_(and_(Location.kind == "warehouse", Location.producer_id == Product.producer_id),
                   and_(Location.kind == "sales_point", Location.ships_online)))
        .order_by(case((Location.kind == "warehouse", 0), else_=1), nearness, Location.id))
    return [(location_id, int(available)) for location_id, available in rows]


def _plan(wants: list[Want], *, province_code: str | None,
          pickup_location_id: int | None) -> list[tuple[int, int, int, int]]:
    """(variant, location, quantity, line) for every want, or InsufficientStock naming the first
    line that cannot be covered and how many are left."""
    plan = []
    for want in wants:
        if pickup_location_id is not None:
            options = [(pickup_location_id, stock.level(want.variant_id, pickup_location_id).available)]
        else:
            options = _candidates(want.variant_id, province_code)
        remaining = want.quantity
        for location_id, available in options:
            take = min(max(available, 0), remaining)
            if take:
                plan.append((want.variant_id, location_id, take, want.line_id))
                remaining -= take
        if remaining:
            left = want.quantity - remaining
            raise InsufficientStock(
                f"only {left} of {want.sku} can be had, {want.quantity} asked",
                {"sku": want.sku, "requested": want.quantity, "available": left})
    return plan


def reserve(wants: list[Want], *, reference: str, province_code: str | None = None,
            pickup_location_id: int | None = None) -> None:
    """Reserve every want or none (raise InsufficientStock). Caller commits or rolls back."""
    for _attempt in range(ATTEMPTS):
        plan = _plan(wants, province_code=province_code, pickup_location_id=pickup_location_id)
        try:
            with db.session.begin_nested():
                for variant_id, location_id, quantity, line_id in sorted(plan):
                    if stock.try_reserve(variant_id, location_id, quantity, reference,
                                         order_line_id=line_id) is None:
                        raise _Raced
            return
        except _Raced:
            continue
    _plan(wants, province_code=province_code, pickup_location_id=pickup_location_id)
    raise InsufficientStock("the stock changed while the order was placed; please try again", {})
