"""Transfers from the producer's warehouse to a sales point, through the producer portal."""

import pytest

from shop.extensions import db
from shop.inventory import stock, transfers
from shop.inventory.models import Transfer
from shop.inventory.services import ledger_mismatches
from tests import builders
from tests.producer.helpers import (
    cells,
    flash_after,
    ledger,
    level,
    page,
    post,
    row,
    table_rows,
    text,
)


def _stocked(shop, tea: int = 10, rice: int = 0) -> None:
    builders.receive(shop.tea.product, shop.warehouse, tea)
    if rice:
        builders.receive(shop.rice.product, shop.warehouse, rice)


def _form(shop, *lines, **fields) -> dict:
    form = {"source": shop.warehouse.id, "destination": shop.point.id, "note": "", **fields}
    for index, (sku, quantity) in enumerate(lines):
        form |= {f"lines-{index}-sku": sku, f"lines-{index}-quantity": quantity}
    return form


def test_a_draft_is_created_then_sent_and_the_goods_leave_the_warehouse(client, shop):
    _stocked(shop, tea=10, rice=5)
    assert 'name="lines-7-sku"' in page(client, "/producer/transfers/new")
    created = post(client, "/producer/transfers", _form(shop, ("CHE-1", "6"), ("GAO-1", "2"),
                                                       note="chuyến sáng"))
    transfer = db.session.scalar(db.select(Transfer))
    assert created.headers["Location"] == f"/producer/transfers/{transfer.id}"
    draft_page = flash_after(client, created)
    assert f"Draft {transfer.code} saved." in draft_page and 'data-status="draft"' in draft_page
    assert cells(row(draft_page, "data-line", "CHE-1"), "sent", "available") == ["6", "10"]
    assert (transfer.status, transfer.note) == ("draft", "chuyến sáng")
    assert [(line.variant.sku, line.quantity_sent) for line in transfer.lines] == [
        ("CHE-1", 6), ("GAO-1", 2)]
    assert level(shop.tea, shop.warehouse) == (10, 0), "a draft moves nothing"

    sent = post(client, f"/producer/transfers/{transfer.id}/send")
    assert sent.headers["Location"] == f"/producer/transfers/{transfer.id}"
    assert f"{transfer.code} is on its way." in flash_after(client, sent)
    assert db.session.get(Transfer, transfer.id).status == "in_transit"
    assert level(shop.tea, shop.warehouse) == (4, 0) and level(shop.rice, shop.warehouse) == (3, 0)
    assert ledger()[2:] == [("transfer_out", shop.warehouse.id, -6, ""),
                            ("transfer_out", shop.warehouse.id, -2, "")]
    listed = table_rows(page(client, "/producer/transfers"), "data-transfer")
    assert [(r[0], r[3], r[4], r[5]) for r in listed] == [
        (transfer.code, shop.point.name, "8", "In transit")]
    stock_page = page(client, "/producer/stock")
    assert "plus 6 in transit" in row(stock_page, "data-row", "CHE-1@total")
    assert ledger_mismatches() == []


@pytest.mark.parametrize(("form", "status", "message"), [
    ({}, 422, "Add at least one line."),
    ({"lines-0-sku": "CHE-1"}, 422, "Enter a quantity."),
    ({"lines-0-quantity": "3"}, 422, "Choose one of your products."),
    ({"lines-0-sku": "CHE-1", "lines-0-quantity": "0"}, 422, "Each quantity is at least 1."),
    ({"lines-0-sku": "MAM-1", "lines-0-quantity": "1"}, 422, "Choose one of your products."),
    ({"lines-0-sku": "CHE-1", "lines-0-quantity": "1", "destination": ""}, 422,
     "Choose an open sales point."),
    ({"lines-0-sku": "CHE-1", "lines-0-quantity": "1", "destination": "closed"}, 422,
     "Choose an open sales point."),
])
def test_a_bad_transfer_is_refused_with_its_reason(client, shop, form, status, message):
    builders.product("Mắm", sku="MAM-1")
    closed = builders.sales_point("CLOSED")
    closed.is_active = False
    db.session.commit()
    if form.get("destination") == "closed":
        form = {**form, "destination": closed.id}
    response = post(client, "/producer/transfers", _form(shop) | form)
    assert response.status_code == status
    assert message in text(response) and "Nothing was saved." in text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(Transfer)) == 0


def test_only_what_online_orders_have_not_reserved_can_leave(client, shop):
    _stocked(shop, tea=5, rice=5)
    stock.reserve(shop.tea.id, shop.warehouse.id, 4, "order A")
    db.session.commit()
    draft = transfers.create_transfer(shop.warehouse, shop.point, [(shop.rice.id, 2), (shop.tea.id, 3)])

    response = post(client, f"/producer/transfers/{draft.id}/send")
    assert response.status_code == 409
    assert ("Only 1 of CHE-1 can leave WH-HAODAT, 3 asked: units reserved for online orders stay. "
            "Nothing was sent.") in text(response)
    assert 'data-status="draft"' in text(response)
    assert db.session.get(Transfer, draft.id).status == "draft"
    assert level(shop.tea, shop.warehouse) == (5, 4) and level(shop.rice, shop.warehouse) == (5, 0)
    assert [reason for reason, *_ in ledger()] == ["receipt", "receipt"]
    assert ledger_mismatches() == []


def test_a_transfer_is_sent_only_once(client, shop):
    _stocked(shop, tea=10)
    draft = transfers.create_transfer(shop.warehouse, shop.point, [(shop.tea.id, 4)])
    assert post(client, f"/producer/transfers/{draft.id}/send").status_code == 303
    again = post(client, f"/producer/transfers/{draft.id}/send")
    assert again.status_code == 409
    assert "This transfer has already been sent: a transfer leaves only once." in text(again)
    assert level(shop.tea, shop.warehouse) == (6, 0)
    assert [reason for reason, *_ in ledger()] == ["receipt", "transfer_out"]
    assert ledger_mismatches() == []


def test_once_received_the_page_shows_what_arrived_and_the_difference(client, shop):
    _stocked(shop, tea=10, rice=4)
    draft = transfers.create_transfer(shop.warehouse, shop.point, [(shop.tea.id, 6), (shop.rice.id, 4)])
    assert post(client, f"/producer/transfers/{draft.id}/send").status_code == 303
    transfers.receive_transfer(db.session.get(Transfer, draft.id), {"CHE-1": 5, "GAO-1": 4})

    html = page(client, f"/producer/transfers/{draft.id}")
    assert 'data-status="received"' in html
    assert cells(row(html, "data-line", "CHE-1"), "sent", "received", "difference") == ["6", "5", "-1"]
    assert cells(row(html, "data-line", "GAO-1"), "sent", "received", "difference") == ["4", "4", "0"]
    assert level(shop.tea, shop.point) == (5, 0) and level(shop.tea, shop.warehouse) == (4, 0)
    stock_page = page(client, "/producer/stock")
    assert cells(row(stock_page, "data-row", "CHE-1@QN-HALONG"), "on-hand") == ["5"]
    assert ledger_mismatches() == []


def test_the_transfer_list_is_newest_first_and_only_the_producers_own(client, shop):
    _stocked(shop, tea=10)
    first = transfers.create_transfer(shop.warehouse, shop.point, [(shop.tea.id, 1)])
    second = transfers.create_transfer(shop.warehouse, shop.point, [(shop.tea.id, 2)])
    stranger = builders.product("Mắm", sku="MAM-1")
    theirs = builders.warehouse(stranger.producer, "WH-OTHER")
    builders.receive(stranger, theirs, 3)
    transfers.create_transfer(theirs, shop.point, [(stranger.variants[0].id, 1)])
    listed = table_rows(page(client, "/producer/transfers"), "data-transfer")
    assert [(r[0], r[5]) for r in listed] == [(second.code, "Draft"), (first.code, "Draft")]
