"""Checkout: contact, delivery or pickup at a sales point, payment; then the order is placed.

The form carries a `checkout_token` made when the page is rendered; it is the order's
idempotency key ("web:<token>"), so sending the same form twice gives one order.
"""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.clock import today
from shop.errors import IdempotencyConflict, InsufficientStock, ShopError, ValidationError
from shop.extensions import db
from shop.orders import carts, quotes
from shop.orders import checkout as checkout_details
from shop.orders import services as orders
from shop.orders.models import Cart
from shop.places import services as places
from shop.places.models import Province
from shop.web import ordering
from shop.web.storefront import bp
from shop.web.storefront.cart import CART_KEY, current_cart

FIELDS = ("name", "email", "phone", "fulfilment", "address_line", "province_code", "ward_code",
          "pickup_point", "payment_method")
TOKEN_FIELD = "checkout_token"
MAX_TOKEN = 64  # the form's token is 32 characters; anything longer is not one of ours
PLACED_CART_KEY = "placed_cart"  # the cart the session's last order came from

# What each field of checkout.parse needs, in the buyer's language.
FIELD_MESSAGES = {
    "name": _l("Enter your name (at most 120 characters)."),
    "email": _l("Enter a valid email address."),
    "phone": _l("Enter a Vietnamese mobile number, e.g. 0912345678."),
    "fulfilment": _l("Choose delivery or pickup at a sales point."),
    "payment_method": _l("Choose how you will pay."),
    "address.line": _l("Enter the house number and street (at most 200 characters)."),
    "address.ward_code": _l("Choose the ward or commune."),
    "pickup_point": _l("Choose a sales point that has every product of your cart."),
    "cart": _l("Your cart is empty."),
}
# Some fields fail in more than one way: the service's words tell which.
SERVICE_MESSAGES = {
    ("address.ward_code", "the ward does not belong to the province"):
        _l("This ward or commune is not in the province you chose."),
    ("payment_method", "not available"): _l("Card payment is not available at the moment."),
    ("lines", "no longer on sale"): _l("%(name)s is no longer on sale: remove it from your cart."),
    ("cart", orders.TOTAL_TOO_LARGE): _l("An order can total at most ten billion đồng: split "
                                         "your cart into several orders."),
    ("payment_method", orders.CARD_TOO_LARGE): _l("A card payment can be at most 99,999,999 đồng: "
                                                  "choose a bank transfer or cash on delivery."),
}


@bp.get("/checkout")
def checkout():
    cart = current_cart()
    if cart is None or not cart.lines:
        flash(_("Your cart is empty."), "error")
        return redirect(url_for(".cart"), 303)
    return _render(cart, _prefill(), {})


@bp.post("/checkout")
def place_order():
    form = {field: request.form.get(field, "").strip() for field in FIELDS}
    token = request.form.get(TOKEN_FIELD, "").strip()
    key = f"web:{token}" if 0 < len(token) <= MAX_TOKEN else None  # whole, never cut
    cart = current_cart()
    if cart is None or not cart.lines:
        return _already_placed_or_empty(key, form)
    if request.form.get("step") == "wards":  # without JavaScript: show the province's wards
        return _render(cart, form, {}, token=token)
    user_id = current_user.id if current_user.is_authenticated else None
    try:
        details = checkout_details.parse(_body(form))
        created, order = orders.place_order(cart, details, settings=ordering.order_settings(),
                                            today=today(), idempotency_key=key, user_id=user_id)
    except ValidationError as error:
        return _render(cart, form, _messages(error.fields, cart), token=token, status=422)
    except InsufficientStock as error:
        return _render(cart, form, {}, token=token, shortage=_shortage(cart, error), status=422)
    except IdempotencyConflict:
        return _already_placed_or_empty(key, form)
    if created:
        ordering.after_placed(order)
        flash(_("Thank you! Your order %(number)s is placed; the details are on their way to "
                "%(email)s.", number=order.number, email=order.email), "success")
    session[PLACED_CART_KEY] = session.pop(CART_KEY, None)  # for a second send of this form
    if order.payment_method == "card" and order.status == "awaiting_payment":
        try:
            return redirect(ordering.card_checkout(order).checkout_url, 303)
        except ShopError:  # the order page shows the pay button to try again
            flash(_("Card payment could not start. Try again with the button below."), "error")
    return redirect(ordering.order_url(order), 303)


def _already_placed_or_empty(key: str | None, form: dict):
    """This form was sent before from this session (a double submit, or back and send again):
    its order. The key alone finds nothing: the cart and the details must be the same."""
    placed = _earlier_send(key, form) if key else None
    if placed is not None:
        return redirect(ordering.order_url(placed), 303)
    flash(_("Your cart is empty."), "error")
    return redirect(url_for(".cart"), 303)


def _earlier_send(key: str, form: dict):
    """The order this session's cart (the one it placed last, or the one it had when this
    request began) was checked out into with this form."""
    try:
        details = checkout_details.parse(_body(form))
    except ValidationError:
        return None
    for name in (PLACED_CART_KEY, CART_KEY):
        found = orders.replay_of(session[name], details, key) if session.get(name) else None
        if found is not None:
            return found
    return None


def _prefill() -> dict:
    form = dict.fromkeys(FIELDS, "")
    form.update(fulfilment="delivery", payment_method="cod")
    if current_user.is_authenticated:
        form.update(name=current_user.name or "", email=current_user.email,
                    phone=current_user.phone or "")
    return form


def _body(form: dict) -> dict:
    """The body checkout.parse reads (API.md, Cart and checkout) from the form's fields."""
    return {"name": form["name"], "email": form["email"], "phone": form["phone"],
            "fulfilment": form["fulfilment"], "payment_method": form["payment_method"],
            "pickup_point": form["pickup_point"] or None,
            "address": {"line": form["address_line"], "ward_code": form["ward_code"],
                        "province_code": form["province_code"]}}


def _messages(fields: dict[str, str], cart: Cart) -> dict[str, str]:
    names = {line.variant.sku: f"{line.variant.product.name} – {line.variant.label}"
             for line in cart.lines}
    messages = {}
    for field, problem in fields.items():
        if field.startswith("lines."):
            sku = field.removeprefix("lines.")
            messages[field] = str(SERVICE_MESSAGES[("lines", "no longer on sale")]) % {
                "name": names.get(sku, sku)}
            continue
        known = SERVICE_MESSAGES.get((field, problem)) or FIELD_MESSAGES.get(field)
        messages[field] = str(known) if known is not None else problem
    return messages


def _shortage(cart: Cart, error: InsufficientStock) -> dict:
    """Which product ran short and how many are left (nothing was reserved)."""
    sku = error.details.get("sku")
    line = next((line for line in cart.lines if line.variant.sku == sku), None)
    name = f"{line.variant.product.name} – {line.variant.label}" if line else sku
    return {"sku": sku, "name": name, "requested": error.details.get("requested"),
            "available": error.details.get("available")}


def _render(cart: Cart, form: dict, errors: dict, *, token: str = "", shortage: dict | None = None,
            status: int = 200):
    settings = ordering.order_settings()
    province = db.session.get(Province, form["province_code"]) if form["province_code"] else None
    view = carts.view(cart)
    shipments = quotes.delivery_shipments(cart, settings)
    delivery_fee = sum(s["shipping_vnd"] for s in shipments)
    return render_template(
        "storefront/checkout.html", cart=cart, view=view, form=form, errors=errors,
        shortage=shortage, settings=settings, provinces=places.provinces(),
        wards=places.wards_of(province.code) if province else [],
        pickup_points=quotes.pickup_points(cart), shipments=shipments, delivery_fee=delivery_fee,
        checkout_token=token or secrets.token_urlsafe(24)), status
