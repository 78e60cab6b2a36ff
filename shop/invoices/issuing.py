"""Issuing invoices, in the transaction of the event that makes them due. Building blocks:
each only flushes, the caller commits.

A shipment is invoiced once per producer whose goods it carries (`due_key`), when it is paid
(card, transfer) or delivered (cash on delivery). Shipping is the shop's charge, not a sale of
the producer, so it is not on the producer's invoice. A cancellation or refund after invoicing
reverses what the original still stands for, in an adjustment invoice that names it.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from sqlalchemy import select

from shop.catalog.models import Producer
from shop.extensions import db
from shop.invoices import numbering
from shop.invoices.models import Invoice, InvoiceLine, symbol_for_year
from shop.invoices.settings import settings_for
from shop.money import basis_points_of, split_vat
from shop.orders.models import Order, OrderLine, Shipment

# Decree 117/2025: on each sale of goods by a household seller the platform withholds
# 1% VAT and 0.5% personal income tax, in basis points of the amount paid.
HOUSEHOLD_WITHHOLDING_BP = {"vat": 100, "pit": 50}


@dataclass(frozen=True)
class Sold:
    """One line to put on an invoice: a snapshot of what was sold (quantity < 0 reverses)."""

    sku: str
    name: str
    unit: str
    quantity: int
    unit_price_vnd: int
    vat_rate: str


def by_due_key(key: str) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.due_key == key))


def issue_for_order(order: Order, *, day: date) -> list[Invoice]:
    """Invoice every shipment of a paid order that is still to be fulfilled. Caller commits."""
    issued = []
    for shipment in order.shipments:
        if shipment.status != "cancelled":
            issued += issue_for_shipment(shipment, day=day)
    return issued


def issue_for_shipment(shipment: Shipment, *, day: date) -> list[Invoice]:
    """One invoice per producer of the shipment's goods, unless already issued. Caller commits."""
    issued = []
    for producer_id, lines in groupby(sorted(shipment.lines, key=_producer_of), key=_producer_of):
        key = f"shipment:{shipment.id}:{producer_id}"
        if by_due_key(key) is None:
            issued.append(_issue(shipment, producer_id, [_sold(line) for line in lines], day=day,
                                 due_key=key))
    return issued


def reverse_order(order: Order, *, day: date, reason: str) -> list[Invoice]:
    """Adjustment invoices that cancel what each original of the order still stands for.
    Caller commits."""
    originals = db.session.scalars(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.kind == "original").order_by(Invoice.id)).all()
    reversed_ = []
    for original in originals:
        key = f"reversal:{original.id}"
        remaining = outstanding(original)
        if by_due_key(key) is None and remaining:
            reversed_.append(adjust(original, [_negated(s) for s in remaining], day=day,
                                    reason=reason, due_key=key))
    return reversed_


def outstanding(original: Invoice) -> list[Sold]:
    """The original's lines less what its adjustments already took back."""
    taken: dict[str, int] = defaultdict(int)
    adjustments = db.session.scalars(select(Invoice).where(Invoice.adjusts_id == original.id))
    for adjustment in adjustments:
        for line in adjustment.lines:
            taken[line.sku] += line.quantity
    left = []
    for line in original.lines:
        quantity = line.quantity + taken.pop(line.sku, 0)
        if quantity > 0:
            left.append(Sold(line.sku, line.name, line.unit, quantity, line.unit_price_vnd,
                             line.vat_rate))
    return left


def adjust(original: Invoice, lines: list[Sold], *, day: date, reason: str,
           due_key: str | None = None, buyer: dict | None = None) -> Invoice:
    """An adjustment invoice naming `original`, with its own number. Caller commits."""
    details = buyer or {name: getattr(original, f"buyer_{name}")
                        for name in ("name", "email", "phone", "address")}
    invoice = _new_invoice(original.producer_id, lines, day=day, due_key=due_key, buyer=details,
                           order_id=original.order_id, shipment_id=original.shipment_id,
                           payment_method=original.payment_method)
    invoice.kind, invoice.adjusts_id, invoice.reason = "adjustment", original.id, reason[:300]
    db.session.flush()
    return invoice


def _issue(shipment: Shipment, producer_id: int, lines: list[Sold], *, day: date,
           due_key: str) -> Invoice:
    order = shipment.order
    invoice = _new_invoice(producer_id, lines, day=day, due_key=due_key, buyer=buyer_of(order),
                           order_id=order.id, shipment_id=shipment.id,
                           payment_method=order.payment_method)
    db.session.flush()
    return invoice


def _new_invoice(producer_id: int, lines: list[Sold], *, day: date, due_key: str | None,
                 buyer: dict, **links) -> Invoice:
    settings = settings_for(db.session.get(Producer, producer_id), day)
    symbol = symbol_for_year(settings.symbol, day.year)
    invoice = Invoice(
        producer_id=producer_id, due_key=due_key, template=settings.template, symbol=symbol,
        number=numbering.next_number(producer_id, symbol, day.year), issued_on=day,
        seller_name=settings.legal_name, seller_tax_code=settings.tax_code,
        seller_address=settings.address, verify_token=secrets.token_urlsafe(16),
        **{f"buyer_{name}": value for name, value in buyer.items()}, **links)
    invoice.lines = [_line(position, sold) for position, sold in enumerate(lines, start=1)]
    invoice.total_vnd = sum(line.amount_vnd for line in invoice.lines)
    if settings.producer.kind == "household":
        invoice.withholding_vat_vnd = basis_points_of(invoice.total_vnd, HOUSEHOLD_WITHHOLDING_BP["vat"])
        invoice.withholding_pit_vnd = basis_points_of(invoice.total_vnd, HOUSEHOLD_WITHHOLDING_BP["pit"])
    db.session.add(invoice)
    return invoice


def _line(position: int, sold: Sold) -> InvoiceLine:
    amount = sold.unit_price_vnd * sold.quantity
    before, vat = split_vat(amount, sold.vat_rate)
    return InvoiceLine(position=position, sku=sold.sku, name=sold.name, unit=sold.unit,
                       quantity=sold.quantity, unit_price_vnd=sold.unit_price_vnd,
                       vat_rate=sold.vat_rate, amount_vnd=amount, before_tax_vnd=before, vat_vnd=vat)


def buyer_of(order: Order) -> dict:
    """The buyer's details as the invoice records them."""
    parts = [order.address_line, order.ward.full_name if order.ward else "",
             order.province.full_name if order.province else ""]
    return {"name": order.name, "email": order.email, "phone": order.phone,
            "address": ", ".join(part for part in parts if part)[:400]}


def _sold(line: OrderLine) -> Sold:
    return Sold(line.sku, line.name, line.unit, line.quantity, line.unit_price_vnd, line.vat_rate)


def _negated(sold: Sold) -> Sold:
    return Sold(sold.sku, sold.name, sold.unit, -sold.quantity, sold.unit_price_vnd, sold.vat_rate)


def _producer_of(line: OrderLine) -> int:
    return line.producer_id
