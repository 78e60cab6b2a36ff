"""The Stripe gateway through the real `stripe` SDK, against a local fake Stripe server."""

from __future__ import annotations

import http.client
import json
import socket
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import stripe

from shop.payments import stripe_gateway
from shop.payments.stripe_gateway import GatewayError, SignatureError, StripeSettings
from tests.fakes.stripe_server import FakeStripe, encode, sign

SECRET_KEY = "sk_test_gateway"
WEBHOOK_SECRET = "whsec_test_gateway"


@pytest.fixture
def fake():
    with FakeStripe() as server:
        yield server


@pytest.fixture
def settings(fake) -> StripeSettings:
    return StripeSettings(secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, api_base=fake.api_base)


def checkout(settings, **overrides):
    values = {
        "order_number": "DH-000123",
        "amount_vnd": 250000,
        "customer_email": "lan@example.vn",
        "success_url": "http://127.0.0.1:5000/orders/DH-000123/paid?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1:5000/orders/DH-000123",
        "expires_at": int(time.time()) + 3600,
        "idempotency_key": "checkout-DH-000123-1",
    }
    values.update(overrides)
    return stripe_gateway.create_checkout_session(settings, **values)


# -- settings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("config", [{}, {"STRIPE_SECRET_KEY": None}, {"STRIPE_SECRET_KEY": ""},
                                    {"STRIPE_SECRET_KEY": "  ", "STRIPE_WEBHOOK_SECRET": "whsec_1"}])
def test_no_secret_key_means_no_card_payments(config):
    assert stripe_gateway.settings_from(config) is None


def test_settings_from_the_configuration():
    assert stripe_gateway.settings_from({
        "STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1",
        "STRIPE_API_BASE": "http://127.0.0.1:9999/"}) == StripeSettings("sk_test_1", "whsec_1",
                                                                         "http://127.0.0.1:9999")
    assert stripe_gateway.settings_from({"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "",
                                         "STRIPE_API_BASE": None}) == StripeSettings("sk_test_1", None, None)


# -- Checkout sessions ----------------------------------------------------------------------------

def test_checkout_session_sends_exactly_what_stripe_needs(fake, settings):
    expires = int(time.time()) + 3600

    session = checkout(settings, expires_at=expires)

    assert session.id.startswith("cs_test_")
    assert session.url == f"{fake.api_base}/pay/{session.id}"
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/v1/checkout/sessions")
    assert request.params == {
        "mode": "payment",
        "line_items": [{
            "price_data": {"currency": "vnd", "unit_amount": "250000",  # đồng: zero-decimal, not ×100
                           "product_data": {"name": "Đơn hàng DH-000123"}},
            "quantity": "1",
        }],
        "client_reference_id": "DH-000123",
        "metadata": {"order_number": "DH-000123"},
        "payment_intent_data": {"metadata": {"order_number": "DH-000123"}},
        "customer_email": "lan@example.vn",
        "success_url": "http://127.0.0.1:5000/orders/DH-000123/paid?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1:5000/orders/DH-000123",
        "expires_at": str(expires),
    }
    assert request.headers["Idempotency-Key"] == "checkout-DH-000123-1"
    assert request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    stored = fake.sessions[session.id]
    assert (stored["amount_total"], stored["currency"], stored["payment_status"], stored["status"]) == (
        250000, "vnd", "unpaid", "open")
    assert stored["payment_intent"] is None
    assert stripe.api_key is None  # nothing global was set


def test_without_expiry_or_email_neither_is_sent(fake, settings):
    checkout(settings, expires_at=None, customer_email="")

    assert "expires_at" not in fake.requests[0].params
    assert "customer_email" not in fake.requests[0].params


def test_expiry_is_kept_inside_the_window_stripe_accepts(fake, settings):
    now = int(time.time())
    checkout(settings, expires_at=now + 10 * 60, idempotency_key="soon")
    checkout(settings, expires_at=now + 3 * 24 * 3600, idempotency_key="late")

    soon, late = (int(r.params["expires_at"]) for r in fake.requests)
    assert now + 30 * 60 < soon <= int(time.time()) + 33 * 60
    assert now + 23 * 3600 < late < now + 24 * 3600
    assert len(fake.sessions) == 2  # the fake enforces Stripe's 30 min - 24 h rule: both were accepted


def test_the_same_idempotency_key_gives_the_same_session(fake, settings):
    first = checkout(settings)
    again = checkout(settings)

    assert again == first
    assert len(fake.requests) == 2 and len(fake.sessions) == 1
    assert [r.headers["Idempotency-Key"] for r in fake.requests] == ["checkout-DH-000123-1"] * 2


def test_a_key_reused_for_another_amount_is_refused(fake, settings):
    checkout(settings, expires_at=None)

    with pytest.raises(GatewayError) as caught:
        checkout(settings, expires_at=None, amount_vnd=300000)

    assert isinstance(caught.value.__cause__, stripe.IdempotencyError)
    assert len(fake.sessions) == 1


def test_a_failing_stripe_is_a_gateway_error_and_the_retry_succeeds(fake, settings):
    fake.fail_next(1)

    with pytest.raises(GatewayError) as caught:
        checkout(settings)

    assert str(caught.value) == "the card payment service is unavailable, please try again"
    assert isinstance(caught.value.__cause__, stripe.APIError)
    assert len(fake.requests) == 1  # no automatic retry
    session = checkout(settings)  # the buyer tries again: same key, now it works
    assert session.id in fake.sessions


def test_a_wrong_api_key_is_a_gateway_error(fake):
    settings = StripeSettings(secret_key="sk_live_not_for_tests", webhook_secret=None, api_base=fake.api_base)

    with pytest.raises(GatewayError) as caught:
        checkout(settings)

    assert isinstance(caught.value.__cause__, stripe.AuthenticationError)
    assert fake.sessions == {}


def test_an_unreachable_stripe_is_a_gateway_error():
    with FakeStripe() as gone:
        api_base = gone.api_base
    settings = StripeSettings(secret_key=SECRET_KEY, webhook_secret=None, api_base=api_base)

    with pytest.raises(GatewayError) as caught:
        checkout(settings)

    assert isinstance(caught.value.__cause__, stripe.APIConnectionError)


def test_a_silent_stripe_times_out(monkeypatch):
    monkeypatch.setattr(stripe_gateway, "HTTP_TIMEOUT_SECONDS", (1.0, 0.3))
    with socket.socket() as silent:  # accepts connections (kernel backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        settings = StripeSettings(SECRET_KEY, None, f"http://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()

        with pytest.raises(GatewayError) as caught:
            checkout(settings)

    assert isinstance(caught.value.__cause__, stripe.APIConnectionError)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("amount", ["250000", 250000.0, Decimal(250000), True, 0, -1, None])
def test_only_a_positive_whole_number_of_dong_is_sent(fake, settings, amount):
    with pytest.raises(ValueError):
        checkout(settings, amount_vnd=amount)
    with pytest.raises(ValueError):
        stripe_gateway.refund(settings, payment_intent="pi_test_1", amount_vnd=amount, idempotency_key="r")

    assert fake.requests == []


# -- refunds --------------------------------------------------------------------------------------

def paid_intent(fake, settings) -> str:
    session = checkout(settings)
    return fake.complete(session.id)["data"]["object"]["payment_intent"]


def test_refund(fake, settings):
    payment_intent = paid_intent(fake, settings)

    refund = stripe_gateway.refund(settings, payment_intent=payment_intent, amount_vnd=250000,
                                   idempotency_key="refund-DH-000123-1")

    assert refund.id.startswith("re_test_") and refund.status == "succeeded"
    request = fake.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/refunds")
    assert request.params == {"payment_intent": payment_intent, "amount": "250000"}
    assert request.headers["Idempotency-Key"] == "refund-DH-000123-1"
    again = stripe_gateway.refund(settings, payment_intent=payment_intent, amount_vnd=250000,
                                  idempotency_key="refund-DH-000123-1")
    assert again == refund and len(fake.refunds) == 1

    event = fake.refund_event(refund)
    charge = event["data"]["object"]
    assert event["type"] == "charge.refunded" and event["id"].startswith("evt_test_")
    assert (charge["object"], charge["payment_intent"], charge["amount_refunded"], charge["refunded"],
            charge["currency"]) == ("charge", payment_intent, 250000, True, "vnd")


def test_refunding_twice_is_a_gateway_error_with_stripes_code(fake, settings):
    payment_intent = paid_intent(fake, settings)
    stripe_gateway.refund(settings, payment_intent=payment_intent, amount_vnd=250000, idempotency_key="r1")

    with pytest.raises(GatewayError) as caught:
        stripe_gateway.refund(settings, payment_intent=payment_intent, amount_vnd=250000,
                              idempotency_key="r2")

    assert caught.value.code == "charge_already_refunded"
    assert isinstance(caught.value.__cause__, stripe.InvalidRequestError)


# -- webhook events -------------------------------------------------------------------------------

@pytest.fixture
def completed(fake, settings) -> dict:
    return fake.complete(checkout(settings).id)


def test_a_correctly_signed_event_is_returned_as_plain_data(settings, completed):
    payload = encode(completed)

    event = stripe_gateway.verify_event(settings, payload, sign(payload, WEBHOOK_SECRET))

    assert event == completed and type(event) is dict
    assert event["type"] == "checkout.session.completed"
    session = event["data"]["object"]
    assert (session["payment_status"], session["status"], session["amount_total"], session["currency"],
            session["client_reference_id"], session["metadata"]) == (
        "paid", "complete", 250000, "vnd", "DH-000123", {"order_number": "DH-000123"})
    assert session["payment_intent"].startswith("pi_test_")


def test_an_event_signed_a_little_while_ago_is_accepted(settings, completed):
    payload = encode(completed)
    header = sign(payload, WEBHOOK_SECRET, int(time.time()) - 250)

    event = stripe_gateway.verify_event(settings, payload, header)

    assert event["id"] == completed["id"]


def test_a_wrong_secret_is_refused(settings, completed):
    payload = encode(completed)
    with pytest.raises(SignatureError):
        stripe_gateway.verify_event(settings, payload, sign(payload, "whsec_someone_else"))


def test_a_tampered_body_is_refused(settings, completed):
    payload = encode(completed)
    header = sign(payload, WEBHOOK_SECRET)
    tampered = payload.replace(b'"amount_total": 250000', b'"amount_total": 25')
    assert tampered != payload
    with pytest.raises(SignatureError):
        stripe_gateway.verify_event(settings, tampered, header)


def test_a_stale_timestamp_is_refused(settings, completed):
    payload = encode(completed)
    with pytest.raises(SignatureError):
        stripe_gateway.verify_event(settings, payload, sign(payload, WEBHOOK_SECRET, int(time.time()) - 301))


@pytest.mark.parametrize("header", [None, "", "garbage", "t=now,v1=abc", "t=1700000000"])
def test_a_missing_or_malformed_header_is_refused(settings, completed, header):
    with pytest.raises(SignatureError):
        stripe_gateway.verify_event(settings, encode(completed), header)


@pytest.mark.parametrize("secret", [None, ""])
def test_without_a_webhook_secret_nothing_is_accepted(fake, completed, secret):
    settings = StripeSettings(secret_key=SECRET_KEY, webhook_secret=secret, api_base=fake.api_base)
    payload = encode(completed)
    with pytest.raises(SignatureError):
        stripe_gateway.verify_event(settings, payload, sign(payload, WEBHOOK_SECRET))


@pytest.mark.parametrize("payload", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"id": "evt_1"}'])
def test_a_signed_body_that_is_not_an_event_is_refused(settings, payload):
    with pytest.raises(SignatureError):
        stripe_gateway.verify_event(settings, payload, sign(payload, WEBHOOK_SECRET))


def test_an_expired_session_event(fake, settings, completed):
    session = checkout(settings, idempotency_key="checkout-DH-000123-2")
    expired = fake.expire(session.id)
    payload = encode(expired)

    event = stripe_gateway.verify_event(settings, payload, sign(payload, WEBHOOK_SECRET))

    assert event["type"] == "checkout.session.expired"
    session = event["data"]["object"]
    assert (session["status"], session["payment_status"]) == ("expired", "unpaid")
    assert event["id"].startswith("evt_test_") and event["id"] != completed["id"]


# -- the fake's hosted payment page ---------------------------------------------------------------

def test_paying_on_the_fake_checkout_page(fake, settings):
    session = checkout(settings)
    address = urlsplit(session.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        connection.request("GET", address.path)
        page = connection.getresponse().read().decode()
        assert f'action="/pay/{session.id}"' in page and ">Pay</button>" in page and "250000 VND" in page

        connection.request("POST", address.path, body=b"",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()

    assert response.status == 303
    assert response.getheader("Location") == (
        f"http://127.0.0.1:5000/orders/DH-000123/paid?session={session.id}")
    [event] = fake.delivered_events
    assert event["type"] == "checkout.session.completed"
    assert event["data"]["object"]["id"] == session.id
    assert fake.sessions[session.id]["payment_status"] == "paid"


def test_the_fake_reads_a_session_back(fake, settings):
    session = checkout(settings)
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    try:
        connection.request("GET", f"/v1/checkout/sessions/{session.id}",
                           headers={"Authorization": f"Bearer {SECRET_KEY}"})
        found = json.loads(connection.getresponse().read())
        connection.request("GET", f"/v1/checkout/sessions/{session.id}")
        anonymous = connection.getresponse()
        refused = json.loads(anonymous.read())
    finally:
        connection.close()

    assert (found["object"], found["id"], found["amount_total"]) == ("checkout.session", session.id, 250000)
    assert anonymous.status == 401 and refused["error"]["type"] == "invalid_request_error"
