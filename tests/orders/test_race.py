"""200 buyers (half through the web form, half through the API) race for the last units
while the sales point sells at the counter."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory import stock, transfers
from shop.inventory.models import StockReservation
from shop.orders.models import Order
from shop.pos import devices
from shop.pos.models import PosSale
from tests import builders
from tests.inventory.test_concurrency import run_together
from tests.orders.builders import DELIVERY


def test_200_buyers_for_the_last_50_units(app):
    item = builders.product("Chè hiếm", sku="HOT-1", price_vnd=100_000)
    warehouse = builders.warehouse(item.producer)
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, warehouse, 40)
    transfers.receive_transfer(transfers.send_transfer(
        transfers.create_transfer(warehouse, point, [(item.variants[0].id, 20)])), {"HOT-1": 20})
    # 40 units online (20 at the warehouse, 20 at the sales point, which ships online); the
    # counter sells 10 of them during the race. Every unit ends up sold at the counter or held
    # by exactly one order; an order whose units the counter sold first is flagged.
    variant_id = item.variants[0].id
    token = devices.create_device(point, "Quầy")[1]

    def buyer(n):
        def job():
            client = app.test_client()
            cart = client.post("/api/v1/carts").get_json()["id"]
            client.post(f"/api/v1/carts/{cart}/lines", json={"sku": "HOT-1", "quantity": 1})
            response = client.post(f"/api/v1/carts/{cart}/checkout", json=DELIVERY,
                                   headers={"Idempotency-Key": f"buyer-{n}"})
            return response.status_code, response.get_json().get("error", {}).get("code")
        return job

    def counter_sale():
        client = app.test_client()
        sale = {"id": str(uuid.uuid4()), "occurred_at": datetime.now(UTC).isoformat(),
                "payment_method": "cash",
                "lines": [{"sku": "HOT-1", "quantity": 1, "unit_price_vnd": 100_000}]}
        return client.post("/api/v1/pos/sales", json=sale,
                           headers={"Authorization": f"Bearer {token}"}).status_code

    def web_buyer(n):
        def job():
            from tests.orders import web

            client = app.test_client()
            web.english(client)
            web.add(client, "HOT-1", 1)
            response = web.place(client)
            if response.status_code == 303:
                return 201, None
            short = "Not enough stock" in response.get_data(as_text=True)
            return (409, "insufficient_stock") if response.status_code == 422 and short else (
                response.status_code, "unexpected")
        return job

    buyers = [buyer(n) if n % 2 else web_buyer(n) for n in range(200)]
    outcomes = run_together(app, buyers + [counter_sale] * 10)
    orders, counter = outcomes[:200], outcomes[200:]
    assert counter == [201] * 10
    placed = [o for o in orders if o[0] == 201]
    refused = [o for o in orders if o[0] != 201]
    assert set(refused) <= {(409, "insufficient_stock")}
    assert db.session.scalar(select(func.count()).select_from(Order)) == len(placed)
    through = {key.split(":")[0] for key in db.session.scalars(select(Order.idempotency_key))}
    assert through == {"web", "api"}, "orders came through both the web form and the API"
    assert db.session.scalar(select(func.count()).select_from(PosSale)) == 10
    at_house, at_point = stock.level(variant_id, warehouse.id), stock.level(variant_id, point.id)
    assert at_house.on_hand == 20 and at_point.on_hand == 10
    held = at_house.reserved + at_point.reserved
    assert held == len(placed), "every placed order holds its unit"
    flagged = db.session.scalar(select(func.coalesce(func.sum(StockReservation.quantity), 0))
                                .where(StockReservation.needs_attention,
                                       StockReservation.status == "open"))
    assert len(placed) == 30 + flagged <= 40, "no unit is sold online twice"
    assert at_house.available == 0 and max(at_point.available, 0) == 0, "no unit was left unsold"
    assert inventory.ledger_mismatches() == []
