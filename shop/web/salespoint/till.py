"""The web till: a counter sale typed in the browser, recorded exactly once, and its receipt."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.clock import utcnow
from shop.errors import IdempotencyConflict, ShopError
from shop.extensions import db
from shop.inventory import queries as stock_queries
from shop.pos import services as pos
from shop.pos.models import PAYMENT_METHODS, PosSale
from shop.pos.schemas import SaleInput
from shop.web.salespoint import bp, forms

RECENT_SALES = 100


def _till(entry: forms.TillEntry, levels, error: ShopError | None = None):
    return render_template("salespoint/till.html", entry=entry, levels=levels,
                           methods=PAYMENT_METHODS, error=error)


@bp.get("/till")
def till():
    """A blank sale. Its id is made now, so sending the form twice records one sale."""
    return _till(forms.blank_till(), stock_queries.levels_at(g.location.id))


@bp.post("/till")
def record_sale():
    levels = stock_queries.levels_at(g.location.id)
    list_prices = {variant.sku: variant.price_vnd for _level, variant in levels}
    entry = forms.read_till(request.form, list_prices, PAYMENT_METHODS)
    if entry.problems:
        return _till(entry, levels), 422
    sale = SaleInput(entry.sale_id, utcnow(), entry.payment_method, tuple(entry.lines))
    try:
        created, _response = pos.record_sale(g.location, sale, cashier_id=current_user.id)
    except IdempotencyConflict:
        # The same form sent again: its id is recorded already, at a later moment than the
        # first send, so the bodies differ. The first sale stands; nothing more is recorded.
        created = False
    except ShopError as error:
        return _till(entry, stock_queries.levels_at(g.location.id), error), 422
    if not created:
        flash(_("This sale was already recorded; it was not recorded again."), "error")
    return redirect(url_for(".sale", sale_id=sale.id), 303)


@bp.get("/sales")
def sales():
    """The latest counter sales of this sales point, from the web till and from devices."""
    found = db.session.scalars(
        select(PosSale).where(PosSale.location_id == g.location.id)
        .order_by(PosSale.occurred_at.desc(), PosSale.created_at.desc()).limit(RECENT_SALES)).all()
    return render_template("salespoint/sales.html", sales=found, limit=RECENT_SALES)


@bp.get("/sales/<sale_id>")
def sale(sale_id: str):
    """A receipt: its lines, the total, and anything the sale left to sort out."""
    record = db.session.get(PosSale, sale_id)
    if record is None or record.location_id != g.location.id:
        abort(404)
    return render_template("salespoint/sale.html", sale=record)
