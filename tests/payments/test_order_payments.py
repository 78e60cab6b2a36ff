"""Paying orders: card through (fake) Stripe and its webhooks, VietQR transfers, refunds."""

import json

from sqlalchemy import func, select

from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory import stock
from shop.orders.models import Order
from shop.payments import services as payments
from shop.payments import vietqr
from shop.payments.models import WebhookEvent
from tests.fakes.stripe_server import encode, sign
from tests.orders.builders import DELIVERY

SECRET = "whsec_test_secret"


def checkout_over_api(client, body, key="k-1", lines=(("CHE-1", 2),)):
    cart = client.post("/api/v1/carts").get_json()["id"]
    for sku, quantity in lines:
        client.post(f"/api/v1/carts/{cart}/lines", json={"sku": sku, "quantity": quantity})
    return client.post(f"/api/v1/carts/{cart}/checkout", json=body, headers={"Idempotency-Key": key})


def deliver(client, event: dict, secret: str = SECRET):
    payload = encode(event)
    return client.post("/webhooks/stripe", data=payload,
                       headers={"Stripe-Signature": sign(payload, secret),
                                "Content-Type": "application/json"})


def order(number) -> Order:
    return db.session.scalar(select(Order).where(Order.number == number))


def test_card_checkout_is_a_stripe_session_in_vnd(client, market, fake_stripe):
    response = checkout_over_api(client, {**DELIVERY, "payment_method": "card"})
    assert response.status_code == 201
    body = response.get_json()
    number = body["order"]["number"]
    assert body["order"]["status"] == "awaiting_payment"
    session_id = body["payment"]["checkout_url"].rsplit("/", 1)[1]
    created = fake_stripe.api_requests("POST", "/v1/checkout/sessions")
    assert len(created) == 1
    params = created[0].params
    assert params["line_items"][0]["price_data"]["currency"] == "vnd"
    assert params["line_items"][0]["price_data"]["unit_amount"] == "500000"
    assert params["client_reference_id"] == number
    assert created[0].headers["Idempotency-Key"].startswith(f"checkout-{number}-")
    # The webhook completes it: paid and confirmed; the same event again changes nothing.
    event = fake_stripe.complete(session_id)
    assert deliver(client, event).get_json()["outcome"] == "paid"
    assert (order(number).status, order(number).payment_status) == ("confirmed", "paid")
    assert deliver(client, event).get_json()["outcome"] == "duplicate"
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
    # An expiry arriving after the payment finds nothing left to do.
    late = {**event, "id": "evt_test_late", "type": "checkout.session.expired"}
    assert deliver(client, late).get_json()["outcome"] == "nothing to do"
    assert order(number).status == "confirmed"


def test_a_bad_signature_is_400_and_changes_nothing(client, market, fake_stripe):
    number = checkout_over_api(client, {**DELIVERY, "payment_method": "card"}).get_json()["order"]["number"]
    session_id = order(number).payments[0].provider_ref
    event = fake_stripe.complete(session_id)
    assert deliver(client, event, secret="whsec_wrong").status_code == 400
    payload = encode(event)
    tampered = payload.replace(b'"paid"', b'"unpaid"')
    response = client.post("/webhooks/stripe", data=tampered,
                           headers={"Stripe-Signature": sign(payload, SECRET)})
    assert response.status_code == 400
    assert order(number).payment_status == "unpaid"
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_an_amount_that_does_not_match_is_flagged_not_paid(client, market, fake_stripe):
    number = checkout_over_api(client, {**DELIVERY, "payment_method": "card"}).get_json()["order"]["number"]
    event = fake_stripe.complete(order(number).payments[0].provider_ref)
    event["data"]["object"]["amount_total"] = 1000
    assert deliver(client, event).get_json()["outcome"] == "amount mismatch: flagged"
    found = order(number)
    assert (found.status, found.payment_status, found.needs_attention) == (
        "awaiting_payment", "mismatch", True)


def test_an_expired_session_releases_the_stock(client, market, fake_stripe):
    number = checkout_over_api(client, {**DELIVERY, "payment_method": "card"}).get_json()["order"]["number"]
    assert stock.level(market.tea.id, market.tea_house.id).reserved == 2
    event = fake_stripe.expire(order(number).payments[0].provider_ref)
    assert deliver(client, event).get_json()["outcome"] == "expired"
    assert order(number).status == "expired"
    assert stock.level(market.tea.id, market.tea_house.id).reserved == 0
    assert inventory.ledger_mismatches() == []


def test_cancelling_a_paid_card_order_refunds_it(client, market, fake_stripe):
    body = checkout_over_api(client, {**DELIVERY, "payment_method": "card"}).get_json()
    number, token = body["order"]["number"], body["order"]["access_token"]
    deliver(client, fake_stripe.complete(order(number).payments[0].provider_ref))
    page = client.get(f"/orders/{number}?token={token}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/orders/{number}/cancel", data={"token": token, "csrf_token": csrf})
    assert response.status_code == 303
    refunds = fake_stripe.api_requests("POST", "/v1/refunds")
    assert len(refunds) == 1 and refunds[0].params["amount"] == "500000"
    assert order(number).status == "cancelled"
    refund_event = fake_stripe.refund_event(fake_stripe.refunds[0] if isinstance(
        fake_stripe.refunds, list) else next(iter(fake_stripe.refunds.values())))
    assert deliver(client, refund_event).get_json()["outcome"] == "refunded"
    assert order(number).payment_status == "refunded"
    from shop.audit.models import AuditEntry

    audited = db.session.execute(select(AuditEntry.action, AuditEntry.subject).where(
        AuditEntry.action.like("payment.refund%")).order_by(AuditEntry.id)).all()
    assert audited == [("payment.refund_requested", f"order:{number}"),
                       ("payment.refunded", f"order:{number}")]


def test_bank_transfer_shows_a_vietqr_and_is_confirmed_by_the_office(client, market, app):
    response = checkout_over_api(client, {**DELIVERY, "payment_method": "bank_transfer"})
    body = response.get_json()
    number = body["order"]["number"]
    parsed = vietqr.parse(body["payment"]["vietqr"])
    assert (parsed["amount_vnd"], parsed["purpose"]) == (500_000, number)
    svg = client.get(body["payment"]["qr_svg_url"])
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    payments.confirm_transfer(order(number), 400_000, actor_id=None)
    assert (order(number).payment_status, order(number).needs_attention) == ("mismatch", True)
    payments.confirm_transfer(order(number), 500_000, actor_id=None)
    assert (order(number).status, order(number).payment_status) == ("confirmed", "paid")


def test_without_a_stripe_key_card_is_refused(client, market):
    response = checkout_over_api(client, {**DELIVERY, "payment_method": "card"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {"payment_method": "not available"}


def test_the_api_checkout_contract(client, market, app, validate):
    response = checkout_over_api(client, DELIVERY, key="same", lines=(("CHE-1", 1), ("GAO-1", 1)))
    again = client.post(response.request.path, json=DELIVERY, headers={"Idempotency-Key": "same"})
    assert (response.status_code, again.status_code) == (201, 200)
    body = validate(response.get_json(), "Order")
    assert again.get_json()["order"]["number"] == body["order"]["number"]
    assert body["order"]["total_vnd"] == 250_000 + 120_000 + 2 * 30_000
    assert body["payment"] == {"method": "cod", "status": "unpaid"}
    number, token = body["order"]["number"], body["order"]["access_token"]
    assert client.get(f"/api/v1/orders/{number}").status_code == 401
    assert client.get(f"/api/v1/orders/{number}", headers={"Authorization": "Bearer nope"}).status_code == 404
    mine = client.get(f"/api/v1/orders/{number}", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200 and len(mine.get_json()["order"]["shipments"]) == 2
    from shop.mail import outbox

    assert [m["To"] for m in outbox(app)] == ["an@example.com"]
    assert number in outbox(app)[0].get_content()


def test_a_key_alone_never_hands_out_someone_elses_order(client, market):
    placed = checkout_over_api(client, DELIVERY, key="their-key")
    cart_path = placed.request.path
    # another caller with the key: on a cart that does not exist, or on a cart of their own
    stranger = client.post("/api/v1/carts/does-not-exist/checkout", json=DELIVERY,
                           headers={"Idempotency-Key": "their-key"})
    assert stranger.status_code == 404
    assert "access_token" not in stranger.get_data(as_text=True)
    assert placed.get_json()["order"]["number"] not in stranger.get_data(as_text=True)
    own = checkout_over_api(client, {**DELIVERY, "name": "Kẻ lạ"}, key="their-key")
    assert own.status_code == 409 and own.get_json()["error"]["code"] == "idempotency_conflict"
    assert placed.get_json()["order"]["number"] not in own.get_data(as_text=True)
    # the same cart with other details: not a replay either
    other = client.post(cart_path, json={**DELIVERY, "phone": "0900000000"},
                        headers={"Idempotency-Key": "their-key"})
    assert other.status_code == 404
    # the buyer's own second send of the same checkout is still answered with the order
    again = client.post(cart_path, json=DELIVERY, headers={"Idempotency-Key": "their-key"})
    assert again.status_code == 200
    assert again.get_json()["order"]["number"] == placed.get_json()["order"]["number"]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_keys_are_compared_whole_and_a_key_past_the_limit_is_refused(client, market):
    prefix = "k" * 100
    first = checkout_over_api(client, DELIVERY, key=prefix)
    second = checkout_over_api(client, DELIVERY, key=prefix[:99] + "x")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["order"]["number"] != second.get_json()["order"]["number"]
    too_long = checkout_over_api(client, DELIVERY, key=prefix + "-and-more")
    assert too_long.status_code == 422
    assert too_long.get_json()["error"]["details"]["fields"] == {
        "Idempotency-Key": "at most 100 characters"}
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2


def test_insufficient_stock_over_the_api(client, market):
    response = checkout_over_api(client, DELIVERY, lines=(("GAO-1", 5),))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "insufficient_stock" and error["details"] == {
        "sku": "GAO-1", "requested": 5, "available": 4}
    assert stock.level(market.rice.id, market.rice_house.id).reserved == 0


def test_cart_api(client, market, validate):
    cart = client.post("/api/v1/carts")
    assert cart.status_code == 201 and cart.get_json()["lines"] == []
    validate(cart.get_json(), "Cart")
    token = cart.get_json()["id"]
    client.post(f"/api/v1/carts/{token}/lines", json={"sku": "CHE-1", "quantity": 2})
    body = client.post(f"/api/v1/carts/{token}/lines", json={"sku": "CHE-1", "quantity": 3}).get_json()
    assert body["lines"] == [{"sku": "CHE-1", "name": "Chè Tân Cương – Hộp 200 g", "quantity": 5,
                              "unit_price_vnd": 250000, "line_total_vnd": 1250000, "available": 13}]
    for bad in ({"sku": "NOPE", "quantity": 1}, {"sku": "CHE-1", "quantity": -1},
                {"sku": "CHE-1", "quantity": "2"}):
        assert client.post(f"/api/v1/carts/{token}/lines", json=bad).status_code == 422
    emptied = client.post(f"/api/v1/carts/{token}/lines", json={"sku": "CHE-1", "quantity": 0}).get_json()
    assert emptied == {"id": token, "lines": [], "total_vnd": 0}
    assert json.loads(client.get(f"/api/v1/carts/{token}").data)["total_vnd"] == 0


def test_a_card_payment_past_what_stripe_takes_is_refused_at_checkout(client, market, fake_stripe):
    from tests import builders

    pearl = builders.product("Vòng ngọc trai", sku="NGOC-1", price_vnd=50_000_000)
    house = builders.warehouse(pearl.producer)
    builders.receive(pearl, house, 5)
    refused = checkout_over_api(client, {**DELIVERY, "payment_method": "card"}, key="big",
                                lines=(("NGOC-1", 2),))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["fields"] == {
        "payment_method": "a total over what a card payment takes"}
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert stock.level(pearl.variants[0].id, house.id).reserved == 0
    assert fake_stripe.api_requests("POST", "/v1/checkout/sessions") == []
    # the same cart by bank transfer is taken
    placed = checkout_over_api(client, {**DELIVERY, "payment_method": "bank_transfer"}, key="big-2",
                               lines=(("NGOC-1", 2),))
    assert placed.status_code == 201 and placed.get_json()["order"]["total_vnd"] == 100_000_000
