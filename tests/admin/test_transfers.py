"""The program office confirms bank transfers from its queue."""

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders import carts, checkout
from shop.orders import services as orders
from shop.orders.models import Order, OrderEvent
from tests import builders
from tests.conftest import csrf_token

NOT_CHANGED = "Nhập số tiền đã nhận, tính bằng đồng, ví dụ 250000. Không có gì thay đổi."


def transfer_order(item, point, quantity=1) -> Order:
    cart = carts.add(carts.create(), item.variants[0].sku, quantity, today=builders.DAY)
    details = checkout.parse({"email": "an@example.com", "phone": "0912345678", "name": "An",
                              "fulfilment": "pickup", "pickup_point": point.code,
                              "payment_method": "bank_transfer"})
    return orders.place_order(cart, details, settings=checkout.OrderSettings(), today=builders.DAY)[1]


@pytest.fixture
def world():
    item = builders.product("Chè", sku="CHE-1", price_vnd=250_000)
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, point, 10)
    roles = {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
             "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}
    return {"item": item, "point": point, "roles": roles, "order": transfer_order(item, point)}


def reload(order: Order) -> Order:
    return select_one(select(Order).where(Order.number == order.number))


def select_one(query):
    db.session.expire_all()
    return db.session.scalar(query)


def confirm(client, order: Order, amount: str):
    token = csrf_token(client, "/admin/payments/transfers")
    return client.post(f"/admin/payments/transfers/{order.number}",
                       data={"csrf_token": token, "amount_vnd": amount})


def test_the_queue_lists_unpaid_transfers_and_the_exact_amount_pays(client, login, world):
    order = world["order"]
    office = login(builders.user("office@example.com", "admin"))
    page = client.get("/admin/payments/transfers").get_data(as_text=True)
    assert f'data-order="{order.number}"' in page and "250.000 ₫" in page
    assert confirm(client, order, "250.000").status_code == 303
    paid = reload(order)
    assert (paid.status, paid.payment_status, paid.needs_attention) == ("confirmed", "paid", False)
    event = select_one(select(OrderEvent).where(OrderEvent.order_id == paid.id,
                                                OrderEvent.to_status == "paid"))
    assert event.actor_id == office.id
    queue = client.get("/admin/payments/transfers").get_data(as_text=True)
    assert f'data-order="{order.number}"' not in queue


def test_a_different_amount_flags_the_order_and_keeps_it_queued(client, login, world):
    order = world["order"]
    login(builders.user("office@example.com", "admin"))
    assert confirm(client, order, "200000").status_code == 303
    flagged = reload(order)
    assert (flagged.status, flagged.payment_status, flagged.needs_attention) == (
        "awaiting_payment", "mismatch", True)
    page = client.get("/admin/payments/transfers").get_data(as_text=True)
    assert f'data-order="{order.number}" class="row--todo"' in page
    confirm(client, order, "250000")
    assert reload(order).payment_status == "paid"


@pytest.mark.parametrize("typed", ["", "abc", "0", "-5", "99999999999"])
def test_a_bad_amount_is_422_and_changes_nothing(client, login, world, typed):
    order = world["order"]
    login(builders.user("office@example.com", "admin"))
    events = select_one(select(func.count()).select_from(OrderEvent))
    response = confirm(client, order, typed)
    assert response.status_code == 422
    assert NOT_CHANGED in response.get_data(as_text=True)
    assert reload(order).payment_status == "unpaid"
    assert select_one(select(func.count()).select_from(OrderEvent)) == events


def test_an_order_already_paid_is_refused_with_a_message(client, login, world):
    order = world["order"]
    login(builders.user("office@example.com", "admin"))
    assert confirm(client, order, "250000").status_code == 303
    assert confirm(client, order, "250000").status_code == 303
    page = client.get("/admin/payments/transfers").get_data(as_text=True)
    assert f"order {order.number} is not waiting for a bank transfer" in page
    assert select_one(select(func.count()).select_from(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.to_status == "paid")) == 1


def test_an_unknown_order_is_404(client, login, world):
    login(builders.user("office@example.com", "admin"))
    token = csrf_token(client, "/admin/payments/transfers")
    assert client.post("/admin/payments/transfers/NOPE", data={"csrf_token": token,
                                                               "amount_vnd": "1"}).status_code == 404
