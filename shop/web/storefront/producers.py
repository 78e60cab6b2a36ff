from flask import abort, render_template

from shop.catalog import queries
from shop.clock import today
from shop.web.storefront import bp


@bp.get("/producers/<slug>")
def producer(slug: str):
    """A producer with its certified products."""
    item = queries.producer_by_slug(slug)
    if item is None:
        abort(404)
    return render_template("storefront/producer.html", producer=item,
                           products=queries.producer_products(item, today()))
