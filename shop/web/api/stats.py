"""GET /api/v1/stats: the program in figures, aggregated, with no personal data."""

from flask import jsonify

from shop.clock import today
from shop.stats import figures
from shop.web.api import bp


def table_json(table: figures.Table) -> dict:
    rows = []
    for row in table.rows:
        item = {"key": row.key, "label": row.label, "count": row.count, "share": table.share(row)}
        if row.amount_vnd is not None:
            item["amount_vnd"] = row.amount_vnd
        rows.append(item)
    return {"total": table.total, "rows": rows}


@bp.get("/stats")
def stats():
    day = today()
    return jsonify({"day": day.isoformat(),
                    "tables": {t.name: table_json(t) for t in figures.all_tables(day)}})
