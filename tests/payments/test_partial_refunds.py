"""A card refund books what was refunded, no more: a part of the payment is an adjustment of
that amount (over the lines a refund names, else over every line in proportion), the payment is
`partially_refunded` and the order goes on; Stripe's cumulative `amount_refunded` makes a
duplicate or an older event book nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from shop.extensions import db
from shop.invoices.models import Invoice
from shop.orders import fulfilment
from shop.payments import stripe_gateway
from tests.invoices.helpers import all_invoices_of
from tests.orders.builders import DELIVERY
from tests.payments.test_order_payments import (
    checkout_over_api,
    deliver,
    order,
)

CARD = {**DELIVERY, "payment_method": "card"}


def paid_by_card(client, fake_stripe):
    """Tea 250.000 + rice 120.000, each shipped for 30.000: 430.000 ₫ paid by card."""
    body = checkout_over_api(client, CARD, lines=(("CHE-1", 1), ("GAO-1", 1))).get_json()
    number = body["order"]["number"]
    deliver(client, fake_stripe.complete(order(number).payments[0].provider_ref))
    paid = order(number)
    assert (paid.payment_status, paid.total_vnd) == ("paid", 430_000)
    return paid


def refund(app, fake_stripe, paid, amount: int) -> dict:
    settings = stripe_gateway.settings_from(app.config)
    made = stripe_gateway.refund(settings, payment_intent=paid.payments[0].payment_intent,
                                 amount_vnd=amount,
                                 idempotency_key=f"test-{amount}-{len(fake_stripe.refunds)}")
    return fake_stripe.refund_event(made.id)


def invoiced(number: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.sum(Invoice.total_vnd)).where(
        Invoice.order_id == order(number).id))


def test_a_partial_refund_books_that_amount_and_the_order_goes_on(app, client, market, fake_stripe):
    paid = paid_by_card(client, fake_stripe)
    number, tea_shipment = paid.number, paid.shipments[0].id
    event = refund(app, fake_stripe, paid, 10_000)
    assert deliver(client, event).get_json()["outcome"] == "partially refunded: 10000 of 430000"
    now = order(number)
    assert (now.status, now.payment_status) == ("confirmed", "partially_refunded")
    assert (now.payments[0].status, now.payments[0].refunded_vnd) == ("partially_refunded", 10_000)
    tea, rice, shipping, *adjustments = all_invoices_of(now)
    # 10.000 over 250.000 / 120.000 / 30.000 / 30.000: 5.813,95 2.790,69 697,67 697,67 rounded
    # down, and the 3 đồng left to the largest remainders (tea, rice, then the earlier shipping)
    assert [(a.adjusts_id, [(line.sku, line.quantity, line.amount_vnd, line.before_tax_vnd,
                             line.vat_vnd) for line in a.lines]) for a in adjustments] == [
        (tea.id, [("CHE-1", 0, -5_814, -5_383, -431)]),
        (rice.id, [("GAO-1", 0, -2_791, -2_584, -207)]),
        (shipping.id, [(shipping.lines[0].sku, 0, -698, -646, -52),
                       (shipping.lines[1].sku, 0, -697, -645, -52)])]
    assert invoiced(number) == 430_000 - 10_000
    # the same event again, or an older one, books nothing
    assert deliver(client, {**event, "id": "evt_again"}).get_json()["outcome"] == "nothing to do"
    older = {**event, "id": "evt_older", "data": {"object": {**event["data"]["object"],
                                                             "amount_refunded": 5_000}}}
    assert deliver(client, older).get_json()["outcome"] == "nothing to do"
    assert invoiced(number) == 420_000
    # the goods still ship
    shipment = db.session.get(type(now.shipments[0]), tea_shipment)
    assert fulfilment.advance(shipment, "packed", actor_id=None).status == "packed"


def test_a_refund_that_names_its_lines_is_taken_off_those_lines(app, client, market, fake_stripe):
    paid = paid_by_card(client, fake_stripe)
    event = refund(app, fake_stripe, paid, 20_000)
    charge = event["data"]["object"]
    made = next(iter(fake_stripe.refunds.values()))
    charge["refunds"] = {"data": [{**made, "metadata": {"skus": "GAO-1"}}]}
    assert deliver(client, event).status_code == 200
    _, rice, _, adjustment = all_invoices_of(order(paid.number))
    assert (adjustment.adjusts_id, [(line.sku, line.amount_vnd) for line in adjustment.lines]) == (
        rice.id, [("GAO-1", -20_000)])


def test_partial_refunds_then_the_rest_leave_nothing_invoiced(app, client, market, fake_stripe):
    paid = paid_by_card(client, fake_stripe)
    for amount in (10_000, 123_457):
        deliver(client, refund(app, fake_stripe, paid, amount))
    assert invoiced(paid.number) == 430_000 - 133_457
    outcome = deliver(client, refund(app, fake_stripe, order(paid.number), 430_000 - 133_457))
    assert outcome.get_json()["outcome"] == "refunded"
    now = order(paid.number)
    assert (now.payment_status, now.payments[0].status, now.payments[0].refunded_vnd) == (
        "refunded", "refunded", 430_000)
    assert invoiced(paid.number) == 0
    # every line of every invoice is back to nothing, to the đồng
    for original in (i for i in all_invoices_of(now) if i.kind == "original"):
        from shop.invoices import issuing

        assert all(sold.amount == 0 for sold in issuing.outstanding(original))


def test_cancelling_after_a_partial_refund_refunds_and_reverses_only_the_rest(
        app, client, market, fake_stripe):
    paid = paid_by_card(client, fake_stripe)
    deliver(client, refund(app, fake_stripe, paid, 10_000))
    token = paid.access_token
    page = client.get(f"/orders/{paid.number}?token={token}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(f"/orders/{paid.number}/cancel",
                       data={"token": token, "csrf_token": csrf}).status_code == 303
    requested = fake_stripe.api_requests("POST", "/v1/refunds")
    assert [r.params["amount"] for r in requested] == ["10000", "420000"]
    assert invoiced(paid.number) == 0  # the cancellation reversed what was left
    last = [r for r in fake_stripe.refunds.values() if r["amount"] == 420_000][0]
    assert deliver(client, fake_stripe.refund_event(last)).get_json()["outcome"] == "refunded"
    assert invoiced(paid.number) == 0 and order(paid.number).payment_status == "refunded"
    assert not order(paid.number).needs_attention


def test_a_refund_it_cannot_read_is_flagged_and_books_nothing(app, client, market, fake_stripe):
    paid = paid_by_card(client, fake_stripe)
    event = refund(app, fake_stripe, paid, 10_000)
    for bad in (10**12, -1, "10000", None):
        wrong = {**event, "id": f"evt_{bad}", "data": {"object": {**event["data"]["object"],
                                                                  "amount_refunded": bad}}}
        assert "flagged" in deliver(client, wrong).get_json()["outcome"]
    now = order(paid.number)
    assert (now.payment_status, now.needs_attention, now.payments[0].refunded_vnd) == ("paid", True, 0)
    assert invoiced(paid.number) == 430_000
