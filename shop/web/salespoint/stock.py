"""What the sales point holds, the ledger's lines, and adjustments for damage and returns."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.errors import ShopError
from shop.inventory import queries as stock_queries
from shop.inventory import services as inventory
from shop.inventory.models import MOVEMENT_REASONS
from shop.web.salespoint import bp, forms

LIMIT = 200  # movements shown at once


def _home(levels, adjustment=None, error: ShopError | None = None):
    return render_template("salespoint/home.html", levels=levels,
                           reasons=inventory.ADJUSTMENT_REASONS,
                           adjustment=adjustment, error=error)


@bp.get("/")
def home():
    """The stock table: on hand, reserved by online orders, and what is left to sell."""
    return _home(stock_queries.levels_at(g.location.id))


@bp.post("/adjustments")
def adjust():
    """Damaged goods leave the stock, returned goods come back; a note says what happened."""
    levels = stock_queries.levels_at(g.location.id)
    entry = forms.read_adjustment(request.form, inventory.ADJUSTMENT_REASONS)
    variant = next((v for _level, v in levels if v.sku == entry.sku), None)
    if entry.sku and variant is None:
        entry.problems["sku"] = _("%(sku)s is not stocked at this sales point.", sku=entry.sku)
    if entry.problems:
        return _home(levels, entry), 422
    try:
        inventory.record_adjustment(g.location, variant, entry.quantity, entry.reason,
                                    actor_id=current_user.id, note=entry.note)
    except ShopError as error:
        return _home(stock_queries.levels_at(g.location.id), entry, error), 422
    if entry.reason == "damage":
        flash(_("Recorded as damaged: %(quantity)d × %(sku)s.", quantity=entry.quantity,
                sku=entry.sku), "success")
    else:
        flash(_("Recorded as returned: %(quantity)d × %(sku)s.", quantity=entry.quantity,
                sku=entry.sku), "success")
    return redirect(url_for(".home"), 303)


@bp.get("/movements")
def movements():
    """The ledger's lines at this sales point, newest first, filtered by SKU, reason and days."""
    chosen = forms.read_movement_filter(request.args, MOVEMENT_REASONS)
    if chosen.problems:
        return render_template("salespoint/movements.html", chosen=chosen, lines=None,
                               reasons=MOVEMENT_REASONS), 422
    lines = stock_queries.movements([g.location.id], sku=chosen.sku, reason=chosen.reason,
                                    since=chosen.since, until=chosen.until, limit=LIMIT)
    return render_template("salespoint/movements.html", chosen=chosen, lines=lines,
                           reasons=MOVEMENT_REASONS, limit=LIMIT)

