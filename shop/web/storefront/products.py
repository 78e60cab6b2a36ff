from flask import abort, request
from flask_babel import gettext

from shop import search
from shop.catalog import queries
from shop.clock import today
from shop.errors import ValidationError
from shop.inventory import queries as stock_queries
from shop.places import services as places
from shop.web import caching
from shop.web.storefront import bp


@bp.get("/products")
@caching.read_mostly
def listing():
    """Certified products, searched for and filtered by stars, group, region and province."""
    try:
        filters, text = queries.parse_filters(request.args), search.search_text(request.args)
    except ValidationError as error:
        return caching.render_page(_listing_page(None, "", error.fields)), 422

    def build():
        found = search.query(text, filters, today()) if text else queries.listing(filters, today())
        page = _listing_page(found, text, {})
        if getattr(found, "degraded", False):  # answered from the database while the index is rebuilt
            page["keep"] = False
        return page

    if text:  # a page of results also depends on the index that ranked it
        return caching.html_page("search", build, version=search.version(), q=text)
    return caching.html_page("listing", build, q=text)


def _listing_page(found, text: str, errors: dict) -> dict:
    return {"title": gettext("Products"), "body": caching.fragment(
        "storefront/listing_body.html", listing=found, q=text, errors=errors,
        regions=places.regions(), provinces=places.provinces())}


@bp.get("/p/<slug>")
@caching.read_mostly
def product(slug: str):
    """A product: badge, certificate, story, producer, variants and where to find it."""
    return caching.html_page("product", lambda: _product_page(slug), stock=caching.PRODUCT)


def _product_page(slug: str) -> dict:
    item = queries.product_by_slug(slug)
    if item is None:
        abort(404)
    variant_ids = [v.id for v in item.variants if v.is_active]
    return {"title": item.name, "body": caching.fragment(
        "storefront/product_body.html", product=item, day=today(),
        certificate=item.badge_certificate(today()),
        online=stock_queries.online_available_by_variant(variant_ids),
        sales_points=stock_queries.sales_point_stock(variant_ids))}
