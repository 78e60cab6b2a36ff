"""Stock counts: staff count the shelves, a manager applies the count."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.clock import utcnow
from shop.errors import Conflict, IdempotencyConflict, ShopError
from shop.extensions import db
from shop.inventory import counts as count_service
from shop.inventory import queries as stock_queries
from shop.inventory.models import StockCount
from shop.pos.schemas import CountInput
from shop.web.salespoint import bp, forms
from shop.web.salespoint.access import manager_required

SHOWN = 100


def _count_or_404(count_id: str) -> StockCount:
    count = db.session.get(StockCount, count_id)
    if count is None or count.location_id != g.location.id:
        abort(404)
    return count


@bp.get("/counts")
def counts():
    found = db.session.scalars(
        select(StockCount).where(StockCount.location_id == g.location.id)
        .order_by(StockCount.counted_at.desc()).limit(SHOWN)).all()
    return render_template("salespoint/counts.html", counts=found, limit=SHOWN)


def _new_count(entry: forms.CountEntry, error: ShopError | None = None):
    return render_template("salespoint/count_new.html", entry=entry, error=error,
                           levels=stock_queries.levels_at(g.location.id))


@bp.get("/counts/new")
def new_count():
    """Every product the sales point stocks, with a box for what is on the shelf. The ledger's
    figure is not shown, so the count says what was found, not what was expected."""
    return _new_count(forms.CountEntry(forms.fresh_id(), {}))


@bp.post("/counts")
def submit_count():
    entry = forms.read_count(request.form)
    if entry.problems:
        return _new_count(entry), 422
    counted_at = utcnow()
    digest = CountInput(entry.count_id, counted_at, tuple(entry.lines)).digest
    try:
        created, _count = count_service.submit_count(
            g.location, entry.count_id, counted_at, entry.lines, digest, user_id=current_user.id)
    except IdempotencyConflict:
        # The same form sent again, at a later moment: the first count stands.
        created = False
    except ShopError as error:
        return _new_count(entry, error), 422
    if created:
        flash(_("The count is saved. A manager applies it to the stock."), "success")
    else:
        flash(_("This count was already saved; it was not saved again."), "error")
    return redirect(url_for(".count", count_id=entry.count_id), 303)


@bp.get("/counts/<count_id>")
def count(count_id: str):
    """Expected, counted and the difference of each line; once applied, what was written."""
    return render_template("salespoint/count.html", count=_count_or_404(count_id))


@bp.post("/counts/<count_id>/apply")
@manager_required
def apply_count(count_id: str):
    """Write the count's differences to the ledger (managers only)."""
    record = _count_or_404(count_id)
    try:
        count_service.apply_count(record, actor_id=current_user.id)
    except Conflict:
        flash(_("This count was already applied; nothing changed."), "error")
    else:
        flash(_("The count is applied to the stock."), "success")
    return redirect(url_for(".count", count_id=record.id), 303)
