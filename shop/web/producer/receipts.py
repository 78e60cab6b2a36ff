from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.errors import ShopError
from shop.inventory import queries as stock_queries
from shop.inventory import services as inventory
from shop.web.producer import bp, labels, queries
from shop.web.producer.forms import AdjustmentForm, ReceiptForm
from shop.web.producer.messages import attach, explain, not_saved

RECENT = 10
FIELDS = {"quantity": "quantity", "note": "note", "reason": "reason"}


def _page(receipt: ReceiptForm, adjustment: AdjustmentForm, status: int = 200,
          problems: list[str] = ()):
    warehouses, variants = queries.warehouses(g.producer.id), queries.variants(g.producer.id)
    problems = list(problems) or ([not_saved()] if status == 422 else [])
    recent = stock_queries.movements([w.id for w in warehouses],
                                     variant_ids=[v.id for v in variants], limit=RECENT)
    return render_template("producer/receipts.html", warehouses=warehouses,
                           receipt=receipt.offer(warehouses, variants),
                           adjustment=adjustment.offer(warehouses, variants),
                           recent=recent, problems=problems), status


def _target(form):
    """The own warehouse and own variant a form names: another producer's warehouse is a 404."""
    location = None
    if form.warehouse.data is None:
        form.warehouse.errors.append(_("Choose a warehouse."))
    else:
        location = queries.warehouse(g.producer.id, form.warehouse.data) or abort(404)
    return location, form.chosen_variant(queries.variants(g.producer.id))


@bp.get("/receipts")
def receipts():
    """Goods arriving at the producer's warehouse, and damaged or returned goods."""
    return _page(ReceiptForm(formdata=None), AdjustmentForm(formdata=None))


@bp.post("/receipts")
def receive():
    """Record a goods receipt at one of the producer's warehouses."""
    form = ReceiptForm()
    if not form.validate_on_submit():
        return _page(form, AdjustmentForm(formdata=None), 422)
    location, variant = _target(form)
    if location is None or variant is None:
        return _page(form, AdjustmentForm(formdata=None), 422)
    try:
        inventory.receive_goods(location, variant, form.quantity.data or 0,
                                actor_id=current_user.id, note=form.note.data or "")
    except ShopError as error:
        problems = [explain(error), *attach(form, error, FIELDS)]
        return _page(form, AdjustmentForm(formdata=None), 422, problems)
    flash(_("Received %(quantity)d × %(sku)s at %(warehouse)s.", quantity=form.quantity.data,
            sku=variant.sku, warehouse=location.name), "success")
    return redirect(url_for(".receipts"), 303)


@bp.post("/adjustments")
def adjust():
    """Record damaged goods leaving, or returned goods coming back, with a note."""
    form = AdjustmentForm()
    if not form.validate_on_submit():
        return _page(ReceiptForm(formdata=None), form, 422)
    location, variant = _target(form)
    if location is None or variant is None:
        return _page(ReceiptForm(formdata=None), form, 422)
    try:
        inventory.record_adjustment(location, variant, form.quantity.data or 0,
                                    form.reason.data or "", actor_id=current_user.id,
                                    note=form.note.data or "")
    except ShopError as error:
        problems = [explain(error), *attach(form, error, FIELDS)]
        return _page(ReceiptForm(formdata=None), form, 422, problems)
    flash(_("Recorded: %(reason)s, %(quantity)d × %(sku)s at %(warehouse)s.",
            reason=labels.ADJUSTMENTS[form.reason.data],
            quantity=form.quantity.data, sku=variant.sku, warehouse=location.name), "success")
    return redirect(url_for(".receipts"), 303)
