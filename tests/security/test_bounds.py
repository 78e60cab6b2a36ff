"""One bound on money (shop.money.MAX_AMOUNT_VND, ten billion đồng) wherever an amount enters,
and one on quantities (shop.inventory.models.MAX_QUANTITY): a larger one is a clear refusal
that changes nothing, and what is accepted can always be ordered, paid by VietQR and shown."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.catalog import listings
from shop.catalog import services as catalog
from shop.catalog.models import ListingChange, Variant
from shop.errors import ValidationError
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory import transfers
from shop.inventory.models import MAX_QUANTITY, StockReservation, Transfer
from shop.money import MAX_AMOUNT_VND, amount_rule
from shop.orders.models import Order
from shop.payments import vietqr
from shop.payments.models import Payment
from shop.web.salespoint import forms as till_forms
from tests import builders
from tests.orders.builders import DELIVERY
from tests.producer.helpers import fresh, post, text

ISSUE_PRICE = 99_999_999_999_999  # the price the probe set on a pack (issue #17)
TRANSFER = {**DELIVERY, "payment_method": "bank_transfer"}


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_money_fits_every_place_it_goes():
    """The largest amount, and an order of it, fit VietQR's 13 digits and a 64-bit column."""
    assert MAX_AMOUNT_VND == 10_000_000_000
    assert MAX_AMOUNT_VND <= vietqr.MAX_AMOUNT_VND
    assert 999 * MAX_AMOUNT_VND < 2**63


@pytest.mark.parametrize("price", [ISSUE_PRICE, MAX_AMOUNT_VND + 1, 0, -1, 1.5, True, "1"])
def test_a_pack_priced_past_the_bound_is_refused_by_the_service(price):
    item = builders.product("Chè", sku="CHE-1")
    with pytest.raises(ValidationError) as refused:
        catalog.add_variant(item, sku="CHE-2", label="Hộp", price_vnd=price,
                            vat_category="10_reducible")
    assert refused.value.fields == {"price_vnd": amount_rule(minimum=1)}
    db.session.rollback()
    with pytest.raises(ValidationError):
        listings.update_variant(item.variants[0], actor_id=None, price_vnd=price)
    assert count(Variant) == 1 and count(ListingChange) == 0
    assert db.session.get(Variant, item.variants[0].id).price_vnd == 150_000


def test_a_pack_of_the_largest_price_is_taken():
    item = builders.product("Chè", sku="CHE-1")
    added = catalog.add_variant(item, sku="CHE-2", label="Hộp", price_vnd=MAX_AMOUNT_VND,
                                vat_category="10_reducible")
    assert added.price_vnd == MAX_AMOUNT_VND


def test_a_pack_weighing_past_a_tonne_is_refused_by_the_service():
    item = builders.product("Chè", sku="CHE-1")
    with pytest.raises(ValidationError) as refused:
        catalog.add_variant(item, sku="CHE-2", label="Hộp", price_vnd=1000,
                            vat_category="10_reducible", weight_g=10**12)
    assert refused.value.fields == {"weight_g": "a whole number of grams from 0 to 1000000"}


@pytest.mark.parametrize(("price", "message"), [
    (str(ISSUE_PRICE), "Enter a price from 1 đồng to ten billion đồng."),
    (str(MAX_AMOUNT_VND + 1), "Enter a price from 1 đồng to ten billion đồng."),
    ("\uff11\uff12", "Enter a whole number."),   # full-width digits
    ("1_000", "Enter a whole number."),
    ("+5", "Enter a whole number.")])
def test_the_portal_refuses_a_price_past_the_bound_beside_the_field(client, shop, price, message):
    response = post(client, f"/producer/products/{shop.tea.product_id}/variants", {
        "new-sku": "CHE-500", "new-label": "Hộp 500 g", "new-price_vnd": price,
        "new-vat_category": "10_reducible", "new-weight_g": "520"})
    assert response.status_code == 422
    assert message in text(response)
    fresh()
    assert db.session.scalar(select(Variant).where(Variant.sku == "CHE-500")) is None


# --- orders: the total, the VietQR payload and the order's page --------------------------------

@pytest.fixture
def dear():
    """A pack at the largest price, with stock."""
    item = builders.product("Trầm hương", sku="TRAM-1", price_vnd=MAX_AMOUNT_VND)
    builders.receive(item, builders.warehouse(item.producer), 10)
    return item


def test_an_order_of_the_largest_total_is_placed_paid_by_vietqr_and_shown(client, dear):
    cart = client.post("/api/v1/carts").get_json()["id"]
    client.post(f"/api/v1/carts/{cart}/lines", json={"sku": "TRAM-1", "quantity": 1})
    placed = client.post(f"/api/v1/carts/{cart}/checkout", json=TRANSFER)
    assert placed.status_code == 201, placed.get_json()
    order, payment = placed.get_json()["order"], placed.get_json()["payment"]
    assert order["total_vnd"] == MAX_AMOUNT_VND  # free shipping at this price
    assert vietqr.parse(payment["vietqr"])["amount_vnd"] == MAX_AMOUNT_VND
    page = client.get(f"/orders/{order['number']}?token={order['access_token']}")
    assert page.status_code == 200
    qr = client.get(f"/orders/{order['number']}/qr.svg?token={order['access_token']}")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"


def test_an_order_past_the_bound_is_a_422_naming_the_cart_and_reserves_nothing(client, dear):
    cart = client.post("/api/v1/carts").get_json()["id"]
    client.post(f"/api/v1/carts/{cart}/lines", json={"sku": "TRAM-1", "quantity": 2})
    response = client.post(f"/api/v1/carts/{cart}/checkout", json=TRANSFER)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["fields"] == {"cart": f"a total over {MAX_AMOUNT_VND} đồng"}
    assert (count(Order), count(Payment), count(StockReservation)) == (0, 0, 0)
    assert client.get(f"/api/v1/carts/{cart}").get_json()["total_vnd"] == 2 * MAX_AMOUNT_VND


def test_the_checkout_page_says_an_order_is_too_large(client, dear):
    from tests.conftest import csrf_token

    client.set_cookie("lang", "en")
    token = csrf_token(client, "/")
    client.post("/cart/lines", data={"csrf_token": token, "sku": "TRAM-1", "quantity": "3"})
    response = client.post("/checkout", data={
        "csrf_token": token, "name": "Nguyễn Văn An", "email": "an@example.com",
        "phone": "0912345678", "fulfilment": "delivery", "address_line": "12 Lê Lợi",
        "province_code": "01", "ward_code": "00004", "payment_method": "bank_transfer"})
    assert response.status_code == 422
    assert ("An order can total at most ten billion đồng: split your cart into several orders."
            in text(response))
    assert count(Order) == 0


# --- the till and the operator's commands -------------------------------------------------------

@pytest.mark.parametrize(("typed", "price"), [
    ("2.000.000.000", 2_000_000_000), (str(MAX_AMOUNT_VND), MAX_AMOUNT_VND),
    (str(MAX_AMOUNT_VND + 1), None), ("\uff15", None)])
def test_the_web_till_takes_any_price_within_the_bound(app, typed, price):
    form = {"sale_id": till_forms.fresh_id(), "payment_method": "cash", "sku-0": "TRAM-1",
            "quantity-0": "1", "price-0": typed}
    with app.test_request_context():
        entry = till_forms.read_till(form, {"TRAM-1": 1}, ("cash",))
    assert [line.unit_price_vnd for line in entry.lines] == ([price] if price else [])
    assert ("price-0" in entry.problems) is (price is None)


@pytest.mark.parametrize("amount", ["10000000001", ISSUE_PRICE, "\uff11\uff10\uff10\uff10", "0",
                                    "1e3"])
def test_confirm_transfer_refuses_an_amount_past_the_bound(app, dear, amount):
    from tests.orders.builders import cart_with, place

    _, order = place(cart_with(("TRAM-1", 1)), TRANSFER)
    result = app.test_cli_runner().invoke(args=["shop", "confirm-transfer", order.number,
                                                str(amount)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert (f"error: AMOUNT_VND is a whole number of đồng from 1 to {MAX_AMOUNT_VND}, "
            f"not '{amount}'") in result.output
    db.session.refresh(order)
    assert (order.payment_status, order.needs_attention) == ("unpaid", False)


def test_confirm_transfer_reads_an_amount_as_people_write_it(app, dear):
    from tests.orders.builders import cart_with, place

    _, order = place(cart_with(("TRAM-1", 1)), TRANSFER)
    result = app.test_cli_runner().invoke(args=["shop", "confirm-transfer", order.number,
                                                "10.000.000.000"])
    assert result.exit_code == 0, result.output
    db.session.refresh(order)
    assert order.payment_status == "paid"


# --- quantities ---------------------------------------------------------------------------------

@pytest.fixture
def goods():
    item = builders.product("Chè", sku="CHE-1")
    house, point = builders.warehouse(item.producer), builders.sales_point("QN-HALONG")
    builders.receive(item, house, 10)
    return item.variants[0], house, point


def ledger() -> int:
    from shop.inventory.models import StockMovement

    return count(StockMovement)


@pytest.mark.parametrize("quantity", [MAX_QUANTITY + 1, 10**12, 0, True])
def test_a_receipt_or_adjustment_past_the_bound_is_refused(goods, quantity):
    variant, house, _ = goods
    before = ledger()
    with pytest.raises(ValidationError) as refused:
        inventory.receive_goods(house, variant, quantity, actor_id=None)
    assert refused.value.fields == {"quantity": f"a whole number from 1 to {MAX_QUANTITY}"}
    with pytest.raises(ValidationError) as refused:
        inventory.record_adjustment(house, variant, quantity, "return", actor_id=None, note="x")
    assert refused.value.fields == {"quantity": f"a whole number from 1 to {MAX_QUANTITY}"}
    assert ledger() == before


@pytest.mark.parametrize(("lines", "problem"), [
    ([10**12], f"at most {MAX_QUANTITY} units of one product"),
    ([MAX_QUANTITY, 1], f"at most {MAX_QUANTITY} units of one product"),  # one product, two lines
    ([0], "each quantity is at least 1"),
    ([1.5], "each quantity is at least 1")])
def test_a_transfer_past_the_bound_is_refused(goods, lines, problem):
    variant, house, point = goods
    with pytest.raises(ValidationError) as refused:
        transfers.create_transfer(house, point, [(variant.id, q) for q in lines])
    assert refused.value.fields == {"lines": problem}
    assert count(Transfer) == 0


@pytest.mark.parametrize("received", [-1, MAX_QUANTITY + 1, 10**12, "3"])
def test_a_receipt_of_a_transfer_past_the_bound_is_refused(goods, received):
    variant, house, point = goods
    moving = transfers.send_transfer(transfers.create_transfer(house, point, [(variant.id, 2)]))
    before = ledger()
    with pytest.raises(ValidationError) as refused:
        transfers.receive_transfer(moving, {"CHE-1": received})
    assert refused.value.fields == {"lines.CHE-1": f"a whole number from 0 to {MAX_QUANTITY}"}
    assert ledger() == before
    db.session.refresh(moving)
    assert moving.status == "in_transit"
