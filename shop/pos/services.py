"""Counter sales: one sale or a day's batch from a device, each recorded exactly once.

A sale is a fact (the goods have left the shop): it is never refused for lack of stock. A line
that takes on_hand below zero, or below what online orders hold there, is flagged, and the
reservations it leaves uncovered are moved to another location where possible.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from shop.catalog.models import Product, Variant
from shop.clock import utcnow
from shop.database import write_transaction
from shop.errors import IdempotencyConflict, ShopError, ValidationError
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.models import Location, StockLevel
from shop.pos.models import PosSale, PosSaleLine
from shop.pos.schemas import SaleInput, parse_sale


def stocked_variants(location_id: int, skus: set[str]) -> dict[str, Variant]:
    """The variants among `skus` that the location stocks (has a stock level for)."""
    if not skus:
        return {}
    return {v.sku: v for v in db.session.scalars(
        select(Variant).join(StockLevel, StockLevel.variant_id == Variant.id)
        .where(StockLevel.location_id == location_id, Variant.sku.in_(skus))
        .options(joinedload(Variant.product).load_only(Product.name)))}


def record_sale(location: Location, sale: SaleInput, *, device_id: int | None = None,
                cashier_id: int | None = None) -> tuple[bool, dict]:
    """Record a sale; (True, response) the first time, (False, first response) on a replay."""
    existing = db.session.get(PosSale, sale.id)
    if existing is not None:
        return False, _replay(existing, sale, location)
    try:
        with write_transaction(db.session):
            existing = db.session.get(PosSale, sale.id)
            if existing is not None:
                response = _replay(existing, sale, location)
                return False, response
            response = _write_sale(location, sale, device_id, cashier_id)
    except IntegrityError:
        # Another request recorded the same sale id between our check and our insert.
        existing = db.session.get(PosSale, sale.id)
        if existing is None:
            raise
        return False, _replay(existing, sale, location)
    return True, response


def _replay(existing: PosSale, sale: SaleInput, location: Location) -> dict:
    if existing.location_id != location.id or existing.request_hash != sale.digest:
        raise IdempotencyConflict(
            f"sale {sale.id} was already recorded with a different body",
            {"id": sale.id})
    return existing.response


def _write_sale(location: Location, sale: SaleInput, device_id, cashier_id) -> dict:
    variants = stocked_variants(location.id, {line.sku for line in sale.lines})
    unknown = {f"lines[{n}].sku": f"{line.sku} is not stocked at {location.code}"
               for n, line in enumerate(sale.lines) if line.sku not in variants}
    if unknown:
        raise ValidationError("the sale names SKUs this sales point does not stock; "
                              "nothing was recorded", unknown)
    record = PosSale(
        id=sale.id, location_id=location.id, device_id=device_id, cashier_id=cashier_id,
        occurred_at=sale.occurred_at, payment_method=sale.payment_method,
        total_vnd=sum(line.quantity * line.unit_price_vnd for line in sale.lines),
        receipt_number=f"{location.code}-{sale.occurred_at:%y%m%d}-{sale.id[:8].upper()}",
        request_hash=sale.digest)
    db.session.add(record)
    db.session.flush()
    all_flags = []
    for line in sale.lines:
        variant = variants[line.sku]
        after = stock.move(variant.id, location.id, -line.quantity, "pos_sale",
                           reference=f"sale {record.receipt_number}", actor_id=cashier_id,
                           occurred_at=sale.occurred_at)
        flags = _flags(variant, location, after, record.receipt_number)
        all_flags += flags
        db.session.add(PosSaleLine(
            sale=record, variant_id=variant.id, sku=variant.sku,
            name=f"{variant.product.name} – {variant.label}", quantity=line.quantity,
            unit_price_vnd=line.unit_price_vnd, flags_json=json.dumps(flags, ensure_ascii=False)))
    record.flagged = bool(all_flags)
    response = _response(record, sale, all_flags)
    record.response_json = json.dumps(response, ensure_ascii=False)
    return response


def _flags(variant: Variant, location: Location, after: stock.Level, receipt: str) -> list[dict]:
    flags = []
    if after.on_hand < 0:
        flags.append({"sku": variant.sku, "code": "negative_stock", "on_hand": after.on_hand})
    if after.on_hand < after.reserved:
        touched = stock.cover_reservations(variant.id, location.id, f"counter sale {receipt}")
        flags.append({
            "sku": variant.sku, "code": "reserved_stock_sold", "on_hand": after.on_hand,
            "reserved": after.reserved,
            "reservations_moved": sum(1 for r in touched if not r.needs_attention),
            "reservations_uncovered": sum(1 for r in touched if r.needs_attention)})
    return flags


def _response(record: PosSale, sale: SaleInput, flags: list[dict]) -> dict:
    return {
        "id": record.id,
        "receipt_number": record.receipt_number,
        "occurred_at": sale.occurred_at.isoformat(),
        "payment_method": record.payment_method,
        "total_vnd": record.total_vnd,
        "lines": [{"sku": line.sku, "quantity": line.quantity,
                   "unit_price_vnd": line.unit_price_vnd,
                   "line_total_vnd": line.quantity * line.unit_price_vnd} for line in sale.lines],
        "flags": flags,
    }


def sync_sales(location: Location, raw_sales: list, *, device_id: int | None = None) -> list[dict]:
    """Record a batch in the order given; each sale stands or falls on its own."""
    results = []
    for raw in raw_sales:
        sale_id = raw.get("id") if isinstance(raw, dict) else None
        try:
            sale = parse_sale(raw)
            created, _ = record_sale(location, sale, device_id=device_id)
        except ShopError as error:
            results.append({"id": sale_id, "status": "rejected", "error": error.to_dict()["error"]})
        else:
            results.append({"id": sale.id, "status": "created" if created else "duplicate"})
    return results


def touch_device(device) -> None:
    """Remember when a device was last heard from (at most once a minute)."""
    now = utcnow()
    if device.last_used_at is None or (now - device.last_used_at).total_seconds() > 60:
        with write_transaction(db.session):
            device.last_used_at = now
