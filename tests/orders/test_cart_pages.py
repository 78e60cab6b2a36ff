"""The cart pages over HTTP: adding from a product page, changing lines, availability warnings,
and the guest's cart joining the customer's at sign-in."""

import re

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders import carts
from shop.orders.models import Cart
from tests import builders
from tests.orders.web import add, english, lines_in_db, lines_on_page, session_cart, text, update


@pytest.fixture(autouse=True)
def _english(client):
    english(client)


def test_a_guest_adds_to_a_new_cart_and_adding_again_adds_up(client, market):
    assert session_cart(client) is None
    response = add(client, "CHE-1", 2)
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    token = session_cart(client)
    assert token and lines_in_db(client) == [("CHE-1", 2)]
    assert carts.by_token(token).user_id is None

    page = client.get("/cart").get_data(as_text=True)
    assert "Added to your cart: 2 × Chè Tân Cương – Hộp 200 g." in text(page)
    assert lines_on_page(page) == [("CHE-1", 2, 13, False)]
    assert 'data-unit-price="250000">₫250,000<' in page
    assert 'data-line-total="500000">₫500,000<' in page
    assert 'data-total="500000">₫500,000<' in page
    assert 'href="/checkout"' in page

    assert add(client, "CHE-1", 1).status_code == 303
    assert add(client, "GAO-1", 1).status_code == 303
    assert session_cart(client) == token, "the same cart"
    assert lines_in_db(client) == [("CHE-1", 3), ("GAO-1", 1)]
    assert db.session.scalar(select(func.count()).select_from(Cart)) == 1


def test_update_sets_a_quantity_and_zero_or_remove_takes_the_line_out(client, market):
    add(client, "CHE-1", 3)
    add(client, "GAO-1", 1)
    response = update(client, "CHE-1", 5)
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    assert lines_in_db(client) == [("CHE-1", 5), ("GAO-1", 1)]
    assert "Your cart is updated." in text(client.get("/cart").get_data(as_text=True))

    assert update(client, "GAO-1", 0).status_code == 303
    assert lines_in_db(client) == [("CHE-1", 5)]
    assert update(client, "CHE-1", 5, remove="1").status_code == 303
    assert lines_in_db(client) == []
    page = text(client.get("/cart").get_data(as_text=True))
    assert "Removed from your cart." in page and "Your cart is empty." in page


@pytest.mark.parametrize(("quantity", "message"), [
    ("", "Enter a whole number from 0 to 999."),
    ("abc", "Enter a whole number from 0 to 999."),
    ("-1", "Enter a whole number from 0 to 999."),
    ("2.5", "Enter a whole number from 0 to 999."),
    ("1000", "Enter a whole number from 0 to 999."),
    ("٣", "Enter a whole number from 0 to 999."),
])
def test_a_bad_quantity_changes_nothing(client, market, quantity, message):
    add(client, "CHE-1", 3)
    response = update(client, "CHE-1", quantity)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in text(page)
    assert 'aria-invalid="true"' in page
    assert lines_in_db(client) == [("CHE-1", 3)]


@pytest.mark.parametrize(("sku", "quantity", "message"), [
    ("CHE-1", 0, "Enter a whole number from 1 to 999."),
    ("CHE-1", "x", "Enter a whole number from 1 to 999."),
    ("NOPE-1", 1, "This product is not on sale at the moment."),
    ("", 1, "Choose a product to add."),
    ("CHE-1", 997, "A cart holds at most 999 of one product."),
])
def test_a_bad_add_changes_nothing(client, market, sku, quantity, message):
    add(client, "CHE-1", 3)
    response = add(client, sku, quantity)
    assert response.status_code == 422
    assert message in text(response.get_data(as_text=True))
    assert lines_in_db(client) == [("CHE-1", 3)]


def test_a_bad_first_add_leaves_an_empty_cart(client, market):
    response = add(client, "NOPE-1", 1)
    assert response.status_code == 422
    assert lines_in_db(client) == []
    assert "Your cart is empty." in text(response.get_data(as_text=True))


def test_changing_a_product_that_is_not_in_the_cart_is_refused(client, market):
    response = update(client, "CHE-1", 2)
    assert response.status_code == 422
    assert "That product is not in your cart." in text(response.get_data(as_text=True))
    add(client, "CHE-1", 1)
    assert update(client, "GAO-1", 2).status_code == 422
    assert lines_in_db(client) == [("CHE-1", 1)]


def test_a_line_over_what_is_available_is_flagged(client, market):
    honey = builders.product("Mật ong bạc hà", sku="MAT-1", price_vnd=300_000)
    add(client, "CHE-1", 14)   # 10 at the tea house + 3 at QN-HALONG can be sent
    add(client, "GAO-1", 4)    # exactly what there is
    add(client, "MAT-1", 1)    # none at all
    page = client.get("/cart").get_data(as_text=True)
    assert lines_on_page(page) == [("CHE-1", 14, 13, True), ("GAO-1", 4, 4, False),
                                   ("MAT-1", 1, 0, True)]
    lines = re.findall(r'<li class="cart-line.*?</li>', page, re.S)
    assert "Only 13 available now." in text(lines[0])
    assert "available now" not in text(lines[1])
    assert "Not available online now." in text(lines[2])
    assert "Some quantities are more than can be sent now." in text(page)
    assert honey.variants[0].sku in page


def test_the_product_page_has_an_add_to_cart_form_only_when_stock_is_online(client, market):
    tea = client.get(f"/p/{market.tea.product.slug}").get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="/cart/lines" class="add-to-cart" '
                       r'data-sku="([^"]+)">(.*?)</form>', tea, re.S)
    assert [sku for sku, _ in forms] == ["CHE-1"]
    body = forms[0][1]
    assert 'name="sku" value="CHE-1"' in body and 'name="quantity"' in body
    assert 'name="csrf_token"' in body

    empty = builders.product("Mật ong bạc hà", sku="MAT-1")
    page = client.get(f"/p/{empty.slug}").get_data(as_text=True)
    assert 'class="add-to-cart"' not in page


def test_the_product_pages_form_fills_the_cart(client, market):
    page = client.get(f"/p/{market.rice.product.slug}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="(/cart/lines)" class="add-to-cart".*?</form>',
                     page, re.S)
    fields = dict(re.findall(r'name="([^"]+)" (?:type="[^"]+" )?value="([^"]*)"', form.group(0)))
    fields.update(quantity="2")
    response = client.post(form.group(1), data=fields)
    assert response.status_code == 303
    assert lines_in_db(client) == [("GAO-1", 2)]


def test_a_guests_cart_joins_the_customers_cart_at_sign_in(client, login, market):
    customer = builders.user("an@example.com")
    own = carts.add(carts.create(user_id=customer.id), "CHE-1", 2, today=builders.DAY)
    add(client, "CHE-1", 1)
    add(client, "GAO-1", 1)
    guest_token = session_cart(client)

    login(customer)
    assert session_cart(client) == own.token
    assert lines_in_db(client) == [("CHE-1", 3), ("GAO-1", 1)]
    assert carts.by_token(guest_token) is None, "the guest's cart was merged"
    page = client.get("/cart").get_data(as_text=True)
    assert lines_on_page(page) == [("CHE-1", 3, 13, False), ("GAO-1", 1, 4, False)]

    assert add(client, "GAO-1", 1).status_code == 303
    assert carts.of_user(customer.id).token == own.token
    assert lines_in_db(client) == [("CHE-1", 3), ("GAO-1", 2)]


def test_a_customer_without_a_cart_gets_one_of_their_own(client, login, market):
    customer = login(builders.user("an@example.com"))
    add(client, "CHE-1", 1)
    assert carts.by_token(session_cart(client)).user_id == customer.id
