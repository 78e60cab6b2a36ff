"""Property tests of the sync: random batches of good and bad sales, over HTTP and through the
service itself (with what the edge refuses before it reaches the service: NUL characters, lone
surrogates).

Whatever a batch holds, the sync answers 200 with one result per sale in order; each good sale
is recorded once (again in the batch, or in the whole batch sent again, it is a duplicate);
each bad one is rejected with the code of what is wrong and leaves nothing; stock moves by the
good sales alone and `shop check-ledger` finds the ledger consistent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.clock import VIETNAM
from shop.extensions import db
from shop.inventory.models import StockLevel, StockMovement
from shop.pos import devices
from shop.pos import services as pos
from shop.pos.limits import MAX_LINES, MAX_PRICE_VND, MAX_QUANTITY
from shop.pos.models import PAYMENT_METHODS, PosSale
from tests import builders

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])
STOCKED = ("CHE-1", "MAM-1")
OFFSETS = st.sampled_from([UTC, VIETNAM, timezone(timedelta(hours=-12)),
                           timezone(timedelta(hours=14)), timezone(timedelta(hours=5, minutes=45))])
REGISTERED_DAYS_AGO = 400
# When the device was registered: fixed for the module, since the bad times are drawn from it.
REGISTERED = datetime.now(UTC) - timedelta(days=REGISTERED_DAYS_AGO)
TIME, INVALID, CONFLICT = "time_out_of_range", "validation_error", "idempotency_conflict"

# What reaches the API: the edge refuses NUL characters (and, later, lone surrogates) in any
# request, so over HTTP the text is everything else.
HTTP_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12)
ANY_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["\ud800", "CHE-1\udfff", "CHE-1\x00"]))


@dataclass
class Entry:
    """One item of a batch: its body, and what the sync must answer for it."""

    body: object
    status: str = "created"
    codes: frozenset[str] = frozenset()
    lines: tuple[tuple[str, int], ...] = ()   # (sku, quantity) of a good sale
    id: str | None = None


@dataclass
class Shop:
    """The sales point, and what its stock should be."""

    point: object
    device: object
    headers: dict
    on_hand: dict[str, int]
    recorded: dict[str, int] = field(default_factory=dict)  # sale id -> its lines


@pytest.fixture
def shop() -> Shop:
    tea = builders.product("Chè Đinh", sku="CHE-1", price_vnd=250_000)
    sauce = builders.product("Mắm", sku="MAM-1", maker=tea.producer)
    point = builders.sales_point("QN-HALONG")
    for item in (tea, sauce):
        builders.receive(item, point, 50)
    device, token = devices.create_device(point, "Quầy 1")
    device.created_at = REGISTERED
    db.session.commit()
    return Shop(point, device, {"Authorization": f"Bearer {token}"}, dict.fromkeys(STOCKED, 50))


def _id() -> str:
    return str(uuid.uuid4())


def _not_a_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return True
    return False


def _not_an_aware_time(value) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is None
    except (TypeError, ValueError):
        return True


def _at(moment: datetime, offset) -> str:
    return moment.astimezone(offset).isoformat()


@st.composite
def good_sales(draw) -> Entry:
    lines = draw(st.lists(st.tuples(st.sampled_from(STOCKED), st.integers(1, 5),
                                    st.integers(0, 3_000_000)), min_size=1, max_size=4))
    age = draw(st.one_of(st.integers(0, 600), st.integers(0, (REGISTERED_DAYS_AGO - 1) * 86_400)))
    ahead = draw(st.integers(0, 540))  # a till's clock up to 9 minutes fast
    moment = datetime.now(UTC) + timedelta(seconds=ahead if age < 60 else -age)
    sale_id = _id()
    padded = draw(st.booleans())  # spaces around a SKU are ignored
    body = {"id": sale_id, "occurred_at": _at(moment, draw(OFFSETS)),
            "payment_method": draw(st.sampled_from(PAYMENT_METHODS)),
            "lines": [{"sku": f" {sku} " if padded else sku, "quantity": quantity,
                       "unit_price_vnd": price} for sku, quantity, price in lines]}
    if draw(st.booleans()):
        body["note"] = draw(HTTP_TEXT)  # unknown fields are ignored
    return Entry(body, lines=tuple((sku, quantity) for sku, quantity, _ in lines), id=sale_id)


NOT_A_NUMBER = st.one_of(st.floats(allow_nan=True), st.text(max_size=6), st.booleans(), st.none(),
                         st.lists(st.integers(), max_size=2))


def bad_sales(text: st.SearchStrategy) -> st.SearchStrategy:
    """A sale with one thing wrong (text: the strings a SKU, a time or an id may be made of)."""
    def broken(good: Entry, change, codes: set[str]) -> Entry:
        body = dict(good.body)
        body["lines"] = [dict(line) for line in body["lines"]]
        change(body)
        return Entry(body, "rejected", frozenset(codes), id=good.id)

    def line(key, value):
        def change(body):
            body["lines"][-1][key] = value
        return change

    def top(key, value):
        def change(body):
            body[key] = value
        return change

    now = datetime.now(UTC)
    times = st.one_of(
        st.integers(11 * 60 + 1, 10**10).map(lambda s: now + timedelta(seconds=s)),
        st.integers(601, 10**10).map(lambda s: REGISTERED - timedelta(seconds=s)),
        st.datetimes(datetime(2, 1, 1), datetime(2017, 12, 31)).map(lambda m: m.replace(tzinfo=UTC)),
        st.datetimes(datetime(2200, 1, 1), datetime(9998, 12, 31)).map(lambda m: m.replace(tzinfo=UTC)),
    )
    far = st.sampled_from(["9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59.999999+14:00",
                           "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-12:00"])
    overflowing = st.lists(st.just({"sku": "CHE-1", "quantity": MAX_QUANTITY,
                                    "unit_price_vnd": MAX_PRICE_VND}), min_size=2, max_size=3)
    return st.one_of(
        st.tuples(good_sales(), times, OFFSETS).map(
            lambda t: broken(t[0], top("occurred_at", _at(t[1], t[2])), {TIME})),
        st.tuples(good_sales(), far).map(lambda t: broken(t[0], top("occurred_at", t[1]), {TIME})),
        st.tuples(good_sales(), st.one_of(text.filter(_not_an_aware_time), st.integers(), st.none(),
                                          st.datetimes().map(datetime.isoformat))).map(
            lambda t: broken(t[0], top("occurred_at", t[1]), {INVALID})),
        st.tuples(good_sales(), st.one_of(st.integers(max_value=0),
                                          st.integers(min_value=MAX_QUANTITY + 1), NOT_A_NUMBER)).map(
            lambda t: broken(t[0], line("quantity", t[1]), {INVALID})),
        st.tuples(good_sales(), st.one_of(st.integers(max_value=-1),
                                          st.integers(min_value=MAX_PRICE_VND + 1), NOT_A_NUMBER)).map(
            lambda t: broken(t[0], line("unit_price_vnd", t[1]), {INVALID})),
        st.tuples(good_sales(), text.filter(lambda s: s.strip() not in STOCKED)).map(
            lambda t: broken(t[0], line("sku", t[1]), {INVALID})),
        st.tuples(good_sales(), st.integers(MAX_LINES + 1, MAX_LINES + 20)).map(
            lambda t: broken(t[0], top("lines", [t[0].body["lines"][0]] * t[1]), {INVALID})),
        st.tuples(good_sales(), overflowing).map(lambda t: broken(t[0], top("lines", t[1]), {INVALID})),
        st.tuples(good_sales(), st.one_of(st.integers(), st.none(), text, st.just({}))).map(
            lambda t: broken(t[0], top("lines", t[1]), {INVALID})),
        st.tuples(good_sales(), st.one_of(text.filter(lambda s: s not in PAYMENT_METHODS),
                                          st.integers(), st.none())).map(
            lambda t: broken(t[0], top("payment_method", t[1]), {INVALID})),
        st.tuples(good_sales(), st.one_of(text, st.integers(), st.none()).filter(_not_a_uuid)).map(
            lambda t: Entry({**t[0].body, "id": t[1]}, "rejected", frozenset({INVALID}))),
        st.one_of(st.none(), st.integers(), text, st.lists(st.integers(), max_size=2)).map(
            lambda body: Entry(body, "rejected", frozenset({INVALID}))),
    )


@st.composite
def batches(draw, text: st.SearchStrategy) -> list[Entry]:
    """Good and bad sales; now and then a good sale again (a duplicate) or its id with another
    body (a conflict)."""
    entries: list[Entry] = draw(st.lists(st.one_of(good_sales(), bad_sales(text)),
                                         min_size=1, max_size=8))
    for _ in range(draw(st.integers(0, 2))):
        good = [e for e in entries if e.status in ("created", "duplicate")]
        if not good:
            break
        first = draw(st.sampled_from(good))
        if draw(st.booleans()):
            entries.append(Entry(first.body, "duplicate", id=first.id))
        else:
            method = "card" if first.body["payment_method"] != "card" else "cash"
            changed = {**first.body, "payment_method": method}
            entries.append(Entry(changed, "rejected", frozenset({CONFLICT}), id=first.id))
    return entries


def check(shop: Shop, entries: list[Entry], results: list[dict], *, again: bool, app) -> None:
    assert len(results) == len(entries)
    for entry, result in zip(entries, results, strict=True):
        status = "duplicate" if again and entry.status == "created" else entry.status
        assert result["status"] == status, (entry.body, result)
        if status == "rejected":
            error = result["error"]
            event(f"rejected: {error['code']} {sorted(error['details'].get('fields', {}))[:1]}")
            assert error["code"] in entry.codes or entry.codes & set(
                error["details"].get("codes", {}).values()), (entry.body, result)
            assert isinstance(error["message"], str) and isinstance(error["details"], dict)
            assert result["id"] == (entry.body.get("id") if isinstance(entry.body, dict)
                                    and isinstance(entry.body.get("id"), str) else None)
        else:
            assert result["id"] == entry.id
    if not again:
        for entry in entries:
            if entry.status == "created":
                shop.recorded[entry.id] = len(entry.lines)
                for sku, quantity in entry.lines:
                    shop.on_hand[sku] -= quantity
    ids = set(db.session.scalars(select(PosSale.id)))
    assert ids == set(shop.recorded), "each good sale once, no bad one"
    assert db.session.scalar(select(func.count()).select_from(StockMovement).where(
        StockMovement.reason == "pos_sale")) == sum(shop.recorded.values())
    assert dict(db.session.execute(select(Variant.sku, StockLevel.on_hand).join(Variant).where(
        StockLevel.location_id == shop.point.id)).all()) == shop.on_hand
    ledger = app.test_cli_runner().invoke(args=["shop", "check-ledger"])
    assert (ledger.exit_code, ledger.output) == (0, "ledger consistent\n")




@SETTINGS
@given(entries=batches(HTTP_TEXT))
def test_any_batch_over_http_records_each_good_sale_once(client, app, shop, entries):
    batch = {"sales": [entry.body for entry in entries]}
    for again in (False, True):
        response = client.post("/api/v1/pos/sync", json=batch, headers=shop.headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        check(shop, entries, response.get_json()["results"], again=again, app=app)


@SETTINGS
@given(entries=batches(ANY_TEXT))
def test_any_batch_through_the_service_records_each_good_sale_once(app, shop, entries):
    raw = [entry.body for entry in entries]
    for again in (False, True):
        results = pos.sync_sales(shop.point, raw, device_id=shop.device.id)
        check(shop, entries, results, again=again, app=app)
