"""The reconciliation list: where the ledger and the shelves part, on a page and as CSV."""

from flask import Response, g, render_template
from flask_babel import gettext as _

from shop import csvfile
from shop.pos.reconciliation import discrepancies
from shop.web.salespoint import bp, labels
from shop.web.salespoint.access import local_time


@bp.get("/reconciliation")
def reconciliation():
    return render_template("salespoint/reconciliation.html", items=discrepancies(g.location))


@bp.get("/reconciliation.csv")
def reconciliation_csv():
    """The same list for a spreadsheet: UTF-8 with a BOM, so Excel reads Vietnamese right."""
    body = csvfile.to_csv(
        [_("Time"), _("Kind"), _("SKU"), _("Reference"), _("Quantity"), _("Detail")],
        [[local_time(item.when), labels.label(labels.DISCREPANCY_KINDS, item.kind), item.sku,
          item.reference, item.quantity, item.detail] for item in discrepancies(g.location)])
    filename = f"reconciliation-{g.location.code}.csv"
    return Response("\ufeff" + body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={filename}",
        "Cache-Control": "no-store"})
