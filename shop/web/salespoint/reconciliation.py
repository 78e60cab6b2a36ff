"""The reconciliation list: where the ledger and the shelves part, on a page and as CSV."""

import csv
import io

from flask import Response, g, render_template
from flask_babel import gettext as _

from shop.pos.reconciliation import discrepancies
from shop.web.salespoint import bp, labels
from shop.web.salespoint.access import local_time

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


@bp.get("/reconciliation")
def reconciliation():
    return render_template("salespoint/reconciliation.html", items=discrepancies(g.location))


@bp.get("/reconciliation.csv")
def reconciliation_csv():
    """The same list for a spreadsheet: UTF-8 with a BOM, so Excel reads Vietnamese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Time"), _("Kind"), _("SKU"), _("Reference"), _("Quantity"),
                     _("Detail")])
    for item in discrepancies(g.location):
        writer.writerow([local_time(item.when), _cell(labels.label(labels.DISCREPANCY_KINDS, item.kind)),
                         _cell(item.sku), _cell(item.reference), item.quantity, _cell(item.detail)])
    filename = f"reconciliation-{g.location.code}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={filename}",
        "Cache-Control": "no-store"})
