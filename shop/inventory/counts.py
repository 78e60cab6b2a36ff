"""Stock counts: staff count the shelves; a manager applies the count later.

The difference is taken against the ledger *as it stood when the shelves were counted*
(movements are dated by when they happened, so a counter sale synced late still lands on the
right side of the count), and recomputed when the count is applied. A count applied after
later movements says how many there were.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from shop.audit import services as audit
from shop.catalog.models import Variant
from shop.clock import utcnow
from shop.database import write_transaction
from shop.errors import Conflict, IdempotencyConflict, ValidationError
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.models import Location, StockCount, StockCountLine, StockLevel, StockMovement


def ledger_at(location_id: int, variant_ids: list[int], moment: datetime) -> dict[int, int]:
    """What the ledger held of each variant at `moment`."""
    rows = db.session.execute(
        select(StockMovement.variant_id, func.sum(StockMovement.delta))
        .where(StockMovement.location_id == location_id, StockMovement.variant_id.in_(variant_ids),
               StockMovement.occurred_at <= moment)
        .group_by(StockMovement.variant_id))
    totals = {variant_id: int(total) for variant_id, total in rows}
    return {variant_id: totals.get(variant_id, 0) for variant_id in variant_ids}


def _variants_at(location: Location, skus: list[str]) -> dict[str, Variant]:
    found = {v.sku: v for v in db.session.scalars(
        select(Variant).join(StockLevel, StockLevel.variant_id == Variant.id)
        .where(StockLevel.location_id == location.id, Variant.sku.in_(skus)))}
    unknown = {f"lines[{n}].sku": f"{sku} is not stocked at {location.code}"
               for n, sku in enumerate(skus) if sku not in found}
    if unknown:
        raise ValidationError("the count names SKUs this sales point does not stock", unknown)
    return found


def submit_count(location: Location, count_id: str, counted_at: datetime,
                 lines: list[tuple[str, int]], digest: str, *, user_id: int | None = None,
                 device_id: int | None = None) -> tuple[bool, StockCount]:
    """Record a count (idempotent by its id): (True, count) the first time, (False, count) after."""
    existing = db.session.get(StockCount, count_id)
    if existing is not None:
        if existing.location_id != location.id or existing.request_hash != digest:
            raise IdempotencyConflict(f"count {count_id} was already sent with a different body",
                                      {"id": count_id})
        return False, existing
    variants = _variants_at(location, [sku for sku, _ in lines])
    with write_transaction(db.session):
        expected = ledger_at(location.id, [v.id for v in variants.values()], counted_at)
        count = StockCount(id=count_id, location_id=location.id, counted_at=counted_at,
                           submitted_by_id=user_id, device_id=device_id, request_hash=digest)
        count.lines = [StockCountLine(variant_id=variants[sku].id, counted=counted,
                                      expected=expected[variants[sku].id])
                       for sku, counted in lines]
        db.session.add(count)
    return True, count


def apply_count(count: StockCount, *, actor_id: int | None = None) -> StockCount:
    """Write the count's differences to the ledger as `count_adjustment` movements."""
    if count.status == "applied":
        raise Conflict("this count is already applied")
    with write_transaction(db.session):
        claimed = db.session.execute(
            update(StockCount).where(StockCount.id == count.id, StockCount.status == "submitted")
            .values(status="applied", applied_at=utcnow(), applied_by_id=actor_id)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            raise Conflict("this count is already applied")
        db.session.refresh(count)
        variant_ids = [line.variant_id for line in count.lines]
        expected = ledger_at(count.location_id, variant_ids, count.counted_at)
        for line in count.lines:
            line.expected = expected[line.variant_id]
            line.adjustment = line.counted - line.expected
            if line.adjustment:
                stock.move(line.variant_id, count.location_id, line.adjustment,
                           "count_adjustment", reference=f"count {count.id[:8]}",
                           actor_id=actor_id, occurred_at=count.counted_at)
            if line.adjustment < 0:
                stock.cover_reservations(line.variant_id, count.location_id,
                                         f"stock count {count.id[:8]}")
        count.movements_after = db.session.scalar(
            select(func.count(StockMovement.id)).where(
                StockMovement.location_id == count.location_id,
                StockMovement.variant_id.in_(variant_ids),
                StockMovement.occurred_at > count.counted_at,
                StockMovement.reason != "count_adjustment"))
        audit.record("count.applied", actor_id=actor_id, subject=f"count:{count.id}",
                     device_id=count.device_id,
                     adjustments={line.variant.sku: line.adjustment for line in count.lines
                                  if line.adjustment})
    return count


def count_response(count: StockCount) -> dict:
    return {
        "id": count.id, "status": count.status, "counted_at": count.counted_at.isoformat(),
        "lines": [{"sku": line.variant.sku, "expected": line.expected, "counted": line.counted,
                   "difference": line.difference} for line in count.lines],
        "movements_after": count.movements_after,
    }
