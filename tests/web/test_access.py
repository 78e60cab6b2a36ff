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
    "auth.sign_out_everywhere": ("POST", "/account/sign-out-everywhere", dict.fromkeys(ROLES, 302)),
    # without a password checked first, the second step sends back to the sign-in form
    "auth.two_step": ("GET", "/login/two-step", dict.fromkeys(ROLES, 302)),
    "auth.forgot_password": ("GET", "/password/forgot", PUBLIC),
    "auth.reset_password": ("GET", "/password/reset/not-a-token", dict.fromkeys(ROLES, 404)),
    "auth.change_password": ("GET", "/account/password", SIGNED_IN),
    # two-step verification is offered to producers, sales-point managers and admins only
    "auth.two_step_setup": ("GET", "/account/two-step", {
        "anonymous": 302, "customer": 302, "producer": 200, "staff": 302, "manager": 200,
        "admin": 200}),
    "auth.two_step_disable": ("POST", "/account/two-step/disable", dict.fromkeys(ROLES, 302)),
    "api.products": ("GET", "/api/v1/products", PUBLIC),
    "api.product": ("GET", "/api/v1/products/{slug}", PUBLIC),
    "api.suggest": ("GET", "/api/v1/suggest?q=che", PUBLIC),
    "api.openapi_document": ("GET", "/api/v1/openapi.json", PUBLIC),
    "api.stats": ("GET", "/api/v1/stats", PUBLIC),
    "static": ("GET", "/static/css/shop.css", PUBLIC),
    # The POS API answers to device tokens only: a signed-in session is not enough.
    "api.pos_stock": ("GET", "/api/v1/pos/stock", dict.fromkeys(ROLES, 401)),
    "api.pos_sale": ("POST", "/api/v1/pos/sales", dict.fromkeys(ROLES, 401)),
    "api.pos_sync": ("POST", "/api/v1/pos/sync", dict.fromkeys(ROLES, 401)),
    "api.pos_count": ("POST", "/api/v1/pos/counts", dict.fromkeys(ROLES, 401)),
    "api.pos_apply_count": ("POST", "/api/v1/pos/counts/x/apply", dict.fromkeys(ROLES, 401)),
    "api.pos_transfers": ("GET", "/api/v1/pos/transfers", dict.fromkeys(ROLES, 401)),
    "api.pos_receive_transfer": ("POST", "/api/v1/pos/transfers/1/receive", dict.fromkeys(ROLES, 401)),
    "api.provinces": ("GET", "/api/v1/provinces", PUBLIC),
    "api.wards": ("GET", "/api/v1/provinces/22/wards", PUBLIC),
    "api.create_cart": ("POST", "/api/v1/carts", dict.fromkeys(ROLES, 201)),
    "api.get_cart": ("GET", "/api/v1/carts/nope", dict.fromkeys(ROLES, 404)),
    "api.add_cart_line": ("POST", "/api/v1/carts/nope/lines", dict.fromkeys(ROLES, 404)),
    "api.checkout_cart": ("POST", "/api/v1/carts/nope/checkout", dict.fromkeys(ROLES, 404)),
    # Someone else's order: 401 without a token for visitors, 404 for anyone signed in.
    "api.get_order": ("GET", "/api/v1/orders/{order}", {"anonymous": 401, **dict.fromkeys(ROLES[1:], 404)}),
    "webhooks.stripe_event": ("POST", "/webhooks/stripe", dict.fromkeys(ROLES, 400)),
    "storefront.cart": ("GET", "/cart", PUBLIC),
    "storefront.orders_list": ("GET", "/orders", SIGNED_IN),
    "storefront.order": ("GET", "/orders/{order}", dict.fromkeys(ROLES, 404)),
    "storefront.order_qr": ("GET", "/orders/{order}/qr.svg", dict.fromkeys(ROLES, 404)),
    "storefront.pay": ("POST", "/orders/{order}/pay", dict.fromkeys(ROLES, 404)),
    "storefront.cancel": ("POST", "/orders/{order}/cancel", dict.fromkeys(ROLES, 404)),
    "storefront.report_form": ("GET", "/p/{slug}/report", PUBLIC),
    # an empty report is refused, for everyone alike
    "storefront.report": ("POST", "/p/{slug}/report", dict.fromkeys(ROLES, 422)),
    "storefront.photo": ("GET", "/media/photos/0123456789abcdef0123456789abcdef.jpg",
                         dict.fromkeys(ROLES, 404)),
}


def test_every_route_has_a_decision(app):
    from tests.admin.test_access import MATRIX as ADMIN
    from tests.invoices.test_access import MATRIX as INVOICES
    from tests.orders.test_access import MATRIX as ORDERS
    from tests.producer.test_access import MATRIX as PRODUCER
    from tests.producer.test_listing_access import MATRIX as LISTINGS
    from tests.producer.test_order_access import MATRIX as PRODUCER_ORDERS
    from tests.salespoint.test_access import MATRIX as SALESPOINT
    from tests.salespoint.test_pickup_access import MATRIX as PICKUPS

    decided = (set(MATRIX) | set(PRODUCER) | set(SALESPOINT) | set(ORDERS) | set(PRODUCER_ORDERS)
               | set(PICKUPS) | set(ADMIN) | set(INVOICES)
               | set(LISTINGS))
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == decided


@pytest.fixture
def world():
    item = builders.product("Chè", sku="CHE-1")
    point = builders.sales_point("QN-HALONG")
    roles = {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
             "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}
    order = _someone_elses_order(item, point)
    return {"slug": item.slug, "producer": item.producer.slug, "order": order.number,
            "code": item.certificates[0].verify_code, "point": point.code, "roles": roles}


def _someone_elses_order(item, point):
    from shop.orders import carts, checkout
    from shop.orders import services as orders

    builders.receive(item, point, 5)
    cart = carts.add(carts.create(), item.variants[0].sku, 1, today=builders.DAY)
    details = checkout.parse({"email": "buyer@example.com", "phone": "0912345678", "name": "An",
                              "fulfilment": "pickup", "pickup_point": point.code,
                              "payment_method": "cod"})
    return orders.place_order(cart, details, settings=checkout.OrderSettings(), today=builders.DAY)[1]


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
