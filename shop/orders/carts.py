"""Carts: a guest's (a token in a signed cookie) or a customer's, joined at sign-in."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.catalog.models import Product, Variant
from shop.database import write_transaction
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.inventory import queries as stock_queries
from shop.orders.models import Cart, CartLine

MAX_LINE_QUANTITY = 999


def _load(query) -> Cart | None:
    return db.session.scalar(query.options(
        selectinload(Cart.lines).selectinload(CartLine.variant).selectinload(Variant.product)))


def by_token(token: str) -> Cart | None:
    if not token:
        return None
    return _load(select(Cart).where(Cart.token == token, Cart.status == "open"))


def require(token: str) -> Cart:
    cart = by_token(token)
    if cart is None:
        raise NotFound("no open cart with that id")
    return cart


def of_user(user_id: int) -> Cart | None:
    return _load(select(Cart).where(Cart.user_id == user_id, Cart.status == "open")
                 .order_by(Cart.id.desc()))


def create(user_id: int | None = None) -> Cart:
    with write_transaction(db.session):
        cart = Cart(token=secrets.token_urlsafe(24), user_id=user_id)
        db.session.add(cart)
    return cart


def _sellable_variant(sku: str, today: date) -> Variant:
    variant = db.session.scalar(
        select(Variant).join(Product).where(
            Variant.sku == (sku or "").strip(), Variant.is_active, Product.status == "active",
            Product.certified_until >= today))
    if variant is None:
        raise ValidationError(f"{sku!r} is not a product on sale", {"sku": "unknown SKU"})
    return variant


def _check_quantity(quantity) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise ValidationError("the quantity is a whole number from 0",
                              {"quantity": "a whole number from 0"})
    return quantity


def add(cart: Cart, sku: str, quantity: int, *, today: date) -> Cart:
    """Add `quantity` to the SKU's line (0 removes the line)."""
    quantity = _check_quantity(quantity)
    variant = _sellable_variant(sku, today)
    line = next((line for line in cart.lines if line.variant_id == variant.id), None)
    new = 0 if quantity == 0 else (line.quantity if line else 0) + quantity
    return _set(cart, variant, line, new)


def set_quantity(cart: Cart, sku: str, quantity: int, *, today: date) -> Cart:
    """Make the SKU's line hold exactly `quantity` (0 removes it)."""
    quantity = _check_quantity(quantity)
    line = next((line for line in cart.lines if line.variant.sku == sku), None)
    if line is None and quantity == 0:
        return cart
    variant = line.variant if line else _sellable_variant(sku, today)
    return _set(cart, variant, line, quantity)


def _set(cart: Cart, variant: Variant, line: CartLine | None, quantity: int) -> Cart:
    if quantity > MAX_LINE_QUANTITY:
        raise ValidationError(f"at most {MAX_LINE_QUANTITY} of one product in a cart",
                              {"quantity": f"at most {MAX_LINE_QUANTITY}"})
    with write_transaction(db.session):
        if line is not None and quantity == 0:
            db.session.delete(line)
        elif line is not None:
            line.quantity = quantity
        elif quantity:
            db.session.add(CartLine(cart_id=cart.id, variant_id=variant.id, quantity=quantity))
    return require(cart.token)


def join(guest_token: str | None, user_id: int) -> Cart | None:
    """At sign-in: the guest's cart joins the customer's open cart (quantities add up)."""
    guest, own = by_token(guest_token or ""), of_user(user_id)
    if guest is None or guest.user_id not in (None, user_id):
        return own
    if own is None or own.id == guest.id:
        with write_transaction(db.session):
            guest.user_id = user_id
        return require(guest.token)
    with write_transaction(db.session):
        existing = {line.variant_id: line for line in own.lines}
        for line in guest.lines:
            if line.variant_id in existing:
                existing[line.variant_id].quantity = min(
                    existing[line.variant_id].quantity + line.quantity, MAX_LINE_QUANTITY)
            else:
                own.lines.append(CartLine(variant_id=line.variant_id, quantity=line.quantity))
        guest.status = "merged"
    return require(own.token)


def view(cart: Cart) -> dict:
    """The cart as the API shows it, with what is available online now for each line."""
    available = stock_queries.online_available_by_variant([line.variant_id for line in cart.lines])
    lines = [{"sku": line.variant.sku, "name": f"{line.variant.product.name} – {line.variant.label}",
              "quantity": line.quantity, "unit_price_vnd": line.variant.price_vnd,
              "line_total_vnd": line.quantity * line.variant.price_vnd,
              "available": available.get(line.variant_id, 0)} for line in cart.lines]
    return {"id": cart.token, "lines": lines,
            "total_vnd": sum(line["line_total_vnd"] for line in lines)}
