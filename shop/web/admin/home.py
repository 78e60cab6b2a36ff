"""The program in figures: the dashboard and a CSV file of each of its tables."""


from flask import Response, abort, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shop import csvfile
from shop.clock import today
from shop.extensions import db
from shop.places.models import Region
from shop.stats import figures
from shop.web import labels
from shop.web.admin import bp

TITLES = {
    "products_by_stars": _l("Certified products by star level"),
    "products_by_group": _l("Certified products by product group"),
    "products_by_region": _l("Certified products by region"),
    "products_by_province": _l("Certified products by province"),
    "producers_by_kind": _l("Producers by kind"),
    "certificates_issued_by_month": _l("New certificates per month (decision date)"),
    "certificates_expiring_by_month": _l("Certificates expiring per month"),
    "online_sales_by_region": _l("Online sales by the producer's region (units)"),
    "counter_sales_by_sales_point": _l("Counter sales by sales point (number of sales)"),
    "top_products": _l("Top products (units sold online and at the counters)"),
}


def _label(table: str, row: figures.Row, regions: dict[str, Region]) -> str:
    """The row's name as a reader of this language says it."""
    if table == "products_by_stars":
        return f"{row.key}★"
    if table == "products_by_group":
        return str(labels.GROUPS.get(row.key, row.key))
    if table == "producers_by_kind":
        return str(labels.PRODUCER_KINDS.get(row.key, row.key))
    if table.endswith("_by_region") and row.key in regions:
        return labels.region_name(regions[row.key], str(get_locale()))
    return row.label


def _tables():
    regions = {r.code: r for r in db.session.scalars(db.select(Region))}
    return [(t, [(_label(t.name, row, regions), row) for row in t.rows])
            for t in figures.all_tables(today())]


@bp.get("/")
def home():
    """Every table of the program's figures, each with a bar chart and its CSV download."""
    return render_template("admin/home.html", tables=_tables(), titles=TITLES, day=today())


@bp.get("/stats/<name>.csv")
def stats_csv(name: str):
    """One table of the dashboard as CSV (UTF-8 with BOM, so spreadsheets read the marks)."""
    found = next(((t, rows) for t, rows in _tables() if t.name == name), None)
    if found is None:
        abort(404)
    table, rows = found
    body = csvfile.to_csv(["key", "label", "count", "share_percent", "amount_vnd"], [
        [row.key, label, row.count, table.share(row), "" if row.amount_vnd is None else row.amount_vnd]
        for label, row in rows])
    return Response("\ufeff" + body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{today()}.csv"'})
