"""Access to the producer portal: endpoint -> (method, path, expected status per role).

Only members of a producer get in; everyone else signed in gets 403, visitors are sent to sign
in, and a member of another producer finds none of this producer's transfers (404).
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from shop.extensions import db
from shop.inventory import transfers
from shop.inventory.models import Transfer
from shop.inventory.services import ledger_mismatches
from tests import builders
from tests.producer.helpers import ledger, level, post
from tests.web.test_access import ROLES


def portal(member: int) -> dict:
    return {"anonymous": 302, "customer": 403, "producer": member, "staff": 403,
            "manager": 403, "admin": 403}


MATRIX = {
    "producer.home": ("GET", "/producer/", portal(200)),
    "producer.choose": ("POST", "/producer/choose", portal(303)),
    "producer.stock": ("GET", "/producer/stock", portal(200)),
    "producer.receipts": ("GET", "/producer/receipts", portal(200)),
    "producer.receive": ("POST", "/producer/receipts", portal(422)),
    "producer.adjust": ("POST", "/producer/adjustments", portal(422)),
    "producer.movements": ("GET", "/producer/movements", portal(200)),
    "producer.transfers": ("GET", "/producer/transfers", portal(200)),
    "producer.new_transfer": ("GET", "/producer/transfers/new", portal(200)),
    "producer.create_transfer": ("POST", "/producer/transfers", portal(422)),
    "producer.transfer": ("GET", "/producer/transfers/{transfer}", portal(200)),
    "producer.send_transfer": ("POST", "/producer/transfers/{transfer}/send", portal(303)),
}
# What the POSTs send besides the CSRF token: an empty receipt, adjustment or transfer is a 422.
FORMS = {"producer.choose": {"producer_id": "{producer_id}"}}


@pytest.fixture
def world():
    item = builders.product("Chè", sku="CHE-1")
    warehouse = builders.warehouse(item.producer)
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, warehouse, 10)
    draft = transfers.create_transfer(warehouse, point, [(item.variants[0].id, 2)])
    roles = {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
             "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}
    return {"transfer": draft.id, "producer_id": item.producer.id, "roles": roles}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(client, login, world, endpoint, role):
    method, template, expected = MATRIX[endpoint]
    if role != "anonymous":
        login(builders.user(f"{role}@example.com", world["roles"][role]))
    path = template.format(**world)
    if method == "POST":
        form = {name: value.format(**world) for name, value in FORMS.get(endpoint, {}).items()}
        response = post(client, path, form)
    else:
        response = client.get(path)
    assert response.status_code == expected[role], (endpoint, role)
    if role == "anonymous":
        target = path if method == "GET" else "/producer/"
        location = urlsplit(response.headers["Location"])
        assert (location.path, parse_qs(location.query)) == ("/login", {"next": [target]})


def test_a_member_of_another_producer_cannot_see_or_send_this_producers_transfer(client, login):
    tea = builders.product("Chè", sku="CHE-1")
    warehouse = builders.warehouse(tea.producer)
    point = builders.sales_point("QN-HALONG")
    builders.receive(tea, warehouse, 10)
    draft = transfers.create_transfer(warehouse, point, [(tea.variants[0].id, 4)])
    stranger = builders.product("Mắm", sku="MAM-1").producer
    login(builders.user("other@example.com", f"producer:{stranger.tax_code}"))

    assert client.get(f"/producer/transfers/{draft.id}").status_code == 404
    assert post(client, f"/producer/transfers/{draft.id}/send").status_code == 404
    assert f"/producer/transfers/{draft.id}" not in client.get("/producer/transfers").get_data(as_text=True)
    assert post(client, "/producer/choose", {"producer_id": tea.producer.id}).status_code == 404
    receipt = {"warehouse": warehouse.id, "sku": "MAM-1", "quantity": "5", "note": ""}
    assert post(client, "/producer/receipts", receipt).status_code == 404
    assert post(client, "/producer/transfers", {
        "source": warehouse.id, "destination": point.id,
        "lines-0-sku": "MAM-1", "lines-0-quantity": "1"}).status_code == 404

    assert db.session.get(Transfer, draft.id).status == "draft"
    assert db.session.scalar(db.select(db.func.count()).select_from(Transfer)) == 1
    assert level(tea.variants[0], warehouse) == (10, 0)
    assert [reason for reason, *_ in ledger()] == ["receipt"]
    assert ledger_mismatches() == []
