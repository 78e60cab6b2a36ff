"""What the POS refuses of a till's input, and what a sync does with it.

A sale or a count dated more than ten minutes ahead of the shop's clock, before its device's
token was made, or before any sales point sold OCOP goods is a 422 `time_out_of_range`; numbers
past their bounds, too many lines and text that no SKU holds are a 422 `validation_error`. A
refusal records nothing. In a sync each bad sale is `rejected` on its own and the others are
recorded; the services judge whatever reaches them (a sale built in code, a lone surrogate, a
year 9999), so no single sale can fail a whole sync.
"""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from shop.errors import ValidationError
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory.models import StockCount, StockLevel, StockMovement
from shop.pos import devices
from shop.pos import services as pos
from shop.pos.models import PosSale, PosSaleLine
from shop.pos.schemas import CountInput, SaleInput, SaleLineInput
from tests import builders

AHEAD = "more than 10 minutes ahead of the shop's clock: set the till's date and time"
BEFORE_DEVICE = "before this device was registered: set the till's date and time"
BEFORE_OCOP = "before 2018-01-01: set the till's date and time"
SKU = "a SKU: up to 64 letters, digits, '.', '_' or '-'"
SALE_REFUSED = "the sale is not valid; nothing was recorded"
COUNT_REFUSED = "the count is not valid; nothing was recorded"
MINUS_12, PLUS_14 = timezone(timedelta(hours=-12)), timezone(timedelta(hours=14))


@pytest.fixture
def point():
    tea = builders.product("Chè Đinh", sku="CHE-1", price_vnd=250_000)
    sauce = builders.product("Mắm", sku="MAM-1", maker=tea.producer)
    location = builders.sales_point("QN-HALONG")
    builders.receive(tea, location, 10)
    builders.receive(sauce, location, 3)
    return location


@pytest.fixture
def till(point):
    """A device of the sales point and its request headers."""
    device, token = devices.create_device(point, "Quầy 1", can_apply_counts=True)
    return device, {"Authorization": f"Bearer {token}"}


def now() -> datetime:
    return datetime.now(UTC)


def sale(at: datetime | str | None = None, *, sku="CHE-1", quantity=2, price=250_000,
         lines=None) -> dict:
    return {"id": str(uuid.uuid4()),
            "occurred_at": at if isinstance(at, str) else (at or now()).isoformat(),
            "payment_method": "cash",
            "lines": lines if lines is not None else [
                {"sku": sku, "quantity": quantity, "unit_price_vnd": price}]}


def count(at: datetime | str | None = None, counted: int = 8) -> dict:
    return {"id": str(uuid.uuid4()),
            "counted_at": at if isinstance(at, str) else (at or now()).isoformat(),
            "lines": [{"sku": "CHE-1", "counted": counted}]}


def state() -> tuple:
    """Everything a counter sale or a count writes."""
    def rows(model):
        return db.session.scalar(select(func.count()).select_from(model))
    levels = db.session.execute(select(StockLevel.variant_id, StockLevel.location_id,
                                       StockLevel.on_hand, StockLevel.reserved)
                                .order_by(StockLevel.variant_id, StockLevel.location_id)).all()
    return rows(PosSale), rows(PosSaleLine), rows(StockMovement), rows(StockCount), levels


def on_hand(sku: str = "CHE-1") -> int:
    from shop.catalog.models import Variant

    return db.session.scalar(select(StockLevel.on_hand).join(Variant)
                             .where(Variant.sku == sku, StockLevel.location.has(kind="sales_point")))


def recorded_ids() -> set[str]:
    return set(db.session.scalars(select(PosSale.id)))


def time_refusal(field: str, problem: str, message: str = SALE_REFUSED) -> dict:
    return {"code": "time_out_of_range", "message": message,
            "details": {"fields": {field: problem}, "codes": {field: "time_out_of_range"}}}


# --- item 5: a time the till cannot have made --------------------------------------------------

OUT_OF_RANGE = [
    pytest.param(lambda device: now() + timedelta(minutes=11), AHEAD, id="11 minutes ahead"),
    pytest.param(lambda device: now() + timedelta(days=365), AHEAD, id="next year"),
    pytest.param(lambda device: "9999-12-31T23:59:59-12:00", AHEAD, id="past year 9999 in UTC"),
    pytest.param(lambda device: "9999-12-31T23:59:59.999999+14:00", AHEAD, id="year 9999"),
    pytest.param(lambda device: "0001-01-01T00:00:00+14:00", BEFORE_OCOP, id="before year 1 in UTC"),
    pytest.param(lambda device: "0001-01-01T00:00:00+00:00", BEFORE_OCOP, id="year 1"),
    pytest.param(lambda device: "2017-12-31T23:59:59+07:00", BEFORE_OCOP, id="2017"),
    pytest.param(lambda device: device.created_at - timedelta(minutes=11), BEFORE_DEVICE,
                 id="before the device"),
]


@pytest.mark.parametrize(("when", "problem"), OUT_OF_RANGE)
def test_a_sale_at_a_time_the_till_cannot_have_made_is_refused(client, till, when, problem):
    device, headers = till
    before = state()
    response = client.post("/api/v1/pos/sales", json=sale(when(device)), headers=headers)
    assert response.status_code == 422
    assert response.get_json() == {"error": time_refusal("occurred_at", problem)}
    assert state() == before


@pytest.mark.parametrize(("when", "problem"), OUT_OF_RANGE)
def test_a_count_at_a_time_the_till_cannot_have_made_is_refused(client, till, when, problem):
    device, headers = till
    before = state()
    response = client.post("/api/v1/pos/counts", json=count(when(device)), headers=headers)
    assert response.status_code == 422
    assert response.get_json() == {"error": time_refusal("counted_at", problem, COUNT_REFUSED)}
    assert state() == before


def test_a_clock_a_little_off_either_way_is_accepted(client, till):
    device, headers = till
    for when in (now() + timedelta(minutes=9), device.created_at - timedelta(minutes=9)):
        assert client.post("/api/v1/pos/sales", json=sale(when), headers=headers).status_code == 201
        assert client.post("/api/v1/pos/counts", json=count(when), headers=headers).status_code == 201
    assert on_hand() == 6


def test_every_problem_of_a_sale_is_named_with_the_guard_it_broke(client, till):
    _, headers = till
    body = sale(now() + timedelta(days=2), quantity=0)
    response = client.post("/api/v1/pos/sales", json=body, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "validation_error", "message": SALE_REFUSED,
        "details": {"fields": {"occurred_at": AHEAD,
                               "lines[0].quantity": "a whole number from 1 to 100000"},
                    "codes": {"occurred_at": "time_out_of_range"}}}


def test_a_sale_dated_next_year_is_not_counted_twice_by_a_later_count(client, till):
    """The issue's case: the till's clock says next year; a count now, then applied."""
    _, headers = till
    wrong = sale(now() + timedelta(days=365))
    assert client.post("/api/v1/pos/sales", json=wrong, headers=headers).status_code == 422
    # The till tells the cashier, who sets the clock; the same sale goes again, rightly dated.
    right = {**wrong, "occurred_at": now().isoformat()}
    assert client.post("/api/v1/pos/sales", json=right, headers=headers).status_code == 201
    shelves = count(counted=8)
    submitted = client.post("/api/v1/pos/counts", json=shelves, headers=headers).get_json()
    assert submitted["lines"] == [{"sku": "CHE-1", "expected": 8, "counted": 8, "difference": 0}]
    applied = client.post(f"/api/v1/pos/counts/{shelves['id']}/apply", headers=headers)
    assert applied.get_json()["lines"] == submitted["lines"]
    assert on_hand() == 8 and inventory.ledger_mismatches() == []


def test_a_sale_a_few_minutes_ahead_enters_the_ledger_when_it_arrived(client, till):
    """A sale cannot have happened after the shop heard of it: a count made after it arrived
    sees it, however fast the till's clock is within the allowed minutes."""
    _, headers = till
    ahead = now() + timedelta(minutes=5)
    response = client.post("/api/v1/pos/sales", json=sale(ahead), headers=headers)
    assert response.status_code == 201
    assert response.get_json()["occurred_at"] == ahead.isoformat()  # the receipt keeps its time
    moved = db.session.scalar(select(StockMovement.occurred_at).where(
        StockMovement.reason == "pos_sale"))
    assert moved <= now()
    shelves = count(counted=8)
    assert client.post("/api/v1/pos/counts", json=shelves, headers=headers).get_json()["lines"] == [
        {"sku": "CHE-1", "expected": 8, "counted": 8, "difference": 0}]
    client.post(f"/api/v1/pos/counts/{shelves['id']}/apply", headers=headers)
    assert on_hand() == 8 and inventory.ledger_mismatches() == []


def test_a_count_a_few_minutes_ahead_is_taken_when_it_arrived(client, till):
    """A sale made after the count arrived is not in what the count expected."""
    _, headers = till
    shelves = count(now() + timedelta(minutes=5), counted=10)
    submitted = client.post("/api/v1/pos/counts", json=shelves, headers=headers).get_json()
    assert submitted["lines"] == [{"sku": "CHE-1", "expected": 10, "counted": 10, "difference": 0}]
    assert client.post("/api/v1/pos/sales", json=sale(), headers=headers).status_code == 201
    applied = client.post(f"/api/v1/pos/counts/{shelves['id']}/apply", headers=headers).get_json()
    assert applied["lines"] == submitted["lines"] and applied["movements_after"] == 1
    assert on_hand() == 8 and inventory.ledger_mismatches() == []
    # The same count again is the same count.
    again = client.post("/api/v1/pos/counts", json=shelves, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == shelves["id"]


def test_a_sale_recorded_by_a_replaced_device_is_a_duplicate_not_a_refusal(client, till, point):
    """Sent again with the till's new token (the old one revoked): the first response, no effect,
    although the sale is older than the new token."""
    device, headers = till
    device.created_at = now() - timedelta(hours=1)
    db.session.commit()
    body = sale(now() - timedelta(minutes=30))
    first = client.post("/api/v1/pos/sales", json=body, headers=headers)
    assert first.status_code == 201
    devices.revoke_device(device)
    token = devices.create_device(point, "Quầy 1 (mới)")[1]
    again = client.post("/api/v1/pos/sales", json=body, headers={"Authorization": f"Bearer {token}"})
    assert (again.status_code, again.get_json()) == (200, first.get_json())
    assert on_hand() == 8


def test_the_web_till_and_the_portal_use_the_shops_clock(point):
    """Without a device only the bounds of any till apply: ahead of the clock, or before 2018."""
    recent = SaleInput(str(uuid.uuid4()), now() - timedelta(days=400), "cash",
                       (SaleLineInput("CHE-1", 1, 250_000),))
    assert pos.record_sale(point, recent)[0] is True
    for when, problem in ((now() + timedelta(hours=1), AHEAD),
                          (datetime(2017, 12, 31, 16, 59, tzinfo=UTC), BEFORE_OCOP)):
        before = state()
        with pytest.raises(ValidationError) as refused:
            pos.record_sale(point, SaleInput(str(uuid.uuid4()), when, "cash",
                                             (SaleLineInput("CHE-1", 1, 250_000),)))
        assert refused.value.to_dict()["error"] == time_refusal("occurred_at", problem)
        assert state() == before


# --- items 6 and 7: one bad sale, whatever it holds, is rejected alone ----------------------

MAX_LINE = {"sku": "CHE-1", "quantity": 100_000, "unit_price_vnd": 10_000_000_000}


@pytest.mark.parametrize(("bad", "code", "fields"), [
    pytest.param(sale("9999-12-31T23:59:59-12:00"), "time_out_of_range", {"occurred_at"},
                 id="year 9999 past midnight in UTC"),
    pytest.param(sale("0001-01-01T00:00:00+14:00"), "time_out_of_range", {"occurred_at"},
                 id="year 1 before midnight in UTC"),
    pytest.param(sale(datetime(2200, 1, 1, tzinfo=UTC)), "time_out_of_range", {"occurred_at"},
                 id="year 2200"),
    pytest.param(sale(quantity=10**30), "validation_error", {"lines[0].quantity"}, id="quantity 10**30"),
    pytest.param(sale(quantity=2**63), "validation_error", {"lines[0].quantity"}, id="quantity 2**63"),
    pytest.param(sale(price=10**30), "validation_error", {"lines[0].unit_price_vnd"}, id="price 10**30"),
    pytest.param(sale(price=2**63 - 1), "validation_error", {"lines[0].unit_price_vnd"},
                 id="price 2**63-1"),
    pytest.param(sale(lines=[MAX_LINE] * 9_300), "validation_error", {"lines"},
                 id="total past 2**63"),
    pytest.param(sale(lines=[MAX_LINE] * 2), "validation_error", {"lines"}, id="total past the bound"),
    pytest.param(sale(lines=[{"sku": "CHE-1", "quantity": 1, "unit_price_vnd": 1}] * 201),
                 "validation_error", {"lines"}, id="201 lines"),
    pytest.param(sale(sku="C" * 65), "validation_error", {"lines[0].sku"}, id="sku of 65 letters"),
    pytest.param(sale(sku="chè-1"), "validation_error", {"lines[0].sku"}, id="sku with a diacritic"),
    # the edge's guard leaves the text inside a sync's sales to the POS service: one sale only
    pytest.param(sale(sku="\ud800"), "validation_error", {"lines[0].sku"}, id="sku a lone surrogate"),
    pytest.param(sale(sku="CHE\x00-1"), "validation_error", {"lines[0].sku"}, id="sku with a NUL"),
    pytest.param({**sale(), "lines": 5}, "validation_error", {"lines"}, id="lines a number"),
    pytest.param({**sale(), "lines": "CHE-1"}, "validation_error", {"lines"}, id="lines a string"),
    pytest.param({**sale(), "lines": {"sku": "CHE-1"}}, "validation_error", {"lines"},
                 id="lines an object"),
    pytest.param({**sale(), "occurred_at": 1_700_000_000}, "validation_error", {"occurred_at"},
                 id="time a number"),
])
def test_one_bad_sale_in_a_sync_is_rejected_and_the_others_are_recorded(client, till, bad, code,
                                                                       fields):
    _, headers = till
    first, last = sale(quantity=1), sale(quantity=2)
    batch = {"sales": [first, bad, last]}
    response = client.post("/api/v1/pos/sync", json=batch, headers=headers)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        (first["id"], "created"), (bad["id"], "rejected"), (last["id"], "created")]
    assert results[1]["error"]["code"] == code
    assert set(results[1]["error"]["details"]["fields"]) == fields
    assert recorded_ids() == {first["id"], last["id"]} and on_hand() == 7
    assert inventory.ledger_mismatches() == []
    # The device sends the same batch again: the bad sale is rejected again, nothing else moves.
    before = state()
    again = client.post("/api/v1/pos/sync", json=batch, headers=headers).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate", "rejected", "duplicate"]
    assert again[1]["error"] == results[1]["error"] and state() == before


@pytest.mark.parametrize("bad", [None, 5, "a sale", [], {"id": {"nested": 1}}])
def test_a_sync_entry_that_is_not_a_sale_is_rejected_with_no_id(client, till, bad):
    _, headers = till
    good = sale()
    results = client.post("/api/v1/pos/sync", json={"sales": [bad, good]},
                          headers=headers).get_json()["results"]
    assert results[0]["id"] is None and results[0]["status"] == "rejected"
    assert results[0]["error"]["code"] == "validation_error"
    assert results[1] == {"id": good["id"], "status": "created"}


def test_a_single_sale_past_the_bounds_is_a_422_not_a_server_error(client, till):
    _, headers = till
    before = state()
    for body, field, problem in (
            (sale(lines=[MAX_LINE] * 9_300), "lines", "at most 200 lines"),
            (sale(lines=[MAX_LINE] * 2), "lines",
             "lines whose total is at most 100000000000 đồng"),
            (sale("9999-12-31T23:59:59-12:00"), "occurred_at", AHEAD)):
        response = client.post("/api/v1/pos/sales", json=body, headers=headers)
        assert response.status_code == 422
        assert response.get_json()["error"]["details"]["fields"] == {field: problem}
    assert state() == before


# The services themselves, with what the edge would refuse before it reaches them.

BAD_SKUS = ["\ud800", "CHE\udfff-1", "CHE-1\x00", "C" * 65, "", " ", "chè-1", "CHE 1", 5, None]


@pytest.mark.parametrize("sku", BAD_SKUS)
def test_the_sync_service_rejects_a_sku_no_catalog_holds_alone(point, sku):
    first, last = sale(quantity=1), sale(quantity=2)
    bad = sale(sku=sku)
    results = pos.sync_sales(point, [first, bad, last])
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["error"]["details"]["fields"] == {"lines[0].sku": SKU}
    assert recorded_ids() == {first["id"], last["id"]} and on_hand() == 7
    assert inventory.ledger_mismatches() == []


def test_a_batch_naming_more_skus_than_one_query_takes_is_judged_sale_by_sale(client, till):
    """70,000 distinct SKUs: more bound parameters than PostgreSQL takes in one statement."""
    _, headers = till
    good = sale(quantity=1)
    unknown = [sale(lines=[{"sku": f"X-{n}-{k}", "quantity": 1, "unit_price_vnd": 1}
                           for k in range(70)]) for n in range(1_000)]
    response = client.post("/api/v1/pos/sync", json={"sales": [good, *unknown[:999]]},
                           headers=headers)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[0] == {"id": good["id"], "status": "created"}
    assert {r["status"] for r in results[1:]} == {"rejected"}
    assert results[1]["error"]["details"]["fields"]["lines[69].sku"] == \
        "X-0-69 is not stocked at QN-HALONG"
    assert recorded_ids() == {good["id"]} and on_hand() == 9


def _sale_input(*lines, at: datetime | None = None, sale_id: str | None = None) -> SaleInput:
    return SaleInput(sale_id or str(uuid.uuid4()), at or now(), "cash",
                     tuple(SaleLineInput(*line) for line in lines or [("CHE-1", 1, 250_000)]))


@pytest.mark.parametrize(("sale_input", "fields"), [
    pytest.param(_sale_input(("\ud800", 1, 1_000)), {"lines[0].sku": SKU}, id="lone surrogate"),
    pytest.param(_sale_input(("CHE-1\x00", 1, 1_000)), {"lines[0].sku": SKU}, id="NUL"),
    pytest.param(_sale_input(at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_12)),
                 {"occurred_at": AHEAD}, id="year 9999 at -12:00"),
    pytest.param(_sale_input(at=datetime(1, 1, 1, tzinfo=PLUS_14)),
                 {"occurred_at": BEFORE_OCOP}, id="year 1 at +14:00"),
    pytest.param(_sale_input(at=datetime(2026, 11, 20, 9, 15)),
                 {"occurred_at": "the time needs its UTC offset, e.g. +07:00"}, id="naive time"),
    pytest.param(_sale_input(("CHE-1", 10**30, 1)),
                 {"lines[0].quantity": "a whole number from 1 to 100000"}, id="quantity 10**30"),
    pytest.param(_sale_input(("CHE-1", 1, 10**30)),
                 {"lines[0].unit_price_vnd": "a whole number of đồng from 0 to 10000000000"},
                 id="price 10**30"),
    pytest.param(_sale_input(("CHE-1", 1, -1)),
                 {"lines[0].unit_price_vnd": "a whole number of đồng from 0 to 10000000000"},
                 id="negative price"),
    pytest.param(_sale_input(*[("CHE-1", 100_000, 10_000_000_000)] * 9_300),
                 {"lines": "at most 200 lines"}, id="total past 2**63"),
    pytest.param(_sale_input(*[("CHE-1", 100_000, 10_000_000_000)] * 2),
                 {"lines": "lines whose total is at most 100000000000 đồng"}, id="total"),
    pytest.param(_sale_input(sale_id="not-a-uuid"), {"id": "a UUID made by the device"}, id="id"),
    pytest.param(SaleInput(str(uuid.uuid4()), now(), "barter", (SaleLineInput("CHE-1", 1, 1),)),
                 {"payment_method": "one of cash, card, bank_transfer, e_wallet"}, id="method"),
])
def test_record_sale_judges_whatever_reaches_it(point, sale_input, fields):
    before = state()
    with pytest.raises(ValidationError) as refused:
        pos.record_sale(point, sale_input)
    assert refused.value.fields == fields
    assert state() == before


@pytest.mark.parametrize(("count_input", "fields"), [
    pytest.param(CountInput(str(uuid.uuid4()), now(), (("\ud800", 1),)), {"lines[0].sku": SKU},
                 id="lone surrogate"),
    pytest.param(CountInput(str(uuid.uuid4()), datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_12),
                            (("CHE-1", 1),)), {"counted_at": AHEAD}, id="year 9999"),
    pytest.param(CountInput(str(uuid.uuid4()), now(), (("CHE-1", 10**30),)),
                 {"lines[0].counted": "a whole number from 0 to 100000"}, id="10**30"),
    pytest.param(CountInput(str(uuid.uuid4()), now(), tuple((f"S-{n}", 1) for n in range(10_001))),
                 {"lines": "at most 10000 lines"}, id="10001 lines"),
])
def test_submit_count_judges_whatever_reaches_it(point, count_input, fields):
    before = state()
    with pytest.raises(ValidationError) as refused:
        pos.submit_count(point, count_input)
    assert refused.value.fields == fields
    assert state() == before


# --- a failure of ours in one sale --------------------------------------------------------------

def test_a_sale_that_fails_on_our_side_is_rejected_alone_and_leaves_no_trace(client, till,
                                                                            monkeypatch):
    """A fault in recording one sale (here the flags of its line) rolls back that sale alone;
    the device may send it again later."""
    _, headers = till
    real = pos._flags

    def failing(variant, *args):
        if variant.sku == "MAM-1":
            raise KeyError("a fault of ours")
        return real(variant, *args)

    monkeypatch.setattr(pos, "_flags", failing)
    first, bad, last = sale(quantity=1), sale(sku="MAM-1", quantity=1), sale(quantity=2)
    results = client.post("/api/v1/pos/sync", json={"sales": [first, bad, last]},
                          headers=headers).get_json()["results"]
    assert results[1] == {"id": bad["id"], "status": "rejected", "error": {
        "code": "server_error",
        "message": "the shop could not record this sale; nothing of it was recorded; "
                   "send it again later", "details": {}}}
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert recorded_ids() == {first["id"], last["id"]}
    assert (on_hand(), on_hand("MAM-1")) == (7, 3) and inventory.ledger_mismatches() == []
    monkeypatch.setattr(pos, "_flags", real)
    again = client.post("/api/v1/pos/sync", json={"sales": [bad]}, headers=headers).get_json()
    assert again["results"] == [{"id": bad["id"], "status": "created"}]
    assert on_hand("MAM-1") == 2


def test_the_database_failing_is_not_blamed_on_a_sale(client, till, monkeypatch):
    """An outage during a sync is a 503 for the whole sync: no sale is called rejected, and the
    device sends the batch again."""
    _, headers = till
    real = pos._flags

    def outage(variant, *args):
        if variant.sku == "MAM-1":
            raise OperationalError("UPDATE stock_level ...", {}, Exception("server closed the connection"))
        return real(variant, *args)

    monkeypatch.setattr(pos, "_flags", outage)
    batch = {"sales": [sale(quantity=1), sale(sku="MAM-1", quantity=1), sale(quantity=2)]}
    before = state()
    response = client.post("/api/v1/pos/sync", json=batch, headers=headers)
    assert response.status_code == 503 and state() == before
    monkeypatch.setattr(pos, "_flags", real)
    results = client.post("/api/v1/pos/sync", json=batch, headers=headers).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "created", "created"]
    assert (on_hand(), on_hand("MAM-1")) == (7, 2)
