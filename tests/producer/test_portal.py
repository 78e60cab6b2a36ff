"""The producer portal's stock pages: receipts, adjustments, transfers, movements."""

import re

from shop.database import write_transaction
from shop.extensions import db
from shop.inventory import stock, transfers
from shop.inventory.models import Transfer
from shop.inventory.services import ledger_mismatches
from tests import builders
from tests.producer.helpers import cells, ledger, level, page, post, row


def test_a_receipt_adds_stock_at_the_warehouse(client, shop):
    response = post(client, "/producer/receipts", {
        "warehouse": shop.warehouse.id, "sku": "CHE-1", "quantity": "12", "note": "vụ xuân"})
    assert response.status_code == 303
    assert level(shop.tea, shop.warehouse) == (12, 0)
    assert ledger() == [("receipt", shop.warehouse.id, 12, "vụ xuân")]
    assert ledger_mismatches() == []


def test_a_receipt_of_someone_elses_goods_or_nothing_is_refused(client, shop):
    builders.product("Mắm", sku="MAM-1")
    for form in ({"warehouse": shop.warehouse.id, "sku": "MAM-1", "quantity": "3"},
                 {"warehouse": shop.warehouse.id, "sku": "CHE-1", "quantity": "0"},
                 {"warehouse": shop.warehouse.id, "sku": "CHE-1", "quantity": "ba"}):
        assert post(client, "/producer/receipts", form).status_code == 422
    assert ledger() == []


def test_damage_needs_a_note(client, shop):
    stock_before = level(shop.tea, shop.warehouse)
    form = {"warehouse": shop.warehouse.id, "sku": "CHE-1", "quantity": "2", "reason": "damage",
            "note": ""}
    assert post(client, "/producer/adjustments", form).status_code == 422
    assert level(shop.tea, shop.warehouse) == stock_before and ledger() == []
    assert post(client, "/producer/adjustments", {**form, "note": "ẩm mốc"}).status_code == 303
    assert ledger() == [("damage", shop.warehouse.id, -2, "ẩm mốc")]


def test_stock_page_shows_each_location(client, shop):
    stock.move(shop.tea.id, shop.warehouse.id, 9, "receipt")
    stock.move(shop.tea.id, shop.point.id, 4, "receipt")
    with write_transaction(db.session):
        stock.reserve(shop.tea.id, shop.warehouse.id, 2, "order A")
    html = page(client, "/producer/stock")
    assert cells(row(html, "data-row", "CHE-1@WH-HAODAT"), "on-hand", "reserved", "available") == [
        "9", "2", "7"]
    assert cells(row(html, "data-row", "CHE-1@QN-HALONG"), "on-hand", "reserved", "available") == [
        "4", "0", "4"]
    assert cells(row(html, "data-row", "CHE-1@total"), "on-hand", "reserved", "available") == [
        "13", "2", "11"]


def test_create_send_and_receive_a_transfer(client, shop):
    stock.move(shop.tea.id, shop.warehouse.id, 10, "receipt")
    db.session.commit()
    created = post(client, "/producer/transfers", {
        "source": shop.warehouse.id, "destination": shop.point.id,
        "lines-0-sku": "CHE-1", "lines-0-quantity": "6", "note": ""})
    assert created.status_code == 303
    transfer = db.session.scalar(db.select(Transfer))
    assert transfer.status == "draft" and level(shop.tea, shop.warehouse) == (10, 0)
    sent = post(client, f"/producer/transfers/{transfer.id}/send")
    assert sent.status_code == 303
    assert level(shop.tea, shop.warehouse) == (4, 0)
    assert db.session.get(Transfer, transfer.id).status == "in_transit"
    again = post(client, f"/producer/transfers/{transfer.id}/send")
    assert again.status_code == 409 and level(shop.tea, shop.warehouse) == (4, 0)
    transfers.receive_transfer(db.session.get(Transfer, transfer.id), {"CHE-1": 5})
    html = page(client, f"/producer/transfers/{transfer.id}")
    line = row(html, "data-line", "CHE-1")
    assert [c.strip() for c in re.findall(r"<td[^>]*>\s*([^<]*?)\s*</td>", line)][-3:] == ["6", "5", "-1"]
    assert ledger_mismatches() == []


def test_goods_held_for_online_orders_cannot_leave(client, shop):
    stock.move(shop.tea.id, shop.warehouse.id, 5, "receipt")
    with write_transaction(db.session):
        stock.reserve(shop.tea.id, shop.warehouse.id, 4, "order A")
    draft = transfers.create_transfer(shop.warehouse, shop.point, [(shop.tea.id, 3)])
    response = post(client, f"/producer/transfers/{draft.id}/send")
    assert response.status_code == 409
    assert level(shop.tea, shop.warehouse) == (5, 4)
    assert db.session.get(Transfer, draft.id).status == "draft"
    assert [reason for reason, *_ in ledger()] == ["receipt"]


def test_the_movement_filter(client, shop):
    stock.move(shop.tea.id, shop.warehouse.id, 7, "receipt")
    stock.move(shop.rice.id, shop.warehouse.id, 3, "receipt")
    stock.move(shop.tea.id, shop.warehouse.id, -1, "damage", note="vỡ")
    db.session.commit()
    html = page(client, "/producer/movements?sku=CHE-1&reason=damage")
    rows = re.findall(r'<tr data-movement="\d+">(.*?)</tr>', html, re.S)
    assert len(rows) == 1 and "CHE-1" in rows[0] and "-1" in rows[0] and "vỡ" in rows[0]
    assert page(client, "/producer/movements?from=hôm-qua", status=422)
