"""Signing up, in and out, and the account page."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from shop.web.auth import views  # noqa: E402,F401
