from flask import abort, render_template, request

from shop import search
from shop.catalog import queries
from shop.clock import today
from shop.errors import ValidationError
from shop.inventory import queries as stock_queries
from shop.places import services as places
from shop.web.storefront import bp


@bp.get("/products")
def listing():
    """Certified products, searched for and filtered by stars, group, region and province."""
    try:
        filters, text = queries.parse_filters(request.args), search.search_text(request.args)
    except ValidationError as error:
        return render_template("storefront/listing.html", listing=None, q="",
                               errors=error.fields, regions=places.regions(),
                               provinces=places.provinces()), 422
    found = search.query(text, filters, today()) if text else queries.listing(filters, today())
    return render_template("storefront/listing.html", listing=found, q=text, errors={},
                           regions=places.regions(), provinces=places.provinces())


@bp.get("/p/<slug>")
def product(slug: str):
    """A product: badge, certificate, story, producer, variants and where to find it."""
    item = queries.product_by_slug(slug)
    if item is None:
        abort(404)
    variant_ids = [v.id for v in item.variants if v.is_active]
    return render_template(
        "storefront/product.html", product=item, day=today(),
        certificate=item.badge_certificate(today()),
        online=stock_queries.online_available_by_variant(variant_ids),
        sales_points=stock_queries.sales_point_stock(variant_ids))
