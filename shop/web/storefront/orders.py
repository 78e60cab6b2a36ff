"""The buyer's orders: history, one order (also for guests, by the link in their email),
paying it, and cancelling it before anything ships."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from shop.errors import ShopError
from shop.extensions import db
from shop.invoices import queries as invoices
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import services as payments
from shop.payments import vietqr
from shop.web import ordering
from shop.web.storefront import bp


def _buyers_order(number: str) -> Order:
    """The order, if the visitor is its signed-in buyer or holds its access token; else 404."""
    order = orders.by_number(number)
    token = request.values.get("token", "")
    if order is None:
        abort(404)
    own = current_user.is_authenticated and order.user_id == current_user.id
    if not (own or orders.token_matches(order, token)):
        abort(404)
    return order


@bp.get("/orders")
@login_required
def orders_list():
    found = db.session.scalars(select(Order).where(Order.user_id == current_user.id)
                               .order_by(Order.created_at.desc()).limit(100)).all()
    return render_template("storefront/orders.html", orders=found)


@bp.get("/orders/<number>")
def order(number: str):
    found = _buyers_order(number)
    return render_template("storefront/order.html", order=found,
                           payment=ordering.payment_view(found), token=found.access_token,
                           cancellable=orders.cancellable(found),
                           invoices=invoices.of_order(found.id))


@bp.get("/orders/<number>/qr.svg")
def order_qr(number: str):
    found = _buyers_order(number)
    payload = payments.transfer_details(found, ordering.bank_account())["vietqr"]
    return Response(vietqr.svg(payload), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})


@bp.post("/orders/<number>/pay")
def pay(number: str):
    """Go (again) to the card payment page of an order that waits for it."""
    found = _buyers_order(number)
    try:
        payment = ordering.card_checkout(found)
    except ShopError as error:
        flash(error.message, "error")
        return redirect(ordering.order_url(found), 303)
    return redirect(payment.checkout_url, 303)


@bp.post("/orders/<number>/cancel")
def cancel(number: str):
    found = _buyers_order(number)
    try:
        orders.cancel_order(found, actor_id=current_user.id if current_user.is_authenticated else None,
                            reason="cancelled by the buyer")
    except ShopError as error:
        flash(error.message, "error")
        return redirect(ordering.order_url(found), 303)
    settings = ordering.stripe_settings()
    if settings is not None and found.payment_method == "card" and found.payment_status in (
            "paid", "partially_refunded"):
        try:
            payments.refund_card(found, settings)
        except Exception:  # the refund is retried by the program office; the cancel stands
            found.needs_attention = True
            db.session.commit()
    ordering.notify(found, "order_cancelled", f"Đơn hàng {found.number} đã huỷ / cancelled")
    flash(_("Your order was cancelled."), "success")
    return redirect(url_for(".order", number=found.number, token=found.access_token), 303)
