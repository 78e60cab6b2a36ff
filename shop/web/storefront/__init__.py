"""The storefront: what shoppers see."""

from flask import Blueprint

bp = Blueprint("storefront", __name__)

from shop.web.storefront import (  # noqa: E402,F401
    cart,
    certificates,
    checkout,
    home,
    invoices,
    language,
    media,
    orders,
    producers,
    products,
    reports,
)
