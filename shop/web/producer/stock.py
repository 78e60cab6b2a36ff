from datetime import date, datetime, time, timedelta

from flask import g, render_template, request
from flask_babel import gettext as _

from shop import dates
from shop.clock import VIETNAM
from shop.inventory import queries as stock_queries
from shop.web import labels as web_labels
from shop.web.producer import bp, labels, queries

MOVEMENTS_SHOWN = 200


@bp.get("/stock")
def stock():
    """Each of the producer's variants at every location that holds it, with totals."""
    levels = queries.stock_levels(g.producer.id)
    by_variant = {v.id: (v, []) for v in queries.variants(g.producer.id)}
    for row in levels:
        by_variant[row.variant_id][1].append(row)
    return render_template("producer/stock.html", groups=list(by_variant.values()),
                           in_transit=queries.in_transit(g.producer.id))


def _day(text: str, problems: dict, field: str) -> date | None:
    if not text:
        return None
    try:
        return dates.parse_day(text)
    except dates.OutOfRange:
        problems[field] = str(web_labels.DAY_OUT_OF_RANGE)
    except ValueError:
        problems[field] = _("“%(text)s” is not a date: use YYYY-MM-DD, for example 2026-11-22.",
                            text=text)
    return None


def _filters(args) -> tuple[dict, dict, dict]:
    """What was typed, a message for each filter that could not be read, and the query's filters."""
    problems: dict[str, str] = {}
    typed = {name: (args.get(name) or "").strip() for name in ("sku", "reason", "from", "to")}
    first, last = _day(typed["from"], problems, "from"), _day(typed["to"], problems, "to")
    if typed["reason"] and typed["reason"] not in labels.REASONS:
        problems["reason"] = _("Choose one of the listed reasons.")
    if first and last and first > last:
        problems["to"] = _("The end date is before the start date.")
    return typed, problems, {
        "sku": typed["sku"] or None, "reason": typed["reason"] or None,
        "since": datetime.combine(first, time.min, VIETNAM) if first else None,
        "until": datetime.combine(last + timedelta(days=1), time.min, VIETNAM) if last else None,
    }


@bp.get("/movements")
def movements():
    """The ledger of the producer's goods at every location, newest first, with filters."""
    typed, problems, filters = _filters(request.args)
    variants = queries.variants(g.producer.id)
    if problems:
        return render_template("producer/movements.html", typed=typed, problems=problems,
                               variants=variants, rows=None, limit=MOVEMENTS_SHOWN), 422
    rows = stock_queries.movements(queries.stock_location_ids(g.producer.id),
                                   variant_ids=[v.id for v in variants], limit=MOVEMENTS_SHOWN,
                                   **filters)
    return render_template("producer/movements.html", typed=typed, problems={},
                           variants=variants, rows=rows, limit=MOVEMENTS_SHOWN)
