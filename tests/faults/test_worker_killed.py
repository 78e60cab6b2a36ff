"""Gunicorn workers killed (SIGKILL) while buyers check out and a sales point syncs its till.

The shop runs as in production: real gunicorn with gunicorn.conf.py, 2 workers, on the test
database. Buyers (cart, line, checkout with an Idempotency-Key) and a POS device (sync batches
of device-made ids) drive it from threads; a worker is killed twice mid-way and the master
starts new ones while the load goes on. A client whose request broke sends it again, as a
real one would. Afterwards: every order and sale the shop acknowledged is in the database,
once; nothing else is; sending every batch again changes nothing; the ledger is consistent.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.inventory.models import StockMovement
from shop.orders.models import Order
from shop.pos import devices
from shop.pos.models import PosSale
from tests import builders
from tests.faults.served import Gunicorn
from tests.orders.builders import DELIVERY

# Paced by what the shop acknowledged, not by the clock, so that a slow machine still kills
# mid-way: a worker dies after the 3rd and the 6th order; the load stops after the 9th order
# and the 30th sale, or fails after MAX_SECONDS.
KILL_AFTER_ORDERS = (3, 6)
STOP_AFTER = {"orders": 9, "sales": 30}
MAX_SECONDS = 90
BUYERS, TILLS, BATCH = 3, 2, 5
ATTEMPTS = 8


@pytest.fixture
def shop(database_url, tmp_path):
    item = builders.product("Chè Tân Cương", sku="CHE-1", price_vnd=100_000)
    warehouse = builders.warehouse(item.producer)
    point = builders.sales_point("QN-HALONG")  # ships online: both channels take its stock
    builders.receive(item, warehouse, 5_000)
    builders.receive(item, point, 5_000)
    token = devices.create_device(point, "Quầy 1")[1]
    db.session.commit()
    server = Gunicorn(database_url, tmp_path)
    try:
        server.wait_until_serving()
        yield server, token
    finally:
        server.stop()


def send(tally: Counter, server: Gunicorn, path: str, body=None, headers: dict | None = None):
    """POST until the shop answers (a broken connection or a 5xx is sent again)."""
    for _ in range(ATTEMPTS):
        status, answer = server.post(path, body, headers)
        if status is not None and status < 500:
            return status, answer
        tally["broken" if status is None else f"http {status}"] += 1
        time.sleep(0.1)
    raise AssertionError(f"no answer after {ATTEMPTS} attempts: {status} {answer}")


def recording(errors: list, job, *args):
    """A thread's job whose failure the test sees (an assertion in a thread only prints)."""
    def run():
        try:
            job(*args)
        except BaseException as error:
            errors.append(repr(error))
    return threading.Thread(target=run)


def buyer(server: Gunicorn, stop: threading.Event, orders: dict, tally: Counter, numbers) -> None:
    while not stop.is_set():
        key = f"buyer-{next(numbers)}"
        status, cart = send(tally, server, "/api/v1/carts")
        assert status == 201, cart
        path = f"/api/v1/carts/{cart['id']}"
        status, body = send(tally, server, f"{path}/lines", {"sku": "CHE-1", "quantity": 1})
        assert status == 200, body
        status, body = send(tally, server, f"{path}/checkout", DELIVERY, {"Idempotency-Key": key})
        assert status in (200, 201), body
        orders[key] = body["order"]["number"]


def till(server: Gunicorn, token: str, stop: threading.Event, batches: list, sales: dict,
         tally: Counter) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while not stop.is_set():
        batch = [{"id": str(uuid.uuid4()), "occurred_at": datetime.now(UTC).isoformat(),
                  "payment_method": "cash",
                  "lines": [{"sku": "CHE-1", "quantity": 1 + n % 2, "unit_price_vnd": 100_000}]}
                 for n in range(BATCH)]
        status, body = send(tally, server, "/api/v1/pos/sync", {"sales": batch}, headers)
        assert status == 200, body
        assert {r["status"] for r in body["results"]} <= {"created", "duplicate"}, body
        batches.append(batch)
        sales.update({sale["id"]: sale["lines"][0]["quantity"] for sale in batch})


def test_killed_workers_lose_no_acknowledged_order_or_sale(shop, app):
    server, token = shop
    orders, batches, sales, tally = {}, [], {}, Counter()
    numbers, stop, errors = itertools.count(1), threading.Event(), []
    threads = [recording(errors, buyer, server, stop, orders, tally, numbers)
               for _ in range(BUYERS)]
    threads += [recording(errors, till, server, token, stop, batches, sales, tally)
                for _ in range(TILLS)]
    deadline = time.monotonic() + MAX_SECONDS

    def wait_for(condition) -> None:
        while not condition():
            assert time.monotonic() < deadline and not errors, (len(orders), len(sales), errors)
            time.sleep(0.02)

    for thread in threads:
        thread.start()
    killed = []
    try:
        for count in KILL_AFTER_ORDERS:
            wait_for(lambda n=count: len(orders) >= n)
            killed.append(server.kill_a_worker())
        wait_for(lambda: len(orders) >= STOP_AFTER["orders"] and len(sales) >= STOP_AFTER["sales"])
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert not any(thread.is_alive() for thread in threads) and errors == []

    # the master replaced both killed workers, and requests were cut by the kills
    server.wait_until_serving()
    assert not set(killed) & set(server.workers()) and len(server.workers_seen) >= 4
    assert tally["broken"] >= 1, f"no request was in flight when the workers died: {tally}"

    # every batch sent again: every sale a duplicate, no second effect
    headers = {"Authorization": f"Bearer {token}"}
    for batch in batches:
        status, body = send(tally, server, "/api/v1/pos/sync", {"sales": batch}, headers)
        assert status == 200 and {r["status"] for r in body["results"]} == {"duplicate"}, body

    db.session.rollback()
    placed = dict(db.session.execute(select(Order.idempotency_key, Order.number)).all())
    assert placed == {f"api:{key}": number for key, number in orders.items()}
    assert set(db.session.scalars(select(PosSale.id))) == set(sales)
    sold = db.session.scalar(select(func.sum(-StockMovement.delta))
                             .where(StockMovement.reason == "pos_sale"))
    assert sold == sum(sales.values())

    result = app.test_cli_runner().invoke(args=["shop", "check-ledger"])
    assert (result.exit_code, result.output) == (0, "ledger consistent\n"), server.log_tail()
