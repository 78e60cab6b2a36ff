"""Loading invoices for the pages that show them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.extensions import db
from shop.invoices.models import Invoice


def of_order(order_id: int) -> list[Invoice]:
    return list(db.session.scalars(select(Invoice).where(Invoice.order_id == order_id)
                                   .order_by(Invoice.id)))


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
