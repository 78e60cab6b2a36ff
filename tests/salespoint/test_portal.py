"""The sales-point portal over HTTP: the web till, transfers, counts, adjustments, the
reconciliation list, the movement filter and device tokens, each checked against the ledger.

Pages are read in English (the `lang` cookie) so that the assertions do not depend on the
Vietnamese catalog; the shop's default language is Vietnamese.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from shop.clock import VIETNAM
from shop.clock import today as vietnam_today
from shop.errors import ValidationError
from shop.extensions import db
from shop.inventory import stock, transfers
from shop.inventory.models import Location, StockCount, StockLevel, StockMovement, Transfer
from shop.inventory.services import ledger_mismatches
from shop.pos.models import PosDevice, PosSale
from tests import builders
from tests.conftest import csrf_token

BASE = "/salespoint/QN-HALONG"
HIDDEN = re.compile(r'name="(sale_id|count_id|csrf_token)" value="([^"]+)"')
MOVEMENT_ROW = re.compile(r'data-movement="\d+" data-sku="([^"]+)" data-reason="([^"]+)"')
TOKEN = re.compile(r"ocop_pos_[A-Za-z0-9_\-]+")


# --- helpers ---------------------------------------------------------------------------------

def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": builders.PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    client.set_cookie("lang", "en")
    seen()  # the sign-in wrote to the user: the test's next write starts from there
    return user


@pytest.fixture
def other_client(app):
    return app.test_client()


def hidden_fields(client, path: str) -> dict[str, str]:
    response = client.get(path)
    assert response.status_code == 200
    return dict(HIDDEN.findall(response.get_data(as_text=True)))


def sell(client, lines: list[tuple[str, int]], method: str = "cash", fields=None):
    """Send the till's form; `fields` repeats an earlier form (same sale id)."""
    data = dict(fields or hidden_fields(client, BASE + "/till"))
    data["payment_method"] = method
    for n, (sku, quantity) in enumerate(lines):
        data.update({f"sku-{n}": sku, f"quantity-{n}": str(quantity), f"price-{n}": ""})
    return client.post(BASE + "/till", data=data), data


def seen() -> None:
    """End the test's own read, so it sees what the requests wrote."""
    db.session.rollback()


def count_of(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def movements_of(reason: str | None = None):
    query = select(StockMovement.reason, StockMovement.delta).order_by(StockMovement.id)
    if reason:
        query = query.where(StockMovement.reason == reason)
    return db.session.execute(query).all()


def on_hand(item, point) -> int:
    return db.session.scalar(select(StockLevel.on_hand).where(
        StockLevel.variant_id == item.variants[0].id, StockLevel.location_id == point.id))


def assert_ledger_clean(app) -> None:
    seen()
    assert ledger_mismatches() == []
    result = app.test_cli_runner().invoke(args=["shop", "check-ledger"])
    assert result.exit_code == 0 and "ledger consistent" in result.output


def available_online(client, slug: str) -> int:
    body = client.get(f"/api/v1/products/{slug}").get_json()
    return body["variants"][0]["available_online"]


@pytest.fixture
def shop():
    """QN-HALONG ships online and holds 10 of CHE-1 and 6 of MAM-1."""
    tea = builders.product("Chè Tân Cương", sku="CHE-1", price_vnd=150_000)
    sauce = builders.product("Nước mắm Cái Rồng", sku="MAM-1", price_vnd=95_000)
    point = builders.sales_point("QN-HALONG", ships_online=True)
    builders.sales_point("HN-HOANKIEM", province_code="01")
    builders.receive(tea, point, 10)
    builders.receive(sauce, point, 6)
    return SimpleNamespace(tea=tea, sauce=sauce, point=point)


@pytest.fixture
def cashier(client, shop):
    return sign_in(client, builders.user("cashier@example.com", "staff:QN-HALONG"))


@pytest.fixture
def manager(other_client, shop):
    return sign_in(other_client, builders.user("manager@example.com", "staff:QN-HALONG:manager"))


# --- the web till ----------------------------------------------------------------------------

def test_a_till_sale_lowers_what_the_shop_sells_online(app, client, shop, cashier):
    assert available_online(client, shop.tea.slug) == 10
    response, form = sell(client, [("CHE-1", 3)], method="card")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BASE}/sales/{form['sale_id']}"
    assert available_online(client, shop.tea.slug) == 7
    seen()
    assert movements_of("pos_sale") == [("pos_sale", -3)]
    sale = db.session.get(PosSale, form["sale_id"])
    assert (sale.total_vnd, sale.payment_method, sale.cashier_id, sale.flagged) == \
        (450_000, "card", cashier.id, False)
    assert sale.occurred_at.tzinfo is not None
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert sale.receipt_number in receipt and "₫450,000" in receipt and "₫150,000" in receipt
    assert "needs checking" not in receipt
    listing = client.get(BASE + "/sales").get_data(as_text=True)
    assert sale.receipt_number in listing and "flagged" not in listing
    assert_ledger_clean(app)


def test_sending_the_same_till_form_twice_records_one_sale(app, client, shop, cashier):
    first, form = sell(client, [("CHE-1", 2), ("MAM-1", 1)])
    second = client.post(BASE + "/till", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    seen()
    assert count_of(PosSale) == 1
    assert movements_of("pos_sale") == [("pos_sale", -2), ("pos_sale", -1)]
    assert (on_hand(shop.tea, shop.point), on_hand(shop.sauce, shop.point)) == (8, 5)
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "This sale was already recorded; it was not recorded again." in page
    assert "₫395,000" in page
    assert_ledger_clean(app)


def test_a_new_till_form_is_a_new_sale(client, shop, cashier):
    first = hidden_fields(client, BASE + "/till")["sale_id"]
    assert hidden_fields(client, BASE + "/till")["sale_id"] != first


@pytest.mark.parametrize(("lines", "message"), [
    ({}, "Add at least one product to the sale."),
    ({"sku-0": "CHE-1", "quantity-0": "0"}, "Enter a whole number from 1 to 100000."),
    ({"sku-0": "CHE-1", "quantity-0": "-2"}, "Enter a whole number from 1 to 100000."),
    ({"sku-0": "CHE-1", "quantity-0": "1.5"}, "Enter a whole number from 1 to 100000."),
    ({"sku-0": "CHE-1", "quantity-0": "99999999999"}, "Enter a whole number from 1 to 100000."),
    ({"sku-0": "KHONG-CO", "quantity-0": "1"}, "KHONG-CO is not stocked at this sales point."),
    ({"sku-0": "CHE-1", "quantity-0": "1", "price-0": "rẻ"}, "Enter a price in đồng"),
    ({"sku-0": "CHE-1", "quantity-0": "1", "payment_method": "barter"},
     "Choose how the customer paid."),
    ({"sku-0": "CHE-1", "quantity-0": "1", "sale_id": "not-a-uuid"}, "This form is out of date."),
    ({f"{name}-{n}": value for n in range(2) for name, value in (
        ("sku", "CHE-1"), ("quantity", "100000"), ("price", "10000000000"))},
     "A sale can total at most ₫100,000,000,000: split it into several sales."),
])
def test_bad_till_input_records_nothing(client, shop, cashier, lines, message):
    other = builders.product("Bánh cáy", sku="BANH-1")  # stocked elsewhere only
    builders.receive(other, builders.warehouse(other.producer), 5)
    data = {**hidden_fields(client, BASE + "/till"), "payment_method": "cash", **lines}
    before = movements_of()
    response = client.post(BASE + "/till", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was recorded" in page and message in page
    assert 'name="sale_id"' in page  # the till is shown again, ready to correct
    seen()
    assert count_of(PosSale) == 0 and movements_of() == before


def test_a_sku_stocked_elsewhere_is_refused_by_the_till(client, shop, cashier):
    other = builders.product("Bánh cáy", sku="BANH-1")
    builders.receive(other, builders.warehouse(other.producer), 5)
    response, _form = sell(client, [("CHE-1", 1), ("BANH-1", 1)])
    assert response.status_code == 422
    assert "BANH-1 is not stocked at this sales point." in response.get_data(as_text=True)
    seen()
    assert count_of(PosSale) == 0


def test_a_refusal_by_the_service_shows_its_message(client, shop, cashier, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValidationError("the sale names SKUs this sales point does not stock; "
                              "nothing was recorded", {"lines[0].sku": "CHE-1 is not stocked"})

    monkeypatch.setattr("shop.pos.services.record_sale", refuse)
    response, _form = sell(client, [("CHE-1", 1)])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "the sale names SKUs this sales point does not stock" in page
    assert "CHE-1 is not stocked" in page


def test_a_price_typed_at_the_till_overrides_the_list_price(client, shop, cashier):
    data = {**hidden_fields(client, BASE + "/till"), "payment_method": "cash",
            "sku-0": "CHE-1", "quantity-0": "2", "price-0": "120.000"}
    assert client.post(BASE + "/till", data=data).status_code == 303
    seen()
    sale = db.session.get(PosSale, data["sale_id"])
    assert sale.total_vnd == 240_000 and sale.lines[0].unit_price_vnd == 120_000


def test_selling_stock_that_online_orders_hold_is_flagged_everywhere(app, client, shop, cashier):
    stock.reserve(shop.tea.variants[0].id, shop.point.id, 8, reference="DH-0001")
    db.session.commit()
    response, form = sell(client, [("CHE-1", 5)])
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This sale needs checking:" in receipt
    assert "CHE-1: units that online orders had reserved were sold (on hand 5, reserved 8)." \
        in receipt
    assert "1 online order could not be covered: tell the office." in receipt
    assert 'class="tag tag--alert">flagged<' in client.get(BASE + "/sales").get_data(as_text=True)
    home = client.get(BASE + "/").get_data(as_text=True)
    row = re.search(r'<tr class="row--alert" data-sku="CHE-1">(.*?)</tr>', home, re.S)
    assert row and re.findall(r'<td class="num">(?:<strong>)?(-?\d+)', row.group(1)) == \
        ["5", "8", "-3"]
    assert '<tr data-sku="MAM-1">' in home  # a row with nothing to worry about
    kinds = re.findall(r'data-kind="([a-z_]+)"', client.get(BASE + "/reconciliation").get_data(
        as_text=True))
    assert sorted(kinds) == ["flagged_sale", "uncovered_reservation"]
    seen()
    assert db.session.get(PosSale, form["sale_id"]).flagged is True
    assert_ledger_clean(app)


def test_a_sale_beyond_the_shelf_shows_negative_stock(app, client, shop, cashier):
    response, _form = sell(client, [("MAM-1", 8)])
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "MAM-1: the shop now holds less than none (on hand -2)." in receipt
    home = client.get(BASE + "/").get_data(as_text=True)
    assert '<tr class="row--alert" data-sku="MAM-1">' in home and "below zero" in home
    assert_ledger_clean(app)


# --- transfers and the reconciliation list ----------------------------------------------------

@pytest.fixture
def transfer(shop):
    warehouse = builders.warehouse(shop.tea.producer)
    builders.receive(shop.tea, warehouse, 30)
    return transfers.send_transfer(transfers.create_transfer(
        warehouse, shop.point, [(shop.tea.variants[0].id, 10)], note="Chuyến sáng"))


def test_a_transfer_received_short_shows_in_reconciliation_and_its_csv(app, client, shop, cashier,
                                                                       transfer):
    code, path = transfer.code, f"{BASE}/transfers/{transfer.id}"
    listing = client.get(BASE + "/transfers").get_data(as_text=True)
    assert code in listing and "In transit" in listing
    page = client.get(path).get_data(as_text=True)
    assert 'name="received-CHE-1"' in page and 'value="10"' in page
    response = client.post(path + "/receive", data={"csrf_token": csrf_token(client, path),
                                                    "received-CHE-1": "8"})
    assert response.status_code == 303 and response.headers["Location"] == path
    seen()
    received = db.session.get(Transfer, transfer.id)
    assert received.status == "received" and received.lines[0].quantity_received == 8
    assert received.received_by_id == cashier.id
    assert on_hand(shop.tea, shop.point) == 18
    assert movements_of("transfer_in") == [("transfer_in", 8)]

    page = client.get(BASE + "/reconciliation").get_data(as_text=True)
    row = re.search(r'<tr data-kind="transfer">(.*?)</tr>', page, re.S).group(1)
    assert code in row and ">-2<" in row and "sent 10, received 8" in row

    export = client.get(BASE + "/reconciliation.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert export.headers["Content-Disposition"] == \
        "attachment; filename=reconciliation-QN-HALONG.csv"
    assert export.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows == [["Time", "Kind", "SKU", "Reference", "Quantity", "Detail"],
                    [received.received_at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M"),
                     "Transfer difference", "CHE-1", code, "-2",
                     "sent 10, received 8"]]
    assert_ledger_clean(app)


def test_the_csv_is_vietnamese_by_default_and_reads_back_in_utf8(client, shop, cashier, transfer):
    client.set_cookie("lang", "vi")
    path = f"{BASE}/transfers/{transfer.id}"
    client.post(path + "/receive", data={"csrf_token": csrf_token(client, path),
                                         "received-CHE-1": "9"})
    text = client.get(BASE + "/reconciliation.csv").data.decode("utf-8")
    assert text.startswith("\ufeff") and "CHE-1" in text and transfer.code in text


def test_a_transfer_is_received_once(app, client, shop, cashier, transfer):
    path = f"{BASE}/transfers/{transfer.id}"
    data = {"csrf_token": csrf_token(client, path), "received-CHE-1": "10"}
    assert client.post(path + "/receive", data=data).status_code == 303
    again = client.post(path + "/receive", data=data)
    assert again.status_code == 409
    seen()
    assert movements_of("transfer_in") == [("transfer_in", 10)]
    page = client.get(path).get_data(as_text=True)
    assert 'name="received-CHE-1"' not in page and "/receive" not in page
    assert_ledger_clean(app)


@pytest.mark.parametrize(("data", "status"), [
    ({}, 422),                                            # the line is missing
    ({"received-CHE-1": ""}, 422),
    ({"received-CHE-1": "-1"}, 422),
    ({"received-CHE-1": "mười"}, 422),
    ({"received-CHE-1": "10", "received-MAM-1": "1"}, 422),   # not a line of the transfer
])
def test_a_wrong_receipt_records_nothing(client, shop, cashier, transfer, data, status):
    path = f"{BASE}/transfers/{transfer.id}"
    response = client.post(path + "/receive", data={"csrf_token": csrf_token(client, path), **data})
    assert response.status_code == status
    assert "Nothing was recorded" in response.get_data(as_text=True)
    seen()
    assert db.session.get(Transfer, transfer.id).status == "in_transit"
    assert movements_of("transfer_in") == []


def test_transfers_of_other_sales_points_and_drafts_are_not_found(client, shop, cashier):
    warehouse = builders.warehouse(shop.tea.producer)
    builders.receive(shop.tea, warehouse, 30)
    other_point = db.session.scalar(select(Location).where(Location.code == "HN-HOANKIEM"))
    elsewhere = transfers.send_transfer(transfers.create_transfer(
        warehouse, other_point, [(shop.tea.variants[0].id, 3)]))
    draft = transfers.create_transfer(warehouse, shop.point, [(shop.tea.variants[0].id, 2)])
    for found in (elsewhere, draft):
        path = f"{BASE}/transfers/{found.id}"
        assert client.get(path).status_code == 404
        response = client.post(path + "/receive", data={
            "csrf_token": csrf_token(client, BASE + "/"), "received-CHE-1": "1"})
        assert response.status_code == 404
    assert "No transfer is on its way" in client.get(BASE + "/transfers").get_data(as_text=True)
    seen()
    assert movements_of("transfer_in") == []


# --- counts ------------------------------------------------------------------------------------

def test_a_count_applied_by_a_manager_adjusts_the_stock_and_tells_of_later_movements(
        app, client, other_client, shop, cashier, manager):
    form = hidden_fields(client, BASE + "/counts/new")
    response = client.post(BASE + "/counts", data={**form, "counted-CHE-1": "7",
                                                   "counted-MAM-1": ""})
    path = f"{BASE}/counts/{form['count_id']}"
    assert response.status_code == 303 and response.headers["Location"] == path
    page = client.get(path).get_data(as_text=True)
    row = re.search(r'data-sku="CHE-1">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">(?:<strong>)?([-+]?\d+)', row) == ["10", "7", "-3"]
    assert "MAM-1" not in page  # left blank: not counted

    sale, _form = sell(client, [("CHE-1", 1)])  # after the count was taken
    assert sale.status_code == 303

    applied = other_client.post(path + "/apply", data={"csrf_token": csrf_token(other_client, path)})
    assert applied.status_code == 303 and applied.headers["Location"] == path
    seen()
    count = db.session.get(StockCount, form["count_id"])
    assert (count.status, count.applied_by_id, count.submitted_by_id, count.movements_after) == \
        ("applied", manager.id, cashier.id, 1)
    assert [(line.expected, line.counted, line.adjustment) for line in count.lines] == [(10, 7, -3)]
    adjustments = db.session.scalars(select(StockMovement).where(
        StockMovement.reason == "count_adjustment")).all()
    assert [(m.delta, m.actor_id, m.occurred_at) for m in adjustments] == \
        [(-3, manager.id, count.counted_at)]
    assert on_hand(shop.tea, shop.point) == 10 - 1 - 3
    page = other_client.get(path).get_data(as_text=True)
    assert 'data-movements-after="1"' in page
    assert "1 stock movement of these products happened after the count was taken." in page

    again = other_client.post(path + "/apply", data={"csrf_token": csrf_token(other_client, path)})
    assert again.status_code == 303
    assert "This count was already applied; nothing changed." in \
        other_client.get(path).get_data(as_text=True)
    seen()
    assert len(movements_of("count_adjustment")) == 1
    assert_ledger_clean(app)


def test_a_count_without_later_movements_says_nothing_of_them(app, client, other_client, shop,
                                                              cashier, manager):
    form = hidden_fields(client, BASE + "/counts/new")
    client.post(BASE + "/counts", data={**form, "counted-MAM-1": "6"})
    path = f"{BASE}/counts/{form['count_id']}"
    assert other_client.post(path + "/apply", data={
        "csrf_token": csrf_token(other_client, path)}).status_code == 303
    page = other_client.get(path).get_data(as_text=True)
    assert "data-movements-after" not in page
    seen()
    assert movements_of("count_adjustment") == []
    assert db.session.get(StockCount, form["count_id"]).status == "applied"
    listing = client.get(BASE + "/counts").get_data(as_text=True)
    assert form["count_id"][:8] in listing and "Applied" in listing
    assert_ledger_clean(app)


def test_sending_the_same_count_twice_saves_one_count(client, shop, cashier):
    form = {**hidden_fields(client, BASE + "/counts/new"), "counted-CHE-1": "9"}
    first, second = client.post(BASE + "/counts", data=form), client.post(BASE + "/counts", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    seen()
    assert count_of(StockCount) == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "Enter the counted quantity of at least one product."),
    ({"counted-CHE-1": ""}, "Enter the counted quantity of at least one product."),
    ({"counted-CHE-1": "-1"}, "Enter a whole number from 0 to 100000, or leave it blank."),
    ({"counted-CHE-1": "ba"}, "Enter a whole number from 0 to 100000, or leave it blank."),
    ({"counted-KHONG-CO": "1"}, "the count names SKUs this sales point does not stock"),
    ({"counted-CHE-1": "1", "count_id": "x"}, "This form is out of date."),
])
def test_a_wrong_count_saves_nothing(client, shop, cashier, fields, message):
    form = {**hidden_fields(client, BASE + "/counts/new"), **fields}
    response = client.post(BASE + "/counts", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    seen()
    assert count_of(StockCount) == 0


def test_a_count_of_another_sales_point_is_not_found(client, shop, cashier):
    assert client.get(BASE + "/counts/00000000-0000-0000-0000-000000000000").status_code == 404


# --- adjustments and the stock table ---------------------------------------------------------

def test_damage_and_returns_are_recorded_with_their_note(app, client, shop, cashier):
    token = csrf_token(client, BASE + "/")
    damage = client.post(BASE + "/adjustments", data={
        "csrf_token": token, "sku": "MAM-1", "quantity": "2", "reason": "damage",
        "note": "Chai vỡ khi dỡ hàng"})
    assert damage.status_code == 303 and damage.headers["Location"] == BASE + "/"
    assert "Recorded as damaged: 2 × MAM-1." in client.get(BASE + "/").get_data(as_text=True)
    back = client.post(BASE + "/adjustments", data={
        "csrf_token": token, "sku": "CHE-1", "quantity": "1", "reason": "return",
        "note": "Khách trả lại, còn nguyên hộp"})
    assert back.status_code == 303
    seen()
    lines = db.session.execute(select(StockMovement.reason, StockMovement.delta,
                                      StockMovement.note, StockMovement.actor_id)
                               .where(StockMovement.reason.in_(("damage", "return")))
                               .order_by(StockMovement.id)).all()
    assert lines == [("damage", -2, "Chai vỡ khi dỡ hàng", cashier.id),
                     ("return", 1, "Khách trả lại, còn nguyên hộp", cashier.id)]
    assert (on_hand(shop.tea, shop.point), on_hand(shop.sauce, shop.point)) == (11, 4)
    assert_ledger_clean(app)


@pytest.mark.parametrize(("fields", "message"), [
    ({"sku": "MAM-1", "quantity": "2", "reason": "damage", "note": " "}, "Say what happened."),
    ({"sku": "MAM-1", "quantity": "0", "reason": "damage", "note": "vỡ"}, "Enter a whole number"),
    ({"sku": "MAM-1", "quantity": "1", "reason": "theft", "note": "mất"},
     "Choose damage or return."),
    ({"sku": "KHONG-CO", "quantity": "1", "reason": "damage", "note": "vỡ"},
     "KHONG-CO is not stocked at this sales point."),
    ({"sku": "", "quantity": "1", "reason": "damage", "note": "vỡ"}, "Choose a product."),
])
def test_a_wrong_adjustment_records_nothing(client, shop, cashier, fields, message):
    before = movements_of()
    response = client.post(BASE + "/adjustments", data={
        "csrf_token": csrf_token(client, BASE + "/"), **fields})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    seen()
    assert movements_of() == before


def test_the_stock_table(client, shop, cashier):
    page = client.get(BASE + "/").get_data(as_text=True)
    row = re.search(r'<tr data-sku="CHE-1">(.*?)</tr>', page, re.S).group(1)
    assert "Chè Tân Cương" in row and "Hộp 200 g" in row
    assert re.findall(r'<td class="num">(?:<strong>)?(-?\d+)', row) == ["10", "0", "10"]
    assert "row--alert" not in page


# --- the movement filter -----------------------------------------------------------------------

def test_the_movement_filter_returns_only_matching_lines(client, shop, cashier):
    sell(client, [("CHE-1", 2)])
    client.post(BASE + "/adjustments", data={
        "csrf_token": csrf_token(client, BASE + "/"), "sku": "MAM-1", "quantity": "1",
        "reason": "damage", "note": "vỡ"})

    def rows(query: str):
        response = client.get(BASE + "/movements" + query)
        assert response.status_code == 200
        return MOVEMENT_ROW.findall(response.get_data(as_text=True))

    day, yesterday = vietnam_today(), vietnam_today() - timedelta(days=1)
    assert rows("") == [("MAM-1", "damage"), ("CHE-1", "pos_sale"), ("MAM-1", "receipt"),
                        ("CHE-1", "receipt")]
    assert rows("?sku=CHE-1&reason=pos_sale") == [("CHE-1", "pos_sale")]
    assert rows("?sku=CHE-1") == [("CHE-1", "pos_sale"), ("CHE-1", "receipt")]
    assert rows("?reason=damage") == [("MAM-1", "damage")]
    assert rows("?sku=KHONG-CO") == []
    assert len(rows(f"?from={day}&to={day}")) == 4
    assert rows(f"?to={yesterday}") == []
    assert rows(f"?from={day + timedelta(days=1)}") == []
    assert rows(f"?reason=receipt&from={yesterday}") == [("MAM-1", "receipt"), ("CHE-1", "receipt")]


@pytest.mark.parametrize(("query", "message"), [
    ("?from=2026-13-01", "Write the date as YYYY-MM-DD, for example 2026-11-22."),
    ("?to=22/11/2026", "Write the date as YYYY-MM-DD, for example 2026-11-22."),
    ("?from=9999-12-31&to=9999-12-31", "Choose a day from 2000-01-01 to 2100-12-31."),
    ("?to=0000-01-01", "Choose a day from 2000-01-01 to 2100-12-31."),
    ("?from=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-11-22", "Write the date as YYYY-MM-DD"),
    ("?from=2026-11-22&to=2026-11-01", "The end date is before the start date."),
    ("?reason=stolen", "Choose a reason from the list."),
])
def test_a_bad_movement_filter_is_explained(client, shop, cashier, query, message):
    response = client.get(BASE + "/movements" + query)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "data-movement=" not in page


# --- device tokens -----------------------------------------------------------------------------

def test_a_device_token_is_shown_once_works_and_stops_when_revoked(app, client, other_client,
                                                                   shop, manager):
    response = other_client.post(BASE + "/devices", data={
        "csrf_token": csrf_token(other_client, BASE + "/devices"), "name": "Quầy 2",
        "can_apply_counts": "y"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    tokens = TOKEN.findall(page)
    assert len(tokens) == 1
    token = tokens[0]
    assert not any(token in cookie for cookie in response.headers.getlist("Set-Cookie"))
    with other_client.session_transaction() as session:
        assert token not in repr(dict(session))
    listing = other_client.get(BASE + "/devices").get_data(as_text=True)
    assert "Quầy 2" in listing and token not in listing and "ocop_pos_" not in listing
    seen()
    device = db.session.scalar(select(PosDevice).where(PosDevice.name == "Quầy 2"))
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (device.can_apply_counts, device.created_by_id) == (True, manager.id)

    bearer = {"Authorization": f"Bearer {token}"}
    stock_answer = client.get("/api/v1/pos/stock", headers=bearer)
    assert stock_answer.status_code == 200
    assert {i["sku"]: i["on_hand"] for i in stock_answer.get_json()["items"]} == \
        {"CHE-1": 10, "MAM-1": 6}

    path = f"{BASE}/devices/{device.id}/revoke"
    revoked = other_client.post(path, data={"csrf_token": csrf_token(other_client, BASE + "/devices")})
    assert revoked.status_code == 303 and revoked.headers["Location"] == BASE + "/devices"
    assert client.get("/api/v1/pos/stock", headers=bearer).status_code == 401
    again = other_client.post(path, data={"csrf_token": csrf_token(other_client, BASE + "/devices")})
    assert again.status_code == 303
    assert "This device token was already revoked." in \
        other_client.get(BASE + "/devices").get_data(as_text=True)
    assert_ledger_clean(app)


def test_the_devices_page_shows_when_a_device_was_last_used(client, other_client, shop, manager):
    from shop.pos import devices

    _device, token = devices.create_device(shop.point, "Quầy 3")
    assert client.get("/api/v1/pos/stock", headers={"Authorization": f"Bearer {token}"}) \
        .status_code == 200
    row = re.search(r'<tr data-device="\d+">(.*?)</tr>',
                    other_client.get(BASE + "/devices").get_data(as_text=True), re.S).group(1)
    assert "never" not in row


def test_a_device_of_another_sales_point_cannot_be_revoked_here(other_client, shop, manager):
    from shop.pos import devices

    elsewhere = db.session.scalar(select(Location).where(Location.code == "HN-HOANKIEM"))
    device, _token = devices.create_device(elsewhere, "Quầy HN")
    response = other_client.post(f"{BASE}/devices/{device.id}/revoke", data={
        "csrf_token": csrf_token(other_client, BASE + "/devices")})
    assert response.status_code == 404
    seen()
    assert db.session.get(PosDevice, device.id).revoked_at is None


def test_staff_do_not_see_device_links(client, shop, cashier, other_client, manager):
    assert f'href="{BASE}/devices"' not in client.get(BASE + "/").get_data(as_text=True)
    assert f'href="{BASE}/devices"' in other_client.get(BASE + "/").get_data(as_text=True)


# --- the portal in Vietnamese -----------------------------------------------------------------

def test_the_portal_speaks_vietnamese_by_default(client, shop):
    sign_in(client, builders.user("thu-ngan@example.com", "staff:QN-HALONG"))
    client.delete_cookie("lang")
    page = client.get(BASE + "/till").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Chè Tân Cương · Hộp 200 g · 150.000 ₫ (CHE-1)" in page
