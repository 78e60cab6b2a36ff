"""The cart page (the storefront helper fills it in)."""

from flask import render_template, session

from shop.orders import carts
from shop.web.storefront import bp

CART_KEY = "cart"


@bp.get("/cart")
def cart():
    found = carts.by_token(session.get(CART_KEY, ""))
    return render_template("storefront/cart.html", cart=found, view=carts.view(found) if found else None)
