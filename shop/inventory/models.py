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
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
