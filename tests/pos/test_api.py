"""The POS API exactly as API.md has it: stock, sales, sync, counts, transfers, tokens."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.inventory import services, stock, transfers
from shop.inventory.models import StockCount, StockMovement
from shop.pos import devices
from shop.pos.models import PosSale
from tests import builders


@pytest.fixture
def point():
    item = builders.product("Chè Đinh", sku="CHE-1", price_vnd=250_000)
    other = builders.product("Mắm", sku="MAM-1", maker=item.producer)
    warehouse = builders.warehouse(item.producer)
    location = builders.sales_point("QN-HALONG")
    builders.receive(item, warehouse, 20)
    builders.receive(other, warehouse, 20)
    transfer = transfers.create_transfer(
        warehouse, location, [(item.variants[0].id, 10), (other.variants[0].id, 3)])
    transfers.receive_transfer(transfers.send_transfer(transfer), {"CHE-1": 10, "MAM-1": 3})
    return location


@pytest.fixture
def token(point):
    """A till registered on 1 November 2026, before the day its sales below are dated."""
    device, token = devices.create_device(point, "Quầy 1")
    device.created_at = datetime(2026, 11, 1, tzinfo=UTC)
    db.session.commit()
    return token


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def sale(sale_id: str | None = None, quantity: int = 2, sku: str = "CHE-1", **extra) -> dict:
    return {"id": sale_id or str(uuid.uuid4()), "occurred_at": "2026-11-20T09:15:00+07:00",
            "payment_method": "cash",
            "lines": [{"sku": sku, "quantity": quantity, "unit_price_vnd": 250000}], **extra}


def on_hand(sku: str = "CHE-1") -> int:
    return next(i["on_hand"] for i in stock_items() if i["sku"] == sku)


def stock_items():
    from flask import current_app

    client = current_app.test_client()
    body = client.get("/api/v1/pos/stock", headers=auth(pytest.token)).get_json()
    return body["items"]


@pytest.fixture(autouse=True)
def _remember_token(request):
    if "token" in request.fixturenames:
        pytest.token = request.getfixturevalue("token")


def sale_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PosSale))


def test_stock_lists_what_the_sales_point_holds(client, token, validate):
    body = validate(client.get("/api/v1/pos/stock", headers=auth(token)).get_json(), "PosStock")
    assert body == {"sales_point": {"code": "QN-HALONG", "name": "Điểm bán QN-HALONG"},
                    "items": [
                        {"sku": "CHE-1", "name": "Chè Đinh – Hộp 200 g", "on_hand": 10,
                         "reserved": 0, "available": 10},
                        {"sku": "MAM-1", "name": "Mắm – Hộp 200 g", "on_hand": 3, "reserved": 0,
                         "available": 3}]}


def test_one_sale(client, token, validate):
    body = validate(sale("5f0c6a1e-2b0e-4c55-9a61-0f7c2d1f9b10"), "PosSaleRequest")
    response = client.post("/api/v1/pos/sales", json=body, headers=auth(token))
    assert response.status_code == 201
    validate(response.get_json(), "PosSale")
    assert response.get_json() == {
        "id": "5f0c6a1e-2b0e-4c55-9a61-0f7c2d1f9b10",
        "receipt_number": "QN-HALONG-261120-5F0C6A1E2B0E", "occurred_at": "2026-11-20T09:15:00+07:00",
        "payment_method": "cash", "total_vnd": 500000,
        "lines": [{"sku": "CHE-1", "quantity": 2, "unit_price_vnd": 250000, "line_total_vnd": 500000}],
        "flags": []}
    assert on_hand() == 8


def test_the_same_sale_again_returns_the_first_response_and_changes_nothing(client, token):
    body = sale()
    first = client.post("/api/v1/pos/sales", json=body, headers=auth(token))
    again = client.post("/api/v1/pos/sales", json={**body, "note": "ignored"}, headers=auth(token))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert on_hand() == 8 and sale_count() == 1


def test_the_same_id_with_a_different_body_is_a_conflict(client, token):
    body = sale()
    client.post("/api/v1/pos/sales", json=body, headers=auth(token))
    response = client.post("/api/v1/pos/sales", json={**body, "payment_method": "card"},
                           headers=auth(token))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "idempotency_conflict"
    assert on_hand() == 8 and sale_count() == 1


@pytest.mark.parametrize(("body", "fields"), [
    (sale(sku="NOPE"), {"lines[0].sku"}),
    (sale(quantity=0), {"lines[0].quantity"}),
    (sale(occurred_at="20/11/2026 09:15"), {"occurred_at"}),
    (sale(occurred_at="2026-11-20T09:15:00"), {"occurred_at"}),
    ({"id": "not-a-uuid", "payment_method": "barter", "lines": []},
     {"id", "occurred_at", "payment_method", "lines"}),
    (sale(quantity=3_000_000_000), {"lines[0].quantity"}),
])
def test_bad_sales_are_422_and_record_nothing(client, token, body, fields):
    response = client.post("/api/v1/pos/sales", json=body, headers=auth(token))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and set(error["details"]["fields"]) == fields
    assert on_hand() == 10 and sale_count() == 0


def test_a_sku_the_sales_point_does_not_stock_is_refused_with_the_rest_of_the_sale(client, token):
    builders.product("Gốm", sku="GOM-1")  # exists in the catalog, never stocked here
    body = sale()
    body["lines"].append({"sku": "GOM-1", "quantity": 1, "unit_price_vnd": 100})
    response = client.post("/api/v1/pos/sales", json=body, headers=auth(token))
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {
        "lines[1].sku": "GOM-1 is not stocked at QN-HALONG"}
    assert on_hand() == 10 and sale_count() == 0


def test_a_sale_is_never_refused_for_lack_of_stock_it_is_flagged(client, token):
    response = client.post("/api/v1/pos/sales", json=sale(quantity=11), headers=auth(token))
    assert response.status_code == 201
    assert response.get_json()["flags"] == [{"sku": "CHE-1", "code": "negative_stock", "on_hand": -1}]
    assert on_hand() == -1 and services.ledger_mismatches() == []


def test_selling_reserved_units_moves_the_reservation(client, token, point):
    from shop.catalog.models import Variant
    from shop.database import write_transaction

    variant = db.session.scalar(select(Variant).where(Variant.sku == "CHE-1"))
    with write_transaction(db.session):
        reservation = stock.reserve(variant.id, point.id, 9, "order A")
    response = client.post("/api/v1/pos/sales", json=sale(quantity=3), headers=auth(token))
    assert response.get_json()["flags"] == [{
        "sku": "CHE-1", "code": "reserved_stock_sold", "on_hand": 7, "reserved": 9,
        "reservations_moved": 1, "reservations_uncovered": 0}]
    db.session.refresh(reservation)
    assert reservation.location.kind == "warehouse" and reservation.status == "open"
    assert services.ledger_mismatches() == []


def test_sync_records_each_sale_once_in_order(client, token):
    first, second = sale(quantity=1), sale(quantity=2)
    bad = sale(sku="NOPE")
    response = client.post("/api/v1/pos/sync", json={"sales": [first, bad, second, first]},
                           headers=auth(token))
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        (first["id"], "created"), (bad["id"], "rejected"), (second["id"], "created"),
        (first["id"], "duplicate")]
    assert results[1]["error"]["code"] == "validation_error"
    # The whole day again, in another order: nothing counts twice.
    again = client.post("/api/v1/pos/sync", json={"sales": [second, first]}, headers=auth(token))
    assert [r["status"] for r in again.get_json()["results"]] == ["duplicate", "duplicate"]
    assert on_hand() == 7 and sale_count() == 2


def test_a_lost_response_is_answered_again_on_retry(client, token, app):
    """The first response never reached the device (it was committed): the retry gets it."""
    body = sale()
    from shop.pos import schemas
    from shop.pos import services as pos

    _, lost = pos.record_sale(_location("QN-HALONG"), schemas.parse_sale(body))
    retry = client.post("/api/v1/pos/sales", json=body, headers=auth(token))
    assert retry.status_code == 200 and retry.get_json() == lost
    assert on_hand() == 8


def _location(code):
    from shop.inventory.models import Location

    return db.session.scalar(select(Location).where(Location.code == code))


def test_sync_refuses_more_than_1000_sales(client, token):
    response = client.post("/api/v1/pos/sync", json={"sales": [sale() for _ in range(1001)]},
                           headers=auth(token))
    assert response.status_code == 422 and sale_count() == 0


def test_tokens_see_only_their_own_sales_point_and_revoked_tokens_are_401(client, token, point):
    other = builders.sales_point("HN-1", province_code="01")
    device, other_token = devices.create_device(other, "Quầy HN")
    body = client.get("/api/v1/pos/stock", headers=auth(other_token)).get_json()
    assert body == {"sales_point": {"code": "HN-1", "name": "Điểm bán HN-1"}, "items": []}
    assert client.post("/api/v1/pos/sales", json=sale(), headers=auth(other_token)).status_code == 422
    devices.revoke_device(device)
    assert client.get("/api/v1/pos/stock", headers=auth(other_token)).status_code == 401
    assert client.get("/api/v1/pos/stock").status_code == 401
    assert client.get("/api/v1/pos/stock", headers=auth("ocop_pos_forged")).status_code == 401


def test_counts_are_idempotent_and_applied_only_with_a_manager_device(client, token, point):
    counted_at = datetime.now(UTC).isoformat()
    count = {"id": str(uuid.uuid4()), "counted_at": counted_at,
             "lines": [{"sku": "CHE-1", "counted": 7}]}
    response = client.post("/api/v1/pos/counts", json=count, headers=auth(token))
    assert response.status_code == 201
    assert response.get_json()["lines"] == [{"sku": "CHE-1", "expected": 10, "counted": 7,
                                             "difference": -3}]
    assert client.post("/api/v1/pos/counts", json=count, headers=auth(token)).status_code == 200
    changed = {**count, "lines": [{"sku": "CHE-1", "counted": 6}]}
    assert client.post("/api/v1/pos/counts", json=changed, headers=auth(token)).status_code == 409
    apply_url = f"/api/v1/pos/counts/{count['id']}/apply"
    assert client.post(apply_url, headers=auth(token)).status_code == 403
    assert db.session.get(StockCount, count["id"]).status == "submitted"
    manager_token = devices.create_device(point, "Quản lý", can_apply_counts=True)[1]
    applied = client.post(apply_url, headers=auth(manager_token))
    assert applied.status_code == 200 and applied.get_json()["status"] == "applied"
    assert on_hand() == 7 and services.ledger_mismatches() == []


def test_transfers_are_received_over_the_api(client, token, point):
    from shop.catalog.models import Variant
    from shop.inventory.models import Location

    variant = db.session.scalar(select(Variant).where(Variant.sku == "CHE-1"))
    warehouse = db.session.scalar(select(Location).where(Location.kind == "warehouse"))
    transfer = transfers.send_transfer(transfers.create_transfer(warehouse, point, [(variant.id, 4)]))
    listed = client.get("/api/v1/pos/transfers?status=in_transit", headers=auth(token)).get_json()
    assert [(t["id"], t["status"], t["lines"][0]["quantity_sent"]) for t in listed["items"]] == [
        (transfer.id, "in_transit", 4)]
    url = f"/api/v1/pos/transfers/{transfer.id}/receive"
    response = client.post(url, json={"lines": [{"sku": "CHE-1", "received": 3}]}, headers=auth(token))
    assert response.status_code == 200 and response.get_json()["lines"][0]["difference"] == -1
    assert client.post(url, json={"lines": [{"sku": "CHE-1", "received": 3}]},
                       headers=auth(token)).status_code == 409
    assert on_hand() == 13
    assert db.session.scalar(select(func.count()).select_from(StockMovement)
                             .where(StockMovement.reason == "transfer_in")) == 3
