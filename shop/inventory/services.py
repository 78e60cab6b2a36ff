"""Use cases of the stock ledger."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from shop.catalog.models import Variant
from shop.database import write_transaction
from shop.errors import ValidationError
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.models import (
    MAX_QUANTITY,
    Location,
    StockLevel,
    StockMovement,
    StockReservation,
    is_quantity,
)

ADJUSTMENT_REASONS = ("damage", "return")


@dataclass(frozen=True)
class Mismatch:
    sku: str
    location_code: str
    what: str
    recorded: int
    expected: int

    def __str__(self) -> str:
        return (f"{self.location_code} {self.sku}: {self.what} is {self.recorded}, "
                f"the ledger says {self.expected}")


def ledger_mismatches() -> list[Mismatch]:
    """Every (variant, location) whose on_hand differs from the sum of its movements."""
    sums = (db.select(StockMovement.variant_id, StockMovement.location_id,
                      func.sum(StockMovement.delta).label("total"))
            .group_by(StockMovement.variant_id, StockMovement.location_id).subquery())
    rows = db.session.execute(
        db.select(Variant.sku, Location.code, StockLevel.on_hand, sums.c.total)
        .select_from(StockLevel)
        .join(Variant, Variant.id == StockLevel.variant_id)
        .join(Location, Location.id == StockLevel.location_id)
        .outerjoin(sums, (sums.c.variant_id == StockLevel.variant_id)
                   & (sums.c.location_id == StockLevel.location_id))
        .order_by(Location.code, Variant.sku))
    mismatches = [Mismatch(sku, code, "on_hand", on_hand, int(total or 0))
                  for sku, code, on_hand, total in rows if on_hand != int(total or 0)]
    orphans = db.session.execute(
        db.select(Variant.sku, Location.code, sums.c.total).select_from(sums)
        .join(Variant, Variant.id == sums.c.variant_id)
        .join(Location, Location.id == sums.c.location_id)
        .outerjoin(StockLevel, (StockLevel.variant_id == sums.c.variant_id)
                   & (StockLevel.location_id == sums.c.location_id))
        .where(StockLevel.id.is_(None)))
    mismatches += [Mismatch(sku, code, "on_hand", 0, int(total)) for sku, code, total in orphans]
    return mismatches + _reservation_mismatches()


def _reservation_mismatches() -> list[Mismatch]:
    """Every (variant, location) whose `reserved` differs from its open reservations."""
    held = (db.select(StockReservation.variant_id, StockReservation.location_id,
                      func.sum(StockReservation.quantity).label("total"))
            .where(StockReservation.status == "open")
            .group_by(StockReservation.variant_id, StockReservation.location_id).subquery())
    rows = db.session.execute(
        db.select(Variant.sku, Location.code, StockLevel.reserved, held.c.total)
        .select_from(StockLevel)
        .join(Variant, Variant.id == StockLevel.variant_id)
        .join(Location, Location.id == StockLevel.location_id)
        .outerjoin(held, (held.c.variant_id == StockLevel.variant_id)
                   & (held.c.location_id == StockLevel.location_id))
        .order_by(Location.code, Variant.sku))
    return [Mismatch(sku, code, "reserved", reserved, int(total or 0))
            for sku, code, reserved, total in rows if reserved != int(total or 0)]


def receive_goods(location: Location, variant: Variant, quantity: int, *, actor_id: int | None,
                  note: str = "") -> None:
    """A goods receipt: units arrive at a location from outside the shop."""
    if not is_quantity(quantity):
        raise ValidationError(f"receive from 1 to {MAX_QUANTITY} units",
                              {"quantity": f"a whole number from 1 to {MAX_QUANTITY}"})
    _check_location_holds(location, variant)
    with write_transaction(db.session):
        stock.move(variant.id, location.id, quantity, "receipt", note=note.strip()[:300],
                   reference="goods receipt", actor_id=actor_id)


def record_adjustment(location: Location, variant: Variant, quantity: int, reason: str, *,
                      actor_id: int | None, note: str) -> None:
    """Damaged goods leave the stock; returned goods come back. A reason is required."""
    problems = {}
    if reason not in ADJUSTMENT_REASONS:
        problems["reason"] = "damage or return"
    if not is_quantity(quantity):
        problems["quantity"] = f"a whole number from 1 to {MAX_QUANTITY}"
    if not (note or "").strip():
        problems["note"] = "say what happened"
    if problems:
        raise ValidationError("the adjustment is not valid", problems)
    _check_location_holds(location, variant)
    delta = -quantity if reason == "damage" else quantity
    with write_transaction(db.session):
        if delta < 0 and stock.level(variant.id, location.id).on_hand < quantity:
            raise ValidationError("more damaged units than the location holds",
                                  {"quantity": "at most what is on hand"})
        stock.move(variant.id, location.id, delta, reason, note=note.strip()[:300],
                   reference=reason, actor_id=actor_id)
        if delta < 0:
            stock.cover_reservations(variant.id, location.id, f"{reason} adjustment")


def _check_location_holds(location: Location, variant: Variant) -> None:
    """Goods arrive at an open location: a warehouse only of the variant's own producer."""
    if not location.is_active:
        raise ValidationError("this location is closed", {"location": "closed"})
    if location.kind == "warehouse" and location.producer_id != variant.product.producer_id:
        raise ValidationError("a warehouse holds only its producer's goods",
                              {"location": "not this producer's warehouse"})
