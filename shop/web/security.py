"""Security on every response and request: headers (CSP, HSTS, nosniff, framing, referrer),
sessions kept on the server with idle and absolute timeouts, and rate limits on sign-in,
checkout, search and the API."""

from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import Flask, current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from shop.web import input_guard

STRIPE_CHECKOUT = "https://checkout.stripe.com"
SIGNED_IN_AT, SEEN_AT = "_signed_in_at", "_seen_at"

# endpoint -> (config key of its limit, methods it applies to)
LIMITED_ENDPOINTS = {
    "auth.login": ("RATELIMIT_SIGN_IN", ["POST"]),
    "auth.two_step": ("RATELIMIT_SIGN_IN", ["POST"]),
    "auth.forgot_password": ("RATELIMIT_SIGN_IN", ["POST"]),
    "auth.reset_password": ("RATELIMIT_SIGN_IN", ["POST"]),
    "storefront.place_order": ("RATELIMIT_CHECKOUT", ["POST"]),
    "api.checkout_cart": ("RATELIMIT_CHECKOUT", ["POST"]),
    "storefront.listing": ("RATELIMIT_SEARCH", ["GET"]),
    "api.products": ("RATELIMIT_SEARCH", ["GET"]),
}


def init_app(app: Flask) -> None:
    """Register the headers, the session timeouts and the rate limits (after the blueprints)."""
    hops = app.config.get("TRUSTED_PROXY_HOPS", 0)
    if hops:  # behind a reverse proxy: take the client's address and scheme from its headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from shop.web import sessions

    sessions.init_app(app)
    app.after_request(security_headers)
    app.before_request(enforce_session_timeouts)
    app.before_request(input_guard.guard_request)
    # No rate-limit headers on every response: Flask-Limiter's would put its window's
    # Retry-After on each 200 and stretch a 503's own; the 429 gets its true one (retry_after_seconds).
    limiter = Limiter(get_remote_address, app=app, headers_enabled=False,
                      storage_uri=app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
                      key_prefix=app.config.get("RATELIMIT_KEY_PREFIX") or "ocop")
    app.extensions["shop_limiter"] = limiter
    for endpoint, (key, methods) in LIMITED_ENDPOINTS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(
                _configured(app, key), methods=methods, scope=endpoint)(view)
    from shop.web.api import bp as api_bp

    limiter.limit(_configured(app, "RATELIMIT_API"),
                  exempt_when=lambda: (request.endpoint or "").startswith("api.pos_"))(api_bp)


def _configured(app: Flask, key: str):
    return lambda: app.config[key]


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets a request through again (at least 1):
    the latest reset among the windows it found full."""
    limiter = current_app.extensions["shop_limiter"]
    breached = [limit for limit in limiter.current_limits if limit.breached]
    if not breached and limiter.current_limit is not None:
        breached = [limiter.current_limit]
    resets = [limit.window[0] for limit in breached]
    return max(1, math.ceil(max(resets, default=0) - time.time()))


def content_security_policy() -> str:
    """Only our own scripts, styles and images; forms may go to Stripe Checkout; no framing."""
    form_targets = ["'self'", STRIPE_CHECKOUT]
    api_base = current_app.config.get("STRIPE_API_BASE")
    if api_base:  # a test or staging stand-in for Stripe serves the checkout page itself
        parts = urlsplit(api_base)
        form_targets.append(f"{parts.scheme}://{parts.netloc}")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action " + " ".join(form_targets),
        "frame-ancestors 'none'",
    ])


def security_headers(response):
    """Add the security headers to every response."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security",
                           f"max-age={current_app.config['HSTS_MAX_AGE']}; includeSubDomains")
    return response


def start_session_clock() -> None:
    """Note when the session signed in, for the timeouts."""
    now = int(time.time())
    session[SIGNED_IN_AT] = session[SEEN_AT] = now


def enforce_session_timeouts() -> None:
    """Sign out a session idle too long or signed in too long ago; else note it was seen."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    config = current_app.config
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if (not isinstance(signed_in_at, int) or not isinstance(seen_at, int)
            or now - seen_at > config["SESSION_IDLE_SECONDS"]
            or now - signed_in_at > config["SESSION_ABSOLUTE_SECONDS"]):
        logout_user()
        session.clear()
        return
    if now - seen_at >= 60:  # once a minute is precise enough and spares a cookie per request
        session[SEEN_AT] = now
