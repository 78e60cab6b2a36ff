"""Online orders picked up at this sales point: get them ready, hand them over.

Staff and managers alike may do both. A pickup of another sales point is not found (404).
The moves are `orders.fulfilment.advance`'s: a move it refuses (not allowed from the current
status, an order still waiting for payment, the wrong amount of cash) is shown with its reason
and changes nothing. The buyer's email follows a pickup that is ready, after the commit.
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
from shop.web import ordering
from shop.web.labels import ORDER_STATUSES, SHIPMENT_STATUSES
from shop.web.salespoint import bp

SHOWN = 200


def _pickups():
    return (select(Shipment).join(Order, Order.id == Shipment.order_id)
            .where(Shipment.kind == "pickup", Shipment.location_id == g.location.id)
            .options(contains_eager(Shipment.order), selectinload(Shipment.lines)))


def _pickup_or_404(shipment_id: int) -> Shipment:
    shipment = db.session.scalar(_pickups().where(Shipment.id == shipment_id)
                                 .execution_options(populate_existing=True))
    if shipment is None:
        abort(404)
    return shipment


def _page(status: int = 200, problem: str | None = None, failed: int | None = None,
          typed: dict | None = None):
    """Pickups to prepare first, then those ready to hand over (oldest first), then the closed
    ones (newest first)."""
    open_ = Shipment.status.in_(("pending", "ready"))
    found = db.session.scalars(
        _pickups().order_by(case((Shipment.status == "pending", 0),
                                 (Shipment.status == "ready", 1), else_=2),
                            case((open_, Order.id), else_=-Order.id), Shipment.id)
        .limit(SHOWN)).all()
    return render_template("salespoint/pickups/list.html", pickups=found, limit=SHOWN,
                           problem=problem, failed=failed, typed=typed or {}), status


@bp.get("/pickups")
def pickups():
    return _page()


def _explain(error: ShopError, shipment: Shipment) -> str:
    """The refusal in the visitor's language; the services speak English to logs."""
    order = shipment.order
    if isinstance(error, order_status.InvalidTransition):
        return _("Order %(number)s is now “%(status)s”: it cannot be marked “%(new)s”. "
                 "Nothing was changed.", number=order.number,
                 status=SHIPMENT_STATUSES.get(shipment.status, shipment.status),
                 new=SHIPMENT_STATUSES.get(error.details.get("to"), error.details.get("to")))
    if isinstance(error, ValidationError) and "cash_collected_vnd" in error.fields:
        due = shipment.subtotal_vnd + shipment.shipping_vnd
        return _("Order %(number)s: enter the cash taken from the buyer, exactly %(amount)s. "
                 "Nothing was changed.", number=order.number,
                 amount=format_vnd(due, str(get_locale() or "vi")))
    if order.status == "awaiting_payment":
        return _("Order %(number)s is waiting for the buyer's payment: get it ready once it "
                 "is paid. Nothing was changed.", number=order.number)
    if order.status != "confirmed":
        return _("Order %(number)s is “%(status)s”: there is nothing more to do. "
                 "Nothing was changed.", number=order.number,
                 status=ORDER_STATUSES.get(order.status, order.status))
    return error.message


def _move(shipment_id: int, new: str, typed: dict | None = None, **values):
    """(the moved pickup, None), or (None, the list again with the reason of a refusal)."""
    shipment = _pickup_or_404(shipment_id)
    try:
        fulfilment.advance(shipment, new, actor_id=current_user.id, **values)
    except ShopError as error:
        shipment = _pickup_or_404(shipment_id)  # as it stands after the rollback
        return None, _page(error.status, _explain(error, shipment), shipment_id, typed)
    return shipment, None


@bp.post("/pickups/<int:shipment_id>/ready")
def ready_pickup(shipment_id: int):
    """The goods are set aside at the counter: the buyer is told to come."""
    shipment, refused = _move(shipment_id, "ready")
    if refused:
        return refused
    order = shipment.order
    ordering.notify(order, "ready_for_pickup",
                    f"Đơn hàng {order.number} sẵn sàng để nhận / Order {order.number} is ready "
                    "for pickup")
    flash(_("Order %(number)s is ready; the buyer was told by email.", number=order.number),
          "success")
    return redirect(url_for(".pickups"), 303)


@bp.post("/pickups/<int:shipment_id>/collect")
def collect_pickup(shipment_id: int):
    """The buyer took the goods; for a cash order, the cash taken at the counter."""
    text = request.form.get("cash_collected", "").strip()
    typed = {"cash_collected": text}
    try:
        cash = read_amount(text)
    except ValueError:
        _pickup_or_404(shipment_id)
        return _page(422, _("Enter the amount in đồng, for example 250000. Nothing was "
                            "changed."), shipment_id, typed)
    shipment, refused = _move(shipment_id, "collected", typed, cash_collected_vnd=cash)
    if refused:
        return refused
    flash(_("Order %(number)s was handed over.", number=shipment.order.number), "success")
    return redirect(url_for(".pickups"), 303)
