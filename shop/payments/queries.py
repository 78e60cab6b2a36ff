"""Reading payments for the program office: the bank transfers it still has to confirm."""

from __future__ import annotations

from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Order


def awaiting_transfers() -> list[Order]:
    """Bank-transfer orders whose money has not been confirmed, the oldest first; a transfer
    whose amount differed ('mismatch') stays in the queue until the right amount is confirmed."""
    return list(db.session.scalars(
        select(Order)
        .where(Order.payment_method == "bank_transfer",
               Order.payment_status.in_(("unpaid", "mismatch")),
               Order.status.in_(("awaiting_payment", "confirmed")))
        .order_by(Order.created_at, Order.id)))
