from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.errors import ShopError
from shop.inventory import transfers as inventory_transfers
from shop.web.producer import bp, queries
from shop.web.producer.forms import TransferForm, optional_int
from shop.web.producer.messages import attach, explain, not_saved

FIELDS = {"from": "source", "to": "destination"}


@bp.get("/transfers")
def transfers():
    """The producer's transfers, newest first."""
    page = optional_int(request.args.get("page")) or 1
    return render_template("producer/transfers/list.html",
                           pagination=queries.transfers(g.producer.id, max(page, 1)))


def _form_page(form: TransferForm, status: int = 200, problems: list[str] = ()):
    warehouses = queries.warehouses(g.producer.id)
    problems = list(problems) or ([not_saved()] if status == 422 else [])
    form.offer(warehouses, queries.sales_points(), queries.variants(g.producer.id))
    return render_template("producer/transfers/new.html", form=form, warehouses=warehouses,
                           problems=problems), status


@bp.get("/transfers/new")
def new_transfer():
    """The form of a draft transfer to a sales point."""
    return _form_page(TransferForm(formdata=None))


def _endpoints(form: TransferForm):
    """The own source warehouse (another producer's is a 404) and an open sales point."""
    source = queries.warehouse(g.producer.id, form.source.data)
    if form.source.data is not None and source is None:
        abort(404)
    if source is None:
        form.source.errors.append(_("Choose a warehouse."))
    destination = queries.sales_point(form.destination.data)
    if destination is None:
        form.destination.errors.append(_("Choose an open sales point."))
    return source, destination


@bp.post("/transfers")
def create_transfer():
    """Save a draft transfer and show it, ready to send."""
    form = TransferForm()
    if not form.validate_on_submit():
        return _form_page(form, 422)
    source, destination = _endpoints(form)
    lines = form.chosen_lines(queries.variants(g.producer.id))
    if source is None or destination is None or lines is None:
        return _form_page(form, 422)
    try:
        transfer = inventory_transfers.create_transfer(source, destination, lines,
                                                       actor_id=current_user.id,
                                                       note=form.note.data or "")
    except ShopError as error:
        return _form_page(form, 422, [explain(error), *attach(form, error, FIELDS)])
    flash(_("Draft %(code)s saved. Send it when the goods leave the warehouse.",
            code=transfer.code), "success")
    return redirect(url_for(".transfer", transfer_id=transfer.id), 303)


def _own_transfer(transfer_id: int):
    return queries.transfer(g.producer.id, transfer_id) or abort(404)


def _detail(transfer, status: int = 200, problem: str | None = None):
    available = {}
    if transfer.status == "draft":
        available = queries.available_at(transfer.from_location_id,
                                         [line.variant_id for line in transfer.lines])
    return render_template("producer/transfers/detail.html", transfer=transfer,
                           available=available, problem=problem), status


@bp.get("/transfers/<int:transfer_id>")
def transfer(transfer_id: int):
    """A transfer: its lines, status, and once received, what arrived and the differences."""
    return _detail(_own_transfer(transfer_id))


@bp.post("/transfers/<int:transfer_id>/send")
def send_transfer(transfer_id: int):
    """The goods leave the warehouse: the transfer goes in transit, or nothing changes."""
    transfer = _own_transfer(transfer_id)
    try:
        inventory_transfers.send_transfer(transfer, actor_id=current_user.id)
    except ShopError as error:
        transfer = _own_transfer(transfer_id)
        problem = (explain(error) if transfer.status == "draft"
                   else _("This transfer has already been sent: a transfer leaves only once."))
        return _detail(transfer, error.status, problem)
    flash(_("%(code)s is on its way.", code=transfer.code), "success")
    return redirect(url_for(".transfer", transfer_id=transfer_id), 303)
