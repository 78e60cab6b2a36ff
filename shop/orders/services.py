"""Use cases of orders: placing one from a cart, cancelling, expiring the unpaid."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.clock import today, utcnow
from shop.database import write_transaction
from shop.errors import Conflict, IdempotencyConflict, ValidationError
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.models import Location, StockReservation
from shop.invoices import issuing
from shop.money import MAX_AMOUNT_VND, is_amount
from shop.orders import allocation, status
from shop.orders.checkout import Checkout, OrderSettings
from shop.orders.models import Cart, Order, OrderEvent, OrderLine, Shipment
from shop.payments.models import Payment
from shop.tax import rates as tax

TOTAL_TOO_LARGE = f"a total over {MAX_AMOUNT_VND} đồng"
CARD_TOO_LARGE = "a total over what a card payment takes"


def by_number(number: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.number == number))


def by_idempotency_key(key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.idempotency_key == key))


def token_matches(order: Order, token: str) -> bool:
    """Whether `token` is the order's access token (compared in constant time)."""
    return bool(token) and hmac.compare_digest(order.access_token, token)


def place_order(cart: Cart, details: Checkout, *, settings: OrderSettings, today: date,
                idempotency_key: str | None = None, user_id: int | None = None) -> tuple[bool, Order]:
    """Reserve every line and record the order: (True, order), or (False, the same order) when
    the same idempotency key comes again. Nothing is reserved when any line cannot be."""
    request_hash = _hash(f"{cart.token}:{details.digest}")
    replay = _replay(idempotency_key, request_hash)
    if replay is not None:
        return False, replay
    lines = _sellable_lines(cart, today)
    if details.payment_method == "card" and not settings.card_enabled:
        raise ValidationError("card payment is not available", {"payment_method": "not available"})
    try:
        with write_transaction(db.session):
            replay = _replay(idempotency_key, request_hash)
            if replay is not None:
                return False, replay
            pickup = _pickup_location(details)
            order = _new_order(cart, details, settings, idempotency_key, request_hash, user_id)
            order.pickup_location_id = pickup.id if pickup else None
            _add_lines(order, lines)
            allocation.reserve(
                [allocation.Want(line.id, line.variant_id, line.sku, line.quantity)
                 for line in order.lines],
                reference=f"order {order.number}", province_code=details.province_code,
                pickup_location_id=pickup.id if pickup else None)
            _add_shipments(order, pickup, settings)
            if not is_amount(order.total_vnd):  # rolled back whole: nothing stays reserved
                raise ValidationError(f"an order totals at most {MAX_AMOUNT_VND} đồng",
                                      {"cart": TOTAL_TOO_LARGE})
            if details.payment_method == "card" and order.total_vnd > settings.card_max_vnd:
                raise ValidationError(f"a card payment takes at most {settings.card_max_vnd} đồng",
                                      {"payment_method": CARD_TOO_LARGE},
                                      card_max_vnd=settings.card_max_vnd)
            db.session.add(Payment(order=order, method=details.payment_method,
                                   amount_vnd=order.total_vnd, status="pending"))
            cart.status = "ordered"
    except IntegrityError:
        # The same checkout sent twice at once: the other send holds the key.
        replay = _replay(idempotency_key, request_hash)
        if replay is None:
            raise
        return False, replay
    return True, order


def replay_of(cart_token: str, details: Checkout, idempotency_key: str) -> Order | None:
    """The order that an earlier send of this very checkout placed (the same cart, the same
    body, the same key), once the cart is used up; None for anything else, so that a key alone
    never hands out someone's order."""
    existing = by_idempotency_key(idempotency_key)
    if existing is None or existing.request_hash != _hash(f"{cart_token}:{details.digest}"):
        return None
    return existing


def _replay(idempotency_key: str | None, request_hash: str) -> Order | None:
    """The order an earlier send of this key placed, or None; another body is a conflict."""
    if not idempotency_key:
        return None
    existing = by_idempotency_key(idempotency_key)
    if existing is not None and existing.request_hash != request_hash:
        raise IdempotencyConflict("this idempotency key was used for another checkout",
                                  {"idempotency_key": idempotency_key})
    return existing


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _sellable_lines(cart: Cart, today: date) -> list:
    if not cart.lines:
        raise ValidationError("the cart is empty", {"cart": "empty"})
    unsellable = {f"lines.{line.variant.sku}": "no longer on sale" for line in cart.lines
                  if not (line.variant.is_active and line.variant.product.is_listed_on(today))}
    if unsellable:
        raise ValidationError("some products in the cart are no longer on sale", unsellable)
    return list(cart.lines)


def _new_order(cart, details, settings, idempotency_key, request_hash, user_id) -> Order:
    paid_later = details.payment_method != "cod"
    minutes = settings.card_minutes if details.payment_method == "card" else settings.transfer_hours * 60
    order = Order(
        user_id=user_id or cart.user_id, email=details.email, phone=details.phone,
        name=details.name, fulfilment=details.fulfilment, address_line=details.address_line,
        ward_code=details.ward_code, province_code=details.province_code,
        payment_method=details.payment_method,
        status="awaiting_payment" if paid_later else "confirmed", payment_status="unpaid",
        subtotal_vnd=0, shipping_vnd=0, total_vnd=0, access_token=secrets.token_urlsafe(24),
        idempotency_key=idempotency_key, request_hash=request_hash,
        expires_at=utcnow() + timedelta(minutes=minutes) if paid_later else None)
    db.session.add(order)
    db.session.flush()
    order.number = f"OC{order.created_at:%y%m}-{order.id:06d}"
    db.session.add(OrderEvent(order=order, subject="order", from_status="", to_status=order.status,
                              reason="placed"))
    return order


def _add_lines(order: Order, cart_lines) -> None:
    for cart_line in sorted(cart_lines, key=lambda line: line.variant_id):
        variant = cart_line.variant
        order.lines.append(OrderLine(
            variant_id=variant.id, sku=variant.sku, name=f"{variant.product.name} – {variant.label}",
            unit=variant.unit, producer_id=variant.product.producer_id,
            producer_name=variant.product.producer.name, unit_price_vnd=variant.price_vnd,
            vat_category=variant.vat_category,
            is_service=tax.supply_of(variant.product.group) == "service",
            quantity=cart_line.quantity))
    order.subtotal_vnd = sum(line.line_total_vnd for line in order.lines)
    order.total_vnd = order.subtotal_vnd + order.shipping_vnd
    db.session.flush()


def _pickup_location(details: Checkout) -> Location | None:
    if details.fulfilment != "pickup":
        return None
    return db.session.scalar(select(Location).where(Location.code == details.pickup_point))


def _add_shipments(order: Order, pickup: Location | None, settings: OrderSettings) -> None:
    """One shipment per producer for delivery, or the one pickup at the sales point."""
    if pickup is not None:
        shipment = Shipment(kind="pickup", location_id=pickup.id, subtotal_vnd=order.subtotal_vnd,
                            shipping_vnd=0)
        order.shipments.append(shipment)
        for line in order.lines:
            line.shipment = shipment
    else:
        def producer_of(line):
            return line.producer_id

        by_producer = groupby(sorted(order.lines, key=producer_of), key=producer_of)
        for producer_id, group in by_producer:
            group = list(group)
            subtotal = sum(line.line_total_vnd for line in group)
            shipment = Shipment(kind="delivery", producer_id=producer_id, subtotal_vnd=subtotal,
                                shipping_vnd=settings.shipping_fee(subtotal))
            order.shipments.append(shipment)
            for line in group:
                line.shipment = shipment
    order.shipping_vnd = sum(s.shipping_vnd for s in order.shipments)
    order.total_vnd = order.subtotal_vnd + order.shipping_vnd
    db.session.flush()


def open_reservations(order: Order, shipment: Shipment | None = None) -> list[StockReservation]:
    line_ids = [line.id for line in order.lines if shipment is None or line.shipment_id == shipment.id]
    return list(db.session.scalars(select(StockReservation).where(
        StockReservation.order_line_id.in_(line_ids), StockReservation.status == "open")
        .order_by(StockReservation.variant_id, StockReservation.location_id)))


def release_all(order: Order) -> None:
    for reservation in open_reservations(order):
        stock.release(reservation)


def cancellable(order: Order) -> bool:
    return order.status in ("awaiting_payment", "confirmed") and not any(
        s.status in ("shipped", "delivered", "collected") for s in order.shipments)


def cancel_order(order: Order, *, actor_id: int | None, reason: str) -> Order:
    """Before anything ships the buyer may cancel: every reservation is released."""
    with write_transaction(db.session):
        db.session.refresh(order, with_for_update=True)
        for shipment in order.shipments:
            db.session.refresh(shipment)
        if not cancellable(order):
            raise Conflict("this order can no longer be cancelled: part of it has left, "
                           "or it is already closed")
        status.transition(order, "cancelled", actor_id=actor_id, reason=reason)
        for shipment in order.shipments:
            status.transition(shipment, "cancelled", actor_id=actor_id, reason=reason)
        release_all(order)
        for payment in order.payments:
            if payment.status == "pending":
                payment.status = "cancelled"
        issuing.reverse_order(order, day=today(), reason=reason or "order cancelled")
    return order


def expire_unpaid(now: datetime) -> list[str]:
    """Orders not paid in time let their reservations go. Returns their numbers."""
    due = db.session.scalars(select(Order.id).where(
        Order.status == "awaiting_payment", Order.expires_at < now).order_by(Order.id)).all()
    expired = []
    for order_id in due:
        with write_transaction(db.session):
            order = db.session.get(Order, order_id, with_for_update=True, populate_existing=True)
            if order.status != "awaiting_payment" or order.payment_status != "unpaid":
                continue
            status.transition(order, "expired", reason="not paid in time")
            for shipment in order.shipments:
                status.transition(shipment, "cancelled", reason="order expired")
            release_all(order)
            for payment in order.payments:
                if payment.status == "pending":
                    payment.status = "expired"
            expired.append(order.number)
    return expired
