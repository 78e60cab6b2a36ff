"""The producer portal at /producer: a producer's members see and change only its own things."""

from flask import Blueprint

bp = Blueprint("producer", __name__, url_prefix="/producer")
