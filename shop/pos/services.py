"""Counter sales: one sale or a day's batch from a device, each recorded exactly once.

A sale is a fact (the goods have left the shop): it is never refused for lack of stock. A line
that takes on_hand below zero, or below what online orders hold there, is flagged, and the
reservations it leaves uncovered are moved to another location where possible.

What a till sends is judged before anything is written (`schemas`): a sale or a count dated
where the till's clock cannot have been is refused (`time_out_of_range`), and a time a little
ahead of the shop's clock enters the ledger as the moment the shop received it, since nothing
was sold or counted after the shop heard of it. In a sync, each sale stands or falls alone.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exc as sql_errors
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from shop.catalog.models import Product, Variant
from shop.clock import utcnow
from shop.database import write_transaction
from shop.errors import IdempotencyConflict, ShopError, ValidationError
from shop.extensions import db
from shop.inventory import counts, stock
from shop.inventory.models import Location, StockCount, StockLevel, StockMovement
from shop.pos import schemas
from shop.pos.models import PosDevice, PosSale, PosSaleLine
from shop.pos.schemas import COUNT_REFUSED, SALE_REFUSED, CountInput, SaleInput

log = logging.getLogger(__name__)

# Failures that are no sale's fault: the database or the disk cannot answer now. A sync stops
# on them (503: the device sends the batch again) instead of calling its sales rejected.
OUTAGES = (sql_errors.OperationalError, sql_errors.DisconnectionError, sql_errors.TimeoutError,
           sql_errors.InterfaceError, sql_errors.InternalError, OSError, MemoryError)
NOT_RECORDED = {"code": "server_error",
                "message": "the shop could not record this sale; nothing of it was recorded; "
                           "send it again later",
                "details": {}}
# A sync looks the SKUs of its sales up in one query when they are this few (a sales point's
# day); more distinct SKUs are looked up sale by sale (200 at most), so no statement takes more
# bound parameters than an engine accepts (PostgreSQL 65,535; SQLite 32,766 by default).
PREFETCH_SKUS = 500


@dataclass(frozen=True)
class Clock:
    """When the shop received a till's input, and when the till's device was registered."""

    now: datetime
    registered_at: datetime | None

    @classmethod
    def of(cls, device_id: int | None) -> Clock:
        device = db.session.get(PosDevice, device_id) if device_id is not None else None
        return cls(utcnow(), device.created_at if device is not None else None)

    def check(self, moment: datetime, field: str, message: str) -> None:
        schemas.check_time(moment, field, message, now=self.now, registered_at=self.registered_at)

    def received(self, moment: datetime) -> datetime:
        """`moment`, or the moment the shop received it if the till's clock is ahead."""
        return min(moment, self.now)


@dataclass(frozen=True)
class StockedVariant:
    id: int
    sku: str
    name: str


def stocked_variants(location_id: int, skus: set[str]) -> dict[str, StockedVariant]:
    """The variants among `skus` that the location stocks (has a stock level for)."""
    if not skus:
        return {}
    rows = db.session.execute(
        select(Variant.id, Variant.sku, Product.name, Variant.label)
        .join(Product, Product.id == Variant.product_id)
        .join(StockLevel, StockLevel.variant_id == Variant.id)
        .where(StockLevel.location_id == location_id, Variant.sku.in_(skus)))
    return {sku: StockedVariant(vid, sku, f"{name} – {label}") for vid, sku, name, label in rows}


def record_sale(location: Location, sale: SaleInput, *, device_id: int | None = None,
                cashier_id: int | None = None) -> tuple[bool, dict]:
    """Record a sale; (True, response) the first time, (False, first response) on a replay."""
    schemas.check_sale(sale)
    place, clock = (location.id, location.code), Clock.of(device_id)
    try:
        with write_transaction(db.session):
            return _record(place, sale, device_id, cashier_id, None, clock)
    except IntegrityError:
        return False, _raced(place, sale)


def _record(place: tuple[int, str], sale: SaleInput, device_id, cashier_id, known,
            clock: Clock) -> tuple[bool, dict]:
    existing = _existing(sale.id)
    if existing is not None:
        # A sale already recorded is answered as before, even from a device registered since.
        return False, _replay(existing, sale, place[0])
    clock.check(sale.occurred_at, "occurred_at", SALE_REFUSED)
    return True, _write_sale(place, sale, device_id, cashier_id, known, clock)


def _existing(sale_id: str):
    return db.session.connection().execute(
        select(PosSale.location_id, PosSale.request_hash, PosSale.response_json)
        .where(PosSale.id == sale_id)).first()


def _raced(place: tuple[int, str], sale: SaleInput) -> dict:
    """Another request recorded the same sale id between our check and our insert."""
    existing = _existing(sale.id)
    if existing is None:
        raise RuntimeError(f"sale {sale.id} failed to record and is not recorded")
    return _replay(existing, sale, place[0])


def _replay(existing, sale: SaleInput, location_id: int) -> dict:
    if existing.location_id != location_id or existing.request_hash != sale.digest:
        raise IdempotencyConflict(
            f"sale {sale.id} was already recorded with a different body", {"id": sale.id})
    return json.loads(existing.response_json)


def _write_sale(place: tuple[int, str], sale: SaleInput, device_id, cashier_id, known,
                clock: Clock) -> dict:
    """Apply the lines to stock, then write the ledger lines, the sale lines and the sale.

    The sale row goes last: a second request racing with the same id fails on its primary
    key and its whole transaction, stock updates included, rolls back.
    """
    location_id, code = place
    skus = {line.sku for line in sale.lines}
    variants = known if known is not None and skus <= known.keys() \
        else stocked_variants(location_id, skus)
    unknown = {f"lines[{n}].sku": f"{line.sku} is not stocked at {code}"
               for n, line in enumerate(sale.lines) if line.sku not in variants}
    if unknown:
        raise ValidationError("the sale names SKUs this sales point does not stock; "
                              "nothing was recorded", unknown)
    # 12 hex digits of the device's UUID: two sales of one day and shop share them once in
    # billions (8 digits collided about once a day at a busy counter's volume).
    receipt = f"{code}-{sale.occurred_at:%y%m%d}-{sale.id.replace('-', '')[:12].upper()}"
    now, movements, lines, all_flags = utcnow(), [], [], []
    moved_at = clock.received(sale.occurred_at)
    for line in sale.lines:
        variant = variants[line.sku]
        after = stock.apply_delta(variant.id, location_id, -line.quantity)
        flags = _flags(variant, location_id, after, receipt)
        all_flags += flags
        movements.append({"variant_id": variant.id, "location_id": location_id,
                          "delta": -line.quantity, "reason": "pos_sale", "note": "",
                          "reference": f"sale {receipt}", "actor_id": cashier_id,
                          "idempotency_key": None, "occurred_at": moved_at,
                          "created_at": now})
        lines.append({"sale_id": sale.id, "variant_id": variant.id, "sku": variant.sku,
                      "name": variant.name, "quantity": line.quantity,
                      "unit_price_vnd": line.unit_price_vnd,
                      "flags_json": json.dumps(flags, ensure_ascii=False)})
    response = _response(sale, receipt, all_flags)
    connection = db.session.connection()
    connection.execute(insert(PosSale.__table__), [{
        "id": sale.id, "location_id": location_id, "device_id": device_id,
        "cashier_id": cashier_id, "occurred_at": sale.occurred_at,
        "payment_method": sale.payment_method, "total_vnd": response["total_vnd"],
        "receipt_number": receipt, "flagged": bool(all_flags), "request_hash": sale.digest,
        "response_json": json.dumps(response, ensure_ascii=False), "created_at": now}])
    connection.execute(insert(StockMovement.__table__), movements)
    connection.execute(insert(PosSaleLine.__table__), lines)
    return response


def _flags(variant: StockedVariant, location_id: int, after: stock.Level,
           receipt: str) -> list[dict]:
    flags = []
    if after.on_hand < 0:
        flags.append({"sku": variant.sku, "code": "negative_stock", "on_hand": after.on_hand})
    if after.reserved > max(after.on_hand, 0):
        touched = stock.cover_reservations(variant.id, location_id, f"counter sale {receipt}")
        flags.append({
            "sku": variant.sku, "code": "reserved_stock_sold", "on_hand": after.on_hand,
            "reserved": after.reserved,
            "reservations_moved": sum(1 for r in touched if not r.needs_attention),
            "reservations_uncovered": sum(1 for r in touched if r.needs_attention)})
    return flags


def _response(sale: SaleInput, receipt: str, flags: list[dict]) -> dict:
    return {
        "id": sale.id,
        "receipt_number": receipt,
        "occurred_at": sale.occurred_at.isoformat(),
        "payment_method": sale.payment_method,
        "total_vnd": sale.total_vnd,
        "lines": [{"sku": line.sku, "quantity": line.quantity,
                   "unit_price_vnd": line.unit_price_vnd,
                   "line_total_vnd": line.quantity * line.unit_price_vnd} for line in sale.lines],
        "flags": flags,
    }


SYNC_CHUNK = 100


def sync_sales(location: Location, raw_sales: list, *, device_id: int | None = None) -> list[dict]:
    """Record a batch in the order given; each sale stands or falls on its own.

    Sales are written a hundred to a transaction, each inside its own savepoint, so that a
    refused sale leaves no trace and a day's batch does not pay a commit per sale. A sale the
    contract refuses is `rejected` with its error; one that fails on our side is rolled back
    alone and `rejected` with `server_error` (logged); only an outage stops the sync.
    """
    place, clock = (location.id, location.code), Clock.of(device_id)
    skus = {sku for raw in raw_sales if isinstance(raw, dict) and isinstance(raw.get("lines"), list)
            for line in raw["lines"] if isinstance(line, dict)
            for sku in [schemas.sku_of(line.get("sku"))] if sku is not None}
    known = stocked_variants(place[0], skus) if len(skus) <= PREFETCH_SKUS else {}
    results = []
    for start in range(0, len(raw_sales), SYNC_CHUNK):
        with write_transaction(db.session):
            for raw in raw_sales[start:start + SYNC_CHUNK]:
                results.append(_sync_one(place, raw, device_id, known, clock))
    return results


def _sync_one(place: tuple[int, str], raw, device_id, known, clock: Clock) -> dict:
    sent_id = raw.get("id") if isinstance(raw, dict) else None
    sent_id = sent_id if isinstance(sent_id, str) else None
    try:
        sale = schemas.parse_sale(raw)
        try:
            with db.session.begin_nested():
                created, _ = _record(place, sale, device_id, None, known, clock)
        except IntegrityError:
            created, _ = False, _raced(place, sale)
    except ShopError as error:
        return {"id": sent_id, "status": "rejected", "error": error.to_dict()["error"]}
    except OUTAGES:
        raise
    except Exception:
        log.exception("sale %r of a sync at %s failed and was rolled back", sent_id, place[1])
        return {"id": sent_id, "status": "rejected", "error": NOT_RECORDED}
    return {"id": sale.id, "status": "created" if created else "duplicate"}


def submit_count(location: Location, count: CountInput, *, device_id: int | None = None,
                 user_id: int | None = None) -> tuple[bool, StockCount]:
    """Record a till's count (idempotent by its id), judged like a sale: its time within what
    the till's clock can say, and no later than the moment the shop received it."""
    schemas.check_count(count)
    clock = Clock.of(device_id)
    if db.session.get(StockCount, count.id) is None:
        clock.check(count.counted_at, "counted_at", COUNT_REFUSED)
    return counts.submit_count(location, count.id, clock.received(count.counted_at),
                               list(count.lines), count.digest, user_id=user_id,
                               device_id=device_id)


def touch_device(device) -> None:
    """Remember when a device was last heard from (at most once a minute)."""
    now = utcnow()
    if device.last_used_at is None or (now - device.last_used_at).total_seconds() > 60:
        with write_transaction(db.session):
            device.last_used_at = now
