"""The producer's stock pages: stock per location, receipts, damage and returns, movements."""

from datetime import UTC, datetime

import pytest

from shop.accounts.models import ProducerMember
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.services import ledger_mismatches
from tests import builders
from tests.producer.helpers import (
    cells,
    flash_after,
    ledger,
    level,
    other_producer_with_goods,
    page,
    post,
    row,
    table_rows,
    text,
)

STOCK = ("on-hand", "reserved", "available")


def test_the_stock_page_shows_each_location_and_the_totals(client, shop):
    builders.receive(builders.product(sku="X"), shop.point, 1)  # not the producer's: not shown
    other_producer_with_goods(shop.point)
    stock.move(shop.tea.id, shop.warehouse.id, 9, "receipt")
    stock.move(shop.tea.id, shop.point.id, 4, "receipt")
    stock.reserve(shop.tea.id, shop.warehouse.id, 2, "order A")
    stock.reserve(shop.tea.id, shop.point.id, 1, "order B")
    db.session.commit()

    html = page(client, "/producer/stock")
    assert cells(row(html, "data-row", "CHE-1@WH-HAODAT"), *STOCK) == ["9", "2", "7"]
    assert cells(row(html, "data-row", "CHE-1@QN-HALONG"), *STOCK) == ["4", "1", "3"]
    assert cells(row(html, "data-row", "CHE-1@total"), *STOCK) == ["13", "3", "10"]
    assert cells(row(html, "data-row", "GAO-1@total"), *STOCK) == ["0", "0", "0"]
    assert "not stocked anywhere yet" in row(html, "data-row", "GAO-1@total")
    assert "MAM-1" not in html and 'data-row="X@' not in html
    assert ledger_mismatches() == []


def test_a_receipt_adds_a_receipt_movement_and_the_quantity(client, shop):
    response = post(client, "/producer/receipts", {
        "warehouse": shop.warehouse.id, "sku": "CHE-1", "quantity": "12", "note": "vụ xuân"})
    assert response.headers["Location"] == "/producer/receipts"
    assert "Received 12 × CHE-1 at Kho " in flash_after(client, response)
    assert level(shop.tea, shop.warehouse) == (12, 0)
    assert ledger() == [("receipt", shop.warehouse.id, 12, "vụ xuân")]
    assert ledger_mismatches() == []


@pytest.mark.parametrize(("form", "message"), [
    ({"sku": "MAM-1", "quantity": "3"}, "Choose one of your products."),
    ({"sku": "CHE-1", "quantity": "0"}, "Enter a whole number from 1 to 100000."),
    ({"sku": "CHE-1", "quantity": "-4"}, "Enter a whole number from 1 to 100000."),
    ({"sku": "CHE-1", "quantity": "ba"}, "Enter a whole number."),
    ({"sku": "CHE-1", "quantity": ""}, "Enter a whole number from 1 to 100000."),
    ({"sku": "CHE-1", "quantity": "100001"}, "Enter a whole number from 1 to 100000."),
    ({"sku": "CHE-1", "quantity": "100000000000"}, "Enter a whole number from 1 to 100000."),
    ({"sku": "CHE-1", "quantity": "３"}, "Enter a whole number."),  # full-width digit
    ({"sku": "CHE-1", "quantity": "1_0"}, "Enter a whole number."),
    ({"sku": "", "quantity": "3"}, "Choose one of your products."),
    ({"sku": "CHE-1", "quantity": "3", "warehouse": ""}, "Choose a warehouse."),
])
def test_a_bad_receipt_is_refused_with_its_reason_and_writes_nothing(client, shop, form, message):
    builders.product("Mắm", sku="MAM-1")
    response = post(client, "/producer/receipts", {"warehouse": shop.warehouse.id, **form})
    assert response.status_code == 422
    body = text(response)
    assert "Nothing was saved. Please correct the marked fields." in body and message in body
    assert ledger() == [] and level(shop.tea, shop.warehouse) == (0, 0)


def test_another_producers_warehouse_is_not_found(client, shop):
    stranger = builders.product("Mắm", sku="MAM-1").producer
    theirs = builders.warehouse(stranger, "WH-OTHER")
    form = {"warehouse": theirs.id, "sku": "CHE-1", "quantity": "3", "reason": "return", "note": "x"}
    assert post(client, "/producer/receipts", form).status_code == 404
    assert post(client, "/producer/adjustments", form).status_code == 404
    assert ledger() == []


def test_damage_without_a_note_is_refused_and_writes_nothing(client, shop):
    builders.receive(shop.tea.product, shop.warehouse, 8)
    form = {"warehouse": shop.warehouse.id, "sku": "CHE-1", "quantity": "2", "reason": "damage",
            "note": "  "}
    refused = post(client, "/producer/adjustments", form)
    assert refused.status_code == 422
    assert "Say what happened: a note is required." in text(refused)
    assert level(shop.tea, shop.warehouse) == (8, 0)
    assert [reason for reason, *_ in ledger()] == ["receipt"]

    done = post(client, "/producer/adjustments", {**form, "note": "ẩm mốc"})
    assert "Recorded: Damage, 2 × CHE-1 at Kho " in flash_after(client, done)
    returned = post(client, "/producer/adjustments", {**form, "reason": "return", "quantity": "1",
                                                      "note": "khách trả"})
    assert returned.status_code == 303
    assert level(shop.tea, shop.warehouse) == (7, 0)
    assert ledger()[1:] == [("damage", shop.warehouse.id, -2, "ẩm mốc"),
                            ("return", shop.warehouse.id, 1, "khách trả")]
    assert ledger_mismatches() == []


def test_the_movement_history_filters_by_sku_reason_and_vietnam_days(client, shop):
    other_producer_with_goods(shop.point)
    late_evening = datetime(2026, 1, 10, 20, 0, tzinfo=UTC)  # 11 January 03:00 in Vietnam
    stock.move(shop.tea.id, shop.warehouse.id, 7, "receipt", occurred_at=late_evening)
    stock.move(shop.rice.id, shop.warehouse.id, 3, "receipt", occurred_at=late_evening)
    stock.move(shop.tea.id, shop.warehouse.id, -1, "damage", note="vỡ",
               occurred_at=datetime(2026, 2, 1, 3, 0, tzinfo=UTC))
    stock.move(shop.tea.id, shop.point.id, 2, "receipt", occurred_at=datetime(2026, 2, 2, tzinfo=UTC))
    db.session.commit()

    def shown(query: str) -> list[list[str]]:
        return table_rows(page(client, "/producer/movements" + query), "data-movement")

    assert [r[1:5] for r in shown("")] == [
        ["CHE-1", "QN-HALONG", "Goods receipt", "+2"], ["CHE-1", "WH-HAODAT", "Damage", "-1"],
        ["GAO-1", "WH-HAODAT", "Goods receipt", "+3"], ["CHE-1", "WH-HAODAT", "Goods receipt", "+7"]]
    assert shown("?sku=CHE-1&reason=damage") == [
        ["01/02/2026 10:00", "CHE-1", "WH-HAODAT", "Damage", "-1", "", "vỡ"]]
    assert [r[1] for r in shown("?sku=GAO-1")] == ["GAO-1"]
    assert [r[1] for r in shown("?from=2026-01-11&to=2026-01-11")] == ["GAO-1", "CHE-1"]
    assert shown("?from=2026-01-10&to=2026-01-10") == []
    assert [r[3] for r in shown("?from=2026-02-01")] == ["Goods receipt", "Damage"]
    assert shown("?sku=MAM-1") == []
    assert ledger_mismatches() == []


@pytest.mark.parametrize(("query", "message"), [
    ("?from=2026-13-01", "“2026-13-01” is not a date: use YYYY-MM-DD, for example 2026-11-22."),
    ("?to=22/11/2026", "“22/11/2026” is not a date: use YYYY-MM-DD"),
    ("?from=2026-02-02&to=2026-02-01", "The end date is before the start date."),
    ("?reason=stolen", "Choose one of the listed reasons."),
])
def test_a_bad_filter_is_a_clear_422(client, shop, query, message):
    html = page(client, "/producer/movements" + query, status=422)
    assert message in html and "data-movement" not in html


def test_a_member_of_several_producers_chooses_which_one_to_work_for(client, shop):
    second = builders.product("Bánh cốm", sku="COM-1").producer
    db.session.add(ProducerMember(user_id=shop.user.id, producer_id=second.id, role="staff"))
    stranger = builders.producer()
    db.session.commit()

    assert f"<h1>{shop.producer.name}</h1>" in page(client, "/producer/")
    chosen = post(client, "/producer/choose", {"producer_id": second.id})
    assert chosen.headers["Location"] == "/producer/"
    assert f"<h1>{second.name}</h1>" in flash_after(client, chosen)
    assert "COM-1" in page(client, "/producer/stock") and "CHE-1" not in page(client, "/producer/stock")
    assert post(client, "/producer/choose", {"producer_id": stranger.id}).status_code == 404
    assert post(client, "/producer/choose", {"producer_id": "abc"}).status_code == 404
    assert f"<h1>{second.name}</h1>" in page(client, "/producer/")


def test_without_a_warehouse_the_pages_say_so(client, login):
    item = builders.product("Chè", sku="CHE-9")
    login(builders.user("new@example.com", f"producer:{item.producer.tax_code}"))
    client.set_cookie("lang", "en")
    assert "No warehouse is registered for you yet." in page(client, "/producer/")
    receipts = page(client, "/producer/receipts")
    assert "No warehouse is registered for you yet." in receipts
    assert 'action="/producer/receipts"' not in receipts
