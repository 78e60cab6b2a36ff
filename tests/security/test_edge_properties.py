"""Property tests of the edge: the storefront's JSON endpoints and forms (and the portal's date
filters) get lone surrogates, NUL characters, JSON nested deep, huge and odd numbers and far or
foreign dates, and none answers 500 (in tests an exception would surface instead). A refusal
of the API is in its error shape. Bounded and deterministic: about 100 examples each."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.money import MAX_AMOUNT_VND
from tests import builders
from tests.conftest import csrf_token
from tests.orders.builders import DELIVERY

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
NASTY = ["\x00", "\ud800", "\udbff", "\udc00", "\udfff", "a\ud83d", "\ud83c\udf75", "\u202e",
         "１２３４", "٣", "²", "1_000", "+5", "-1", "1e3", "0x10", " 7 ", "", "   ",
         "0000-01", "9999-12", "１２３４-05", "0000-01-01", "0001-01-01", "9999-12-31",
         "２０２６-11-22", "2026-13-45", "2026-W47-1", "31/12/9999",
         str(MAX_AMOUNT_VND + 1), "99999999999999", str(10**30), "9" * 5000,
         "CHE-1", "Nguyễn Văn An", "'; DROP TABLE product; --", "a" * 300]


def nasty_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY), st.text(max_size=20),
                     st.builds(lambda a, b, c: a + b + c, st.text(max_size=6),
                               st.sampled_from(NASTY), st.text(max_size=6)))


NUMBERS = st.one_of(st.integers(), st.integers(min_value=2**31 - 2, max_value=2**64),
                    st.sampled_from([10**30, -10**30, MAX_AMOUNT_VND, MAX_AMOUNT_VND + 1, 999,
                                     1000, 100_001, 0, -1]),
                    st.floats(allow_nan=False, allow_infinity=False), st.booleans())
LEAVES = st.one_of(st.none(), NUMBERS, nasty_text())
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(nasty_text(), inner, max_size=3), max_leaves=10)


@st.composite
def bodies(draw, fields: dict):
    """A JSON text: the fields with some values made nasty, anything else, or a deep nest."""
    kind = draw(st.sampled_from(["fields", "fields", "any", "deep"]))
    if kind == "any":
        return json.dumps(draw(VALUES))
    body = {name: draw(st.one_of(st.just(value), VALUES)) for name, value in fields.items()}
    if kind == "fields":
        return json.dumps(body)
    depth = draw(st.integers(1, 3_000))
    name = draw(st.sampled_from(sorted(fields)))
    inner = json.dumps(body[name])
    text = json.dumps({**body, name: "__deep__"})
    return text.replace('"__deep__"', "[" * depth + inner + "]" * depth)


def encoded(value: str) -> str:
    """A value as a browser or a script would put it on the wire (lone surrogates as the
    bytes UTF-8 would give them, which the server cannot decode)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def as_header(value: str) -> str:
    """A header value as the server hands it on: its bytes read as Latin-1 (no line breaks)."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1").replace("\r", "").replace(
        "\n", "")


def form(values: dict[str, str]) -> bytes:
    return "&".join(f"{encoded(k)}={encoded(v)}" for k, v in values.items()).encode()


def no_server_error(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400 and response.is_json:
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "details"}


@pytest.fixture
def goods():
    item = builders.product("Chè Tân Cương", sku="CHE-1", price_vnd=250_000)
    builders.receive(item, builders.warehouse(item.producer), 1_000)
    return item


# --- the JSON API -------------------------------------------------------------------------------

def test_cart_lines_never_answer_500(client, goods):
    cart = client.post("/api/v1/carts").get_json()["id"]

    @SETTINGS
    @given(bodies({"sku": "CHE-1", "quantity": 1}))
    def check(body):
        no_server_error(client.post(f"/api/v1/carts/{cart}/lines", data=body,
                                    content_type="application/json"))

    check()


def test_checkout_never_answers_500(client, goods):
    @SETTINGS
    @given(bodies({**DELIVERY, "payment_method": "bank_transfer"}),
           st.one_of(st.none(), nasty_text().map(as_header)))
    def check(body, key):
        cart = client.post("/api/v1/carts").get_json()["id"]
        client.post(f"/api/v1/carts/{cart}/lines", json={"sku": "CHE-1", "quantity": 1})
        headers = {} if key is None else {"Idempotency-Key": key}
        no_server_error(client.post(f"/api/v1/carts/{cart}/checkout", data=body,
                                    content_type="application/json", headers=headers))

    check()


PRODUCT_PARAMETERS = ("q", "stars", "group", "region", "province", "sort", "page", "per_page")


def test_product_listing_and_paths_never_answer_500(client, goods):
    @SETTINGS
    @given(st.dictionaries(st.sampled_from(PRODUCT_PARAMETERS), nasty_text(), max_size=4),
           nasty_text())
    def check(parameters, word):
        query = "&".join(f"{name}={encoded(value)}" for name, value in parameters.items())
        no_server_error(client.get(f"/api/v1/products?{query}"))
        no_server_error(client.get(f"/api/v1/suggest?q={encoded(word)}"))
        for path in ("/api/v1/products/", "/api/v1/carts/", "/api/v1/provinces/",
                     "/api/v1/orders/"):
            no_server_error(client.get(path + encoded(word or "x")))

    check()


# --- the storefront's forms ---------------------------------------------------------------------

CHECKOUT_FIELDS = ("name", "email", "phone", "fulfilment", "address_line", "province_code",
                   "ward_code", "pickup_point", "payment_method", "checkout_token")


def test_cart_and_checkout_forms_never_answer_500(client, goods):
    token = csrf_token(client, "/")

    @SETTINGS
    @given(nasty_text(), nasty_text(), st.dictionaries(st.sampled_from(CHECKOUT_FIELDS),
                                                       nasty_text()))
    def check(sku, quantity, fields):
        for path, values in (("/cart/lines", {"sku": sku, "quantity": quantity}),
                             ("/cart/lines", {"sku": "CHE-1", "quantity": quantity}),
                             ("/cart/lines/update", {"sku": "CHE-1", "quantity": quantity}),
                             ("/checkout", fields)):
            no_server_error(client.post(path, data=form({"csrf_token": token, **values}),
                                        content_type="application/x-www-form-urlencoded"))

    check()


def test_search_verification_and_sign_in_forms_never_answer_500(client, goods):
    token = csrf_token(client, "/login")

    @SETTINGS
    @given(nasty_text(), nasty_text(), nasty_text())
    def check(word, page, email):
        no_server_error(client.get(f"/products?q={encoded(word)}&page={encoded(page)}"
                                   f"&stars={encoded(page)}&province={encoded(word)}"))
        no_server_error(client.get(f"/verify?q={encoded(word)}"))
        no_server_error(client.get(f"/p/{encoded(word or 'x')}"))
        for path in ("/login", "/password/forgot", "/register"):
            no_server_error(client.post(path, data=form({
                "csrf_token": token, "email": email, "password": word, "name": word,
                "password_again": word}), content_type="application/x-www-form-urlencoded"))

    check()


# --- dates in the producer portal ---------------------------------------------------------------

def test_the_portals_dates_never_answer_500(client, shop):
    @SETTINGS
    @given(nasty_text(), nasty_text(), st.one_of(nasty_text(), st.dates().map(str),
                                                 st.dates().map(lambda d: f"{d:%Y-%m}")))
    def check(first, last, month):
        no_server_error(client.get(f"/producer/movements?from={encoded(first)}&to={encoded(last)}"))
        no_server_error(client.get(f"/producer/statements/{encoded(month or 'x')}.csv"))

    check()
