"""Fulfilling a shipment: producers pack, ship and deliver; sales points ready and hand over.

A shipped or collected line turns its reservations into `online_sale` movements. Cash on
delivery is recorded when the shipment is delivered (or collected); once every shipment is
delivered or collected the order is complete, and a cash order whose cash is all in is paid.
"""

from __future__ import annotations

from shop.clock import today
from shop.database import write_transaction
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.inventory import stock
from shop.invoices import issuing
from shop.orders import status
from shop.orders.models import Shipment
from shop.orders.services import open_reservations

DONE = ("delivered", "collected")


def _ready_to_fulfil(shipment: Shipment) -> None:
    if shipment.order.status != "confirmed":
        raise Conflict(f"order {shipment.order.number} is {shipment.order.status}: "
                       "it is fulfilled once confirmed")


def _commit_stock(shipment: Shipment, actor_id: int | None) -> None:
    for reservation in open_reservations(shipment.order, shipment):
        stock.commit(reservation, reference=f"order {shipment.order.number}", actor_id=actor_id)


def _finish(shipment: Shipment, cash_vnd: int | None, actor_id: int | None) -> None:
    order = shipment.order
    if order.payment_method == "cod":
        due = shipment.subtotal_vnd + shipment.shipping_vnd
        if cash_vnd != due:
            raise ValidationError(f"collect {due} đồng in cash for this shipment",
                                  {"cash_collected_vnd": f"exactly {due}"})
        shipment.cash_collected_vnd = cash_vnd
        issuing.issue_for_shipment(shipment, day=today())  # cash on delivery: due when delivered
    if all(s.status in DONE for s in order.shipments):
        status.transition(order, "completed", actor_id=actor_id, reason="all delivered")
        if order.payment_method == "cod":
            status.transition(order, "paid", subject="payment", actor_id=actor_id,
                              reason="cash collected")
            for payment in order.payments:
                if payment.status == "pending":
                    payment.status = "paid"


def advance(shipment: Shipment, new: str, *, actor_id: int | None, tracking_note: str = "",
            cash_collected_vnd: int | None = None) -> Shipment:
    """Move a shipment on (packed, shipped, delivered; ready, collected)."""
    kinds = {"packed": "delivery", "shipped": "delivery", "delivered": "delivery",
             "ready": "pickup", "collected": "pickup"}
    if kinds.get(new) != shipment.kind:
        raise status.InvalidTransition(f"a {shipment.kind} shipment is not {new}",
                                       {"from": shipment.status, "to": new})
    with write_transaction(db.session):
        db.session.refresh(shipment.order, with_for_update=True)  # one change of an order at a time
        db.session.refresh(shipment)
        _ready_to_fulfil(shipment)
        status.transition(shipment, new, actor_id=actor_id, reason=tracking_note)
        if new == "shipped":
            shipment.tracking_note = tracking_note.strip()[:200]
        if new in ("shipped", "collected"):
            _commit_stock(shipment, actor_id)
        if new in DONE:
            _finish(shipment, cash_collected_vnd, actor_id)
    return shipment
