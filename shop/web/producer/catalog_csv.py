"""The producer's listings as catalog.csv: download them, edit them, send them back."""

from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.catalog import listings
from shop.clock import today
from shop.errors import ImportRefused, ShopError
from shop.extensions import db
from shop.web.producer import bp
from shop.web.producer.listing_forms import ImportForm


@bp.get("/catalog.csv")
def export_catalog():
    """Every pack of the producer's products, one row each, in the catalog.csv columns."""
    body = "\ufeff" + listings.export_catalog(g.producer, today=today())
    return Response(body, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="catalog-{g.producer.tax_code}.csv"'})


def _page(form: ImportForm, status: int = 200, rows=(), report=None, problem=None):
    return render_template("producer/catalog_import.html", form=form, rows=list(rows),
                           report=report, problem=problem), status


@bp.get("/catalog/import")
def import_page():
    """The import form and what the file must hold."""
    return _page(ImportForm(formdata=None))


@bp.post("/catalog/import")
def import_catalog():
    """Import the file all or nothing: with any bad row, every one is listed and nothing changes."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form, 422, problem=_("Choose the CSV file to import."))
    try:
        report = listings.import_own_catalog(g.producer, form.file.data.read(),
                                             actor_id=current_user.id, today=today())
    except ImportRefused as error:
        db.session.rollback()
        return _page(form, 422, rows=error.rows,
                     problem=_("%(num)d bad row(s): nothing was imported.",
                               num=len({line for line, _ in error.rows})))
    except ShopError as error:
        db.session.rollback()
        return _page(form, error.status, problem=error.message)
    flash(_("Imported: %(summary)s.", summary=report_summary(report)), "success")
    return redirect(url_for(".import_page"), 303)


def report_summary(report) -> str:
    return "; ".join(report.lines())
