"""Building blocks of the stock ledger. Each only flushes: the caller commits (or rolls back
after an error, since an earlier line of the same call may already be written)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.cache.counter import STOCK_VARIANTS
from shop.catalog.models import Product, Variant
from shop.clock import utcnow
from shop.errors import InsufficientStock
from shop.extensions import db
from shop.inventory.models import Location, StockLevel, StockMovement, StockReservation


@dataclass(frozen=True)
class Level:
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def ensure_level(variant_id: int, location_id: int) -> None:
    """Create the (variant, location) row if missing, safely when two writers race."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(StockLevel)
        .values(variant_id=variant_id, location_id=location_id, on_hand=0, reserved=0)
        .on_conflict_do_nothing(index_elements=["variant_id", "location_id"])
        .execution_options(**changes(variant_id)))


def changes(*variant_ids: int) -> dict:
    """The execution options of a statement that writes the stock of `variant_ids`: after the
    commit only the cached pages of their products are made again (`shop.cache.counter`)."""
    return {STOCK_VARIANTS: variant_ids}


def _where(variant_id: int, location_id: int):
    return and_(StockLevel.variant_id == variant_id, StockLevel.location_id == location_id)


def apply_delta(variant_id: int, location_id: int, delta: int) -> Level:
    """Change on_hand of an existing stock level and return it. The caller writes the matching
    ledger line in the same transaction (`move` does both)."""
    on_hand, reserved = db.session.connection().execute(
        update(StockLevel.__table__).where(_where(variant_id, location_id))
        .values(on_hand=StockLevel.on_hand + delta)
        .returning(StockLevel.on_hand, StockLevel.reserved)
        .execution_options(**changes(variant_id))).one()
    return Level(on_hand, reserved)


def move(variant_id: int, location_id: int, delta: int, reason: str, *, reference: str = "",
         note: str = "", actor_id: int | None = None, idempotency_key: str | None = None,
         occurred_at: datetime | None = None) -> Level:
    """Write one ledger line and apply it to on_hand; return the level after it."""
    ensure_level(variant_id, location_id)
    after = apply_delta(variant_id, location_id, delta)
    now = utcnow()
    db.session.add(StockMovement(
        variant_id=variant_id, location_id=location_id, delta=delta, reason=reason,
        reference=reference, note=note, actor_id=actor_id, idempotency_key=idempotency_key,
        occurred_at=occurred_at or now, created_at=now))
    db.session.flush()
    return after


def take_available(variant_id: int, location_id: int, quantity: int, reason: str,
                   **movement) -> Level:
    """Remove `quantity` only if that many are available (not reserved), else InsufficientStock."""
    result = db.session.execute(
        update(StockLevel)
        .where(_where(variant_id, location_id), StockLevel.on_hand - StockLevel.reserved >= quantity)
        .values(on_hand=StockLevel.on_hand - quantity)
        .returning(StockLevel.on_hand, StockLevel.reserved)
        .execution_options(**changes(variant_id))).all()
    if len(result) != 1:
        raise _insufficient(variant_id, location_id, quantity)
    db.session.add(StockMovement(variant_id=variant_id, location_id=location_id, delta=-quantity,
                                 reason=reason, **movement))
    db.session.flush()
    return Level(*result[0])


def level(variant_id: int, location_id: int) -> Level:
    row = db.session.execute(
        select(StockLevel.on_hand, StockLevel.reserved).where(_where(variant_id, location_id))).first()
    return Level(*row) if row else Level(0, 0)


def _insufficient(variant_id: int, location_id: int, quantity: int) -> InsufficientStock:
    sku = db.session.scalar(select(Variant.sku).where(Variant.id == variant_id))
    code = db.session.scalar(select(Location.code).where(Location.id == location_id))
    available = max(level(variant_id, location_id).available, 0)
    return InsufficientStock(
        f"only {available} of {sku} available at {code}, {quantity} asked",
        {"sku": sku, "location": code, "requested": quantity, "available": available})


def _try_reserve(variant_id: int, location_id: int, quantity: int) -> bool:
    result = db.session.execute(
        update(StockLevel)
        .where(_where(variant_id, location_id), StockLevel.on_hand - StockLevel.reserved >= quantity)
        .values(reserved=StockLevel.reserved + quantity)
        .execution_options(**changes(variant_id)))
    return result.rowcount == 1


def reserve(variant_id: int, location_id: int, quantity: int,
            reference: str = "", order_line_id: int | None = None) -> StockReservation:
    """Hold `quantity` for an online order; never takes available stock below zero."""
    if quantity < 1:
        raise ValueError("a reservation holds at least one unit")
    if not _try_reserve(variant_id, location_id, quantity):
        raise _insufficient(variant_id, location_id, quantity)
    reservation = StockReservation(variant_id=variant_id, location_id=location_id,
                                   quantity=quantity, reference=reference,
                                   order_line_id=order_line_id)
    db.session.add(reservation)
    db.session.flush()
    return reservation


def reserve_all(lines: Iterable[tuple[int, int, int]], reference: str = "") -> list[StockReservation]:
    """Reserve every (variant, location, quantity) or raise on the first that cannot be.

    Rows are taken in a fixed order (variant id, location id) so that two orders never wait
    on each other's rows. On InsufficientStock the caller rolls back: none are kept.
    """
    return [reserve(v, loc, q, reference) for v, loc, q in sorted(lines)]


def release(reservation: StockReservation) -> None:
    """Give the held units back to available stock."""
    _close(reservation, "released")


def commit(reservation: StockReservation, *, reference: str = "", actor_id: int | None = None) -> Level:
    """The order's units left: the reservation becomes an `online_sale` movement."""
    _close(reservation, "committed")
    return move(reservation.variant_id, reservation.location_id, -reservation.quantity,
                "online_sale", reference=reference or reservation.reference, actor_id=actor_id)


def _close(reservation: StockReservation, status: str) -> None:
    if reservation.status != "open":
        raise ValueError(f"reservation {reservation.id} is {reservation.status}, not open")
    result = db.session.execute(
        update(StockLevel)
        .where(_where(reservation.variant_id, reservation.location_id),
               StockLevel.reserved >= reservation.quantity)
        .values(reserved=StockLevel.reserved - reservation.quantity)
        .execution_options(**changes(reservation.variant_id)))
    if result.rowcount != 1:
        raise RuntimeError(f"stock level of reservation {reservation.id} holds less than it")
    reservation.status = status
    reservation.closed_at = utcnow()
    db.session.flush()


def try_reserve(variant_id: int, location_id: int, quantity: int, reference: str = "",
                order_line_id: int | None = None) -> StockReservation | None:
    """Like `reserve`, but None instead of an error when the units are not there."""
    if quantity < 1 or not _try_reserve(variant_id, location_id, quantity):
        return None
    reservation = StockReservation(variant_id=variant_id, location_id=location_id,
                                   quantity=quantity, reference=reference,
                                   order_line_id=order_line_id)
    db.session.add(reservation)
    db.session.flush()
    return reservation


def online_locations(variant_id: int) -> list[int]:
    """Locations that sell `variant_id` online: its producer's warehouses, then sales points
    that ship online."""
    producer_id = select(Product.producer_id).join(Variant, Variant.product_id == Product.id) \
        .where(Variant.id == variant_id).scalar_subquery()
    return list(db.session.scalars(
        select(Location.id).where(Location.is_active, or_(
            and_(Location.kind == "warehouse", Location.producer_id == producer_id),
            and_(Location.kind == "sales_point", Location.ships_online)))
        .order_by(Location.kind.desc(), Location.id)))


def cover_reservations(variant_id: int, location_id: int, why: str) -> list[StockReservation]:
    """After goods left a location outside the online channel (a counter sale, damage, a count),
    move open reservations it can no longer cover to other locations that can, newest first;
    flag those that no location can cover. Returns the reservations it moved or flagged."""
    now = level(variant_id, location_id)
    shortfall = now.reserved - max(now.on_hand, 0)
    touched = []
    if shortfall <= 0:
        return touched
    open_here = db.session.scalars(
        select(StockReservation).where(
            StockReservation.variant_id == variant_id, StockReservation.location_id == location_id,
            StockReservation.status == "open")
        .order_by(StockReservation.created_at.desc(), StockReservation.id.desc())).all()
    others = [loc for loc in online_locations(variant_id) if loc != location_id]
    for reservation in open_here:
        if shortfall <= 0:
            break
        target = next((loc for loc in others
                       if _try_reserve(variant_id, loc, reservation.quantity)), None)
        if target is None:
            reservation.needs_attention = True
            reservation.note = f"uncovered after {why}"
        else:
            db.session.execute(
                update(StockLevel).where(_where(variant_id, location_id))
                .values(reserved=StockLevel.reserved - reservation.quantity)
                .execution_options(**changes(variant_id)))
            reservation.note = f"moved from location {location_id} after {why}"
            reservation.location_id = target
        shortfall -= reservation.quantity
        touched.append(reservation)
    db.session.flush()
    return touched
