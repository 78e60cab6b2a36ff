"""Invoices, their lines, the per-seller counters that number them, and each seller's settings.

An issued invoice never changes: the ORM refuses to update or delete one (and the database
refuses an UPDATE by trigger, see migration 0004). A correction is a new adjustment invoice
that names the original through `adjusts_id`.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from shop.catalog.models import Producer
from shop.clock import utcnow
from shop.errors import Conflict
from shop.extensions import db
from shop.orders.models import Order

TEMPLATES = ("1", "2")  # 1: VAT invoice (credit method); 2: sales invoice (direct method)
KINDS = ("original", "adjustment")
MAX_NUMBER = 99_999_999  # at most 8 digits
# C (with the tax authority's code) or K, the year, the type letter, two letters of the seller.
SYMBOL_PATTERN = re.compile(r"^[CK]\d{2}[TDLMNBGHX][A-Z]{2}$")


def symbol_for_year(symbol: str, year: int) -> str:
    """The symbol with its year part set to `year`: C25TAA in 2026 is C26TAA."""
    return f"{symbol[0]}{year % 100:02d}{symbol[3:]}"


class InvoiceSettings(db.Model):
    """How a producer invoices: template, symbol, and the seller's legal details."""

    __tablename__ = "invoice_settings"
    __table_args__ = (CheckConstraint("template IN ('1', '2')", name="template"),)

    producer_id: Mapped[int] = mapped_column(ForeignKey("producer.id"), primary_key=True)
    template: Mapped[str] = mapped_column(String(1))
    symbol: Mapped[str] = mapped_column(String(6))
    legal_name: Mapped[str] = mapped_column(String(200))
    tax_code: Mapped[str] = mapped_column(String(14))
    address: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship()


class InvoiceSeries(db.Model):
    """The last number used by one seller, template, symbol and year; raised by one atomic
    UPDATE. A seller that changes template starts a new series at 1."""

    __tablename__ = "invoice_series"
    __table_args__ = (
        CheckConstraint(f"last_number BETWEEN 0 AND {MAX_NUMBER}", name="last_number"),
    )

    seller: Mapped[str] = mapped_column(String(24), primary_key=True)  # "producer:<id>" or "shop"
    template: Mapped[str] = mapped_column(String(1), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Invoice(db.Model):
    """One invoice as issued: the seller's and buyer's details and totals as they were.

    The seller is a producer (its goods) or the shop itself (`seller` "shop", no producer: the
    shipping it charges)."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("seller", "template", "symbol", "number"),
        CheckConstraint("producer_id IS NOT NULL OR seller = 'shop'", name="seller"),
        CheckConstraint("kind IN ('original', 'adjustment')", name="kind"),
        CheckConstraint("template IN ('1', '2')", name="template"),
        CheckConstraint(f"number BETWEEN 1 AND {MAX_NUMBER}", name="number"),
        CheckConstraint("kind = 'original' OR adjusts_id IS NOT NULL", name="adjusts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller: Mapped[str] = mapped_column(String(24))  # "producer:<id>" or "shop"
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producer.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="original")
    adjusts_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    # What made it due, once: "shipment:<id>:<producer id>", "shipping:order:<id>",
    # "shipping:shipment:<id>" or "reversal:<invoice id>".
    due_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    template: Mapped[str] = mapped_column(String(1))
    symbol: Mapped[str] = mapped_column(String(6))
    number: Mapped[int]
    issued_on: Mapped[date] = mapped_column(index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_tax_code: Mapped[str] = mapped_column(String(14))
    seller_address: Mapped[str] = mapped_column(String(300))
    buyer_name: Mapped[str] = mapped_column(String(120))
    buyer_email: Mapped[str] = mapped_column(String(254))
    buyer_phone: Mapped[str] = mapped_column(String(20))
    buyer_address: Mapped[str] = mapped_column(String(400))
    payment_method: Mapped[str] = mapped_column(String(16))
    total_vnd: Mapped[int] = mapped_column(BigInteger)
    withholding_vat_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    withholding_pit_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    # A sales invoice (template 2) of reducible goods while a VAT reduction is in force: the
    # amount by which the seller's percentage on revenue was lowered, and the resolution that
    # grants it, which the invoice names (Decree 174/2025).
    reduction_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    reduction_basis: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    verify_token: Mapped[str] = mapped_column(String(32), unique=True)

    producer: Mapped[Producer | None] = relationship()
    order: Mapped[Order] = relationship()
    # Many-to-one only: adding an adjustment must not touch (and so "update") the original.
    adjusts: Mapped[Invoice | None] = relationship(remote_side=[id])
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all", order_by="InvoiceLine.position")

    @property
    def number_text(self) -> str:
        return f"{self.number:08d}"

    @property
    def label(self) -> str:
        """'1C26TAA-00000042': template, symbol and number, as a reference names it."""
        return f"{self.template}{self.symbol}-{self.number_text}"


class InvoiceLine(db.Model):
    """A line as sold: SKU, name, unit, quantity (negative on a reversal) and VAT-inclusive
    price, with its split into the amount before tax and the VAT (none on a sales invoice:
    its seller pays VAT as a percentage of revenue)."""

    __tablename__ = "invoice_line"
    __table_args__ = (
        CheckConstraint("amount_vnd = before_tax_vnd + vat_vnd", name="split"),
        UniqueConstraint("invoice_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    position: Mapped[int]
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(260))
    unit: Mapped[str] = mapped_column(String(30), default="")
    quantity: Mapped[int]
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger)
    # The pack's category, and the rate it had on the day the invoice was due (an adjustment
    # keeps the rate of the line it corrects): `not_subject` or a percentage such as "8".
    vat_category: Mapped[str] = mapped_column(String(12))
    vat_rate: Mapped[str] = mapped_column(String(12))
    is_service: Mapped[bool] = mapped_column(default=False)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    before_tax_vnd: Mapped[int] = mapped_column(BigInteger)
    vat_vnd: Mapped[int] = mapped_column(BigInteger)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class IssuedInvoiceChanged(Conflict):
    code = "invoice_immutable"


def _refuse_update(mapper, connection, target) -> None:
    # SQLAlchemy calls this for every "dirty" instance, also one with no column changed.
    if object_session(target).is_modified(target, include_collections=False):
        _refuse(mapper, connection, target)


def _refuse(_mapper, _connection, target) -> None:
    raise IssuedInvoiceChanged(
        f"{type(target).__name__} {target.id} was issued and never changes: "
        "issue an adjustment invoice instead")


for _model in (Invoice, InvoiceLine):
    event.listen(_model, "before_update", _refuse_update)
    event.listen(_model, "before_delete", _refuse)
