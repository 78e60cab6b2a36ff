"""Access to the sales-point portal: endpoint -> (method, path, expected status per role).

The roles are those of tests/web/test_access.py; "staff" and "manager" work at QN-HALONG, the
sales point every path names. A POST sends only its CSRF token: a form without its fields is
refused with 422 and records nothing; applying a count, creating a device token and revoking
one need no field, so they act (303, 200, 303) for those allowed to.
"""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.extensions import db
from shop.inventory import counts, transfers
from shop.inventory.models import Location, StockCount, StockLevel, StockMovement
from shop.pos import devices
from shop.pos import services as pos
from shop.pos.schemas import CountInput, SaleInput, SaleLineInput
from tests import builders
from tests.conftest import csrf_token
from tests.web.test_access import ROLES

PORTAL = {"anonymous": 302, "customer": 404, "producer": 404, "staff": 200, "manager": 200,
          "admin": 200}
MANAGERS = {**PORTAL, "staff": 403}
REFUSED_FORM = {**PORTAL, "staff": 422, "manager": 422, "admin": 422}
P = "/salespoint/{point}"

MATRIX = {
    "salespoint.home": ("GET", P + "/", PORTAL),
    "salespoint.adjust": ("POST", P + "/adjustments", REFUSED_FORM),
    "salespoint.movements": ("GET", P + "/movements", PORTAL),
    "salespoint.till": ("GET", P + "/till", PORTAL),
    "salespoint.record_sale": ("POST", P + "/till", REFUSED_FORM),
    "salespoint.sales": ("GET", P + "/sales", PORTAL),
    "salespoint.sale": ("GET", P + "/sales/{sale}", PORTAL),
    "salespoint.transfers": ("GET", P + "/transfers", PORTAL),
    "salespoint.transfer": ("GET", P + "/transfers/{transfer}", PORTAL),
    "salespoint.receive_transfer": ("POST", P + "/transfers/{transfer}/receive", REFUSED_FORM),
    "salespoint.counts": ("GET", P + "/counts", PORTAL),
    "salespoint.new_count": ("GET", P + "/counts/new", PORTAL),
    "salespoint.submit_count": ("POST", P + "/counts", REFUSED_FORM),
    "salespoint.count": ("GET", P + "/counts/{count}", PORTAL),
    "salespoint.apply_count": ("POST", P + "/counts/{count}/apply", {**MANAGERS, "manager": 303,
                                                                     "admin": 303}),
    "salespoint.reconciliation": ("GET", P + "/reconciliation", PORTAL),
    "salespoint.reconciliation_csv": ("GET", P + "/reconciliation.csv", PORTAL),
    "salespoint.devices": ("GET", P + "/devices", MANAGERS),
    "salespoint.create_device": ("POST", P + "/devices", MANAGERS),
    "salespoint.revoke_device": ("POST", P + "/devices/{device}/revoke", {**MANAGERS,
                                                                          "manager": 303,
                                                                          "admin": 303}),
}


@pytest.fixture
def world():
    """QN-HALONG with stock, a transfer on its way, a sale, a submitted count and a device."""
    item = builders.product("Chè", sku="CHE-1")
    point = builders.sales_point("QN-HALONG")
    builders.sales_point("HN-HOANKIEM", province_code="01")
    warehouse = builders.warehouse(item.producer)
    builders.receive(item, warehouse, 20)
    builders.receive(item, point, 10)
    variant = item.variants[0]
    transfer = transfers.send_transfer(transfers.create_transfer(warehouse, point, [(variant.id, 5)]))
    sale = SaleInput(str(uuid.uuid4()), utcnow(), "cash", (SaleLineInput("CHE-1", 1, 150_000),))
    pos.record_sale(point, sale)
    count = CountInput(str(uuid.uuid4()), utcnow(), (("CHE-1", 8),))
    counts.submit_count(point, count.id, count.counted_at, list(count.lines), count.digest)
    device, _token = devices.create_device(point, "Quầy 1")
    roles = {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
             "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}
    return {"point": point.code, "sale": sale.id, "transfer": transfer.id, "count": count.id,
            "device": device.id, "roles": roles}


def _send(client, method: str, path: str):
    data = {"csrf_token": csrf_token(client, "/")} if method == "POST" else None
    return client.open(path, method=method, data=data)


def test_every_endpoint_of_the_portal_is_decided(app):
    from tests.salespoint.test_pickup_access import MATRIX as PICKUPS

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("salespoint.")}
    assert endpoints == set(MATRIX) | set(PICKUPS)
    assert all(set(expected) == set(ROLES) for _, _, expected in MATRIX.values())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(client, login, world, endpoint, role):
    method, template, expected = MATRIX[endpoint]
    if role != "anonymous":
        login(builders.user(f"{role}@example.com", world["roles"][role]))
    path = template.format(**world)
    response = _send(client, method, path)
    assert response.status_code == expected[role], (endpoint, role)
    if role == "anonymous":
        target = urlsplit(response.headers["Location"])
        next_page = parse_qs(target.query)["next"][0]
        assert target.path == "/login"
        assert next_page == (path if method == "GET" else "/salespoint/QN-HALONG/")


@pytest.mark.parametrize("role", ["staff:HN-HOANKIEM", "staff:HN-HOANKIEM:manager"])
def test_staff_of_another_sales_point_see_nothing_of_this_one(client, login, world, role):
    login(builders.user(role=role))
    before = db.session.scalar(select(func.count()).select_from(StockMovement))
    seen = {endpoint: _send(client, method, template.format(**world)).status_code
            for endpoint, (method, template, _) in MATRIX.items()}
    assert seen == dict.fromkeys(MATRIX, 404)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == before
    assert client.get("/salespoint/HN-HOANKIEM/").status_code == 200


@pytest.mark.parametrize("role", ["staff:QN-HALONG", "admin"])
def test_unknown_codes_and_warehouses_are_not_found(client, login, world, role):
    login(builders.user(role=role))
    warehouse = db.session.scalar(select(Location.code).where(Location.kind == "warehouse"))
    assert client.get("/salespoint/NO-SUCH-POINT/").status_code == 404
    assert client.get("/salespoint/NO-SUCH-POINT/till").status_code == 404
    assert client.get(f"/salespoint/{warehouse}/").status_code == 404
    assert client.get("/salespoint/qn-halong/").status_code == 404


def test_a_cashier_cannot_apply_a_count(client, login, world):
    login(builders.user(role="staff:QN-HALONG"))
    ledger = db.session.execute(select(StockMovement.id, StockMovement.delta)
                                .order_by(StockMovement.id)).all()
    levels = db.session.execute(select(StockLevel.variant_id, StockLevel.location_id,
                                       StockLevel.on_hand).order_by(StockLevel.id)).all()
    path = f"/salespoint/QN-HALONG/counts/{world['count']}"
    page = client.get(path).get_data(as_text=True)
    assert "/apply" not in page  # no apply button for staff
    response = client.post(path + "/apply", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 403
    db.session.rollback()
    count = db.session.get(StockCount, world["count"])
    assert count.status == "submitted" and count.applied_at is None
    assert all(line.adjustment is None for line in count.lines)
    assert db.session.execute(select(StockMovement.id, StockMovement.delta)
                              .order_by(StockMovement.id)).all() == ledger
    assert db.session.execute(select(StockLevel.variant_id, StockLevel.location_id,
                                     StockLevel.on_hand).order_by(StockLevel.id)).all() == levels


def test_a_post_without_csrf_token_is_refused(client, login, world):
    login(builders.user(role="staff:QN-HALONG:manager"))
    response = client.post(f"/salespoint/QN-HALONG/counts/{world['count']}/apply")
    assert response.status_code == 400
    db.session.rollback()
    assert db.session.get(StockCount, world["count"]).status == "submitted"
