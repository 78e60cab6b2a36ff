"""Access to the cart and checkout pages: endpoint -> (method, path, expected status per role).

The storefront is open to everyone: a visitor and every signed-in role may fill a cart and
check out. `tests/web/test_access.py::test_every_route_has_a_decision` reads MATRIX.
"""

import pytest

from tests import builders
from tests.conftest import csrf_token

ROLES = ("anonymous", "customer", "producer", "staff", "manager", "admin")

# endpoint -> (method, path template, expected status per role), with a cart holding 1 × CHE-1
MATRIX = {
    "storefront.add_to_cart": ("POST", "/cart/lines", dict.fromkeys(ROLES, 303)),
    "storefront.update_cart": ("POST", "/cart/lines/update", dict.fromkeys(ROLES, 303)),
    "storefront.checkout": ("GET", "/checkout", dict.fromkeys(ROLES, 200)),
    "storefront.place_order": ("POST", "/checkout", dict.fromkeys(ROLES, 303)),
}
# The same routes for a visitor without a cart: nothing to check out, nothing to change.
WITHOUT_CART = {
    "storefront.add_to_cart": 422,      # no SKU chosen
    "storefront.update_cart": 422,      # the SKU is not in a cart
    "storefront.checkout": 303,         # to the (empty) cart
    "storefront.place_order": 303,      # to the (empty) cart
}
FORMS = {
    "storefront.add_to_cart": {"sku": "CHE-1", "quantity": "1"},
    "storefront.update_cart": {"sku": "CHE-1", "quantity": "2"},
    "storefront.place_order": {"name": "Nguyễn Văn An", "email": "an@example.com",
                               "phone": "0912345678", "fulfilment": "pickup",
                               "pickup_point": "QN-HALONG", "payment_method": "cod",
                               "checkout_token": "access-test"},
}


@pytest.fixture
def world():
    item = builders.product("Chè", sku="CHE-1")
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, point, 50)
    return {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
            "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}


def _sign_in(login, world, role):
    if role != "anonymous":
        login(builders.user(f"{role}@example.com", world[role]))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(client, login, world, endpoint, role):
    method, path, expected = MATRIX[endpoint]
    _sign_in(login, world, role)
    token = csrf_token(client, "/")
    added = client.post("/cart/lines", data={"csrf_token": token, "sku": "CHE-1", "quantity": "1"})
    assert added.status_code == 303
    data = {"csrf_token": token, **FORMS.get(endpoint, {})} if method == "POST" else None
    response = client.open(path, method=method, data=data)
    assert response.status_code == expected[role], (endpoint, role)


@pytest.mark.parametrize("role", ("anonymous", "customer"))
@pytest.mark.parametrize("endpoint", sorted(WITHOUT_CART))
def test_without_a_cart(client, login, world, endpoint, role):
    method, path, _ = MATRIX[endpoint]
    _sign_in(login, world, role)
    data = {"csrf_token": csrf_token(client, "/")} if method == "POST" else None
    response = client.open(path, method=method, data=data)
    assert response.status_code == WITHOUT_CART[endpoint], (endpoint, role)
    if response.status_code == 303:
        assert response.headers["Location"] == "/cart"


@pytest.mark.parametrize("endpoint", sorted(e for e in MATRIX if MATRIX[e][0] == "POST"))
def test_every_change_needs_the_csrf_token(client, world, endpoint):
    _, path, _ = MATRIX[endpoint]
    assert client.post(path, data=FORMS[endpoint]).status_code == 400
