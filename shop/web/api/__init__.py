"""The JSON API at /api/v1 (API.md): for devices, other systems and the storefront's scripts."""

from flask import Blueprint

from shop.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)

from shop.web.api import openapi, orders, places, pos, products, stats  # noqa: E402,F401
