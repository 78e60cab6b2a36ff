"""Provider callbacks: Stripe's events, verified on the raw body."""

import logging

from flask import Blueprint, current_app, jsonify, request

from shop.errors import ShopError
from shop.extensions import csrf
from shop.payments import services as payments
from shop.payments import stripe_gateway

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)
log = logging.getLogger(__name__)


class BadSignature(ShopError):
    code = "bad_signature"
    status = 400


@bp.post("/stripe")
def stripe_event():
    settings = stripe_gateway.settings_from(current_app.config)
    if settings is None:
        raise BadSignature("card payments are not configured")
    try:
        event = stripe_gateway.verify_event(settings, request.get_data(cache=False),
                                            request.headers.get("Stripe-Signature", ""))
    except stripe_gateway.SignatureError as error:
        raise BadSignature("the signature does not match") from error
    outcome = payments.handle_stripe_event(event)
    log.info("stripe event %s (%s): %s", event.get("id"), event.get("type"), outcome)
    return jsonify({"received": True, "outcome": outcome})
