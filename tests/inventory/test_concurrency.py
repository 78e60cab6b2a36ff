"""Many threads at once on one SKU at one location, on the file database of the run
(SQLite file or PostgreSQL): the online channel never oversells, every counter sale counts
exactly once, and the ledger stays true."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import func, select

from shop.database import write_transaction
from shop.errors import InsufficientStock
from shop.extensions import db
from shop.inventory import services, stock, transfers
from shop.inventory.models import StockReservation
from shop.pos import devices, schemas
from shop.pos import services as pos
from shop.pos.models import PosSale
from tests import builders


def run_together(app, jobs):
    """Start every job at the same moment, each in its own thread and app context."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        with app.app_context():
            barrier.wait()
            try:
                return job()
            finally:
                db.session.remove()

    db.session.commit()  # the test's own snapshot must not predate the threads' writes
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        outcomes = list(pool.map(run, jobs))
    db.session.rollback()
    return outcomes


def reserve_one(variant_id, location_id, n):
    def job():
        try:
            with write_transaction(db.session):
                stock.reserve(variant_id, location_id, 1, f"order {n}")
        except InsufficientStock:
            return "refused"
        return "reserved"
    return job


def test_200_buyers_for_the_last_50_units(app):
    item = builders.product(sku="HOT-1")
    warehouse = builders.warehouse(item.producer)
    builders.receive(item, warehouse, 50)
    variant_id, location_id = item.variants[0].id, warehouse.id
    outcomes = run_together(app, [reserve_one(variant_id, location_id, n) for n in range(200)])
    assert outcomes.count("reserved") == 50 and outcomes.count("refused") == 150
    assert stock.level(variant_id, location_id) == stock.Level(50, 50)
    assert services.ledger_mismatches() == []


def test_counter_sales_and_online_reservations_race(app):
    item = builders.product(sku="HOT-1", price_vnd=100_000)
    warehouse = builders.warehouse(item.producer)
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, warehouse, 30)
    transfers.receive_transfer(transfers.send_transfer(
        transfers.create_transfer(warehouse, point, [(item.variants[0].id, 30)])), {"HOT-1": 30})
    variant_id, location_id = item.variants[0].id, point.id
    token = devices.create_device(point, "Quầy")[1]
    sales = [{"id": str(uuid.uuid4()), "occurred_at": datetime.now(UTC).isoformat(),
              "payment_method": "cash", "lines": [{"sku": "HOT-1", "quantity": 1,
                                                   "unit_price_vnd": 100_000}]}
             for _ in range(20)]

    def sell_by_service(body):
        def job():
            location = db.session.get(type(point), location_id)
            return pos.record_sale(location, schemas.parse_sale(body))[0]
        return job

    def sell_by_api(body):
        def job():
            client = app.test_client()
            response = client.post("/api/v1/pos/sales", json=body,
                                   headers={"Authorization": f"Bearer {token}"})
            return response.status_code
        return job

    jobs = [reserve_one(variant_id, location_id, n) for n in range(40)]
    for body in sales:  # every sale sent twice at once: once through the API, once directly
        jobs += [sell_by_service(body), sell_by_api(body)]
    outcomes = run_together(app, jobs)

    reserved = outcomes[:40].count("reserved")
    assert reserved <= 30, "the online channel never reserves more than there was"
    assert db.session.scalar(select(func.count()).select_from(PosSale)) == 20
    level = stock.level(variant_id, location_id)
    assert level.on_hand == 10, "each of the 20 counter sales counted exactly once"
    assert level.reserved == reserved
    flagged = db.session.scalar(select(func.coalesce(func.sum(StockReservation.quantity), 0)).where(
        StockReservation.needs_attention, StockReservation.status == "open"))
    assert flagged == max(0, level.reserved - max(level.on_hand, 0)), \
        "every reserved unit the counter sold is flagged for attention"
    assert services.ledger_mismatches() == []


def test_two_clicks_on_receive_and_apply_count_once(app):
    from shop.errors import Conflict
    from shop.inventory import counts
    from shop.inventory.models import StockCount, StockMovement, Transfer

    item = builders.product(sku="HOT-1")
    warehouse = builders.warehouse(item.producer)
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, warehouse, 10)
    transfer_id = transfers.send_transfer(
        transfers.create_transfer(warehouse, point, [(item.variants[0].id, 5)])).id

    def receive():
        try:
            transfers.receive_transfer(db.session.get(Transfer, transfer_id), {"HOT-1": 5})
        except Conflict:
            return "refused"
        return "received"

    assert sorted(run_together(app, [receive] * 8)) == ["received"] + ["refused"] * 7
    count_id = str(uuid.uuid4())
    counts.submit_count(point, count_id, datetime.now(UTC), [("HOT-1", 2)], "d")

    def apply():
        try:
            counts.apply_count(db.session.get(StockCount, count_id))
        except Conflict:
            return "refused"
        return "applied"

    assert sorted(run_together(app, [apply] * 8)) == ["applied"] + ["refused"] * 7
    deltas = db.session.scalars(select(StockMovement.delta).where(
        StockMovement.location_id == point.id).order_by(StockMovement.id)).all()
    assert deltas == [5, -3]
    assert stock.level(item.variants[0].id, point.id).on_hand == 2
    assert services.ledger_mismatches() == []
