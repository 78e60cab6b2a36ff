"""Bank transfers awaiting confirmation: the office compares its bank account with the queue
and records each transfer that arrived."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from shop.errors import ImportRefused, ShopError
from shop.extensions import db
from shop.money import format_vnd, read_amount
from shop.orders.models import Order
from shop.payments import bank_statement, queries
from shop.payments import services as payments
from shop.web.admin import bp
from shop.web.labels import STATEMENT_OUTCOMES


@bp.get("/payments/transfers")
def transfers():
    """The queue of bank-transfer orders, oldest first."""
    return render_template("admin/transfers.html", orders=queries.awaiting_transfers())


@bp.post("/payments/transfers/<number>")
def confirm_transfer(number: str):
    """Record the amount that arrived for one order: the exact amount pays it, another flags it."""
    order = db.first_or_404(db.select(Order).where(Order.number == number))
    try:
        amount = read_amount(request.form.get("amount_vnd", ""))
    except ValueError:
        amount = None
    if amount is None or amount < 1:
        flash(_("Enter the amount that arrived, in đồng, for example 250000. Nothing was changed."),
              "error")
        return render_template("admin/transfers.html", orders=queries.awaiting_transfers(),
                               typed={number: request.form.get("amount_vnd", "")}), 422
    try:
        payments.confirm_transfer(order, amount, actor_id=current_user.id,
                                  note=f"confirmed by {current_user.email}")
    except ShopError as error:
        flash(error.message, "error")
        return redirect(url_for(".transfers"), 303)
    if order.payment_status == "paid":
        flash(_("Order %(number)s is paid.", number=number), "success")
    else:
        flash(_("%(amount)s arrived for order %(number)s, which asks for %(due)s: the order is "
                "flagged for review and stays in the queue.", amount=format_vnd(amount, str(get_locale())),
                number=number, due=format_vnd(order.total_vnd, str(get_locale()))), "error")
    return redirect(url_for(".transfers"), 303)


@bp.post("/payments/statement")
def import_statement():
    """Read an uploaded bank statement: confirm the transfers it shows, list the other rows."""
    upload = request.files.get("statement")
    if upload is None or not upload.filename:
        flash(_("Choose the bank statement file (CSV) to import. Nothing was changed."), "error")
        return render_template("admin/transfers.html", orders=queries.awaiting_transfers()), 422
    try:
        lines = bank_statement.import_statement(upload.read(), actor_id=current_user.id)
    except ImportRefused as refused:
        return render_template("admin/transfers.html", orders=queries.awaiting_transfers(),
                               refused=refused.rows), 422
    return render_template("admin/statement.html", lines=lines, labels=STATEMENT_OUTCOMES)
