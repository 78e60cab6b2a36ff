"""Transfers on their way to this sales point, and taking in what arrived."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload, selectinload

from shop.errors import ShopError
from shop.extensions import db
from shop.inventory import transfers as transfer_service
from shop.inventory.models import Transfer
from shop.web.salespoint import bp, forms

SHOWN = 200


def _transfer_or_404(transfer_id: int) -> Transfer:
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or transfer.to_location_id != g.location.id or transfer.status == "draft":
        abort(404)
    return transfer


@bp.get("/transfers")
def transfers():
    """Incoming transfers: those on the way first, then those received, newest first."""
    found = db.session.scalars(
        select(Transfer)
        .where(Transfer.to_location_id == g.location.id, Transfer.status != "draft")
        .options(joinedload(Transfer.from_location), selectinload(Transfer.lines))
        .order_by(case((Transfer.status == "in_transit", 0), else_=1),
                  Transfer.sent_at.desc(), Transfer.id.desc())
        .limit(SHOWN)).all()
    return render_template("salespoint/transfers.html", transfers=found, limit=SHOWN)


def _page(transfer: Transfer, rows=None, problems=None, error: ShopError | None = None):
    return render_template(
        "salespoint/transfer.html", transfer=transfer, rows=rows or {}, problems=problems or {},
        error=error)


@bp.get("/transfers/<int:transfer_id>")
def transfer(transfer_id: int):
    return _page(_transfer_or_404(transfer_id))


@bp.post("/transfers/<int:transfer_id>/receive")
def receive_transfer(transfer_id: int):
    """Record what arrived of each line; a shortfall or surplus stays on the line and shows in
    the reconciliation list."""
    transfer = _transfer_or_404(transfer_id)
    received, rows, problems = forms.read_received(request.form)
    if problems:
        return _page(transfer, rows, problems), 422
    try:
        transfer_service.receive_transfer(transfer, received, actor_id=current_user.id)
    except ShopError as error:
        return _page(transfer, rows, error=error), error.status
    flash(_("Transfer %(code)s is received.", code=transfer.code), "success")
    return redirect(url_for(".transfer", transfer_id=transfer.id), 303)
