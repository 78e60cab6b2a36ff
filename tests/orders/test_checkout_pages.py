"""The checkout page over HTTP: delivery and pickup, payment methods, idempotent submit, and
what the buyer is told when a detail is wrong or the stock is short."""

import re

import pytest
from sqlalchemy import func, select

from shop import mail
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.models import StockReservation
from shop.orders import carts
from shop.orders.models import Order
from shop.places.models import Province, Ward
from tests import builders
from tests.fakes.stripe_server import FakeStripe
from tests.orders.web import (
    add,
    checkout_page,
    english,
    lines_in_db,
    place,
    session_cart,
    text,
    update,
)


@pytest.fixture(autouse=True)
def _english(client):
    english(client)


@pytest.fixture
def outbox(app):
    saved = app.config["MAIL_BACKEND"]
    app.config["MAIL_BACKEND"] = "memory"
    sent = mail.outbox(app)
    sent.clear()
    yield sent
    sent.clear()
    app.config["MAIL_BACKEND"] = saved


def orders_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def reservations_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StockReservation))


def only_order() -> Order:
    return db.session.scalars(select(Order)).one()


def order_path(order: Order) -> str:
    return f"/orders/{order.number}?token={order.access_token}"


def pickup_points(html: str) -> dict[str, bool]:
    return {code: ready == "yes" for code, ready in re.findall(
        r'data-code="([^"]+)" data-ready="(yes|no)"', html)}


def test_checkout_needs_a_cart_with_lines(client, market):
    response = client.get("/checkout")
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    add(client, "CHE-1", 1)
    update(client, "CHE-1", 0)
    assert lines_in_db(client) == []
    assert client.get("/checkout").headers["Location"] == "/cart"


def test_the_checkout_page_offers_what_the_cart_can_have(client, market):
    builders.sales_point("HN-HOANKIEM", province_code="01")          # offers pickup, holds nothing
    builders.sales_point("SHOWROOM", offers_pickup=False)           # no pickup there
    add(client, "CHE-1", 2)
    add(client, "GAO-1", 1)
    html, token = checkout_page(client)
    assert len(token) >= 32 and token != checkout_page(client)[1], "a fresh token per page"
    province_options = re.findall(r'<option value="(\d\d)"', html)
    assert len(province_options) == 34 == db.session.scalar(select(func.count()).select_from(Province))
    assert re.findall(r'name="payment_method" value="([a-z_]+)"', html) == ["cod", "bank_transfer"]
    assert re.findall(r'name="fulfilment" value="([a-z]+)"', html) == ["delivery", "pickup"]
    # Neither sales point has rice: both are listed, neither can be chosen.
    assert pickup_points(html) == {"QN-HALONG": False, "HN-HOANKIEM": False}
    assert re.search(r'value="QN-HALONG" disabled', html)
    assert "Does not have enough of: Gạo ST25 – Hộp 200 g" in text(html)
    # Two producers, two parcels: tea reaches the free-shipping threshold, rice does not.
    assert re.findall(r'<li data-shipping="(\d+)">', html) == ["0", "30000"]
    assert 'data-subtotal="620000"' in html
    assert 'data-total-delivery="650000"' in html and 'data-total-pickup="620000"' in html
    assert "Each parcel costs ₫30,000, and is free from ₫500,000" in text(html)
    assert 'src="/static/js/checkout.js"' in html
    assert 'data-wards-url="/api/v1/provinces/__code__/wards"' in html


def test_a_sales_point_with_every_line_can_be_chosen(client, market):
    add(client, "CHE-1", 3)
    html, _ = checkout_page(client)
    assert pickup_points(html) == {"QN-HALONG": True}
    assert "Has everything in your cart now" in text(html)
    add(client, "CHE-1", 1)   # 4: the sales point holds 3
    assert pickup_points(checkout_page(client)[0]) == {"QN-HALONG": False}


def test_delivery_cash_on_delivery_from_two_producers(client, market, outbox):
    add(client, "CHE-1", 2)
    add(client, "GAO-1", 1)
    cart_token = session_cart(client)
    _, token = checkout_page(client)

    response = place(client, token)
    assert response.status_code == 303
    order = only_order()
    assert response.headers["Location"] == order_path(order)
    assert re.fullmatch(r"OC\d{4}-\d{6}", order.number)
    assert (order.fulfilment, order.payment_method, order.status) == ("delivery", "cod", "confirmed")
    assert (order.name, order.email, order.phone) == ("Nguyễn Văn An", "an@example.com", "0912345678")
    assert (order.address_line, order.ward_code, order.province_code) == ("12 Lê Lợi", "00004", "01")
    assert order.idempotency_key == f"web:{token}" and order.user_id is None
    assert [(s.kind, s.producer_id, s.subtotal_vnd, s.shipping_vnd) for s in order.shipments] == [
        ("delivery", market.tea.product.producer_id, 500_000, 0),
        ("delivery", market.rice.product.producer_id, 120_000, 30_000)]
    assert (order.subtotal_vnd, order.shipping_vnd, order.total_vnd) == (620_000, 30_000, 650_000)
    assert [(line.sku, line.quantity, line.unit_price_vnd) for line in order.lines] == [
        ("CHE-1", 2, 250_000), ("GAO-1", 1, 120_000)]
    # The stock is reserved where delivery draws on it: each producer's own warehouse.
    assert stock.level(market.tea.id, market.tea_house.id) == stock.Level(10, 2)
    assert stock.level(market.rice.id, market.rice_house.id) == stock.Level(4, 1)
    assert stock.level(market.tea.id, market.point.id) == stock.Level(3, 0)
    # One confirmation email, with the link to the order.
    assert [(m["To"], m["Subject"]) for m in outbox] == [
        ("an@example.com", f"Đơn hàng {order.number} / Order {order.number}")]
    assert f"/orders/{order.number}?token={order.access_token}" in outbox[0].get_content()
    # The cart is used up and the visitor has none now.
    assert session_cart(client) is None and carts.by_token(cart_token) is None

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Thank you! Your order {order.number} is placed" in text(html)
    assert re.findall(r'<li class="order-line" data-sku="([^"]+)"', html) == ["CHE-1", "GAO-1"]
    assert 'data-total="650000">₫650,000<' in html
    assert re.findall(r'data-kind="(delivery|pickup)"', html) == ["delivery", "delivery"]


def test_the_same_form_sent_twice_makes_one_order(client, market, outbox):
    add(client, "CHE-1", 2)
    _, token = checkout_page(client)
    first = place(client, token)
    second = place(client, token)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert orders_count() == 1 and len(outbox) == 1
    assert stock.level(market.tea.id, market.tea_house.id) == stock.Level(10, 2)

    # Back to the old page with a new cart, and the old form sent again: still that order.
    add(client, "GAO-1", 1)
    third = place(client, token)
    assert third.status_code == 303 and third.headers["Location"] == first.headers["Location"]
    assert orders_count() == 1 and lines_in_db(client) == [("GAO-1", 1)]


def test_another_visitor_with_the_forms_token_gets_nothing_of_the_order(app, client, market, outbox):
    add(client, "CHE-1", 2)
    _, token = checkout_page(client)
    placed = place(client, token)
    stranger = app.test_client()
    stranger.set_cookie("lang", "en")
    response = place(stranger, token)  # an empty cart, someone else's token
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    assert "token=" not in response.headers["Location"]
    add(stranger, "GAO-1", 1)  # a cart of their own, the same details and the token
    response = place(stranger, token)
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    assert orders_count() == 1 and lines_in_db(stranger) == [("GAO-1", 1)]
    # a token longer than ours is no token: the form places the stranger's order, once
    response = place(stranger, token + "x" * 100)
    assert response.status_code == 303 and response.headers["Location"] != placed.headers["Location"]
    assert orders_count() == 2


def test_pickup_at_a_sales_point_that_lacks_a_line_is_refused(client, market, outbox):
    add(client, "CHE-1", 1)
    add(client, "GAO-1", 1)
    response = place(client, fulfilment="pickup", pickup_point="QN-HALONG", address_line="",
                     province_code="", ward_code="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'class="flash flash--error shortage" role="alert" data-sku="GAO-1" '
                     r'data-available="0" data-requested="1"', html)
    assert ("Not enough stock of Gạo ST25 – Hộp 200 g (GAO-1): 0 left, you asked for 1."
            in text(html))
    assert orders_count() == 0 and reservations_count() == 0 and outbox == []
    assert lines_in_db(client) == [("CHE-1", 1), ("GAO-1", 1)], "the cart is kept"


def test_pickup_at_a_sales_point_that_has_everything(client, market):
    add(client, "CHE-1", 3)
    response = place(client, fulfilment="pickup", pickup_point="QN-HALONG", address_line="",
                     province_code="", ward_code="")
    assert response.status_code == 303
    order = only_order()
    assert [(s.kind, s.location_id, s.shipping_vnd) for s in order.shipments] == [
        ("pickup", market.point.id, 0)]
    assert (order.subtotal_vnd, order.shipping_vnd, order.total_vnd) == (750_000, 0, 750_000)
    assert stock.level(market.tea.id, market.point.id) == stock.Level(3, 3)
    assert stock.level(market.tea.id, market.tea_house.id) == stock.Level(10, 0)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.findall(r'data-kind="(delivery|pickup)"', html) == ["pickup"]
    assert 'data-location="QN-HALONG"' in html and "Pickup at Điểm bán QN-HALONG" in text(html)


def test_a_ward_of_another_province_is_refused_with_the_field_message(client, market):
    add(client, "CHE-1", 1)
    ward = db.session.get(Ward, "06688")
    assert ward.province_code == "22"
    response = place(client, province_code="01", ward_code="06688")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.findall(r'<p class="field__error" id="([^"]+)-error" data-field="([^"]+)">([^<]+)</p>',
                      html) == [("ward_code", "address.ward_code",
                                 "This ward or commune is not in the province you chose.")]
    assert 'id="ward_code"' in html and 'aria-describedby="ward_code-error"' in html
    # The form keeps what was typed, and lists the wards of the chosen province.
    assert 'value="12 Lê Lợi"' in html and 'value="Nguyễn Văn An"' in html
    assert re.search(r'<option value="01" selected>', html)
    assert re.search(r'<option value="00004"', html) and 'value="06688"' not in html
    assert orders_count() == 0 and reservations_count() == 0


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"phone": "12345"}, "phone", "Enter a Vietnamese mobile number, e.g. 0912345678."),
    ({"name": ""}, "name", "Enter your name (at most 120 characters)."),
    ({"address_line": ""}, "address.line", "Enter the house number and street (at most 200 characters)."),
    ({"ward_code": ""}, "address.ward_code", "Choose the ward or commune."),
    ({"fulfilment": "drone"}, "fulfilment", "Choose delivery or pickup at a sales point."),
    ({"fulfilment": "pickup", "pickup_point": "NOWHERE"}, "pickup_point",
     "Choose a sales point that has every product of your cart."),
    ({"payment_method": "cheque"}, "payment_method", "Choose how you will pay."),
    ({"payment_method": "card"}, "payment_method", "Card payment is not available at the moment."),
])
def test_each_wrong_detail_is_named(client, market, changes, field, message):
    add(client, "CHE-1", 1)
    response = place(client, **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = re.findall(r'<p class="field__error" id="[^"]+-error" data-field="([^"]+)">([^<]+)</p>', html)
    assert errors == [(field, message)]
    assert re.findall(r'<li data-field="([^"]+)">([^<]+)</li>', html) == [(field, message)]
    assert orders_count() == 0 and lines_in_db(client) == [("CHE-1", 1)]


def test_insufficient_stock_names_the_product_and_what_is_left(client, market, outbox):
    add(client, "CHE-1", 2)
    add(client, "GAO-1", 5)
    _, token = checkout_page(client)
    response = place(client, token)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ('data-sku="GAO-1" data-available="4" data-requested="5"' in html)
    assert ("Not enough stock of Gạo ST25 – Hộp 200 g (GAO-1): 4 left, you asked for 5."
            in text(html))
    assert "Nothing was reserved and nothing was charged." in text(html)
    assert orders_count() == 0 and reservations_count() == 0 and outbox == []
    assert stock.level(market.tea.id, market.tea_house.id) == stock.Level(10, 0)
    assert stock.level(market.rice.id, market.rice_house.id) == stock.Level(4, 0)
    assert f'name="checkout_token" value="{token}"' in html

    # Lowering the quantity and sending the same page again places the order.
    update(client, "GAO-1", 4)
    assert place(client, token).status_code == 303
    assert only_order().total_vnd == 500_000 + 480_000 + 30_000  # rice stays under the threshold


def test_without_javascript_the_wards_of_a_province_are_listed(client, market):
    add(client, "CHE-1", 1)
    response = place(client, step="wards", province_code="22", ward_code="")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    wards = re.findall(r'<option value="(\d{5})"', html)
    assert len(wards) == db.session.scalar(
        select(func.count()).select_from(Ward).where(Ward.province_code == "22"))
    assert "06688" in wards and "00004" not in wards
    assert 'value="Nguyễn Văn An"' in html
    assert orders_count() == 0


def test_bank_transfer_leads_to_the_payment_details(client, market):
    add(client, "GAO-1", 1)
    response = place(client, payment_method="bank_transfer")
    order = only_order()
    assert response.headers["Location"] == order_path(order)
    assert (order.status, order.payment_status) == ("awaiting_payment", "unpaid")
    html = client.get(order_path(order)).get_data(as_text=True)
    assert f'src="/orders/{order.number}/qr.svg?token={order.access_token}"' in html
    assert f"<code class=\"copyable\">{order.number}</code>" in html
    assert client.get(f"/orders/{order.number}/qr.svg?token={order.access_token}").status_code == 200


def test_card_goes_to_the_stripe_checkout_page(app, client, market):
    with FakeStripe() as fake:
        saved = {k: app.config[k] for k in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET",
                                             "STRIPE_API_BASE")}
        app.config.update(STRIPE_SECRET_KEY="sk_test_123", STRIPE_WEBHOOK_SECRET="whsec_x",
                          STRIPE_API_BASE=fake.api_base)
        try:
            add(client, "GAO-1", 1)
            html, token = checkout_page(client)
            assert re.findall(r'name="payment_method" value="([a-z_]+)"', html) == [
                "cod", "bank_transfer", "card"]
            response = place(client, token, payment_method="card")
            order = only_order()
            assert response.status_code == 303
            assert response.headers["Location"] == order.payments[0].checkout_url
            assert len(fake.api_requests("POST", "/v1/checkout/sessions")) == 1
        finally:
            app.config.update(saved)


def test_card_without_a_working_stripe_falls_back_to_the_order_page(app, client, market):
    saved = {k: app.config[k] for k in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE")}
    app.config.update(STRIPE_SECRET_KEY="sk_test_123", STRIPE_API_BASE="http://127.0.0.1:9")
    try:
        add(client, "GAO-1", 1)
        response = place(client, payment_method="card")
        order = only_order()
        assert response.status_code == 303 and response.headers["Location"] == order_path(order)
        assert order.status == "awaiting_payment"
    finally:
        app.config.update(saved)


def test_a_signed_in_customer_finds_the_order_in_their_list(client, login, market):
    customer = login(builders.user("binh@example.com"))
    add(client, "CHE-1", 1)
    html, _ = checkout_page(client)
    assert 'value="binh@example.com"' in html, "the contact is filled in"
    assert place(client, email="binh@example.com").status_code == 303
    order = only_order()
    assert order.user_id == customer.id
    assert client.get(f"/orders/{order.number}").status_code == 200, "no token needed: their own"
    assert order.number in client.get("/orders").get_data(as_text=True)


def test_the_order_page_needs_the_token_link(client, market):
    add(client, "CHE-1", 1)
    place(client)
    order = only_order()
    assert client.get(order_path(order)).status_code == 200
    assert client.get(f"/orders/{order.number}").status_code == 404
    assert client.get(f"/orders/{order.number}?token=wrong").status_code == 404
    assert client.get("/orders/OC0000-000000?token=x").status_code == 404


def test_the_vietqr_image_is_an_svg_document_a_browser_can_draw(client, market):
    add(client, "GAO-1", 1)
    place(client, payment_method="bank_transfer")
    order = only_order()
    picture = client.get(f"/orders/{order.number}/qr.svg?token={order.access_token}")
    assert picture.mimetype == "image/svg+xml"
    assert 'xmlns="http://www.w3.org/2000/svg"' in picture.get_data(as_text=True)
