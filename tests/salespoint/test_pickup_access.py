"""Access to the order fulfilment pages: endpoint -> (method, path, expected status per role).

The roles are those of tests/web/test_access.py; "staff" and "manager" work at QN-HALONG, the
sales point every path names, and both may hand over pickups. A POST sends only its CSRF
token: making a pickup ready needs nothing more (303); handing over a cash order without the
cash taken is refused (422) and changes nothing.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from shop.orders import fulfilment
from tests import builders
from tests.conftest import csrf_token
from tests.orders.builders import cart_with, place
from tests.salespoint.test_access import PORTAL, REFUSED_FORM
from tests.web.test_access import ROLES

P = "/salespoint/{point}/pickups"
ACTS = {**PORTAL, "staff": 303, "manager": 303, "admin": 303}

MATRIX = {
    "salespoint.pickups": ("GET", P, PORTAL),
    "salespoint.ready_pickup": ("POST", P + "/{pending}/ready", ACTS),
    "salespoint.collect_pickup": ("POST", P + "/{ready}/collect", REFUSED_FORM),
}
PICKUP = {"email": "buyer@example.com", "phone": "0912345678", "name": "An",
          "fulfilment": "pickup", "pickup_point": "QN-HALONG", "payment_method": "cod"}


@pytest.fixture
def world():
    """QN-HALONG with two cash pickups: one to prepare, one ready to hand over."""
    item = builders.product("Chè", sku="CHE-1")
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, point, 5)
    pending, ready = (place(cart_with(("CHE-1", 1)), PICKUP)[1].shipments[0] for _ in range(2))
    fulfilment.advance(ready, "ready", actor_id=None)
    roles = {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
             "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}
    return {"point": point.code, "pending": pending.id, "ready": ready.id, "roles": roles}


def test_every_endpoint_of_the_pickup_pages_is_decided(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/salespoint/<code>/pickups")}
    assert endpoints == set(MATRIX)
    assert all(set(expected) == set(ROLES) for _, _, expected in MATRIX.values())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(client, login, world, endpoint, role):
    method, template, expected = MATRIX[endpoint]
    if role != "anonymous":
        login(builders.user(f"{role}@example.com", world["roles"][role]))
    path = template.format(**world)
    data = {"csrf_token": csrf_token(client, "/")} if method == "POST" else None
    response = client.open(path, method=method, data=data)
    assert response.status_code == expected[role], (endpoint, role)
    if role == "anonymous":
        target = urlsplit(response.headers["Location"])
        assert target.path == "/login"
        assert parse_qs(target.query)["next"][0] == (
            path if method == "GET" else "/salespoint/QN-HALONG/")
