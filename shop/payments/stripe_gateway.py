"""The one module of the shop that talks to Stripe: Checkout sessions, refunds and webhook events.

Nothing is read from the configuration here: callers pass a `StripeSettings` (see `settings_from`).
Each call builds its own `stripe.StripeClient` with an explicit HTTP timeout and no automatic
retries, so nothing global (such as `stripe.api_key`) is ever set. A retry is the caller's: the
idempotency key they pass makes Stripe answer a repeated request with the first result.

Amounts are in Vietnamese đồng, a zero-decimal currency for Stripe: 250000 is sent as
`unit_amount=250000` and means 250.000 ₫.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import stripe

CURRENCY = "vnd"
# (connect, read) seconds for every HTTP request to Stripe.
HTTP_TIMEOUT_SECONDS: tuple[float, float] = (5.0, 20.0)
MAX_NETWORK_RETRIES = 0
WEBHOOK_TOLERANCE_SECONDS = 300
# Stripe accepts a Checkout session's `expires_at` from 30 minutes to 24 hours after its creation;
# the margins leave room for the request's travel time and a little clock skew.
SESSION_MIN_LIFETIME_SECONDS = 30 * 60 + 120
SESSION_MAX_LIFETIME_SECONDS = 24 * 60 * 60 - 120


class GatewayError(Exception):
    """Stripe could not be reached or refused the request; the original error is `__cause__`."""

    MESSAGE = "the card payment service is unavailable, please try again"

    def __init__(self, message: str = MESSAGE, *, code: str | None = None):
        super().__init__(message)
        self.code = code  # Stripe's error code when it gave one (e.g. "charge_already_refunded")


class SignatureError(Exception):
    """A webhook request that cannot be shown to come from Stripe."""


@dataclass(frozen=True)
class StripeSettings:
    secret_key: str
    webhook_secret: str | None
    api_base: str | None  # None: Stripe's own https://api.stripe.com


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True)
class Refund:
    id: str
    status: str


def settings_from(config: Mapping) -> StripeSettings | None:
    """The Stripe settings of a configuration; None without a secret key (no card payments)."""

    def value(name: str) -> str | None:
        raw = config.get(name)
        return (raw.strip() or None) if isinstance(raw, str) else None

    secret_key = value("STRIPE_SECRET_KEY")
    if secret_key is None:
        return None
    api_base = value("STRIPE_API_BASE")
    return StripeSettings(secret_key=secret_key, webhook_secret=value("STRIPE_WEBHOOK_SECRET"),
                          api_base=api_base.rstrip("/") if api_base else None)


def _call(settings: StripeSettings, request):
    """Run `request(client)` with a fresh client; any Stripe error becomes a GatewayError."""
    stripe.enable_telemetry = False  # no client telemetry file or header
    http_client = stripe.RequestsClient(timeout=HTTP_TIMEOUT_SECONDS)
    client = stripe.StripeClient(
        settings.secret_key,
        base_addresses={"api": settings.api_base} if settings.api_base else None,
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=http_client,
    )
    try:
        return request(client)
    except stripe.StripeError as error:
        raise GatewayError(code=getattr(error, "code", None)) from error
    finally:
        http_client.close()


def _check_amount(amount_vnd: Any) -> int:
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
        raise ValueError(f"the amount must be a whole number of đồng, not {amount_vnd!r}")
    if amount_vnd < 1:
        raise ValueError(f"the amount must be at least 1 ₫, not {amount_vnd}")
    return amount_vnd


def _check_key(idempotency_key: Any) -> str:
    if not isinstance(idempotency_key, str) or not idempotency_key.strip():
        raise ValueError("an idempotency key is required")
    return idempotency_key


def session_expiry(expires_at: int, now: float | None = None) -> int:
    """`expires_at` moved into the window Stripe accepts (30 minutes to 24 hours from now).

    A reservation shorter than Stripe's minimum gets a session that outlives it by a little: a
    payment that completes after the order expired is then flagged for attention by its handler.
    """
    if isinstance(expires_at, bool) or not isinstance(expires_at, int):
        raise ValueError(f"expires_at must be a Unix timestamp, not {expires_at!r}")
    now = int(time.time() if now is None else now)
    return min(max(expires_at, now + SESSION_MIN_LIFETIME_SECONDS), now + SESSION_MAX_LIFETIME_SECONDS)


def create_checkout_session(settings: StripeSettings, *, order_number: str, amount_vnd: int,
                            customer_email: str, success_url: str, cancel_url: str,
                            expires_at: int | None, idempotency_key: str) -> CheckoutSession:
    """A hosted Checkout session paying `amount_vnd` for the order; the buyer is sent to its url."""
    amount = _check_amount(amount_vnd)
    _check_key(idempotency_key)
    metadata = {"order_number": order_number}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [{
            "price_data": {
                "currency": CURRENCY,
                "unit_amount": amount,  # zero-decimal currency: đồng, not hundredths
                "product_data": {"name": f"Đơn hàng {order_number}"},
            },
            "quantity": 1,
        }],
        "client_reference_id": order_number,
        "metadata": metadata,
        "payment_intent_data": {"metadata": dict(metadata)},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if customer_email:
        params["customer_email"] = customer_email
    if expires_at is not None:
        params["expires_at"] = session_expiry(expires_at)
    session = _call(settings, lambda client: client.v1.checkout.sessions.create(
        params=params, options={"idempotency_key": idempotency_key}))
    return CheckoutSession(id=session.id, url=session.url)


def refund(settings: StripeSettings, *, payment_intent: str, amount_vnd: int,
           idempotency_key: str) -> Refund:
    """Refund `amount_vnd` of a paid PaymentIntent (a repeated key returns the same refund)."""
    amount = _check_amount(amount_vnd)
    _check_key(idempotency_key)
    if not isinstance(payment_intent, str) or not payment_intent:
        raise ValueError("a payment intent id is required")
    result = _call(settings, lambda client: client.v1.refunds.create(
        params={"payment_intent": payment_intent, "amount": amount},
        options={"idempotency_key": idempotency_key}))
    return Refund(id=result.id, status=result.status)


def verify_event(settings: StripeSettings, payload: bytes, signature_header: str | None) -> dict:
    """The event of a webhook request, once its `Stripe-Signature` header is checked on the raw body.

    Returns plain JSON data: {"id", "type", "data": {"object": {...}}, "created", ...}.
    """
    if settings is None or not settings.webhook_secret:
        raise SignatureError("no webhook secret is configured")
    if not signature_header:
        raise SignatureError("the Stripe-Signature header is missing")
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, settings.webhook_secret,
                                              tolerance=WEBHOOK_TOLERANCE_SECONDS)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError, TypeError) as error:  # bad JSON, not UTF-8
        raise SignatureError(str(error).splitlines()[0] if str(error) else type(error).__name__) from error
    if not _is_event(event):
        raise SignatureError("the payload is not a Stripe event")
    return event


def _is_event(event: Any) -> bool:
    if not (isinstance(event, dict) and isinstance(event.get("id"), str)
            and isinstance(event.get("type"), str)):
        return False
    data = event.get("data")
    return isinstance(data, dict) and isinstance(data.get("object"), dict)
