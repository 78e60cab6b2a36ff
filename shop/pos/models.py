"""POS devices and counter sales."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Variant
from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.models import Location

PAYMENT_METHODS = ("cash", "card", "bank_transfer", "e_wallet")


class PosDevice(db.Model):
    """A till's token: belongs to one sales point, stored only as a hash, revocable."""

    __tablename__ = "pos_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    can_apply_counts: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    location: Mapped[Location] = relationship()


class PosSale(db.Model):
    """A sale at a counter. Its id is made by the device, which makes it idempotent."""

    __tablename__ = "pos_sale"
    __table_args__ = (
        CheckConstraint("total_vnd >= 0", name="total"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("pos_device.id"))
    cashier_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    occurred_at: Mapped[datetime]
    payment_method: Mapped[str] = mapped_column(String(20))
    total_vnd: Mapped[int] = mapped_column(BigInteger)
    receipt_number: Mapped[str | None] = mapped_column(String(80), unique=True)
    flagged: Mapped[bool] = mapped_column(default=False, index=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    response_json: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    location: Mapped[Location] = relationship()
    lines: Mapped[list[PosSaleLine]] = relationship(
        back_populates="sale", cascade="all, delete-orphan", order_by="PosSaleLine.id")

    @property
    def response(self) -> dict:
        return json.loads(self.response_json)


class PosSaleLine(db.Model):
    __tablename__ = "pos_sale_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_vnd >= 0", name="price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("pos_sale.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"), index=True)  # the dashboard
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(260))
    quantity: Mapped[int]
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger)
    flags_json: Mapped[str] = mapped_column(Text, default="[]")

    sale: Mapped[PosSale] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()

    @property
    def line_total_vnd(self) -> int:
        return self.quantity * self.unit_price_vnd

    @property
    def flags(self) -> list[dict]:
        return json.loads(self.flags_json)
