"""Access to the listing, certificate, CSV and member pages of the producer portal.

Roles: a visitor, a customer, the owner and a staff member of the producer, an owner of another
producer, a sales point's staff, and an admin. Only members get in; a member of another
producer finds none of this producer's products, photos, scans or members (404); staff do all
the listing work but cannot change members (403). POSTs send only their CSRF token, so forms
that need input answer 422 and change nothing.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import current_app

from shop.accounts.models import ProducerMember
from shop.catalog import photos, scans
from shop.catalog.models import Product
from shop.extensions import db
from tests import builders
from tests.producer.helpers import fresh, post
from tests.producer.images import image_bytes

ROLES = ("anonymous", "customer", "owner", "staff", "other", "salespoint", "admin")


def portal(owner, staff=None, other=None) -> dict:
    """Expected statuses: members get theirs, other signed-in users 403, visitors sign in."""
    return {"anonymous": 302, "customer": 403, "owner": owner,
            "staff": owner if staff is None else staff,
            "other": owner if other is None else other, "salespoint": 403, "admin": 403}


OWN = "/producer/products/{product}"
MATRIX = {
    "producer.products": ("GET", "/producer/products", portal(200)),
    "producer.new_product": ("GET", "/producer/products/new", portal(200)),
    "producer.create_product": ("POST", "/producer/products", portal(422)),
    "producer.product": ("GET", OWN, portal(200, other=404)),
    "producer.update_product": ("POST", OWN, portal(422, other=404)),
    "producer.product_history": ("GET", OWN + "/history", portal(200, other=404)),
    "producer.add_variant": ("POST", OWN + "/variants", portal(422, other=404)),
    "producer.update_variant": ("POST", OWN + "/variants/{variant}", portal(422, other=404)),
    "producer.add_photo": ("POST", OWN + "/photos", portal(422, other=404)),
    "producer.main_photo": ("POST", OWN + "/photos/{second_photo}/main", portal(303, other=404)),
    "producer.order_photos": ("POST", OWN + "/photos/order", portal(422, other=404)),
    "producer.delete_photo": ("POST", OWN + "/photos/{photo}/delete", portal(303, other=404)),
    "producer.add_scan": ("POST", OWN + "/scans", portal(422, other=404)),
    "producer.scan_file": ("GET", OWN + "/scans/{scan}", portal(200, other=404)),
    "producer.certificates": ("GET", "/producer/certificates", portal(200)),
    "producer.export_catalog": ("GET", "/producer/catalog.csv", portal(200)),
    "producer.import_page": ("GET", "/producer/catalog/import", portal(200)),
    "producer.import_catalog": ("POST", "/producer/catalog/import", portal(422)),
    "producer.members": ("GET", "/producer/members", portal(200)),
    "producer.invite_member": ("POST", "/producer/members/invite", portal(422, staff=403)),
    "producer.change_member_role": ("POST", "/producer/members/{member}/role/staff",
                                    portal(303, staff=403, other=404)),
    "producer.remove_member": ("POST", "/producer/members/{member}/remove",
                               portal(303, staff=403, other=404)),
    # A forged invitation link: not found for anyone signed in, member or not.
    "producer.accept_invitation": ("GET", "/producer/invitations/forged",
                                   {**dict.fromkeys(ROLES, 404), "anonymous": 302}),
    "producer.join": ("POST", "/producer/invitations/forged",
                      {**dict.fromkeys(ROLES, 404), "anonymous": 302}),
}


@pytest.fixture
def world():
    item = builders.product("Chè", sku="CHE-1")
    builders.sales_point("QN-HALONG")
    other = builders.producer("HTX Khác")
    limits = photos.Limits(10_000_000, 40_000_000)
    media = current_app.config["MEDIA_DIR"]
    first, second = (photos.add_photo(item, image_bytes(), actor_id=None, media_dir=media,
                                      limits=limits) for _ in range(2))
    scan = scans.submit_scan(item, b"%PDF-1.4 scan", actor_id=None, media_dir=media,
                             limits=limits)
    helper = builders.user("helper@example.com", f"producer:{item.producer.tax_code}")
    member = db.session.scalar(db.select(ProducerMember).where(ProducerMember.user_id == helper.id))
    member.role = "staff"
    db.session.commit()
    roles = {"customer": "customer", "owner": f"producer:{item.producer.tax_code}",
             "staff": f"producer:{item.producer.tax_code}", "other": f"producer:{other.tax_code}",
             "salespoint": "staff:QN-HALONG", "admin": "admin"}
    return {"product": item.id, "variant": item.variants[0].id, "photo": first.id,
            "second_photo": second.id, "scan": scan.id, "member": member.id, "roles": roles}


def _sign_in(login, world, role):
    user = builders.user(f"{role}@example.com", world["roles"][role])
    if role == "staff":
        db.session.scalar(db.select(ProducerMember).where(
            ProducerMember.user_id == user.id)).role = "staff"
        db.session.commit()
    login(user)


def test_every_endpoint_of_the_listing_pages_is_decided(app):
    from tests.invoices.test_access import MATRIX as INVOICES
    from tests.producer.test_access import MATRIX as STOCK
    from tests.producer.test_order_access import MATRIX as ORDERS

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/producer/")}
    invoicing = {e for e in INVOICES if e.startswith("producer.")}
    assert endpoints == set(MATRIX) | set(STOCK) | set(ORDERS) | invoicing


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(client, login, world, endpoint, role):
    method, template, expected = MATRIX[endpoint]
    if role != "anonymous":
        _sign_in(login, world, role)
    path = template.format(**world)
    response = post(client, path) if method == "POST" else client.get(path)
    assert response.status_code == expected[role], (endpoint, role)
    if role == "anonymous":
        target = path if method == "GET" else "/producer/"
        location = urlsplit(response.headers["Location"])
        assert (location.path, parse_qs(location.query)) == ("/login", {"next": [target]})


def test_a_member_of_another_producer_sees_none_of_its_listings(client, login, world):
    _sign_in(login, world, "other")
    product = f"/producer/products/{world['product']}"
    for path in ("/producer/products", "/producer/certificates", "/producer/", "/producer/members"):
        html = client.get(path).get_data(as_text=True)
        assert product not in html and "Chè" not in html and "helper@example.com" not in html, path
    export = client.get("/producer/catalog.csv").get_data(as_text=True)
    assert export.splitlines()[1:] == [] and "CHE-1" not in export
    assert post(client, product, {"name": "Của tôi", "group": "food"}).status_code == 404
    fresh()
    assert db.session.get(Product, world["product"]).name == "Chè"
