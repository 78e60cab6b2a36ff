"""Payment attempts and the provider events received for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.clock import utcnow
from shop.extensions import db
from shop.orders.models import Order


class Payment(db.Model):
    """One attempt to pay an order: cash on delivery, a bank transfer or a card session."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    provider_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    payment_intent: Mapped[str | None] = mapped_column(String(120), index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    # What the provider has refunded of it so far (cumulative, as Stripe reports it).
    refunded_vnd: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # pending, paid, partially_refunded, refunded, expired, cancelled
    status: Mapped[str] = mapped_column(String(20), default="pending")
    checkout_url: Mapped[str] = mapped_column(String(500), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="payments")


class WebhookEvent(db.Model):
    """A provider event, stored by its id in the same transaction as its effect: once only."""

    __tablename__ = "webhook_event"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), default="stripe")
    type: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("customer_order.id"))
    outcome: Mapped[str] = mapped_column(String(200), default="")
    payload: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
