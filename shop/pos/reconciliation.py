"""A sales point's reconciliation list: everywhere the ledger and the shelves part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from shop.catalog.models import Variant
from shop.extensions import db
from shop.inventory.models import (
    Location,
    StockCount,
    StockCountLine,
    StockLevel,
    StockReservation,
    Transfer,
    TransferLine,
)
from shop.pos.models import PosSale, PosSaleLine


@dataclass(frozen=True)
class Discrepancy:
    when: datetime | None
    kind: str        # count, transfer, negative_stock, flagged_sale, uncovered_reservation
    sku: str
    reference: str
    quantity: int    # the difference, the on_hand, or the units concerned
    detail: str


def discrepancies(location: Location) -> list[Discrepancy]:
    """Newest first: count differences, transfer shortfalls, negative stock, flagged sales,
    and online reservations the shop could not cover."""
    items = _counts(location) + _transfers(location) + _negative(location) \
        + _flagged_sales(location) + _uncovered(location)
    return sorted(items, key=lambda d: (d.when is not None, d.when), reverse=True)


def _counts(location: Location) -> list[Discrepancy]:
    rows = db.session.execute(
        select(StockCount, StockCountLine, Variant.sku)
        .join(StockCountLine, StockCountLine.count_id == StockCount.id)
        .join(Variant, Variant.id == StockCountLine.variant_id)
        .where(StockCount.location_id == location.id,
               StockCountLine.counted != StockCountLine.expected))
    return [Discrepancy(count.counted_at, "count", sku, f"count {count.id[:8]} ({count.status})",
                        line.counted - line.expected,
                        f"expected {line.expected}, counted {line.counted}")
            for count, line, sku in rows]


def _transfers(location: Location) -> list[Discrepancy]:
    rows = db.session.execute(
        select(Transfer, TransferLine, Variant.sku)
        .join(TransferLine, TransferLine.transfer_id == Transfer.id)
        .join(Variant, Variant.id == TransferLine.variant_id)
        .where(Transfer.to_location_id == location.id, Transfer.status == "received",
               TransferLine.quantity_received != TransferLine.quantity_sent))
    return [Discrepancy(transfer.received_at, "transfer", sku, transfer.code, line.difference,
                        f"sent {line.quantity_sent}, received {line.quantity_received}")
            for transfer, line, sku in rows]


def _negative(location: Location) -> list[Discrepancy]:
    rows = db.session.execute(
        select(StockLevel.on_hand, Variant.sku).join(Variant, Variant.id == StockLevel.variant_id)
        .where(StockLevel.location_id == location.id, StockLevel.on_hand < 0))
    return [Discrepancy(None, "negative_stock", sku, "", on_hand, "the ledger shows less than none")
            for on_hand, sku in rows]


def _flagged_sales(location: Location) -> list[Discrepancy]:
    rows = db.session.execute(
        select(PosSale, PosSaleLine)
        .join(PosSaleLine, PosSaleLine.sale_id == PosSale.id)
        .where(PosSale.location_id == location.id, PosSale.flagged,
               PosSaleLine.flags_json != "[]"))
    return [Discrepancy(sale.occurred_at, "flagged_sale", line.sku, sale.receipt_number,
                        line.quantity, ", ".join(flag["code"] for flag in line.flags))
            for sale, line in rows]


def _uncovered(location: Location) -> list[Discrepancy]:
    rows = db.session.execute(
        select(StockReservation, Variant.sku).join(Variant, Variant.id == StockReservation.variant_id)
        .where(StockReservation.location_id == location.id, StockReservation.status == "open",
               StockReservation.needs_attention))
    return [Discrepancy(reservation.created_at, "uncovered_reservation", sku, reservation.reference,
                        reservation.quantity, reservation.note)
            for reservation, sku in rows]
