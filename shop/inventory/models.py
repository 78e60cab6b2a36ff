"""Where goods are: a producer's warehouse or an OCOP sales point."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Producer, Variant
from shop.clock import utcnow
from shop.extensions import db
from shop.places.models import Province, Ward

LOCATION_KINDS = ("warehouse", "sales_point")
# The most units one line of a receipt, adjustment, transfer or counter sale moves: more is a
# slip of the finger, and it keeps quantities and their sums far inside a 32-bit column.
MAX_QUANTITY = 100_000


def is_quantity(value, minimum: int = 1) -> bool:
    """Whether `value` is an int of units from `minimum` to MAX_QUANTITY (not a bool)."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and minimum <= value <= MAX_QUANTITY)


class Location(db.Model):
    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint("kind IN ('warehouse', 'sales_point')", name="kind"),
        CheckConstraint(
            "(kind = 'warehouse' AND producer_id IS NOT NULL) "
            "OR (kind = 'sales_point' AND producer_id IS NULL)", name="owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), index=True)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producer.id"), index=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
    ward_code: Mapped[str | None] = mapped_column(ForeignKey("ward.code"))
    address: Mapped[str] = mapped_column(String(300), default="")
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    ships_online: Mapped[bool] = mapped_column(default=False)
    offers_pickup: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    producer: Mapped[Producer | None] = relationship()
    province: Mapped[Province] = relationship(lazy="joined")
    ward: Mapped[Ward | None] = relationship()


MOVEMENT_REASONS = ("receipt", "online_sale", "pos_sale", "transfer_out", "transfer_in",
                    "count_adjustment", "return", "damage")


class StockLevel(db.Model):
    """How many units of a variant a location holds, and how many online orders have reserved.

    Only a `StockMovement` written in the same transaction changes `on_hand`; `reserved` never
    goes below zero, and the online channel never reserves more than `on_hand - reserved`.
    """

    __tablename__ = "stock_level"
    __table_args__ = (
        UniqueConstraint("variant_id", "location_id"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)

    variant: Mapped[Variant] = relationship()
    location: Mapped[Location] = relationship()

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(db.Model):
    """One line of the append-only stock ledger."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        CheckConstraint("delta <> 0", name="delta_not_zero"),
        CheckConstraint(
            "reason IN (" + ", ".join(f"'{r}'" for r in MOVEMENT_REASONS) + ")", name="reason"),
        Index("ix_stock_movement_level", "variant_id", "location_id", "id"),
        Index("ix_stock_movement_location_time", "location_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    delta: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class StockReservation(db.Model):
    """Units an online order holds at one location until it ships, is collected or lets go.

    Open reservations at a (variant, location) add up to its `reserved`.
    """

    __tablename__ = "stock_reservation"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('open', 'released', 'committed')", name="status"),
        Index("ix_stock_reservation_open", "variant_id", "location_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="open")
    reference: Mapped[str] = mapped_column(String(80), default="")
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"), index=True)
    needs_attention: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    variant: Mapped[Variant] = relationship()
    location: Mapped[Location] = relationship()


TRANSFER_STATUSES = ("draft", "in_transit", "received")


class Transfer(db.Model):
    """Goods sent from a producer's warehouse to a sales point."""

    __tablename__ = "transfer"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'in_transit', 'received')", name="status"),
        CheckConstraint("from_location_id <> to_location_id", name="distinct_locations"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id])
    lines: Mapped[list[TransferLine]] = relationship(
        back_populates="transfer", cascade="all, delete-orphan", order_by="TransferLine.id")

    @property
    def code(self) -> str:
        return f"TR-{self.id:06d}"


class TransferLine(db.Model):
    __tablename__ = "transfer_line"
    __table_args__ = (
        UniqueConstraint("transfer_id", "variant_id"),
        CheckConstraint("quantity_sent > 0", name="sent_positive"),
        CheckConstraint("quantity_received IS NULL OR quantity_received >= 0", name="received"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfer.id"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    quantity_sent: Mapped[int]
    quantity_received: Mapped[int | None]

    transfer: Mapped[Transfer] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()

    @property
    def difference(self) -> int | None:
        """Received minus sent: negative when units went missing on the way."""
        if self.quantity_received is None:
            return None
        return self.quantity_received - self.quantity_sent


class StockCount(db.Model):
    """What staff found on the shelves at one moment; applied later by a manager."""

    __tablename__ = "stock_count"
    __table_args__ = (
        CheckConstraint("status IN ('submitted', 'applied')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    counted_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("pos_device.id"))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None]
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    movements_after: Mapped[int | None]

    location: Mapped[Location] = relationship()
    lines: Mapped[list[StockCountLine]] = relationship(
        back_populates="count", cascade="all, delete-orphan", order_by="StockCountLine.id")


class StockCountLine(db.Model):
    __tablename__ = "stock_count_line"
    __table_args__ = (
        UniqueConstraint("count_id", "variant_id"),
        CheckConstraint("counted >= 0", name="counted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[str] = mapped_column(ForeignKey("stock_count.id"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    counted: Mapped[int]
    expected: Mapped[int]
    adjustment: Mapped[int | None]

    count: Mapped[StockCount] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()

    @property
    def difference(self) -> int:
        return self.counted - self.expected
