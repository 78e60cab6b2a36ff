from flask import abort, render_template, request

from shop.catalog import queries
from shop.clock import today
from shop.errors import ValidationError
from shop.inventory import queries as stock_queries
from shop.places import services as places
from shop.web.storefront import bp


@bp.get("/products")
def listing():
    """Certified products, filtered by stars, group, region and province."""
    try:
        filters = queries.parse_filters(request.args)
    except ValidationError as error:
        return render_template("storefront/listing.html", listing=None,
                               errors=error.fields, regions=places.regions(),
                               provinces=places.provinces()), 422
    return render_template("storefront/listing.html",
                           listing=queries.listing(filters, today()), errors={},
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
