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
    with write_transaction(db.session):
        original = _lock_original(invoice, actor_id)
        adjustment = issuing.adjust(original, [], day=day, reason=f"Điều chỉnh thông tin người mua: {reason}",
                                    buyer=buyer)
    return adjustment


def return_goods(invoice: Invoice, *, actor_id: int, quantities: dict[str, int], reason: str,
                 day: date) -> Invoice:
    """Goods sent back after invoicing: an adjustment invoice naming the original takes back
    the returned quantities at the prices invoiced. No more than what the original still stands
    for can come back."""
    reason = " ".join((reason or "").split())
    wanted = {sku: quantity for sku, quantity in quantities.items() if quantity}
    problems = {f"quantity.{sku}": "a whole number from 0" for sku, q in wanted.items() if q < 0}
    if not 3 <= len(reason) <= 300:
        problems["reason"] = "say why the goods came back (3 to 300 characters)"
    if not wanted:
        problems["quantity"] = "at least one returned unit"
    if problems:
        raise ValidationError("the return is not valid", problems)
    with write_transaction(db.session):
        original = _lock_original(invoice, actor_id)
        left = {sold.sku: sold for sold in issuing.outstanding(original)}
        over = {f"quantity.{sku}": f"at most {left[sku].quantity if sku in left else 0}"
                for sku, quantity in wanted.items() if sku not in left or quantity > left[sku].quantity}
        if over:
            raise ValidationError("more is returned than the invoice still stands for", over)
        back = [issuing.returned(s, wanted[s.sku]) for s in left.values() if s.sku in wanted]
        adjustment = issuing.adjust(original, back, day=day, reason=f"Trả hàng: {reason}")
    return adjustment


def _lock_original(invoice: Invoice, actor_id: int) -> Invoice:
    """The original, locked against a concurrent correction (PostgreSQL; SQLite's writer holds
    the database), once the actor is known to work for its seller."""
    if invoice.kind != "original":
        raise ValidationError("correct the original invoice, not an adjustment", {"invoice": "original"})
    if invoice.producer_id is None:
        raise Forbidden("the shop's own invoices are corrected by the program office")
    member = db.session.scalar(select(ProducerMember.id).where(
        ProducerMember.producer_id == invoice.producer_id, ProducerMember.user_id == actor_id))
    if member is None:
        raise Forbidden("only the seller corrects its invoices")
    original = db.session.get(Invoice, invoice.id, with_for_update=True, populate_existing=True)
    if original is None:
        raise NotFound("no such invoice")
    return original
