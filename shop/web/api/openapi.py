"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json."""

from flask import jsonify

from shop.catalog.models import PRODUCER_KINDS, PRODUCT_GROUPS
from shop.catalog.queries import MAX_PER_PAGE, SORTS
from shop.money import VAT_RATES
from shop.places.models import REGION_CODES
from shop.web.api import bp


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties,
            "required": required if required is not None else list(properties)}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NULLABLE_INT = {"type": ["integer", "null"]}
PLACE = _obj({"code": STRING, "name": STRING})

SCHEMAS = {
    "Error": _obj({"error": _obj({"code": STRING, "message": STRING, "details": {"type": "object"}})}),
    "ProductSummary": _obj({
        "slug": STRING, "name": STRING, "stars": {"type": ["integer", "null"], "enum": [3, 4, 5, None]},
        "group": {"type": "string", "enum": list(PRODUCT_GROUPS)}, "province": PLACE,
        "region": {"type": "string", "enum": list(REGION_CODES)},
        "producer": _obj({"slug": STRING, "name": STRING,
                          "kind": {"type": "string", "enum": list(PRODUCER_KINDS)}}),
        "price_vnd": NULLABLE_INT, "in_stock": BOOLEAN, "url": STRING}),
    "ProductList": _obj({
        "items": {"type": "array", "items": _ref("ProductSummary")},
        "page": INTEGER, "per_page": INTEGER, "total": INTEGER,
        "facets": _obj({name: {"type": "object", "additionalProperties": INTEGER}
                        for name in ("stars", "group", "region", "province")})}),
}
SCHEMAS["ProductDetail"] = {"allOf": [_ref("ProductSummary"), _obj({
    "description": STRING, "origin_story": STRING, "locality": STRING,
    "certificate": {"oneOf": [{"type": "null"}, _obj({
        "stars": INTEGER, "decision_number": STRING, "decision_date": {"type": "string", "format": "date"},
        "issuer_level": STRING, "issuer_name": STRING,
        "valid_until": {"type": "string", "format": "date"}, "verify_url": STRING})]},
    "variants": {"type": "array", "items": _obj({
        "sku": STRING, "label": STRING, "price_vnd": INTEGER,
        "vat_rate": {"type": "string", "enum": list(VAT_RATES)}, "available_online": INTEGER})},
    "sales_points": {"type": "array", "items": _obj({
        "code": STRING, "name": STRING, "province": PLACE,
        "available": {"type": "object", "additionalProperties": INTEGER}})},
})]}


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "OCOP marketplace API", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/products": {"get": {
            "operationId": "listProducts",
            "summary": "Certified products (active, with a valid certificate)",
            "parameters": [
                _query("stars", {"type": "string", "pattern": "^[345](,[345])*$"}, "e.g. 4 or 4,5"),
                _query("group", {"type": "string", "enum": list(PRODUCT_GROUPS)}, "product group"),
                _query("region", {"type": "string", "enum": list(REGION_CODES)}, "region code"),
                _query("province", {"type": "string"}, "province code"),
                _query("sort", {"type": "string", "enum": list(SORTS)}, "order"),
                _query("page", {"type": "integer", "minimum": 1}, "page number"),
                _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                       "items per page"),
            ],
            "responses": {
                "200": {"description": "a page of products",
                        "content": {"application/json": {"schema": _ref("ProductList")}}},
                "422": _error_response("invalid filters"),
            }}},
        "/products/{slug}": {"get": {
            "operationId": "getProduct",
            "summary": "One product with certificate, variants and sales points",
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": STRING}],
            "responses": {
                "200": {"description": "the product",
                        "content": {"application/json": {"schema": _ref("ProductDetail")}}},
                "404": _error_response("no such product"),
            }}},
    },
    "components": {"schemas": SCHEMAS},
}


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
