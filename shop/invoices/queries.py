"""Loading invoices for the pages that show them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.extensions import db
from shop.invoices.models import Invoice
from shop.orders.models import Order
from shop.tax import rates as tax


def of_order(order_id: int, *, with_lines: bool = False) -> list[Invoice]:
    """The order's invoices in the order they were issued (with their lines and originals
    loaded in two more queries when asked)."""
    query = select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.id)
    if with_lines:
        query = query.options(selectinload(Invoice.lines), selectinload(Invoice.adjusts))
    return list(db.session.scalars(query))


def line_rates(order: Order, issued: list[Invoice], day: date) -> dict[int, str]:
    """Each order line's VAT rate: as its goods were invoiced, else its category's rate on
    `day` (what an invoice due that day would say)."""
    invoiced = {(invoice.producer_id, line.sku): line.vat_rate for invoice in issued
                if invoice.kind == "original" for line in invoice.lines}
    if all((line.producer_id, line.sku) in invoiced for line in order.lines):
        return {line.id: invoiced[(line.producer_id, line.sku)] for line in order.lines}
    rates = tax.rates_on(day)
    return {line.id: invoiced.get((line.producer_id, line.sku), rates[line.vat_category])
            for line in order.lines}


def one_of_order(order_id: int, invoice_id: int) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.id == invoice_id,
                                                   Invoice.order_id == order_id))


def one_of_producer(producer_id: int, invoice_id: int) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.id == invoice_id,
                                                   Invoice.producer_id == producer_id))


def of_producer(producer_id: int):
    """A select of the producer's invoices, newest first, ready to paginate."""
    return (select(Invoice).where(Invoice.producer_id == producer_id)
            .options(selectinload(Invoice.order), selectinload(Invoice.adjusts))
            .order_by(Invoice.issued_at.desc(), Invoice.id.desc()))


def adjustments_of(invoice_id: int) -> list[Invoice]:
    return list(db.session.scalars(select(Invoice).where(Invoice.adjusts_id == invoice_id)
                                   .order_by(Invoice.id)))


def by_verify_token(token: str) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.verify_token == token))
