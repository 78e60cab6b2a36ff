"""The sales-point portal at /salespoint/<code>: staff see only their own sales points."""

from flask import Blueprint

bp = Blueprint("salespoint", __name__, url_prefix="/salespoint/<code>")

from shop.web.salespoint import (  # noqa: E402,F401
    access,
    counts,
    devices,
    pickups,
    reconciliation,
    stock,
    till,
    transfers,
)
