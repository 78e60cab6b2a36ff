"""A local fake of Stripe's API, enough for the real `stripe` SDK: Checkout sessions and refunds.

`FakeStripe` is a real HTTP server on 127.0.0.1 (a free port, in a daemon thread). Point the shop
at it with `STRIPE_API_BASE = fake.api_base`. It checks the `Authorization: Bearer sk_test_…`
header, honours `Idempotency-Key` like Stripe (same key: same answer; same key, other request:
400 `idempotency_error`), records every request and can fail the next requests on demand.

Stripe's side of a payment is played by the helpers: `complete()`, `expire()` and
`refund_event()` return the event Stripe would send, and `sign()` builds its `Stripe-Signature`
header. A browser can also pay at `<api_base>/pay/<session id>`: the "Pay" button completes the
session, keeps the event in `.delivered_events` and sends the browser to the success url.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import html
import itertools
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2026-10-28.endive"
SESSION_MIN_LIFETIME = 30 * 60
SESSION_MAX_LIFETIME = 24 * 60 * 60


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send with `payload`: t=<ts>,v1=<HMAC-SHA256>."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{ts}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def encode(event: dict) -> bytes:
    """An event as the raw JSON body of a webhook request."""
    return json.dumps(event, ensure_ascii=False).encode()


class Headers(dict):
    """Request headers by lower-case name; look-ups ignore case."""

    def __init__(self, items=()):
        super().__init__((str(name).lower(), value) for name, value in items)

    def __getitem__(self, name):
        return super().__getitem__(name.lower())

    def __contains__(self, name):
        return super().__contains__(name.lower() if isinstance(name, str) else name)

    def get(self, name, default=None):
        return super().get(name.lower(), default)


class Request(NamedTuple):
    method: str
    path: str
    params: dict
    headers: Headers


class StripeFailure(Exception):
    """An error answer in Stripe's shape: {"error": {"type", "message", "code"?, "param"?}}."""

    def __init__(self, status: int, type_: str, message: str, *, code: str | None = None,
                 param: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "message": message}}
        if code:
            self.body["error"]["code"] = code
        if param:
            self.body["error"]["param"] = param


def invalid(message: str, *, param: str | None = None, code: str = "parameter_invalid") -> StripeFailure:
    return StripeFailure(400, "invalid_request_error", message, code=code, param=param)


def missing(param: str) -> StripeFailure:
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")


_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


def parse_form(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (`line_items[0][price_data][unit_amount]=1`) as nested dicts and lists.

    Values stay strings, as Stripe receives them.
    """
    root: dict = {}
    for key, value in pairs:
        match = _KEY.match(key)
        parts = [match.group(1), *_PART.findall(match.group(2))] if match else [key]
        node = root
        for depth, part in enumerate(parts):
            if part == "":  # `expand[]=…`: the next index
                part = str(len(node))
            if depth == len(parts) - 1:
                if isinstance(node.get(part), dict):
                    raise invalid(f"Invalid value for {key}: an object was expected.", param=key)
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise invalid(f"Invalid value for {key}: {parts[0]} is not an object.", param=key)
                node = child
    return _lists(root)


def _lists(node: Any, parent: str = "") -> Any:
    if not isinstance(node, dict):
        return node
    node = {key: _lists(value, key) for key, value in node.items()}
    if parent != "metadata" and node and set(node) == {str(i) for i in range(len(node))}:
        return [node[str(i)] for i in range(len(node))]
    return node


def _int(value: Any, param: str, *, minimum: int | None = None) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
        raise invalid(f"Invalid integer: {value}", param=param)
    number = int(value)
    if minimum is not None and number < minimum:
        raise invalid(f"This value must be greater than or equal to {minimum}.", param=param)
    return number


def _metadata(value: Any, param: str) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid("Invalid object", param=param)
    return dict(value)


class FakeStripe:
    """A fake Stripe API server on 127.0.0.1; `with FakeStripe() as fake:` starts and stops it."""

    def __init__(self, *, now=time.time):
        self.now = now  # a clock for `created` and the `expires_at` window
        self.requests: list[Request] = []
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.events: list[dict] = []  # every event a helper built, in order
        self.delivered_events: list[dict] = []  # events of sessions paid through the /pay page
        self._payments: dict[str, dict] = {}  # payment intent id -> {"charge", "amount", "currency", ...}
        self._intent_metadata: dict[str, dict] = {}  # session id -> its payment_intent_data[metadata]
        self._idempotent: dict[tuple[str, str], tuple[Request, int, bytes]] = {}
        self._failures: list[int] = []
        self._counter = itertools.count(1)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> FakeStripe:
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            self._server.daemon_threads = True
            self._server.fake = self
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="fake-stripe", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake Stripe server is not started")
        return self._server.server_address[1]

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- test controls ----------------------------------------------------------------------------

    def fail_next(self, n: int = 1, *, status: int = 500) -> None:
        """The next `n` API requests (not the /pay pages) answer `status` with Stripe's api_error."""
        with self._lock:
            self._failures.extend([status] * n)

    def api_requests(self, method: str | None = None, path: str | None = None) -> list[Request]:
        """The recorded requests to /v1/…, optionally of one method and path."""
        return [r for r in self.requests if r.path.startswith("/v1/")
                and (method is None or r.method == method) and (path is None or r.path == path)]

    def _id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._counter):04d}{secrets.token_hex(8)}"

    def _time(self) -> int:
        return int(self.now())

    def _event(self, type_: str, obj: dict) -> dict:
        event = {
            "id": self._id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self._time(),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }
        self.events.append(event)
        return copy.deepcopy(event)

    def _session(self, session_id: str) -> dict:
        session = self.sessions.get(session_id)
        if session is None:
            raise KeyError(f"no checkout session {session_id!r}")
        return session

    # -- Stripe's side of a payment ---------------------------------------------------------------

    def complete(self, session_id: str) -> dict:
        """The buyer paid: the session is complete and paid; returns `checkout.session.completed`."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "open":
                raise ValueError(f"checkout session {session_id} is {session['status']}, not open")
            payment_intent = self._id("pi")
            self._payments[payment_intent] = {
                "charge": self._id("ch"), "amount": session["amount_total"],
                "currency": session["currency"], "refunded": 0, "session": session_id,
                "metadata": dict(self._intent_metadata.get(session_id) or {}),
            }
            session.update(status="complete", payment_status="paid", payment_intent=payment_intent, url=None,
                           customer_details={"email": session.get("customer_email")})
            return self._event("checkout.session.completed", session)

    def expire(self, session_id: str) -> dict:
        """The session ran out of time unpaid; returns `checkout.session.expired`."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "open":
                raise ValueError(f"checkout session {session_id} is {session['status']}, not open")
            session.update(status="expired", url=None)
            return self._event("checkout.session.expired", session)

    def refund_event(self, refund: Any) -> dict:
        """`charge.refunded` for a refund made through the API (its dict, id or an object with .id)."""
        refund_id = refund if isinstance(refund, str) else (
            refund["id"] if isinstance(refund, dict) else refund.id)
        with self._lock:
            stored = self.refunds[refund_id]
            payment = self._payments[stored["payment_intent"]]
            charge = {
                "id": payment["charge"],
                "object": "charge",
                "amount": payment["amount"],
                "amount_captured": payment["amount"],
                "amount_refunded": payment["refunded"],
                "currency": payment["currency"],
                "captured": True,
                "paid": True,
                "payment_intent": stored["payment_intent"],
                "refunded": payment["refunded"] >= payment["amount"],
                "status": "succeeded",
                "metadata": dict(payment["metadata"]),
                "livemode": False,
            }
            return self._event("charge.refunded", charge)

    # -- the API ----------------------------------------------------------------------------------

    def _handle_api(self, request: Request) -> tuple[int, bytes, dict]:
        """(status, body, extra headers) of one /v1 request; the lock is held."""
        if self._failures:
            status = self._failures.pop(0)
            return status, _json({"error": {"type": "api_error",
                                            "message": "An unknown error occurred (fake failure)."}}), {}
        authorization = request.headers.get("Authorization") or ""
        key = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else ""
        if not key.startswith("sk_test_") or len(key) <= len("sk_test_"):
            message = ("You did not provide an API key." if not key else
                       f"Invalid API Key provided: {key[:8]}{'*' * max(len(key) - 12, 0)}{key[-4:]}")
            return 401, _json({"error": {"type": "invalid_request_error", "message": message}}), {}
        idempotency_key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        if idempotency_key:
            earlier = self._idempotent.get((key, idempotency_key))
            if earlier is not None:
                first, status, body = earlier
                if (first.method, first.path, first.params) != (request.method, request.path, request.params):
                    message = ("Keys for idempotent requests can only be used with the same parameters they "
                               f"were first used with. Try using a key other than '{idempotency_key}' if you "
                               "meant to execute a different request.")
                    return 400, _json({"error": {"type": "idempotency_error", "message": message}}), {}
                return status, body, {"Idempotent-Replayed": "true"}
        try:
            status, obj = self._route(request)
        except StripeFailure as failure:
            return failure.status, _json(failure.body), {}
        body = _json(obj)
        if idempotency_key:
            self._idempotent[(key, idempotency_key)] = (request, status, body)
        return status, body, {}

    def _route(self, request: Request) -> tuple[int, dict]:
        path = request.path.rstrip("/")
        if path == "/v1/checkout/sessions" and request.method == "POST":
            return 200, self._create_session(request.params)
        match = re.fullmatch(r"/v1/checkout/sessions/([^/]+)", path)
        if match and request.method == "GET":
            session = self.sessions.get(match.group(1))
            if session is None:
                raise invalid(f"No such checkout.session: '{match.group(1)}'", param="session",
                              code="resource_missing")
            return 200, copy.deepcopy(session)
        if path == "/v1/refunds" and request.method == "POST":
            return 200, self._create_refund(request.params)
        raise StripeFailure(404, "invalid_request_error",
                            f"Unrecognized request URL ({request.method}: {request.path}).")

    def _create_session(self, params: dict) -> dict:
        if params.get("mode") != "payment":
            raise (missing("mode") if "mode" not in params
                   else invalid(f"Invalid mode: the fake supports only payment, not {params['mode']}",
                                param="mode"))
        for url in ("success_url", "cancel_url"):
            if url in params and not str(params[url]).startswith(("http://", "https://")):
                raise invalid("Not a valid URL", param=url, code="url_invalid")
        if "success_url" not in params:
            raise missing("success_url")
        items = params.get("line_items")
        if not isinstance(items, list) or not items:
            raise missing("line_items")
        total, currencies = 0, set()
        for i, item in enumerate(items):
            where = f"line_items[{i}]"
            price = item.get("price_data") if isinstance(item, dict) else None
            if not isinstance(price, dict):
                raise missing(f"{where}[price_data]")
            currency = price.get("currency")
            if not isinstance(currency, str) or not re.fullmatch(r"[a-z]{3}", currency):
                raise invalid(f"Invalid currency: {currency}", param=f"{where}[price_data][currency]")
            currencies.add(currency)
            if not ((price.get("product_data") or {}).get("name") or price.get("product")):
                raise missing(f"{where}[price_data][product_data][name]")
            unit_amount = _int(price.get("unit_amount"), f"{where}[price_data][unit_amount]", minimum=0)
            quantity = _int(item.get("quantity"), f"{where}[quantity]", minimum=1)
            total += unit_amount * quantity
        if len(currencies) > 1:
            raise invalid("All line items must have the same currency.", param="line_items")
        now = self._time()
        expires_at = now + SESSION_MAX_LIFETIME
        if "expires_at" in params:
            expires_at = _int(params["expires_at"], "expires_at")
            if expires_at < now + SESSION_MIN_LIFETIME:
                raise invalid("The `expires_at` timestamp must be at least 30 minutes from Checkout "
                              "Session creation.", param="expires_at")
            if expires_at > now + SESSION_MAX_LIFETIME:
                raise invalid("The `expires_at` timestamp must be less than 24 hours from Checkout "
                              "Session creation.", param="expires_at")
        session_id = self._id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currencies.pop(),
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "metadata": _metadata(params.get("metadata"), "metadata"),
            "mode": "payment",
            "payment_intent": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params.get("success_url"),
            "url": f"{self.api_base}/pay/{session_id}",
        }
        intent_data = params.get("payment_intent_data") or {}
        if not isinstance(intent_data, dict):
            raise invalid("Invalid object", param="payment_intent_data")
        self._intent_metadata[session_id] = _metadata(intent_data.get("metadata"),
                                                      "payment_intent_data[metadata]")
        self.sessions[session_id] = session
        return copy.deepcopy(session)

    def _create_refund(self, params: dict) -> dict:
        payment_intent = params.get("payment_intent")
        if not payment_intent:
            raise invalid("One of the following params should be provided for this request: "
                          "payment_intent or charge.", code="parameter_missing")
        payment = self._payments.get(payment_intent)
        if payment is None:
            raise StripeFailure(404, "invalid_request_error", f"No such payment_intent: '{payment_intent}'",
                                code="resource_missing", param="payment_intent")
        remaining = payment["amount"] - payment["refunded"]
        if remaining <= 0:
            raise invalid(f"Charge {payment['charge']} has already been refunded.",
                          code="charge_already_refunded")
        amount = _int(params["amount"], "amount", minimum=1) if "amount" in params else remaining
        if amount > remaining:
            raise invalid(f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                          f"({remaining})", param="amount", code="amount_too_large")
        payment["refunded"] += amount
        refund = {
            "id": self._id("re"),
            "object": "refund",
            "amount": amount,
            "charge": payment["charge"],
            "created": self._time(),
            "currency": payment["currency"],
            "metadata": _metadata(params.get("metadata"), "metadata"),
            "payment_intent": payment_intent,
            "reason": params.get("reason"),
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return copy.deepcopy(refund)

    # -- the hosted payment page ------------------------------------------------------------------

    def _pay_page(self, session_id: str) -> tuple[int, bytes, dict]:
        session = self.sessions.get(session_id)
        if session is None:
            return 404, _page("Not found", "<p>No such checkout session.</p>"), {}
        name = ", ".join(f"{html.escape(k)}: {html.escape(v)}" for k, v in session["metadata"].items())
        if session["status"] != "open":
            return 200, _page("Checkout", f"<p>This checkout session is {session['status']}.</p>"), {}
        cancel = (f'<p><a id="cancel" href="{html.escape(session["cancel_url"])}">Cancel</a></p>'
                  if session.get("cancel_url") else "")
        body = (f"<h1>Fake Stripe Checkout</h1><p>{name}</p>"
                f'<p id="amount">{session["amount_total"]} {session["currency"].upper()}</p>'
                f'<form method="post" action="/pay/{html.escape(session_id)}">'
                f'<button type="submit" id="pay">Pay</button></form>{cancel}')
        return 200, _page("Checkout", body), {}

    def _pay(self, session_id: str) -> tuple[int, bytes, dict]:
        session = self.sessions.get(session_id)
        if session is None:
            return 404, _page("Not found", "<p>No such checkout session.</p>"), {}
        if session["status"] == "open":
            self.delivered_events.append(self.complete(session_id))
        elif session["status"] != "complete":
            return 410, _page("Checkout", f"<p>This checkout session is {session['status']}.</p>"), {}
        location = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
        return 303, b"", {"Location": location}

    def _handle(self, method: str, raw_path: str, headers: Headers, body: bytes) -> tuple[int, bytes, dict]:
        parts = urlsplit(raw_path)
        try:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            if method == "POST":
                pairs += parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
            params = parse_form(pairs)
        except StripeFailure as failure:
            params, problem = {}, failure
        except ValueError as error:
            params, problem = {}, invalid(f"Invalid request body: {error}")
        else:
            problem = None
        with self._lock:
            request = Request(method, parts.path, params, headers)
            self.requests.append(request)
            pay = re.fullmatch(r"/pay/([^/]+)", parts.path)
            if pay and method == "GET":
                return self._pay_page(pay.group(1))
            if pay and method == "POST":
                return self._pay(pay.group(1))
            if problem is not None:
                return problem.status, _json(problem.body), {}
            return self._handle_api(request)


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def _page(title: str, body: str) -> bytes:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"</head><body>{body}</body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeStripe/1.0"

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fake: FakeStripe = self.server.fake
        status, payload, extra = fake._handle(method, self.path, Headers(self.headers.items()), body)
        self.send_response(status)
        is_page = self.path.startswith("/pay/")
        self.send_header("Content-Type", "text/html; charset=utf-8" if is_page else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if not is_page:
            self.send_header("Request-Id", f"req_test_{secrets.token_hex(8)}")
            self.send_header("Stripe-Version", self.headers.get("Stripe-Version") or API_VERSION)
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args) -> None:  # quiet
        pass
