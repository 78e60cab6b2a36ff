"""The storefront: what shoppers see."""

from flask import Blueprint

bp = Blueprint("storefront", __name__)

from shop.web.storefront import certificates, home, language, producers, products  # noqa: E402,F401
