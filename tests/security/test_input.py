"""Input the fuzzers found to crash the app: each now has a clear answer on both engines."""

import json

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders.models import CartLine
from shop.pos import devices
from tests import builders
from tests.conftest import csrf_token


@pytest.fixture
def token():
    return devices.create_device(builders.sales_point("QN-HALONG"), "Quầy 1")[1]


@pytest.mark.parametrize("url", ["/api/v1/products/a%00b", "/api/v1/carts/a%00",
                                 "/api/v1/provinces/0%001/wards", "/p/che%00"])
def test_a_nul_character_in_the_path_is_not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "not_found"


def test_a_nul_character_in_the_query_is_a_422_naming_the_parameter(client):
    response = client.get("/api/v1/products?province=%00&q=ch%00e&group=food")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {
        "province": "must not contain NUL characters", "q": "must not contain NUL characters"}
    assert client.get("/products?q=%00").status_code == 422


def test_a_nul_character_in_a_json_body_changes_nothing(client):
    builders.product("Chè", sku="CHE-1")
    cart = client.post("/api/v1/carts").get_json()["id"]
    response = client.post(f"/api/v1/carts/{cart}/lines", json={"sku": "CHE-1\x00", "quantity": 1})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {"sku": "must not contain NUL characters"}
    checkout = client.post(f"/api/v1/carts/{cart}/checkout", json={
        "name": "An", "address": {"line": "1 Lê Lợi\x00"}, "lines": [{"x": ["\x00"]}]})
    assert checkout.get_json()["error"]["details"]["fields"] == {
        "address.line": "must not contain NUL characters", "lines[0].x[0]": "must not contain NUL characters"}
    assert db.session.scalar(select(func.count()).select_from(CartLine)) == 0


def test_a_nul_character_in_a_form_is_refused(client):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("transfer_id", [2**31, 2**63, 10**30])
def test_an_id_past_the_database_integers_is_not_found(client, token, transfer_id):
    response = client.post(f"/api/v1/pos/transfers/{transfer_id}/receive",
                           headers={"Authorization": f"Bearer {token}"}, json={"lines": []})
    assert response.status_code == 404


def test_the_largest_id_is_still_routed(client, token):
    response = client.post(f"/api/v1/pos/transfers/{2**31 - 1}/receive",
                           headers={"Authorization": f"Bearer {token}"}, json={"lines": []})
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "no such transfer for this sales point"


def test_an_unknown_transfer_status_is_a_422(client, token):
    auth = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/pos/transfers?status=draft", headers=auth)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {"status": "one of in_transit, received"}
    assert client.get("/api/v1/pos/transfers?status=", headers=auth).get_json() == {"items": []}


@pytest.mark.parametrize(("query", "field"), [
    ("page=%C2%B2", "page"),          # '²' is a digit to str.isdigit, not to int()
    ("page=10001", "page"),
    ("per_page=%D9%A1", "per_page"),  # Arabic-Indic one
    ("stars=4,", "stars"),
    ("stars=%204", "stars"),
])
def test_bad_listing_parameters_are_a_422(client, query, field):
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == [field]


def test_empty_listing_parameters_mean_no_filter(client):
    builders.product("Chè", stars=4)
    body = client.get("/api/v1/products?stars=&group=&region=&sort=&page=10000").get_json()
    assert body["total"] == 1 and body["page"] == 10000 and body["items"] == []


def test_the_search_text_is_measured_as_sent(client):
    assert client.get("/api/v1/products?q=" + "%20" * 201).status_code == 422
    assert client.get("/api/v1/products?q=" + "%20" * 200).status_code == 200


# --- lone surrogates, deep JSON, bodies that are not JSON (issue #17, item 7) ------------------

SURROGATE = "must not contain lone surrogates (U+D800 to U+DFFF)"
TOO_DEEP = "JSON nested deeper than 20 levels"
SALE = {"id": "5f0c6a1e-2b0e-4c55-9a61-0f7c2d1f9b10", "occurred_at": "2026-11-20T09:15:00+07:00",
        "payment_method": "cash", "lines": [{"sku": "CHE-1", "quantity": 1, "unit_price_vnd": 150000}]}


def written() -> dict[str, int]:
    """How many rows each table a refused request could have written holds."""
    from shop.inventory.models import StockCount, StockMovement
    from shop.orders.models import Order
    from shop.pos.models import PosSale

    db.session.rollback()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (CartLine, Order, PosSale, StockCount, StockMovement)}


def raw(client, url: str, body: str, **headers):
    """POST `body` as it is, declared as JSON."""
    return client.post(url, data=body.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=headers)


def test_a_lone_surrogate_in_a_json_body_is_a_422_naming_the_field_and_changes_nothing(
        client, token):
    builders.product("Chè", sku="CHE-1")
    cart = client.post("/api/v1/carts").get_json()["id"]
    before = written()
    sku = raw(client, f"/api/v1/carts/{cart}/lines", '{"sku": "CHE-\\ud800", "quantity": 1}')
    assert sku.status_code == 422
    assert sku.get_json()["error"]["code"] == "validation_error"
    assert sku.get_json()["error"]["details"]["fields"] == {"sku": SURROGATE}
    name = raw(client, f"/api/v1/carts/{cart}/checkout",
               '{"name": "Nguy\\udfffn", "address": {"line": "1 L\\ud83d"}, "email": "a@b.vn"}')
    assert name.status_code == 422
    assert name.get_json()["error"]["details"]["fields"] == {"name": SURROGATE,
                                                             "address.line": SURROGATE}
    pos = raw(client, "/api/v1/pos/sales", json.dumps(SALE).replace("CHE-1", "CHE-\\udc00"),
              Authorization=f"Bearer {token}")
    assert pos.status_code == 422
    assert pos.get_json()["error"]["details"]["fields"] == {"lines[0].sku": SURROGATE}
    key = raw(client, f"/api/v1/carts/{cart}/lines", '{"sku": "CHE-1", "\\ud800": 1}')
    assert key.get_json()["error"]["details"]["fields"] == {"\ud800": SURROGATE}
    assert written() == before


def test_a_pair_of_surrogates_is_one_character_and_welcome(client):
    builders.product("Chè", sku="CHE-1")
    cart = client.post("/api/v1/carts").get_json()["id"]
    response = raw(client, f"/api/v1/carts/{cart}/checkout",
                   '{"name": "An \\ud83c\\udf75", "email": "an@example.vn"}')
    assert response.status_code == 422  # the cart is empty: the name itself was fine
    assert "name" not in response.get_json()["error"]["details"]["fields"]


def test_a_lone_surrogate_in_a_header_is_a_422(client):
    response = client.get("/api/v1/products", headers={"X-Note": "a\udfffb"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {"X-Note": SURROGATE}


@pytest.mark.parametrize("depth", [21, 1_000, 100_000])
@pytest.mark.parametrize("url", ["/api/v1/carts/{cart}/lines", "/api/v1/carts/{cart}/checkout",
                                 "/api/v1/pos/sales", "/api/v1/pos/sync", "/api/v1/pos/counts",
                                 "/api/v1/pos/transfers/1/receive"])
def test_json_nested_too_deep_is_a_422_on_every_json_endpoint(client, token, url, depth):
    cart = client.post("/api/v1/carts").get_json()["id"]
    before = written()
    response = raw(client, url.format(cart=cart), '{"sku": ' + "[" * depth + "]" * depth + "}",
                   Authorization=f"Bearer {token}")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    # Parsed (up to a few hundred levels), the field is named; deeper, the body as a whole.
    assert error["details"]["fields"] == {"sku" if depth < 500 else "body": TOO_DEEP}
    assert written() == before


def test_json_twenty_levels_deep_is_read_as_usual(client):
    cart = client.post("/api/v1/carts").get_json()["id"]
    response = raw(client, f"/api/v1/carts/{cart}/lines",
                   '{"quantity": 1, "sku": ' + "[" * 19 + "]" * 19 + "}")
    assert response.status_code == 422  # the view's own answer: a SKU is a string
    assert response.get_json()["error"]["details"]["fields"] == {"sku": "unknown SKU"}


@pytest.mark.parametrize("body", ['{"sku": "CHE-1", "quantity": 1', "sku=CHE-1", "[1,]",
                                  '{"sku": "\\ud8"}', "\xff\xfe"])
def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(client, validate, body):
    cart = client.post("/api/v1/carts").get_json()["id"]
    response = client.post(f"/api/v1/carts/{cart}/lines", data=body.encode("latin-1"),
                           content_type="application/json")
    assert response.status_code == 400
    error = validate(response.get_json(), "Error")["error"]
    assert error["code"] == "invalid_json"
    assert list(error["details"]["fields"]) == ["body"]
    assert written()["CartLine"] == 0


def test_an_empty_body_declared_as_json_is_no_body(client):
    response = client.post("/api/v1/carts", data=b"", content_type="application/json")
    assert response.status_code == 201


def test_the_openapi_document_names_the_400_of_every_post(client):
    document = client.get("/api/v1/openapi.json").get_json()
    posts = [ops["post"] for ops in document["paths"].values() if "post" in ops]
    assert len(posts) == 8 and all("400" in op["responses"] for op in posts)
    assert "invalid_json" in document["paths"]["/carts/{id}/lines"]["post"]["responses"]["400"][
        "description"]
