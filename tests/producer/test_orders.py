"""The producer fulfils its part of online orders over HTTP: pack, ship, deliver.

The producer of tests/producer/conftest.py (its owner signed in, pages in English) sells tea
and rice at 150 000 đ from WH-HAODAT; orders are placed through the real checkout services.
"""

from __future__ import annotations

import re

import pytest
from flask import current_app

from shop.clock import VIETNAM
from shop.extensions import db
from shop.inventory.services import ledger_mismatches
from shop.mail import outbox
from shop.orders import fulfilment
from shop.orders import services as order_services
from shop.orders.models import Order, OrderEvent, Shipment
from shop.payments import services as payments
from shop.payments.models import Payment
from tests import builders
from tests.orders.builders import DELIVERY, cart_with, place
from tests.producer.helpers import fresh, ledger, level, page, post, table_rows, text

ADDRESS = "12 Lê Lợi, Phường Ba Đình, Thành phố Hà Nội"


@pytest.fixture
def stocked(shop):
    builders.receive(shop.tea.product, shop.warehouse, 10)
    builders.receive(shop.rice.product, shop.warehouse, 5)
    return shop


def order_of(*lines: tuple[str, int], **changes) -> Order:
    """A delivery order to Hà Nội placed through the real services (cash on delivery)."""
    return place(cart_with(*lines), {**DELIVERY, **changes})[1]


def when(order: Order) -> str:
    return order.created_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def state(shipment_id: int) -> dict:
    """Everything a refused move must leave as it was."""
    fresh()
    shipment = db.session.get(Shipment, shipment_id)
    order = shipment.order
    return {"shipment": (shipment.status, shipment.tracking_note, shipment.cash_collected_vnd),
            "order": (order.status, order.payment_status),
            "payments": [p.status for p in order.payments],
            "events": db.session.scalar(db.select(db.func.count()).select_from(OrderEvent)),
            "ledger": ledger(), "mail": len(outbox(current_app))}


def problem(html_text: str) -> str:
    match = re.search(r'<p class="flash flash--error" role="alert">(.*?)</p>', html_text, re.S)
    assert match, "no problem shown"
    return " ".join(match.group(1).split())


def test_a_cash_order_is_packed_shipped_and_delivered(client, app, stocked):
    order = order_of(("CHE-1", 2), ("GAO-1", 1))
    [shipment] = order.shipments
    path = f"/producer/orders/{shipment.id}"
    assert (shipment.subtotal_vnd, shipment.shipping_vnd) == (450_000, 30_000)

    assert table_rows(page(client, "/producer/orders"), "data-shipment") == [[
        order.number, when(order), "Nguyễn Văn An", "Hà Nội",
        "Chè Tân Cương – Hộp 200 g × 2 Gạo nếp – Hộp 200 g × 1", "₫480,000",
        "Cash on delivery", "Being prepared"]]
    detail = page(client, path)
    assert ADDRESS in detail and 'href="tel:0912345678"' in detail
    assert '<dd class="cash-due"><strong>₫480,000</strong></dd>' in detail
    assert (f'{path}/pack"' in detail, f"{path}/ship" in detail, f"{path}/deliver" in detail) == (
        True, False, False)
    assert table_rows(detail, "data-line") == [
        ["Chè Tân Cương – Hộp 200 g CHE-1", "₫150,000", "2", "₫300,000"],
        ["Gạo nếp – Hộp 200 g GAO-1", "₫150,000", "1", "₫150,000"]]

    packed = post(client, f"{path}/pack")
    assert (packed.status_code, packed.headers["Location"]) == (303, path)
    assert f"Order {order.number} is packed." in page(client, path)
    fresh()
    assert db.session.get(Shipment, shipment.id).status == "packed"
    assert outbox(app) == []
    assert level(stocked.tea, stocked.warehouse) == (10, 2)

    detail = page(client, path)
    assert (f'{path}/pack"' in detail, f"{path}/ship" in detail) == (False, True)
    shipped = post(client, f"{path}/ship", {"tracking_note": "  Viettel Post VTP123456789  "})
    assert (shipped.status_code, shipped.headers["Location"]) == (303, path)
    fresh()
    assert db.session.get(Shipment, shipment.id).status == "shipped"
    assert db.session.get(Shipment, shipment.id).tracking_note == "Viettel Post VTP123456789"
    [email] = outbox(app)
    assert (email["To"], email["Subject"]) == (
        "an@example.com", f"Đơn hàng {order.number} đã được gửi đi / Order {order.number} shipped")
    body = email.get_content()
    assert order.number in body and "Viettel Post VTP123456789" in body
    sales = [(reason, location, delta) for reason, location, delta, _note in ledger()
             if reason == "online_sale"]
    assert sorted(sales) == [("online_sale", stocked.warehouse.id, -2),
                             ("online_sale", stocked.warehouse.id, -1)]
    assert [delta for reason, _loc, delta, _n in ledger(stocked.tea) if reason == "online_sale"] == [-2]
    assert [delta for reason, _loc, delta, _n in ledger(stocked.rice) if reason == "online_sale"] == [-1]
    assert level(stocked.tea, stocked.warehouse) == (8, 0)
    assert level(stocked.rice, stocked.warehouse) == (4, 0)

    detail = page(client, path)
    assert 'name="cash_collected" inputmode="numeric" autocomplete="off" required' in detail
    assert re.search(r'id="cash_collected"[^>]*value="480000"', detail)
    delivered = post(client, f"{path}/deliver", {"cash_collected": "480.000"})
    assert (delivered.status_code, delivered.headers["Location"]) == (303, path)

    fresh()
    done = db.session.get(Shipment, shipment.id)
    assert (done.status, done.cash_collected_vnd) == ("delivered", 480_000)
    assert (done.order.status, done.order.payment_status) == ("completed", "paid")
    assert [p.status for p in db.session.scalars(db.select(Payment))] == ["paid"]
    events = db.session.scalars(db.select(OrderEvent).where(OrderEvent.actor_id.is_not(None))
                                .order_by(OrderEvent.id))
    assert [(e.subject, e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("shipment", "pending", "packed", stocked.user.id),
        ("shipment", "packed", "shipped", stocked.user.id),
        ("shipment", "shipped", "delivered", stocked.user.id),
        ("order", "confirmed", "completed", stocked.user.id),
        ("payment", "unpaid", "paid", stocked.user.id)]
    assert len(outbox(app)) == 1
    assert ledger_mismatches() == []
    finished = page(client, path)
    assert "Nothing more to do for this order." in finished
    assert "/deliver" not in finished and '<dd class="cash-collected">₫480,000</dd>' in finished


def _shipped(order: Order) -> Shipment:
    [shipment] = order.shipments
    fulfilment.advance(shipment, "packed", actor_id=None)
    return fulfilment.advance(shipment, "shipped", actor_id=None, tracking_note="GHN 1")


@pytest.mark.parametrize("typed, status, message", [
    ("470000", 422, "Enter the cash collected from the buyer: exactly ₫480,000. Nothing was changed."),
    ("", 422, "Enter the cash collected from the buyer: exactly ₫480,000. Nothing was changed."),
    ("bốn trăm", 422, "Enter the amount in đồng, for example 250000. Nothing was changed."),
])
def test_the_wrong_cash_amount_is_refused_and_nothing_changes(client, stocked, typed, status,
                                                              message):
    shipment = _shipped(order_of(("CHE-1", 2), ("GAO-1", 1)))
    before = state(shipment.id)
    response = post(client, f"/producer/orders/{shipment.id}/deliver", {"cash_collected": typed})
    assert response.status_code == status
    shown = text(response)
    assert problem(shown) == message
    assert re.search(rf'id="cash_collected"[^>]*value="{re.escape(typed)}" aria-invalid="true"', shown)
    assert state(shipment.id) == before
    assert before["shipment"] == ("shipped", "GHN 1", None)
    assert before["order"] == ("confirmed", "unpaid")
    assert ledger_mismatches() == []


def test_shipping_before_packing_is_refused_and_nothing_changes(client, app, stocked):
    order = order_of(("CHE-1", 2))
    [shipment] = order.shipments
    before = state(shipment.id)
    response = post(client, f"/producer/orders/{shipment.id}/ship", {"tracking_note": "VNPost 1"})
    assert response.status_code == 409
    assert problem(text(response)) == (
        "This delivery is now “Being prepared”: it cannot be marked “Shipped”. Nothing was changed.")
    assert state(shipment.id) == before
    assert before["shipment"] == ("pending", "", None)
    assert outbox(app) == []
    assert level(stocked.tea, stocked.warehouse) == (10, 2)
    assert [reason for reason, *_rest in ledger()] == ["receipt", "receipt"]
    deliver = post(client, f"/producer/orders/{shipment.id}/deliver", {"cash_collected": "330000"})
    assert deliver.status_code == 409
    assert state(shipment.id) == before


def test_a_second_click_on_ship_sends_one_email(client, app, stocked):
    order = order_of(("CHE-1", 1))
    [shipment] = order.shipments
    fulfilment.advance(shipment, "packed", actor_id=None)
    assert post(client, f"/producer/orders/{shipment.id}/ship", {"tracking_note": "A"}).status_code == 303
    again = post(client, f"/producer/orders/{shipment.id}/ship", {"tracking_note": "B"})
    assert again.status_code == 409
    assert problem(text(again)) == (
        "This delivery is now “Shipped”: it cannot be marked “Shipped”. Nothing was changed.")
    fresh()
    assert db.session.get(Shipment, shipment.id).tracking_note == "A"
    assert len(outbox(app)) == 1
    assert [delta for reason, _l, delta, _n in ledger(stocked.tea) if reason == "online_sale"] == [-1]


def test_another_producer_finds_none_of_it(client, login, app, stocked):
    order = order_of(("CHE-1", 2))
    [shipment] = order.shipments
    stranger = builders.product("Mắm tôm", sku="MAM-1").producer
    before = state(shipment.id)
    login(builders.user("other@example.com", f"producer:{stranger.tax_code}"))
    path = f"/producer/orders/{shipment.id}"

    assert client.get(path).status_code == 404
    assert post(client, f"{path}/pack").status_code == 404
    assert post(client, f"{path}/ship", {"tracking_note": "x"}).status_code == 404
    assert post(client, f"{path}/deliver", {"cash_collected": "330000"}).status_code == 404
    listing = page(client, "/producer/orders")
    assert order.number not in listing and table_rows(listing, "data-shipment") == []
    assert state(shipment.id) == before
    assert client.get("/producer/orders/999999").status_code == 404


def test_a_bank_transfer_order_waiting_for_payment_cannot_be_packed(client, stocked):
    order = order_of(("CHE-1", 1), payment_method="bank_transfer")
    [shipment] = order.shipments
    path = f"/producer/orders/{shipment.id}"
    assert order.status == "awaiting_payment"

    [row] = table_rows(page(client, "/producer/orders"), "data-shipment")
    assert row[-2:] == ["Bank transfer (VietQR)", "Being prepared Waiting for payment"]
    detail = page(client, path)
    assert "Do not pack it: it can be packed once the payment has arrived." in detail
    assert f'{path}/pack"' not in detail
    before = state(shipment.id)
    refused = post(client, f"{path}/pack")
    assert refused.status_code == 409
    assert problem(text(refused)) == (
        f"Order {order.number} is waiting for the buyer's payment: it can be packed once it is "
        "paid. Nothing was changed.")
    assert state(shipment.id) == before

    fresh()
    payments.confirm_transfer(db.session.get(Order, order.id), order.total_vnd, actor_id=None)
    assert f'{path}/pack"' in page(client, path)
    assert post(client, f"{path}/pack").status_code == 303
    fresh()
    assert db.session.get(Shipment, shipment.id).status == "packed"


def test_deliveries_to_do_come_first_then_the_closed_ones(client, stocked):
    delivered = order_of(("CHE-1", 1))
    pending = order_of(("CHE-1", 1))
    cancelled = order_of(("GAO-1", 1))
    shipped = order_of(("GAO-1", 1))
    _shipped(shipped)
    [shipment] = _shipped(delivered).order.shipments
    fulfilment.advance(shipment, "delivered", actor_id=None, cash_collected_vnd=180_000)
    order_services.cancel_order(cancelled, actor_id=None, reason="changed my mind")

    rows = table_rows(page(client, "/producer/orders"), "data-shipment")
    assert [(row[0], row[-1]) for row in rows] == [
        (pending.number, "Being prepared"), (shipped.number, "Shipped"),
        (cancelled.number, "Cancelled"), (delivered.number, "Delivered")]
    listing = page(client, "/producer/orders")
    assert listing.index("To do") < listing.index(pending.number)
    done = listing.index("Done or cancelled")
    assert listing.index(shipped.number) < done < listing.index(cancelled.number)


def test_an_order_of_two_producers_lists_only_each_ones_part(client, login, stocked):
    other = builders.product("Mắm tôm", sku="MAM-1", price_vnd=90_000)
    builders.receive(other, builders.warehouse(other.producer), 4)
    order = order_of(("CHE-1", 1), ("MAM-1", 2))
    mine = next(s for s in order.shipments if s.producer_id == stocked.producer.id)
    theirs = next(s for s in order.shipments if s.producer_id == other.producer_id)

    [row] = table_rows(page(client, "/producer/orders"), "data-shipment")
    assert row[4:6] == ["Chè Tân Cương – Hộp 200 g × 1", "₫180,000"]
    assert client.get(f"/producer/orders/{theirs.id}").status_code == 404
    detail = page(client, f"/producer/orders/{mine.id}")
    assert "MAM-1" not in detail and "CHE-1" in detail
