"""Access to the order fulfilment pages: endpoint -> (method, path, expected status per role).

The roles are those of tests/web/test_access.py; "producer" is a member of the producer whose
three cash-on-delivery shipments the paths name: one to pack, one packed, one shipped. A POST
sends only its CSRF token: packing and shipping need nothing more (303); delivering a cash
order without the cash collected is refused (422) and changes nothing.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from shop.orders import fulfilment
from tests import builders
from tests.orders.builders import DELIVERY, cart_with, place
from tests.producer.helpers import post
from tests.producer.test_access import portal
from tests.web.test_access import ROLES

MATRIX = {
    "producer.orders": ("GET", "/producer/orders", portal(200)),
    "producer.order": ("GET", "/producer/orders/{pending}", portal(200)),
    "producer.pack_order": ("POST", "/producer/orders/{pending}/pack", portal(303)),
    "producer.ship_order": ("POST", "/producer/orders/{packed}/ship", portal(303)),
    "producer.deliver_order": ("POST", "/producer/orders/{shipped}/deliver", portal(422)),
    "producer.packing_slip": ("GET", "/producer/orders/{pending}/packing-slip.pdf", portal(200)),
}


@pytest.fixture
def world():
    item = builders.product("Chè", sku="CHE-1")
    builders.receive(item, builders.warehouse(item.producer), 10)
    builders.sales_point("QN-HALONG")
    pending, packed, shipped = (place(cart_with(("CHE-1", 1)), DELIVERY)[1].shipments[0]
                                for _ in range(3))
    for shipment in (packed, shipped):
        fulfilment.advance(shipment, "packed", actor_id=None)
    fulfilment.advance(shipped, "shipped", actor_id=None, tracking_note="VNPost 1")
    roles = {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
             "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}
    return {"pending": pending.id, "packed": packed.id, "shipped": shipped.id, "roles": roles}


def test_every_endpoint_of_the_order_pages_is_decided(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/producer/orders")}
    assert endpoints == set(MATRIX)
    assert all(set(expected) == set(ROLES) for _, _, expected in MATRIX.values())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(client, login, world, endpoint, role):
    method, template, expected = MATRIX[endpoint]
    if role != "anonymous":
        login(builders.user(f"{role}@example.com", world["roles"][role]))
    path = template.format(**world)
    response = post(client, path) if method == "POST" else client.get(path)
    assert response.status_code == expected[role], (endpoint, role)
    if role == "anonymous":
        target = path if method == "GET" else "/producer/"
        location = urlsplit(response.headers["Location"])
        assert (location.path, parse_qs(location.query)) == ("/login", {"next": [target]})
