"""Placing orders: reservations all or nothing, shipments per producer, idempotent checkout."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.errors import IdempotencyConflict, InsufficientStock, ValidationError
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory import stock
from shop.inventory.models import StockMovement, StockReservation
from shop.orders import checkout, fulfilment, status
from shop.orders import services as orders
from shop.orders.models import Order, OrderEvent
from tests.orders.builders import DELIVERY, cart_with, place


def test_an_order_across_two_producers_has_two_shipments(market):
    created, order = place(cart_with(("CHE-1", 2), ("GAO-1", 1)))
    assert created and order.status == "confirmed" and order.payment_status == "unpaid"
    assert [(s.kind, s.subtotal_vnd, s.shipping_vnd) for s in order.shipments] == [
        ("delivery", 500_000, 0), ("delivery", 120_000, 30_000)]
    assert (order.subtotal_vnd, order.shipping_vnd, order.total_vnd) == (620_000, 30_000, 650_000)
    assert stock.level(market.tea.id, market.tea_house.id) == stock.Level(10, 2)
    assert stock.level(market.rice.id, market.rice_house.id) == stock.Level(4, 1)
    assert order.number.startswith("OC") and len(order.access_token) >= 32
    assert [(e.subject, e.from_status, e.to_status) for e in order.events] == [("order", "", "confirmed")]


def test_a_line_splits_over_locations_warehouse_first(market):
    _, order = place(cart_with(("CHE-1", 12)))
    held = db.session.execute(select(StockReservation.location_id, StockReservation.quantity)
                              .order_by(StockReservation.location_id)).all()
    assert sorted(held) == sorted([(market.tea_house.id, 10), (market.point.id, 2)])


def test_nothing_is_reserved_when_one_line_cannot_be_covered(market):
    with pytest.raises(InsufficientStock) as refused:
        place(cart_with(("CHE-1", 2), ("GAO-1", 5)))
    assert refused.value.details == {"sku": "GAO-1", "requested": 5, "available": 4}
    assert db.session.scalar(select(func.count()).select_from(StockReservation)) == 0
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert stock.level(market.tea.id, market.tea_house.id) == stock.Level(10, 0)


def test_pickup_needs_every_line_at_the_sales_point(market):
    body = {**DELIVERY, "fulfilment": "pickup", "pickup_point": "QN-HALONG", "address": None}
    with pytest.raises(InsufficientStock) as refused:
        place(cart_with(("CHE-1", 1), ("GAO-1", 1)), body)
    assert refused.value.details["sku"] == "GAO-1"
    _, order = place(cart_with(("CHE-1", 3)), body)
    assert [(s.kind, s.location_id, s.shipping_vnd) for s in order.shipments] == [
        ("pickup", market.point.id, 0)]
    assert stock.level(market.tea.id, market.point.id) == stock.Level(3, 3)


@pytest.mark.parametrize(("change", "field"), [
    ({"address": {"line": "1 A", "ward_code": "00004", "province_code": "22"}}, "address.ward_code"),
    ({"address": {"line": "", "ward_code": "00004", "province_code": "01"}}, "address.line"),
    ({"phone": "12345"}, "phone"),
    ({"email": "an@"}, "email"),
    ({"fulfilment": "drone"}, "fulfilment"),
    ({"fulfilment": "pickup", "pickup_point": "NOWHERE"}, "pickup_point"),
    ({"payment_method": "barter"}, "payment_method"),
])
def test_checkout_details_are_checked(market, change, field):
    with pytest.raises(ValidationError) as refused:
        checkout.parse({**DELIVERY, **change})
    assert field in refused.value.fields


def test_the_same_idempotency_key_returns_the_same_order(market):
    cart = cart_with(("CHE-1", 1))
    created, first = place(cart, idempotency_key="api:k1")
    again, second = place(cart, idempotency_key="api:k1")
    assert (created, again, first.id) == (True, False, second.id)
    other = cart_with(("CHE-1", 1))
    with pytest.raises(IdempotencyConflict):
        place(other, idempotency_key="api:k1")
    assert stock.level(market.tea.id, market.tea_house.id).reserved == 1


def test_card_needs_stripe_configured(market):
    with pytest.raises(ValidationError):
        place(cart_with(("CHE-1", 1)), {**DELIVERY, "payment_method": "card"})


def _ship_and_deliver(order, cash=True):
    for shipment in order.shipments:
        for step in ("packed", "shipped"):
            fulfilment.advance(shipment, step, actor_id=None, tracking_note="GHN 123")
        fulfilment.advance(shipment, "delivered", actor_id=None,
                           cash_collected_vnd=shipment.subtotal_vnd + shipment.shipping_vnd if cash else None)


def test_shipping_turns_reservations_into_sales_and_cash_pays_the_order(market):
    _, order = place(cart_with(("CHE-1", 2), ("GAO-1", 1)))
    _ship_and_deliver(order)
    assert (order.status, order.payment_status) == ("completed", "paid")
    assert stock.level(market.tea.id, market.tea_house.id) == stock.Level(8, 0)
    sales = db.session.scalars(select(StockMovement.delta).where(
        StockMovement.reason == "online_sale").order_by(StockMovement.id)).all()
    assert sorted(sales) == [-2, -1]
    assert inventory.ledger_mismatches() == []


def test_cash_must_match_what_is_due(market):
    _, order = place(cart_with(("GAO-1", 1)))
    shipment = order.shipments[0]
    fulfilment.advance(shipment, "packed", actor_id=None)
    fulfilment.advance(shipment, "shipped", actor_id=None)
    with pytest.raises(ValidationError):
        fulfilment.advance(shipment, "delivered", actor_id=None, cash_collected_vnd=100)
    db.session.refresh(shipment)
    assert shipment.status == "shipped"


@pytest.mark.parametrize(("steps", "refused"), [
    ((), "shipped"), ((), "delivered"), (("packed",), "delivered"), ((), "collected"),
    (("packed", "shipped"), "packed"), ((), "ready"),
])
def test_forbidden_shipment_moves_are_refused_and_change_nothing(market, steps, refused):
    _, order = place(cart_with(("CHE-1", 1)))
    shipment = order.shipments[0]
    for step in steps:
        fulfilment.advance(shipment, step, actor_id=None)
    events = db.session.scalar(select(func.count()).select_from(OrderEvent))
    before = (shipment.status, stock.level(market.tea.id, market.tea_house.id))
    with pytest.raises(status.InvalidTransition):
        fulfilment.advance(shipment, refused, actor_id=None, cash_collected_vnd=250_000 + 30_000)
    db.session.refresh(shipment)
    assert (shipment.status, stock.level(market.tea.id, market.tea_house.id)) == before
    assert db.session.scalar(select(func.count()).select_from(OrderEvent)) == events


def test_every_allowed_move_and_only_those():
    forbidden = [("order", "confirmed", "awaiting_payment"), ("order", "completed", "cancelled"),
                 ("order", "expired", "confirmed"), ("payment", "refunded", "paid"),
                 ("shipment", "shipped", "cancelled"), ("shipment", "delivered", "shipped")]
    assert not any(status.allowed(*move) for move in forbidden)


def test_an_unpaid_order_cannot_be_packed(market):
    _, order = place(cart_with(("CHE-1", 1)), {**DELIVERY, "payment_method": "bank_transfer"})
    assert order.status == "awaiting_payment"
    with pytest.raises(Exception) as refused:
        fulfilment.advance(order.shipments[0], "packed", actor_id=None)
    assert refused.value.code == "conflict"


def test_cancel_before_anything_ships_releases_everything(market):
    _, order = place(cart_with(("CHE-1", 2), ("GAO-1", 1)))
    fulfilment.advance(order.shipments[0], "packed", actor_id=None)
    orders.cancel_order(order, actor_id=None, reason="changed my mind")
    assert order.status == "cancelled" and {s.status for s in order.shipments} == {"cancelled"}
    assert stock.level(market.tea.id, market.tea_house.id) == stock.Level(10, 0)
    assert inventory.ledger_mismatches() == []


def test_no_cancel_once_something_shipped(market):
    _, order = place(cart_with(("CHE-1", 2), ("GAO-1", 1)))
    fulfilment.advance(order.shipments[0], "packed", actor_id=None)
    fulfilment.advance(order.shipments[0], "shipped", actor_id=None)
    with pytest.raises(Exception) as refused:
        orders.cancel_order(order, actor_id=None, reason="too late")
    assert refused.value.code == "conflict"
    db.session.refresh(order)
    assert order.status == "confirmed"


def test_unpaid_orders_expire_and_let_their_stock_go(market):
    _, transfer = place(cart_with(("CHE-1", 2)), {**DELIVERY, "payment_method": "bank_transfer"})
    _, cod = place(cart_with(("GAO-1", 1)))
    assert orders.expire_unpaid(utcnow()) == []
    assert orders.expire_unpaid(utcnow() + timedelta(hours=49)) == [transfer.number]
    db.session.refresh(transfer)
    assert transfer.status == "expired" and cod.status == "confirmed"
    assert stock.level(market.tea.id, market.tea_house.id) == stock.Level(10, 0)
    assert inventory.ledger_mismatches() == []


def test_expire_reservations_command(app, market):
    _, order = place(cart_with(("CHE-1", 1)), {**DELIVERY, "payment_method": "bank_transfer"})
    from sqlalchemy import update

    db.session.execute(update(Order).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["shop", "expire-reservations"])
    assert result.exit_code == 0 and f"expired {order.number}" in result.output
    assert stock.level(market.tea.id, market.tea_house.id).reserved == 0


def test_confirm_transfer_command(app, market):
    _, order = place(cart_with(("CHE-1", 1)), {**DELIVERY, "payment_method": "bank_transfer"})
    runner = app.test_cli_runner()
    short = runner.invoke(args=["shop", "confirm-transfer", order.number, "1000"])
    assert short.exit_code == 1 and "flagged" in short.output
    paid = runner.invoke(args=["shop", "confirm-transfer", order.number, str(order.total_vnd)])
    assert paid.exit_code == 0
    db.session.refresh(order)
    assert (order.status, order.payment_status) == ("confirmed", "paid")
