"""Input the fuzzers found to crash the app: each now has a clear answer on both engines."""

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
