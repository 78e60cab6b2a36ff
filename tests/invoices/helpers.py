"""Orders that become due for invoicing, made through the real services."""

from __future__ import annotations

from sqlalchemy import select

from shop.extensions import db
from shop.invoices.models import Invoice
from shop.orders import fulfilment
from shop.payments import services as payments
from tests.orders.builders import DELIVERY, cart_with, place

TRANSFER = {**DELIVERY, "payment_method": "bank_transfer"}


def paid_order(*lines: tuple[str, int]):
    """A bank-transfer order of `lines`, paid in full."""
    order = place(cart_with(*lines), TRANSFER)[1]
    return payments.confirm_transfer(order, order.total_vnd, actor_id=None)


def delivered_cod(*lines: tuple[str, int]):
    """A cash-on-delivery order whose every shipment was delivered and its cash collected."""
    order = place(cart_with(*lines), DELIVERY)[1]
    for shipment in order.shipments:
        deliver(shipment)
    return order


def deliver(shipment):
    fulfilment.advance(shipment, "packed", actor_id=None)
    fulfilment.advance(shipment, "shipped", actor_id=None, tracking_note="VNPost 1")
    return fulfilment.advance(shipment, "delivered", actor_id=None,
                              cash_collected_vnd=shipment.subtotal_vnd + shipment.shipping_vnd)


def invoices_of(order) -> list[Invoice]:
    """The producers' invoices of the order's goods (not the shop's for its shipping)."""
    return list(db.session.scalars(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.producer_id.is_not(None)).order_by(Invoice.id)))


def shop_invoices_of(order) -> list[Invoice]:
    """The shop's own invoices of the order (its shipping)."""
    return list(db.session.scalars(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.seller == "shop").order_by(Invoice.id)))


def all_invoices_of(order) -> list[Invoice]:
    return list(db.session.scalars(select(Invoice).where(Invoice.order_id == order.id)
                                   .order_by(Invoice.id)))
