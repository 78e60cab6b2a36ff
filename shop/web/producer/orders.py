"""The producer's part of online orders: the delivery shipments it packs, ships and delivers.

Every page loads the shipment through `g.producer`, so another producer's shipment is not
found (404). The moves themselves are `orders.fulfilment.advance`'s: a move it refuses
(not allowed from the current status, an order still waiting for payment, the wrong amount of
cash) is shown with its reason and changes nothing. The buyer's email follows a shipment that
has left, after the service has committed.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import contains_eager, selectinload

from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.money import format_vnd, read_amount
from shop.orders import fulfilment
from shop.orders import status as order_status
from shop.orders.models import Order, Shipment
from shop.places.models import Province, Ward
from shop.web import ordering
from shop.web.labels import ORDER_STATUSES, SHIPMENT_STATUSES
from shop.web.producer import bp
from shop.web.producer.forms import optional_int

PER_PAGE = 50
WAITING = ("pending", "packed", "shipped")
# The moves a producer makes, in the order they come: (status it leads to, endpoint).
MOVES = (("packed", ".pack_order"), ("shipped", ".ship_order"), ("delivered", ".deliver_order"))


def _delivery_shipments():
    return (select(Shipment).join(Order, Order.id == Shipment.order_id)
            .where(Shipment.kind == "delivery", Shipment.producer_id == g.producer.id))


def _own_shipment(shipment_id: int) -> Shipment:
    """One of the producer's delivery shipments with its order and lines; 404 for any other."""
    shipment = db.session.scalar(
        _delivery_shipments().where(Shipment.id == shipment_id)
        .options(contains_eager(Shipment.order), selectinload(Shipment.lines))
        .execution_options(populate_existing=True))
    if shipment is None:
        abort(404)
    return shipment


def _places(orders) -> tuple[dict[str, Province], dict[str, Ward]]:
    """The provinces and wards the orders' addresses name, by code."""
    province_codes = {o.province_code for o in orders if o.province_code}
    ward_codes = {o.ward_code for o in orders if o.ward_code}
    provinces = {p.code: p for p in db.session.scalars(
        select(Province).where(Province.code.in_(province_codes)))} if province_codes else {}
    wards = {w.code: w for w in db.session.scalars(
        select(Ward).where(Ward.code.in_(ward_codes)))} if ward_codes else {}
    return provinces, wards


@bp.get("/orders")
def orders():
    """The producer's deliveries: those still to do first (oldest first), then the closed ones
    (newest first)."""
    page = max(optional_int(request.args.get("page")) or 1, 1)
    waiting = Shipment.status.in_(WAITING)
    query = (_delivery_shipments()
             .options(contains_eager(Shipment.order), selectinload(Shipment.lines))
             .order_by(case((waiting, 0), else_=1), case((waiting, Order.id), else_=-Order.id),
                       Shipment.id))
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    provinces, _wards = _places([s.order for s in pagination.items])
    return render_template("producer/orders/list.html", pagination=pagination,
                           provinces=provinces, waiting=WAITING)


def _detail(shipment: Shipment, status: int = 200, problem: str | None = None,
            typed: dict | None = None):
    provinces, wards = _places([shipment.order])
    payable = shipment.order.status == "confirmed"
    moves = [(new, endpoint) for new, endpoint in MOVES
             if payable and order_status.allowed("shipment", shipment.status, new)]
    return render_template(
        "producer/orders/detail.html", shipment=shipment, order=shipment.order,
        province=provinces.get(shipment.order.province_code),
        ward=wards.get(shipment.order.ward_code), moves=moves,
        due_vnd=shipment.subtotal_vnd + shipment.shipping_vnd, problem=problem,
        typed=typed or {}), status


@bp.get("/orders/<int:shipment_id>")
def order(shipment_id: int):
    """One delivery: what to pack, where it goes, the cash to collect, and what to do next."""
    return _detail(_own_shipment(shipment_id))


def _explain(error: ShopError, shipment: Shipment) -> str:
    """The refusal in the visitor's language; the services speak English to logs."""
    if isinstance(error, order_status.InvalidTransition):
        return _("This delivery is now “%(status)s”: it cannot be marked “%(new)s”. "
                 "Nothing was changed.",
                 status=SHIPMENT_STATUSES.get(shipment.status, shipment.status),
                 new=SHIPMENT_STATUSES.get(error.details.get("to"), error.details.get("to")))
    if isinstance(error, ValidationError) and "cash_collected_vnd" in error.fields:
        due = shipment.subtotal_vnd + shipment.shipping_vnd
        return _("Enter the cash collected from the buyer: exactly %(amount)s. "
                 "Nothing was changed.", amount=format_vnd(due, str(get_locale() or "vi")))
    order = shipment.order
    if order.status == "awaiting_payment":
        return _("Order %(number)s is waiting for the buyer's payment: it can be packed once "
                 "it is paid. Nothing was changed.", number=order.number)
    if order.status != "confirmed":
        return _("Order %(number)s is “%(status)s”: there is nothing more to do. "
                 "Nothing was changed.", number=order.number,
                 status=ORDER_STATUSES.get(order.status, order.status))
    return error.message


def _move(shipment_id: int, new: str, typed: dict | None = None, **values):
    """Make one move through the service: (the moved shipment, None), or (None, the page shown
    again with the reason of a refusal)."""
    shipment = _own_shipment(shipment_id)
    try:
        fulfilment.advance(shipment, new, actor_id=current_user.id, **values)
    except ShopError as error:
        shipment = _own_shipment(shipment_id)  # as it stands after the rollback
        return None, _detail(shipment, error.status, _explain(error, shipment), typed)
    return shipment, None


def _back(shipment: Shipment):
    return redirect(url_for(".order", shipment_id=shipment.id), 303)


@bp.post("/orders/<int:shipment_id>/pack")
def pack_order(shipment_id: int):
    """The goods are packed and wait for the carrier."""
    shipment, refused = _move(shipment_id, "packed")
    if refused:
        return refused
    flash(_("Order %(number)s is packed.", number=shipment.order.number), "success")
    return _back(shipment)


@bp.post("/orders/<int:shipment_id>/ship")
def ship_order(shipment_id: int):
    """The parcel left with the carrier: the units leave the stock and the buyer is told."""
    note = request.form.get("tracking_note", "").strip()[:200]
    shipment, refused = _move(shipment_id, "shipped", {"tracking_note": note}, tracking_note=note)
    if refused:
        return refused
    order = shipment.order
    ordering.notify(order, "order_shipped",
                    f"Đơn hàng {order.number} đã được gửi đi / Order {order.number} shipped",
                    shipment=shipment)
    flash(_("Order %(number)s is on its way; the buyer was told by email.", number=order.number),
          "success")
    return _back(shipment)


@bp.post("/orders/<int:shipment_id>/deliver")
def deliver_order(shipment_id: int):
    """The buyer has the parcel; for cash on delivery, the cash the carrier collected."""
    text = request.form.get("cash_collected", "").strip()
    typed = {"cash_collected": text}
    try:
        cash = read_amount(text)
    except ValueError:
        return _detail(_own_shipment(shipment_id), 422,
                       _("Enter the amount in đồng, for example 250000. Nothing was changed."),
                       typed)
    shipment, refused = _move(shipment_id, "delivered", typed, cash_collected_vnd=cash)
    if refused:
        return refused
    flash(_("Order %(number)s is delivered.", number=shipment.order.number), "success")
    return _back(shipment)
