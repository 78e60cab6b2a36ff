"""Use cases of the stock ledger."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from shop.catalog.models import Variant
from shop.extensions import db
from shop.inventory.models import Location, StockLevel, StockMovement


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
    return mismatches
