"""Helpers for the HTTP tests of the cart and checkout pages.

The pages are read in English (the language cookie), so that the assertions on words do not
depend on the Vietnamese catalogue; data (SKUs, quantities, amounts) sit in data- attributes.
"""

from __future__ import annotations

import re

from shop.orders import carts
from tests.conftest import csrf_token

CHECKOUT = {"name": "Nguyễn Văn An", "email": "an@example.com", "phone": "0912345678",
            "fulfilment": "delivery", "address_line": "12 Lê Lợi", "province_code": "01",
            "ward_code": "00004", "pickup_point": "", "payment_method": "cod"}
CART_LINE = re.compile(r'<li class="cart-line( cart-line--short)?" data-sku="([^"]+)"\s+'
                       r'data-quantity="(\d+)" data-available="(-?\d+)">')
TOKEN_INPUT = re.compile(r'name="checkout_token" value="([^"]+)"')


def english(client) -> None:
    client.set_cookie("lang", "en")


def add(client, sku: str, quantity, **extra):
    return client.post("/cart/lines", data={"csrf_token": csrf_token(client, "/"), "sku": sku,
                                            "quantity": str(quantity), **extra})


def update(client, sku: str, quantity="", **extra):
    return client.post("/cart/lines/update", data={
        "csrf_token": csrf_token(client, "/"), "sku": sku, "quantity": str(quantity), **extra})


def session_cart(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("cart")


def lines_in_db(client) -> list[tuple[str, int]]:
    cart = carts.by_token(session_cart(client) or "")
    return [(line.variant.sku, line.quantity) for line in cart.lines] if cart else []


def lines_on_page(html: str) -> list[tuple[str, int, int, bool]]:
    """(sku, quantity, available, flagged short) of each line the cart page shows."""
    return [(sku, int(quantity), int(available), bool(short))
            for short, sku, quantity, available in CART_LINE.findall(html)]


def checkout_page(client) -> tuple[str, str]:
    """The checkout page's HTML and its checkout token."""
    response = client.get("/checkout")
    assert response.status_code == 200, response.headers.get("Location")
    html = response.get_data(as_text=True)
    return html, TOKEN_INPUT.search(html).group(1)


def place(client, token: str | None = None, **changes):
    """Send the checkout form as a browser would, with the page's token unless given."""
    if token is None:
        token = checkout_page(client)[1]
    form = {**CHECKOUT, **changes, "checkout_token": token, "csrf_token": csrf_token(client, "/")}
    return client.post("/checkout", data=form)


def text(html: str) -> str:
    """The page's words with tags dropped and white space collapsed, for phrase assertions."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")
