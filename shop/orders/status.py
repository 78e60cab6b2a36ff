"""The one table of allowed status changes, and the one function that makes them.

Order statuses follow fulfilment; payment statuses are kept apart. Every change writes an
`OrderEvent` (who, when, from, to, why); a change the table does not allow is refused and
changes nothing.
"""

from __future__ import annotations

from shop.errors import Conflict
from shop.extensions import db
from shop.orders.models import Order, OrderEvent, Shipment

ALLOWED = {
    "order": {
        ("awaiting_payment", "confirmed"), ("awaiting_payment", "cancelled"),
        ("awaiting_payment", "expired"), ("confirmed", "completed"), ("confirmed", "cancelled"),
    },
    "payment": {
        ("unpaid", "paid"), ("unpaid", "mismatch"), ("mismatch", "paid"), ("paid", "refunded"),
        ("paid", "partially_refunded"), ("partially_refunded", "refunded"),
    },
    "shipment": {
        ("pending", "packed"), ("packed", "shipped"), ("shipped", "delivered"),
        ("pending", "ready"), ("ready", "collected"),
        ("pending", "cancelled"), ("packed", "cancelled"), ("ready", "cancelled"),
    },
}


class InvalidTransition(Conflict):
    code = "invalid_transition"


def allowed(subject: str, current: str, new: str) -> bool:
    return (current, new) in ALLOWED[subject]


def transition(obj: Order | Shipment, new: str, *, subject: str | None = None,
               actor_id: int | None = None, reason: str = "") -> None:
    """Move an order, its payment, or a shipment to `new`, writing the event. Caller commits."""
    subject = subject or ("shipment" if isinstance(obj, Shipment) else "order")
    attribute = "payment_status" if subject == "payment" else "status"
    current = getattr(obj, attribute)
    if not allowed(subject, current, new):
        raise InvalidTransition(f"{subject} cannot go from {current} to {new}",
                                {"from": current, "to": new, "subject": subject})
    setattr(obj, attribute, new)
    order = obj.order if isinstance(obj, Shipment) else obj
    db.session.add(OrderEvent(
        order=order, shipment_id=obj.id if isinstance(obj, Shipment) else None, subject=subject,
        from_status=current, to_status=new, actor_id=actor_id, reason=reason[:300]))
