"""Building blocks of the stock ledger. Each only flushes: the caller commits."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.extensions import db
from shop.inventory.models import StockLevel, StockMovement


def ensure_level(variant_id: int, location_id: int) -> None:
    """Create the (variant, location) row if missing, safely when two writers race."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(StockLevel)
        .values(variant_id=variant_id, location_id=location_id, on_hand=0, reserved=0)
        .on_conflict_do_nothing(index_elements=["variant_id", "location_id"]))


def move(variant_id: int, location_id: int, delta: int, reason: str, *, reference: str = "",
         note: str = "", actor_id: int | None = None,
         idempotency_key: str | None = None) -> StockMovement:
    """Write one ledger line and apply it to on_hand in the same transaction. Caller commits."""
    ensure_level(variant_id, location_id)
    db.session.execute(
        update(StockLevel)
        .where(StockLevel.variant_id == variant_id, StockLevel.location_id == location_id)
        .values(on_hand=StockLevel.on_hand + delta))
    movement = StockMovement(
        variant_id=variant_id, location_id=location_id, delta=delta, reason=reason,
        reference=reference, note=note, actor_id=actor_id, idempotency_key=idempotency_key)
    db.session.add(movement)
    db.session.flush()
    return movement
