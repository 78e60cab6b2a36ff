"""Who may reach what: every route of the app times every role, decided in one table.

The table is checked against the URL map, so a new route without a decision fails here.
"""

import pytest

from tests import builders

ROLES = ("anonymous", "customer", "producer", "staff", "manager", "admin")
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"anonymous": 302, **dict.fromkeys(ROLES[1:], 200)}

# endpoint -> (method, path template, expected status per role)
MATRIX = {
    "storefront.home": ("GET", "/", PUBLIC),
    "storefront.listing": ("GET", "/products", PUBLIC),
    "storefront.product": ("GET", "/p/{slug}", PUBLIC),
    "storefront.producer": ("GET", "/producers/{producer}", PUBLIC),
    "storefront.verify_search": ("GET", "/verify", PUBLIC),
    "storefront.verify": ("GET", "/verify/{code}", PUBLIC),
    "storefront.set_language": ("POST", "/language", dict.fromkeys(ROLES, 302)),
    "auth.login": ("GET", "/login", PUBLIC),
    "auth.register": ("GET", "/register", PUBLIC),
    "auth.account": ("GET", "/account", SIGNED_IN),
    "auth.logout": ("POST", "/logout", dict.fromkeys(ROLES, 302)),
    "api.products": ("GET", "/api/v1/products", PUBLIC),
    "api.product": ("GET", "/api/v1/products/{slug}", PUBLIC),
    "api.openapi_document": ("GET", "/api/v1/openapi.json", PUBLIC),
    "static": ("GET", "/static/css/shop.css", PUBLIC),
    # The POS API answers to device tokens only: a signed-in session is not enough.
    "api.pos_stock": ("GET", "/api/v1/pos/stock", dict.fromkeys(ROLES, 401)),
    "api.pos_sale": ("POST", "/api/v1/pos/sales", dict.fromkeys(ROLES, 401)),
    "api.pos_sync": ("POST", "/api/v1/pos/sync", dict.fromkeys(ROLES, 401)),
    "api.pos_count": ("POST", "/api/v1/pos/counts", dict.fromkeys(ROLES, 401)),
    "api.pos_apply_count": ("POST", "/api/v1/pos/counts/x/apply", dict.fromkeys(ROLES, 401)),
    "api.pos_transfers": ("GET", "/api/v1/pos/transfers", dict.fromkeys(ROLES, 401)),
    "api.pos_receive_transfer": ("POST", "/api/v1/pos/transfers/1/receive", dict.fromkeys(ROLES, 401)),
}


def test_every_route_has_a_decision(app):
    from tests.producer.test_access import MATRIX as PRODUCER
    from tests.salespoint.test_access import MATRIX as SALESPOINT

    decided = set(MATRIX) | set(PRODUCER) | set(SALESPOINT)
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == decided


@pytest.fixture
def world():
    item = builders.product("Chè", sku="CHE-1")
    point = builders.sales_point("QN-HALONG")
    roles = {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
             "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}
    return {"slug": item.slug, "producer": item.producer.slug,
            "code": item.certificates[0].verify_code, "point": point.code, "roles": roles}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(client, login, world, endpoint, role):
    method, template, expected = MATRIX[endpoint]
    if role != "anonymous":
        login(builders.user(f"{role}@example.com", world["roles"][role]))
    path = template.format(**world)
    data = {"csrf_token": _token(client)} if method == "POST" else None
    response = client.open(path, method=method, data=data)
    assert response.status_code == expected[role], (endpoint, role)
    if response.status_code == 302 and expected is SIGNED_IN:
        assert response.headers["Location"].startswith("/login")


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/")
