"""Carts and orders. An order is split into shipments: one per producer, or the one pickup."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Variant
from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.models import Location
from shop.places.models import Province, Ward

if TYPE_CHECKING:
    from shop.payments.models import Payment

FULFILMENTS = ("delivery", "pickup")
PAYMENT_METHODS = ("cod", "bank_transfer", "card")


class Cart(db.Model):
    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartLine.id")


class CartLine(db.Model):
    __tablename__ = "cart_line"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    quantity: Mapped[int]

    cart: Mapped[Cart] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()


class Order(db.Model):
    __tablename__ = "customer_order"
    __table_args__ = (
        CheckConstraint("fulfilment IN ('delivery', 'pickup')", name="fulfilment"),
        CheckConstraint("payment_method IN ('cod', 'bank_transfer', 'card')", name="payment_method"),
        CheckConstraint("total_vnd = subtotal_vnd + shipping_vnd", name="total"),
        Index("ix_customer_order_expiry", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    fulfilment: Mapped[str] = mapped_column(String(10))
    address_line: Mapped[str] = mapped_column(String(200), default="")
    ward_code: Mapped[str | None] = mapped_column(ForeignKey("ward.code"))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("province.code"))
    pickup_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    payment_method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    payment_status: Mapped[str] = mapped_column(String(20), default="unpaid")
    subtotal_vnd: Mapped[int] = mapped_column(BigInteger)
    shipping_vnd: Mapped[int] = mapped_column(BigInteger)
    total_vnd: Mapped[int] = mapped_column(BigInteger)
    access_token: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64), default="")
    needs_attention: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id")
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Shipment.id")
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id")
    payments: Mapped[list[Payment]] = relationship(back_populates="order", order_by="Payment.id")
    pickup_location: Mapped[Location | None] = relationship()
    ward: Mapped[Ward | None] = relationship()
    province: Mapped[Province | None] = relationship()


class Shipment(db.Model):
    """The part of an order that one producer ships, or that one sales point hands over."""

    __tablename__ = "shipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producer.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    subtotal_vnd: Mapped[int] = mapped_column(BigInteger)
    shipping_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    tracking_note: Mapped[str] = mapped_column(String(200), default="")
    cash_collected_vnd: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="shipments")
    lines: Mapped[list[OrderLine]] = relationship(back_populates="shipment", order_by="OrderLine.id")
    location: Mapped[Location | None] = relationship()


class OrderLine(db.Model):
    """What was bought, as it was when it was bought."""

    __tablename__ = "order_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(260))
    unit: Mapped[str] = mapped_column(String(30), default="")
    producer_id: Mapped[int] = mapped_column(ForeignKey("producer.id"), index=True)  # the dashboard
    producer_name: Mapped[str] = mapped_column(String(200))
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger)
    # The pack's VAT category when it was bought; the rate is the one in force when the
    # invoice is due. A service (the tourism group) has tax withheld at the service rates.
    vat_category: Mapped[str] = mapped_column(String(12))
    is_service: Mapped[bool] = mapped_column(default=False)
    quantity: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")
    shipment: Mapped[Shipment | None] = relationship(back_populates="lines")

    @property
    def line_total_vnd(self) -> int:
        return self.unit_price_vnd * self.quantity


class OrderEvent(db.Model):
    """Every change of status: who, when, from what, to what, and why."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"))
    subject: Mapped[str] = mapped_column(String(10))  # order, payment, shipment
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
