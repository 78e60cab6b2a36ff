from flask import abort, jsonify, request, url_for

from shop import search
from shop.catalog import queries
from shop.catalog.models import Product
from shop.clock import today
from shop.inventory import queries as stock_queries
from shop.tax import rates as tax
from shop.web import caching
from shop.web.api import bp


def product_summary(product: Product, available: int) -> dict:
    return {
        "slug": product.slug,
        "name": product.name,
        "stars": product.stars if product.is_listed_on(today()) else None,
        "group": product.group,
        "province": {"code": product.province.code, "name": product.province.name},
        "region": product.province.region_code,
        "producer": {"slug": product.producer.slug, "name": product.producer.name,
                     "kind": product.producer.kind},
        "price_vnd": product.min_price_vnd,
        "in_stock": available > 0,
        "url": url_for("storefront.product", slug=product.slug),
    }


@bp.get("/products")
@caching.read_mostly
def products():
    filters, text = queries.parse_filters(request.args), search.search_text(request.args)

    def build():
        page = search.query(text, filters, today()) if text else queries.listing(filters, today())
        return {
            "items": [product_summary(p, page.online_available.get(p.id, 0)) for p in page.items],
            "page": filters.page, "per_page": filters.per_page, "total": page.total,
            "facets": page.facets,
        }

    return jsonify(build()) if text else caching.json_read("api.products", build)


@bp.get("/products/<slug>")
@caching.read_mostly
def product(slug: str):
    return caching.json_read("api.product", lambda: _product_body(slug), stock=caching.PRODUCT)


def _product_body(slug: str) -> dict:
    item = queries.product_by_slug(slug)
    if item is None:
        abort(404)
    variants = [v for v in item.variants if v.is_active]
    online = stock_queries.online_available_by_variant([v.id for v in variants])
    certificate = item.badge_certificate(today())
    skus = {v.id: v.sku for v in variants}
    rates = tax.rates_on(today())
    body = product_summary(item, sum(online.values()))
    body.update({
        "description": item.description,
        "origin_story": item.origin_story,
        "locality": item.locality,
        "certificate": None if certificate is None else {
            "stars": certificate.stars, "decision_number": certificate.decision_number,
            "decision_date": certificate.decision_date.isoformat(),
            "issuer_level": certificate.issuer_level, "issuer_name": certificate.issuer_name,
            "valid_until": certificate.valid_until.isoformat(),
            "verify_url": url_for("storefront.verify", code=certificate.verify_code),
        },
        "variants": [{"sku": v.sku, "label": v.label, "price_vnd": v.price_vnd,
                      "vat_rate": tax.legacy_rate(rates[v.vat_category]),
                      "vat_category": v.vat_category, "available_online": online.get(v.id, 0)}
                     for v in variants],
        "sales_points": [
            {"code": location.code, "name": location.name,
             "province": {"code": location.province.code, "name": location.province.name},
             "available": {skus[vid]: qty for vid, qty in stock.items()}}
            for location, stock in stock_queries.sales_point_stock(list(skus))],
    })
    return body


@bp.get("/suggest")
@caching.read_mostly
def suggest():
    """Products to offer while the shopper types in the search box."""
    text = search.search_text(request.args)
    return jsonify({"q": text, "suggestions": [
        {"slug": p.slug, "name": p.name, "producer": p.producer.name, "province": p.province.name,
         "url": url_for("storefront.product", slug=p.slug)}
        for p in search.suggest(text, today())]})
