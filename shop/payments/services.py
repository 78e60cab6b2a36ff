"""Use cases of payments: starting a card payment, bank transfers, Stripe's events, refunds.

Calls to Stripe happen outside any database transaction; what they return is recorded after.
An event from Stripe is stored by its id in the same transaction as its effect, so a duplicate
or replayed event has no second effect, and an event that comes late (expired after
completed) finds nothing left to do.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.audit import services as audit
from shop.clock import today, utcnow
from shop.database import write_transaction
from shop.errors import Conflict, ShopError
from shop.extensions import db
from shop.invoices import issuing
from shop.orders import status
from shop.orders.models import Order
from shop.orders.services import release_all
from shop.payments import stripe_gateway, vietqr
from shop.payments.models import Payment, WebhookEvent

log = logging.getLogger(__name__)


class PaymentUnavailable(ShopError):
    code = "payment_unavailable"
    status = 503


def _pending(order: Order, method: str) -> Payment | None:
    return next((p for p in reversed(order.payments) if p.method == method and p.status == "pending"),
                None)


def start_card_payment(order: Order, settings: stripe_gateway.StripeSettings, *,
                       success_url: str, cancel_url: str) -> Payment:
    """A Stripe Checkout session for the order (the same session again on a retry)."""
    payment = _pending(order, "card")
    if order.status != "awaiting_payment" or payment is None:
        raise Conflict(f"order {order.number} is not waiting for a card payment")
    if payment.checkout_url:
        return payment
    expires = int(order.expires_at.timestamp()) if order.expires_at else None
    try:
        session = stripe_gateway.create_checkout_session(
            settings, order_number=order.number, amount_vnd=order.total_vnd,
            customer_email=order.email, success_url=success_url, cancel_url=cancel_url,
            expires_at=expires, idempotency_key=f"checkout-{order.number}-{payment.id}")
    except stripe_gateway.GatewayError as error:
        log.warning("card payment for %s could not start: %s", order.number, error.__cause__)
        raise PaymentUnavailable(str(error)) from error
    with write_transaction(db.session):
        payment.provider_ref, payment.checkout_url = session.id, session.url
    return payment


def transfer_details(order: Order, account: vietqr.BankAccount) -> dict:
    """The VietQR payload and bank details a buyer needs to pay by transfer."""
    payload = vietqr.payload(account, order.total_vnd, order.number)
    return {"vietqr": payload, "bank_bin": account.bin, "account_number": account.account_number,
            "account_name": account.account_name, "amount_vnd": order.total_vnd,
            "purpose": order.number}


def confirm_transfer(order: Order, amount_vnd: int, *, actor_id: int | None, note: str = "") -> Order:
    """The program office saw the transfer arrive: an exact amount pays the order."""
    with write_transaction(db.session):
        db.session.refresh(order, with_for_update=True)
        record_transfer(order, amount_vnd, actor_id=actor_id, note=note)
    return order


def record_transfer(order: Order, amount_vnd: int, *, actor_id: int | None, note: str = "") -> bool:
    """One transfer that arrived for `order`: True when it paid the order, False when the amount
    differs (the order is flagged); Conflict when the order waits for no transfer. Caller commits."""
    payment = _pending(order, "bank_transfer")
    if payment is None or order.payment_status not in ("unpaid", "mismatch"):
        raise Conflict(f"order {order.number} is not waiting for a bank transfer")
    audit.record("payment.transfer_received", actor_id=actor_id, subject=f"order:{order.number}",
                 amount_vnd=amount_vnd, due_vnd=order.total_vnd, note=note)
    if amount_vnd != order.total_vnd:
        if order.payment_status == "unpaid":
            status.transition(order, "mismatch", subject="payment", actor_id=actor_id,
                              reason=f"received {amount_vnd}, expected {order.total_vnd}")
        order.needs_attention = True
        return False
    _mark_paid(order, payment, actor_id=actor_id, reason=note or "bank transfer received")
    return True


def _mark_paid(order: Order, payment: Payment, *, actor_id: int | None, reason: str) -> None:
    payment.status, payment.paid_at = "paid", utcnow()
    status.transition(order, "paid", subject="payment", actor_id=actor_id, reason=reason)
    if order.status == "awaiting_payment":
        status.transition(order, "confirmed", actor_id=actor_id, reason=reason)
        issuing.issue_for_order(order, day=today())  # paid: each producer invoices its shipment
    elif order.status in ("expired", "cancelled"):
        order.needs_attention = True  # paid after the reservation was let go: refund or re-stock


def handle_stripe_event(event: dict) -> str:
    """Apply one verified Stripe event once; returns what was done (for the log)."""
    handler = HANDLERS.get(event.get("type"))
    obj = (event.get("data") or {}).get("object") or {}
    try:
        with write_transaction(db.session):
            record = WebhookEvent(id=event["id"], type=event.get("type", ""),
                                  payload=json.dumps(event)[:20000])
            db.session.add(record)
            db.session.flush()
            record.outcome = handler(obj, record) if handler else "ignored"
            return record.outcome
    except IntegrityError:
        return "duplicate"


def _order_for(obj: dict) -> Order | None:
    number = obj.get("client_reference_id") or (obj.get("metadata") or {}).get("order_number")
    if not number:
        return None
    return db.session.scalar(select(Order).where(Order.number == number).with_for_update())


def _session_completed(obj: dict, record: WebhookEvent) -> str:
    order = _order_for(obj)
    if order is None:
        return "no such order"
    record.order_id = order.id
    payment = next((p for p in order.payments if p.provider_ref == obj.get("id")), None)
    if payment is None or payment.status != "pending":
        return "nothing to do"
    if obj.get("payment_status") != "paid":
        return "not paid yet"
    if obj.get("amount_total") != order.total_vnd or (obj.get("currency") or "").lower() != "vnd":
        payment.note = f"paid {obj.get('amount_total')} {obj.get('currency')}"
        if order.payment_status == "unpaid":
            status.transition(order, "mismatch", subject="payment", reason=payment.note)
        order.needs_attention = True
        return "amount mismatch: flagged"
    payment.payment_intent = obj.get("payment_intent")
    _mark_paid(order, payment, actor_id=None, reason="card paid")
    return "paid"


def _session_expired(obj: dict, record: WebhookEvent) -> str:
    order = _order_for(obj)
    if order is None:
        return "no such order"
    record.order_id = order.id
    payment = next((p for p in order.payments if p.provider_ref == obj.get("id")), None)
    if payment is None or payment.status != "pending" or order.status != "awaiting_payment":
        return "nothing to do"
    payment.status = "expired"
    status.transition(order, "expired", reason="card session expired")
    for shipment in order.shipments:
        status.transition(shipment, "cancelled", reason="order expired")
    release_all(order)
    return "expired"


def _charge_refunded(obj: dict, record: WebhookEvent) -> str:
    """Stripe refunded some or all of a charge: book what was refunded since the last event
    (`amount_refunded` is cumulative, so a duplicate or an older event books nothing)."""
    payment = db.session.scalar(select(Payment).where(
        Payment.payment_intent == obj.get("payment_intent"), Payment.method == "card")
        .with_for_update())
    if payment is None:
        return "no such payment"
    record.order_id = payment.order_id
    refunded = obj.get("amount_refunded")
    if not isinstance(refunded, int) or isinstance(refunded, bool) or not 0 <= refunded <= payment.amount_vnd:
        payment.order.needs_attention = True
        return f"refund of {refunded!r} not understood: flagged"
    if (obj.get("currency") or "vnd").lower() != "vnd":
        payment.order.needs_attention = True
        return "refund in another currency: flagged"
    new = refunded - payment.refunded_vnd
    if new <= 0:
        return "nothing to do"
    return book_refund(payment, new, skus=_refunded_skus(obj, payment.refunded_vnd, refunded))


def book_refund(payment: Payment, amount_vnd: int, *, skus: set[str] | None = None) -> str:
    """`amount_vnd` more of a card payment was refunded: the payment and the order say how much,
    the order goes on (goods still ship unless it was cancelled), and adjustment invoices take
    exactly that amount off what was invoiced. Caller commits."""
    order = payment.order
    payment.refunded_vnd += amount_vnd
    whole = payment.refunded_vnd >= payment.amount_vnd
    payment.status = "refunded" if whole else "partially_refunded"
    reason = (f"Hoàn tiền thẻ {payment.refunded_vnd} / {payment.amount_vnd} đồng"
              if not whole else "Hoàn tiền thẻ toàn bộ")
    if order.payment_status != payment.status and order.payment_status in ("paid", "partially_refunded"):
        status.transition(order, payment.status, subject="payment", reason=reason)
    audit.record("payment.refunded", actor_id=None, subject=f"order:{order.number}",
                 amount_vnd=amount_vnd, refunded_vnd=payment.refunded_vnd,
                 paid_vnd=payment.amount_vnd, payment_intent=payment.payment_intent)
    if order.status in ("cancelled", "expired"):  # its invoices were reversed, or never issued
        return "refunded" if whole else f"partially refunded: {payment.refunded_vnd} of {payment.amount_vnd}"
    _, unbooked = issuing.refund_value(order, amount_vnd, day=today(), reason=reason,
                                       key=f"refund:{payment.id}:{payment.refunded_vnd}", skus=skus)
    if unbooked:  # more refunded than the invoices still stand for
        order.needs_attention = True
    return "refunded" if whole else f"partially refunded: {payment.refunded_vnd} of {payment.amount_vnd}"


def _refunded_skus(charge: dict, before: int, after: int) -> set[str] | None:
    """The SKUs the new refunds name in their metadata (`skus`, comma-separated), when the
    charge lists its refunds and each new one names some; else None (spread over every line)."""
    refunds = sorted(((charge.get("refunds") or {}).get("data") or []),
                     key=lambda refund: (refund.get("created") or 0, refund.get("id") or ""))
    newer, running = [], 0
    for refund in refunds:
        amount = refund.get("amount") if isinstance(refund.get("amount"), int) else 0
        running += amount if refund.get("status") in (None, "succeeded", "pending") else 0
        if before < running <= after:
            newer.append(refund)
    named = [str((refund.get("metadata") or {}).get("skus") or "") for refund in newer]
    if not newer or not all(named) or running != after:
        return None
    return {sku.strip() for text in named for sku in text.split(",") if sku.strip()}


HANDLERS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.expired": _session_expired,
    "charge.refunded": _charge_refunded,
}


def refund_card(order: Order, settings: stripe_gateway.StripeSettings) -> str | None:
    """After a paid card order is cancelled: ask Stripe for the refund of what is still paid
    (idempotent); the `charge.refunded` event that follows books it."""
    payment = next((p for p in order.payments if p.method == "card"
                    and p.status in ("paid", "partially_refunded")), None)
    if payment is None or not payment.payment_intent:
        return None
    left = payment.amount_vnd - payment.refunded_vnd
    refund = stripe_gateway.refund(settings, payment_intent=payment.payment_intent,
                                   amount_vnd=left,
                                   idempotency_key=f"refund-{order.number}-{payment.id}-{left}")
    with write_transaction(db.session):
        payment.note = f"refund {refund.id} {refund.status}"
        audit.record("payment.refund_requested", actor_id=None, subject=f"order:{order.number}",
                     refund=refund.id, status=refund.status, amount_vnd=left)
    return refund.id
