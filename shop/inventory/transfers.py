"""Transfers from a producer's warehouse to a sales point: draft -> in_transit -> received."""

from __future__ import annotations

from sqlalchemy import select, update

from shop.catalog.models import Product, Variant
from shop.clock import utcnow
from shop.database import write_transaction
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.models import MAX_QUANTITY, Location, Transfer, TransferLine, is_quantity


def create_transfer(source: Location, destination: Location, lines: list[tuple[int, int]], *,
                    actor_id: int | None = None, note: str = "") -> Transfer:
    """A draft transfer of the producer's own goods to a sales point."""
    problems = {}
    if source.kind != "warehouse" or not source.is_active:
        problems["from"] = "transfers leave from an open producer's warehouse"
    if destination.kind != "sales_point" or not destination.is_active:
        problems["to"] = "transfers go to an open sales point"
    quantities: dict[int, int] = {}
    for variant_id, quantity in lines:
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            problems["lines"] = "each quantity is at least 1"
            continue
        quantities[variant_id] = quantities.get(variant_id, 0) + quantity
    if any(total > MAX_QUANTITY for total in quantities.values()):
        problems["lines"] = f"at most {MAX_QUANTITY} units of one product"
    if not lines:
        problems["lines"] = "at least one line"
    owners = dict(db.session.execute(
        select(Variant.id, Product.producer_id).join(Product)
        .where(Variant.id.in_(quantities))).all())
    if any(owners.get(v) != source.producer_id for v in quantities):
        problems["lines"] = "only the producer's own goods can be sent"
    if problems:
        raise ValidationError("the transfer is not valid", problems)
    with write_transaction(db.session):
        transfer = Transfer(from_location_id=source.id, to_location_id=destination.id,
                            created_by_id=actor_id, note=note.strip()[:300])
        transfer.lines = [TransferLine(variant_id=v, quantity_sent=q)
                          for v, q in sorted(quantities.items())]
        db.session.add(transfer)
    return transfer


def send_transfer(transfer: Transfer, *, actor_id: int | None = None) -> Transfer:
    """The goods leave the warehouse: only what no online order holds can be sent."""
    if transfer.status != "draft":
        raise Conflict(f"transfer {transfer.code} is {transfer.status}, not a draft")
    with write_transaction(db.session):
        _advance(transfer, "draft", "in_transit", sent_at=utcnow())
        for line in sorted(transfer.lines, key=lambda line: line.variant_id):
            stock.take_available(line.variant_id, transfer.from_location_id, line.quantity_sent,
                                 "transfer_out", reference=f"transfer {transfer.code}",
                                 actor_id=actor_id)
    return transfer


def receive_transfer(transfer: Transfer, received: dict[str, int], *,
                     actor_id: int | None = None) -> Transfer:
    """The sales point takes in what arrived; a shortfall or surplus stays on the line."""
    if transfer.status != "in_transit":
        raise Conflict(f"transfer {transfer.code} is {transfer.status}, not in transit")
    by_sku = {line.variant.sku: line for line in transfer.lines}
    problems = {f"lines.{sku}": "not a line of this transfer" for sku in received if sku not in by_sku}
    problems |= {f"lines.{sku}": "the received quantity is missing"
                 for sku in by_sku if sku not in received}
    problems |= {f"lines.{sku}": f"a whole number from 0 to {MAX_QUANTITY}"
                 for sku, quantity in received.items()
                 if sku in by_sku and not is_quantity(quantity, minimum=0)}
    if problems:
        raise ValidationError("the receipt does not match the transfer; nothing was recorded",
                              problems)
    with write_transaction(db.session):
        _advance(transfer, "in_transit", "received", received_at=utcnow(), received_by_id=actor_id)
        for sku, line in sorted(by_sku.items(), key=lambda item: item[1].variant_id):
            line.quantity_received = received[sku]
            if line.quantity_received:
                stock.move(line.variant_id, transfer.to_location_id, line.quantity_received,
                           "transfer_in", reference=f"transfer {transfer.code}", actor_id=actor_id)
    return transfer


def _advance(transfer: Transfer, current: str, new: str, **values) -> None:
    """Move the transfer on only if it is still `current`: of two clicks at once, one wins."""
    result = db.session.execute(
        update(Transfer).where(Transfer.id == transfer.id, Transfer.status == current)
        .values(status=new, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict(f"transfer {transfer.code} is no longer {current.replace('_', ' ')}")
    db.session.refresh(transfer)


def transfer_response(transfer: Transfer) -> dict:
    return {
        "id": transfer.id, "code": transfer.code, "status": transfer.status,
        "from": {"code": transfer.from_location.code, "name": transfer.from_location.name},
        "to": {"code": transfer.to_location.code, "name": transfer.to_location.name},
        "sent_at": transfer.sent_at.isoformat() if transfer.sent_at else None,
        "received_at": transfer.received_at.isoformat() if transfer.received_at else None,
        "lines": [{"sku": line.variant.sku, "name": line.variant.product.name,
                   "label": line.variant.label, "quantity_sent": line.quantity_sent,
                   "quantity_received": line.quantity_received, "difference": line.difference}
                  for line in transfer.lines],
    }
