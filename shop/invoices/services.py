"""Use cases on issued invoices. An issued invoice never changes: a correction is a new
adjustment invoice that names it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from shop.accounts.models import ProducerMember
from shop.database import write_transaction
from shop.errors import Forbidden, NotFound, ValidationError
from shop.extensions import db
from shop.invoices import issuing
from shop.invoices.models import Invoice

BUYER_LIMITS = {"name": 120, "address": 400, "email": 254, "phone": 20}


def _clean_buyer(details: dict, reason: str) -> tuple[dict, str]:
    cleaned = {name: " ".join((details.get(name) or "").split()) for name in BUYER_LIMITS}
    problems = {name: f"at most {limit} characters" for name, limit in BUYER_LIMITS.items()
                if len(cleaned[name]) > limit}
    if len(cleaned["name"]) < 2:
        problems["name"] = "the buyer's name"
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 300:
        problems["reason"] = "say what was wrong (3 to 300 characters)"
    if problems:
        raise ValidationError("the corrected buyer details are not valid", problems)
    return cleaned, reason


def correct_buyer(invoice: Invoice, *, actor_id: int, details: dict, reason: str, day: date) -> Invoice:
    """A wrong buyer detail: an adjustment invoice with the right details and no lines (the
    amounts stand) names the original, which stays as it was issued."""
    buyer, reason = _clean_buyer(details, reason)
    if invoice.kind != "original":
        raise ValidationError("correct the original invoice, not an adjustment", {"invoice": "original"})
    with write_transaction(db.session):
        member = db.session.scalar(select(ProducerMember.id).where(
            ProducerMember.producer_id == invoice.producer_id, ProducerMember.user_id == actor_id))
        if member is None:
            raise Forbidden("only the seller corrects its invoices")
        original = db.session.get(Invoice, invoice.id)
        if original is None:
            raise NotFound("no such invoice")
        adjustment = issuing.adjust(original, [], day=day, reason=f"Điều chỉnh thông tin người mua: {reason}",
                                    buyer=buyer)
    return adjustment
