"""Public certificate verification: what a shopper scanning a package may see."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import joinedload

from shop.catalog.models import Certificate, Product
from shop.extensions import db


def by_code(code: str) -> Certificate | None:
    return db.session.scalar(
        db.select(Certificate).where(Certificate.verify_code == code.strip().upper())
        .options(joinedload(Certificate.product).joinedload(Product.producer)))


def find(text: str, limit: int = 20) -> list[Certificate]:
    """Certificates by verification code or by decision number."""
    text = text.strip()
    return list(db.session.scalars(
        db.select(Certificate)
        .where((Certificate.verify_code == text.upper()) | (Certificate.decision_number == text))
        .options(joinedload(Certificate.product).joinedload(Product.producer))
        .order_by(Certificate.decision_date.desc(), Certificate.id).limit(limit)))


def verdict(certificate: Certificate, day: date) -> str:
    """'valid', 'expired', 'not_yet_valid', 'superseded' or 'revoked' on `day`."""
    if certificate.status != "active":
        return certificate.status
    if day < certificate.decision_date:
        return "not_yet_valid"
    return "valid" if day <= certificate.valid_until else "expired"
