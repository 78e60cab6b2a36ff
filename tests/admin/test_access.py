"""Only admins reach /admin: every admin route times every role, in one table.

`tests/web/test_access.py::test_every_route_has_a_decision` reads MATRIX.
"""

import pytest
from flask import current_app

from shop.catalog import reports as quality
from shop.inventory import sales_points
from shop.tax import rates
from tests import builders
from tests.admin.test_scans import send_scan
from tests.admin.test_transfers import transfer_order
from tests.conftest import csrf_token

ROLES = ("anonymous", "customer", "producer", "staff", "manager", "admin")


def only_admin(status: int) -> dict:
    return {"anonymous": 302, **dict.fromkeys(ROLES[1:5], 403), "admin": status}


# endpoint -> (method, path template, status the admin gets); POSTs send no form fields, so the
# admin's answer is the refusal of an empty form (422) or a redirect back with a message (303).
MATRIX = {
    "admin.home": ("GET", "/admin/", only_admin(200)),
    "admin.stats_csv": ("GET", "/admin/stats/products_by_stars.csv", only_admin(200)),
    "admin.transfers": ("GET", "/admin/payments/transfers", only_admin(200)),
    "admin.confirm_transfer": ("POST", "/admin/payments/transfers/{order}", only_admin(422)),
    "admin.import_statement": ("POST", "/admin/payments/statement", only_admin(422)),
    "admin.producers": ("GET", "/admin/producers", only_admin(200)),
    "admin.new_producer": ("GET", "/admin/producers/new", only_admin(200)),
    "admin.create_producer": ("POST", "/admin/producers", only_admin(422)),
    "admin.producer": ("GET", "/admin/producers/{producer}", only_admin(200)),
    "admin.update_producer": ("POST", "/admin/producers/{producer}", only_admin(422)),
    "admin.verify_producer": ("POST", "/admin/producers/{producer}/verify", only_admin(303)),
    "admin.suspend_producer": ("POST", "/admin/producers/{producer}/suspend", only_admin(303)),
    "admin.reinstate_producer": ("POST", "/admin/producers/{producer}/reinstate", only_admin(303)),
    "admin.suspend_product": ("POST", "/admin/products/{product}/suspend", only_admin(303)),
    "admin.reinstate_product": ("POST", "/admin/products/{product}/reinstate", only_admin(303)),
    "admin.revoke_certificate": ("POST", "/admin/certificates/{certificate}/revoke", only_admin(303)),
    "admin.notify": ("POST", "/admin/certificates/{certificate}/notify", only_admin(303)),
    "admin.supervision": ("GET", "/admin/supervision", only_admin(200)),
    "admin.new_decision": ("GET", "/admin/decisions/new", only_admin(200)),
    "admin.create_decision": ("POST", "/admin/decisions", only_admin(422)),
    "admin.reports": ("GET", "/admin/reports", only_admin(200)),
    "admin.triage": ("POST", "/admin/reports/{report}", only_admin(303)),
    "admin.audit_log": ("GET", "/admin/audit", only_admin(200)),
    "admin.sales_points": ("GET", "/admin/sales-points", only_admin(200)),
    "admin.new_sales_point": ("GET", "/admin/sales-points/new", only_admin(200)),
    "admin.create_sales_point": ("POST", "/admin/sales-points", only_admin(422)),
    "admin.sales_point": ("GET", "/admin/sales-points/{point}", only_admin(200)),
    "admin.update_sales_point": ("POST", "/admin/sales-points/{point}", only_admin(422)),
    "admin.assign_staff": ("POST", "/admin/sales-points/{point}/staff", only_admin(303)),
    "admin.remove_staff": ("POST", "/admin/sales-points/{point}/staff/{member}/remove", only_admin(303)),
    "admin.scan_list": ("GET", "/admin/scans", only_admin(200)),
    "admin.scan_download": ("GET", "/admin/scans/{scan}/file", only_admin(200)),
    "admin.accept_scan": ("POST", "/admin/scans/{scan}/accept", only_admin(303)),
    "admin.reject_scan": ("POST", "/admin/scans/{scan}/reject", only_admin(303)),
    "admin.tax_page": ("GET", "/admin/tax", only_admin(200)),
    "admin.change_reduction": ("POST", "/admin/tax/{reduction}", only_admin(422)),
    "admin.add_reduction": ("POST", "/admin/tax", only_admin(422)),
}


@pytest.fixture
def world():
    item = builders.product("Chè", sku="CHE-1", price_vnd=250_000)
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, point, 10)
    member = sales_points.assign_staff(point, builders.user("seller@example.com").email, "staff",
                                       actor_id=None)
    report = quality.report_problem(item, kind="quality", message="Hộp bị móp khi nhận hàng")
    scan = send_scan(current_app, item)
    roles = {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
             "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}
    return {"roles": roles, "order": transfer_order(item, point).number, "producer": item.producer_id,
            "product": item.id, "certificate": item.certificates[0].id, "point": point.code,
            "member": member.id, "report": report.id, "scan": scan.id,
            "reduction": rates.reductions()[0].id}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(client, login, world, endpoint, role):
    method, template, expected = MATRIX[endpoint]
    if role != "anonymous":
        login(builders.user(f"{role}@example.com", world["roles"][role]))
    data = {"csrf_token": csrf_token(client, "/")} if method == "POST" else None
    response = client.open(template.format(**world), method=method, data=data)
    assert response.status_code == expected[role], (endpoint, role)
    if expected[role] == 302:
        assert response.headers["Location"].startswith("/login")
