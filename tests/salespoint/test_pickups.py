"""A sales point hands over online orders picked up at its counter, over HTTP.

QN-HALONG holds 5 boxes of tea at 150 000 đ; a member of its staff is signed in (English).
Orders are placed through the real checkout services.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from flask import current_app

from shop.catalog.models import Variant
from shop.clock import VIETNAM
from shop.extensions import db
from shop.inventory.models import Location
from shop.inventory.services import ledger_mismatches
from shop.mail import outbox
from shop.orders import fulfilment
from shop.orders import services as order_services
from shop.orders.models import Order, OrderEvent, Shipment
from shop.payments import services as payments
from shop.payments.models import Payment
from tests import builders
from tests.conftest import csrf_token
from tests.orders.builders import cart_with, place
from tests.producer.helpers import fresh, ledger, level

P = "/salespoint/QN-HALONG/pickups"
PICKUP = {"email": "binh@example.com", "phone": "0987654321", "name": "Trần Thị Bình",
          "fulfilment": "pickup", "pickup_point": "QN-HALONG", "payment_method": "cod"}


@dataclass
class Counter:
    tea: Variant
    point: Location
    staff: object


@pytest.fixture
def counter(client, login) -> Counter:
    tea = builders.product("Chè Tân Cương", sku="CHE-1")
    point = builders.sales_point("QN-HALONG")
    builders.sales_point("HN-HOANKIEM", province_code="01")
    builders.receive(tea, point, 5)
    staff = login(builders.user("staff@example.com", "staff:QN-HALONG"))
    client.set_cookie("lang", "en")
    return Counter(tea.variants[0], point, staff)


def pickup_order(quantity: int = 2, **changes) -> Order:
    return place(cart_with(("CHE-1", quantity)), {**PICKUP, **changes})[1]


def post(client, path: str, data: dict | None = None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/")})


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def listing(client) -> str:
    response = client.get(P)
    assert response.status_code == 200
    return text(response)


def article(page_html: str, shipment_id: int) -> str:
    """The HTML of one pickup's card."""
    match = re.search(rf'<article[^>]*data-shipment="{shipment_id}"[^>]*>(.*?)</article>',
                      page_html, re.S)
    assert match, f"no pickup {shipment_id}"
    return match.group(1)


def card(page_html: str, shipment_id: int) -> str:
    """The words of one pickup's card."""
    return " ".join(re.sub(r"<[^>]+>", " ", article(page_html, shipment_id)).split())


def shown_order(page_html: str) -> list[str]:
    return re.findall(r'<article[^>]*data-order="([^"]+)"', page_html)


def problem(page_html: str) -> str:
    match = re.search(r'<p class="flash flash--error" role="alert">(.*?)</p>', page_html, re.S)
    assert match, "no problem shown"
    return " ".join(match.group(1).split())


def state(shipment_id: int) -> dict:
    fresh()
    shipment = db.session.get(Shipment, shipment_id)
    order = shipment.order
    return {"shipment": (shipment.status, shipment.cash_collected_vnd),
            "order": (order.status, order.payment_status),
            "payments": [p.status for p in order.payments],
            "events": db.session.scalar(db.select(db.func.count()).select_from(OrderEvent)),
            "ledger": ledger(), "mail": len(outbox(current_app))}


def test_a_pickup_is_made_ready_and_handed_over_for_cash(client, app, counter):
    order = pickup_order(2)
    [shipment] = order.shipments
    assert (shipment.kind, shipment.subtotal_vnd, shipment.shipping_vnd) == ("pickup", 300_000, 0)

    page = listing(client)
    assert card(page, shipment.id) == (
        f"{order.number} Being prepared Trần Thị Bình · 0987654321 · "
        f"{order.created_at.astimezone(VIETNAM):%Y-%m-%d %H:%M} "
        "2 × Chè Tân Cương – Hộp 200 g CHE-1 To collect in cash: ₫300,000 "
        "Goods set aside: tell the buyer")
    assert f"{P}/{shipment.id}/ready" in page and f"{P}/{shipment.id}/collect" not in page

    ready = post(client, f"{P}/{shipment.id}/ready")
    assert (ready.status_code, ready.headers["Location"]) == (303, P)
    assert f"Order {order.number} is ready; the buyer was told by email." in listing(client)
    fresh()
    assert db.session.get(Shipment, shipment.id).status == "ready"
    [email] = outbox(app)
    assert (email["To"], email["Subject"]) == (
        "binh@example.com",
        f"Đơn hàng {order.number} sẵn sàng để nhận / Order {order.number} is ready for pickup")
    body = email.get_content()
    assert f"Đơn hàng {order.number} đã sẵn sàng để nhận" in body
    assert f"Your order {order.number} is ready for pickup" in body
    assert level(counter.tea, counter.point) == (5, 2)  # still reserved, still on the shelf

    page = listing(client)
    assert re.search(rf'id="cash-{shipment.id}"[^>]*value="300000"', page)
    collected = post(client, f"{P}/{shipment.id}/collect", {"cash_collected": "300000"})
    assert (collected.status_code, collected.headers["Location"]) == (303, P)
    assert f"Order {order.number} was handed over." in listing(client)

    fresh()
    done = db.session.get(Shipment, shipment.id)
    assert (done.status, done.cash_collected_vnd) == ("collected", 300_000)
    assert (done.order.status, done.order.payment_status) == ("completed", "paid")
    assert [p.status for p in db.session.scalars(db.select(Payment))] == ["paid"]
    events = db.session.scalars(db.select(OrderEvent).where(OrderEvent.actor_id.is_not(None))
                                .order_by(OrderEvent.id))
    assert [(e.subject, e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("shipment", "pending", "ready", counter.staff.id),
        ("shipment", "ready", "collected", counter.staff.id),
        ("order", "confirmed", "completed", counter.staff.id),
        ("payment", "unpaid", "paid", counter.staff.id)]
    assert [(reason, location, delta) for reason, location, delta, _note in ledger(counter.tea)] == [
        ("receipt", counter.point.id, 5), ("online_sale", counter.point.id, -2)]
    assert level(counter.tea, counter.point) == (3, 0)
    assert ledger_mismatches() == []
    assert len(outbox(app)) == 1
    assert "Cash taken: ₫300,000" in card(listing(client), shipment.id)


def test_the_ready_email_says_where_to_pick_up(client, app, counter):
    order = pickup_order(1)
    assert post(client, f"{P}/{order.shipments[0].id}/ready").status_code == 303
    [email] = outbox(app)
    assert "Điểm bán QN-HALONG (1 Đường Thử)" in email.get_content()


@pytest.mark.parametrize("typed, message", [
    ("290000", "enter the cash taken from the buyer, exactly ₫300,000. Nothing was changed."),
    ("", "enter the cash taken from the buyer, exactly ₫300,000. Nothing was changed."),
])
def test_the_wrong_cash_amount_is_refused_and_nothing_changes(client, counter, typed, message):
    order = pickup_order(2)
    [shipment] = order.shipments
    fulfilment.advance(shipment, "ready", actor_id=None)
    before = state(shipment.id)
    response = post(client, f"{P}/{shipment.id}/collect", {"cash_collected": typed})
    assert response.status_code == 422
    page = text(response)
    assert problem(page) == f"Order {order.number}: {message}"
    assert re.search(rf'id="cash-{shipment.id}"[^>]*value="{typed}" aria-invalid="true"', page)
    assert state(shipment.id) == before
    assert before["shipment"] == ("ready", None) and before["order"] == ("confirmed", "unpaid")
    assert level(counter.tea, counter.point) == (5, 2)

    unreadable = post(client, f"{P}/{shipment.id}/collect", {"cash_collected": "ba trăm"})
    assert unreadable.status_code == 422
    assert problem(text(unreadable)) == (
        "Enter the amount in đồng, for example 250000. Nothing was changed.")
    assert state(shipment.id) == before


def test_handing_over_before_it_is_ready_is_refused(client, app, counter):
    order = pickup_order(1)
    [shipment] = order.shipments
    before = state(shipment.id)
    response = post(client, f"{P}/{shipment.id}/collect", {"cash_collected": "150000"})
    assert response.status_code == 409
    assert problem(text(response)) == (
        f"Order {order.number} is now “Being prepared”: it cannot be marked “Collected”. "
        "Nothing was changed.")
    assert state(shipment.id) == before
    assert outbox(app) == []


@pytest.mark.parametrize("role", ["staff:HN-HOANKIEM", "staff:HN-HOANKIEM:manager"])
def test_staff_of_another_sales_point_get_404(client, login, counter, role):
    order = pickup_order(2)
    [shipment] = order.shipments
    before = state(shipment.id)
    login(builders.user(role=role))
    assert client.get(P).status_code == 404
    assert post(client, f"{P}/{shipment.id}/ready").status_code == 404
    assert post(client, f"{P}/{shipment.id}/collect", {"cash_collected": "300000"}).status_code == 404
    own = client.get("/salespoint/HN-HOANKIEM/pickups")
    assert own.status_code == 200 and order.number not in own.get_data(as_text=True)
    # and through their own sales point's address, the pickup is not found either
    other = "/salespoint/HN-HOANKIEM/pickups"
    assert post(client, f"{other}/{shipment.id}/ready").status_code == 404
    assert post(client, f"{other}/{shipment.id}/collect", {"cash_collected": "300000"}).status_code == 404
    assert state(shipment.id) == before


def test_a_pickup_waiting_for_a_bank_transfer_cannot_be_made_ready(client, counter):
    order = pickup_order(1, payment_method="bank_transfer")
    [shipment] = order.shipments
    assert order.status == "awaiting_payment"
    shown = card(listing(client), shipment.id)
    assert "Waiting for the buyer's payment: do not prepare it yet." in shown
    assert "Bank transfer (VietQR) · Not paid" in shown
    assert f"{P}/{shipment.id}/ready" not in listing(client)
    before = state(shipment.id)
    response = post(client, f"{P}/{shipment.id}/ready")
    assert response.status_code == 409
    assert problem(text(response)) == (
        f"Order {order.number} is waiting for the buyer's payment: get it ready once it is "
        "paid. Nothing was changed.")
    assert state(shipment.id) == before


def test_pickups_to_prepare_come_first_then_ready_then_closed(client, counter):
    collected = pickup_order(1)
    pending_old = pickup_order(1)
    ready = pickup_order(1)
    cancelled = pickup_order(1)
    pending_new = pickup_order(1)
    fulfilment.advance(ready.shipments[0], "ready", actor_id=None)
    fulfilment.advance(collected.shipments[0], "ready", actor_id=None)
    fulfilment.advance(collected.shipments[0], "collected", actor_id=None,
                       cash_collected_vnd=150_000)
    order_services.cancel_order(cancelled, actor_id=None, reason="changed my mind")

    page = listing(client)
    assert shown_order(page) == [pending_old.number, pending_new.number, ready.number,
                                 cancelled.number, collected.number]
    headings = re.findall(r'<h2 class="pickup-group">(.*?)</h2>', page)
    assert headings == ["To prepare", "Ready, waiting for the buyer", "Done or cancelled"]


def test_a_manager_hands_over_a_paid_transfer_order_without_cash(client, login, counter):
    order = pickup_order(1, payment_method="bank_transfer")
    payments.confirm_transfer(order, order.total_vnd, actor_id=None)
    [shipment] = order.shipments
    fulfilment.advance(shipment, "ready", actor_id=None)
    login(builders.user("boss@example.com", "staff:QN-HALONG:manager"))
    page = listing(client)
    assert 'name="cash_collected"' not in article(page, shipment.id)
    assert "Bank transfer (VietQR) · Paid" in card(page, shipment.id)
    assert post(client, f"{P}/{shipment.id}/collect").status_code == 303
    fresh()
    done = db.session.get(Shipment, shipment.id)
    assert (done.status, done.cash_collected_vnd) == ("collected", None)
    assert (done.order.status, done.order.payment_status) == ("completed", "paid")
    assert ledger_mismatches() == []
