"""The cart page: what the visitor is about to buy, adding from a product page, changing lines.

The cart's token lives in the signed session under CART_KEY; sign-in (shop/web/auth/views.py)
joins a guest's cart to the customer's own and keeps the joined cart's token there.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.clock import today
from shop.errors import ValidationError
from shop.orders import carts
from shop.orders.models import Cart
from shop.web.storefront import bp

CART_KEY = "cart"


def current_cart() -> Cart | None:
    """The visitor's open cart, if the session names one."""
    return carts.by_token(session.get(CART_KEY, ""))


def parse_quantity(raw: str | None, *, minimum: int) -> int | None:
    """A whole number from `minimum` to the most one cart line holds, or None."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:  # int() refuses 4,300 digits
        return None
    quantity = int(text)
    return quantity if minimum <= quantity <= carts.MAX_LINE_QUANTITY else None


def _quantity_message(minimum: int) -> str:
    return _("Enter a whole number from %(min)d to %(max)d.", min=minimum,
             max=carts.MAX_LINE_QUANTITY)


def _service_message(error: ValidationError) -> str:
    if "sku" in error.fields:
        return _("This product is not on sale at the moment.")
    if "quantity" in error.fields:
        return _("A cart holds at most %(max)d of one product.", max=carts.MAX_LINE_QUANTITY)
    return error.message


def _render(found: Cart | None, *, error: str | None = None, error_sku: str | None = None,
            status: int = 200):
    view = carts.view(found) if found is not None else None
    products = {line.variant.sku: line.variant.product for line in found.lines} if found else {}
    return render_template("storefront/cart.html", cart=found, view=view, products=products,
                           error=error, error_sku=error_sku), status


@bp.get("/cart")
def cart():
    return _render(current_cart())


@bp.post("/cart/lines")
def add_to_cart():
    """Add a quantity of one SKU (from a product page); the cart is made on the first add."""
    sku = request.form.get("sku", "").strip()
    quantity = parse_quantity(request.form.get("quantity"), minimum=1)
    found = current_cart()
    if not sku or quantity is None:
        message = _quantity_message(1) if sku else _("Choose a product to add.")
        return _render(found, error=message, status=422)
    if found is None:
        found = carts.create(user_id=current_user.id if current_user.is_authenticated else None)
        session[CART_KEY] = found.token
    try:
        found = carts.add(found, sku, quantity, today=today())
    except ValidationError as error:
        return _render(current_cart(), error=_service_message(error), status=422)
    name = next((line["name"] for line in carts.view(found)["lines"] if line["sku"] == sku), sku)
    flash(_("Added to your cart: %(quantity)d × %(name)s.", quantity=quantity, name=name), "success")
    return redirect(url_for(".cart"), 303)


@bp.post("/cart/lines/update")
def update_cart():
    """Set one line's quantity; 0 (or the remove button) takes the line out."""
    sku = request.form.get("sku", "").strip()
    removing = bool(request.form.get("remove"))
    quantity = 0 if removing else parse_quantity(request.form.get("quantity"), minimum=0)
    found = current_cart()
    in_cart = found is not None and any(line.variant.sku == sku for line in found.lines)
    if not in_cart:
        return _render(found, error=_("That product is not in your cart."), status=422)
    if quantity is None:
        return _render(found, error=_quantity_message(0), error_sku=sku, status=422)
    try:
        carts.set_quantity(found, sku, quantity, today=today())
    except ValidationError as error:
        return _render(current_cart(), error=_service_message(error), error_sku=sku, status=422)
    flash(_("Removed from your cart.") if quantity == 0 else _("Your cart is updated."), "success")
    return redirect(url_for(".cart"), 303)
