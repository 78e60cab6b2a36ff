"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json."""

from flask import jsonify

from shop.catalog.models import PRODUCER_KINDS, PRODUCT_GROUPS
from shop.catalog.queries import MAX_PAGE, MAX_PER_PAGE, SORTS
from shop.orders.carts import MAX_LINE_QUANTITY
from shop.places.models import REGION_CODES
from shop.pos.limits import (
    CLOCK_SKEW,
    EARLIEST,
    MAX_BATCH,
    MAX_COUNT_LINES,
    MAX_LINES,
    MAX_PRICE_VND,
    MAX_QUANTITY,
    MAX_SALE_TOTAL_VND,
    MAX_SKU_LENGTH,
)
from shop.tax.rates import VAT_CATEGORIES
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
        "vat_rate": {"type": "string", "pattern": "^(exempt|[0-9]|10)$",
                     "description": "the category's rate today; exempt where no VAT applies"},
        "vat_category": {"type": "string", "enum": list(VAT_CATEGORIES)},
        "available_online": INTEGER})},
    "sales_points": {"type": "array", "items": _obj({
        "code": STRING, "name": STRING, "province": PLACE,
        "available": {"type": "object", "additionalProperties": INTEGER}})},
})]}


SKU = {"type": "string", "minLength": 1, "maxLength": MAX_SKU_LENGTH, "example": "TNG-CHE-200",
       "description": "letters, digits, '.', '_' or '-' (spaces around it are ignored)"}
SALE_LINE = _obj({"sku": SKU, "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY},
                  "unit_price_vnd": {"type": "integer", "minimum": 0, "maximum": MAX_PRICE_VND}})
TILL_TIME = (f"at most {CLOCK_SKEW.seconds // 60} minutes ahead of the shop's clock, and neither "
             f"before {EARLIEST:%Y-%m-%d} nor more than {CLOCK_SKEW.seconds // 60} minutes before "
             "the device's token was made (else 422 time_out_of_range); a time ahead of the "
             "shop's clock enters the stock ledger as the moment the shop received it")
SCHEMAS.update({
    "PosStock": _obj({"sales_point": PLACE, "items": {"type": "array", "items": _obj({
        "sku": STRING, "name": STRING, "on_hand": INTEGER, "reserved": INTEGER,
        "available": INTEGER})}}),
    "PosSaleRequest": _obj({"id": {"type": "string", "format": "uuid"},
                            "occurred_at": {"type": "string", "format": "date-time",
                                            "description": TILL_TIME},
                            "payment_method": {"type": "string",
                                               "enum": ["cash", "card", "bank_transfer", "e_wallet"]},
                            "lines": {"type": "array", "minItems": 1, "maxItems": MAX_LINES,
                                      "items": SALE_LINE,
                                      "description": "quantity x unit_price_vnd summed over the "
                                                     f"lines: at most {MAX_SALE_TOTAL_VND} đồng"}}),
    "PosSale": _obj({"id": STRING, "receipt_number": STRING, "occurred_at": STRING,
                     "payment_method": STRING, "total_vnd": INTEGER,
                     "lines": {"type": "array", "items": {"type": "object"}},
                     "flags": {"type": "array", "items": {"type": "object"}}}),
    # Each sale of a sync is judged on its own: a sale that is not a PosSaleRequest is
    # "rejected" in its result, not a refusal of the whole sync.
    "PosSyncRequest": _obj({"sales": {"type": "array", "maxItems": MAX_BATCH, "items": {
        "description": "a PosSaleRequest"}}}),
    "PosSyncResult": _obj({"results": {"type": "array", "items": _obj(
        {"id": {"type": ["string", "null"]},
         "status": {"type": "string", "enum": ["created", "duplicate", "rejected"]},
         "error": {"type": "object"}}, ["id", "status"])}}),
    "PosCountRequest": _obj({"id": {"type": "string", "format": "uuid"},
                             "counted_at": {"type": "string", "format": "date-time",
                                            "description": TILL_TIME},
                             "lines": {"type": "array", "minItems": 1,
                                       "maxItems": MAX_COUNT_LINES, "items": _obj(
                                 {"sku": SKU, "counted": {"type": "integer", "minimum": 0,
                                                          "maximum": MAX_QUANTITY}})}}),
    "PosCount": _obj({"id": STRING, "status": STRING, "counted_at": STRING,
                      "movements_after": NULLABLE_INT,
                      "lines": {"type": "array", "items": _obj({
                          "sku": STRING, "expected": INTEGER, "counted": INTEGER,
                          "difference": INTEGER})}}),
    "PosTransfer": _obj({"id": INTEGER, "code": STRING, "status": STRING, "from": PLACE,
                         "to": PLACE, "sent_at": {"type": ["string", "null"]},
                         "received_at": {"type": ["string", "null"]},
                         "lines": {"type": "array", "items": {"type": "object"}}}),
    "PosReceiveRequest": _obj({"lines": {"type": "array", "minItems": 1, "items": _obj(
        {"sku": SKU, "received": {"type": "integer", "minimum": 0, "maximum": MAX_QUANTITY}})}}),
})


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
                _query("stars", {"type": "string", "pattern": "^([345](,[345])*)?$"},
                       "e.g. 4 or 4,5; empty: any"),
                _query("group", {"type": "string", "enum": [*PRODUCT_GROUPS, ""]},
                       "product group; empty: any"),
                _query("region", {"type": "string", "enum": [*REGION_CODES, ""]},
                       "region code; empty: any"),
                _query("province", {"type": "string"}, "province code"),
                _query("sort", {"type": "string", "enum": [*SORTS, ""]}, "order; empty: relevance"),
                _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "page number"),
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
    "components": {"schemas": SCHEMAS, "securitySchemes": {
        "device": {"type": "http", "scheme": "bearer",
                   "description": "a sales point's device token (shop pos-token)"}}},
}


def _json_body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


def _ok(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


DEVICE = [{"device": []}]
UNAUTHORIZED = _error_response("no valid device token")
DOCUMENT["paths"].update({
    "/pos/stock": {"get": {"operationId": "posStock", "security": DEVICE,
                           "responses": {"200": _ok("PosStock", "the sales point's stock"),
                                         "401": UNAUTHORIZED}}},
    "/pos/sales": {"post": {
        "operationId": "posSale", "security": DEVICE, "requestBody": _json_body("PosSaleRequest"),
        "responses": {"201": _ok("PosSale", "recorded"),
                      "200": _ok("PosSale", "already recorded: the first response"),
                      "401": UNAUTHORIZED,
                      "409": _error_response("the same id with a different body"),
                      "422": _error_response(
                          "invalid sale; nothing recorded: validation_error, or the one guard "
                          "the sale broke (time_out_of_range); details.fields names each bad "
                          "field and details.codes the guard each broke")}}},
    "/pos/sync": {"post": {
        "operationId": "posSync", "security": DEVICE, "requestBody": _json_body("PosSyncRequest"),
        "responses": {"200": _ok("PosSyncResult", "one result per sale, in order; a sale the "
                                 "shop failed to record is rejected with server_error and may "
                                 "be sent again"),
                      "401": UNAUTHORIZED, "422": _error_response("not a list of sales")}}},
    "/pos/counts": {"post": {
        "operationId": "posCount", "security": DEVICE, "requestBody": _json_body("PosCountRequest"),
        "responses": {"201": _ok("PosCount", "submitted"), "200": _ok("PosCount", "already sent"),
                      "401": UNAUTHORIZED, "409": _error_response("the same id with another body"),
                      "422": _error_response("invalid count (validation_error or "
                                             "time_out_of_range, as a sale)")}}},
    "/pos/counts/{id}/apply": {"post": {
        "operationId": "posApplyCount", "security": DEVICE,
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": STRING}],
        "responses": {"200": _ok("PosCount", "applied"), "401": UNAUTHORIZED,
                      "403": _error_response("not a manager's device"),
                      "404": _error_response("no such count"),
                      "409": _error_response("already applied")}}},
    "/pos/transfers": {"get": {
        "operationId": "posTransfers", "security": DEVICE,
        "parameters": [_query("status", {"type": "string", "enum": ["in_transit", "received", ""]},
                              "only transfers in this status; empty: both")],
        "responses": {"200": {"description": "incoming transfers", "content": {
            "application/json": {"schema": _obj({"items": {
                "type": "array", "items": _ref("PosTransfer")}})}}}, "401": UNAUTHORIZED,
            "422": _error_response("unknown status")}}},
    "/pos/transfers/{id}/receive": {"post": {
        "operationId": "posReceiveTransfer", "security": DEVICE,
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": INTEGER}],
        "requestBody": _json_body("PosReceiveRequest"),
        "responses": {"200": _ok("PosTransfer", "received"), "401": UNAUTHORIZED,
                      "404": _error_response("no such transfer"),
                      "409": _error_response("not in transit"),
                      "422": _error_response("the lines do not match")}}},
})


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)


CART_LINE = _obj({"sku": STRING, "name": STRING, "quantity": INTEGER, "unit_price_vnd": INTEGER,
                  "line_total_vnd": INTEGER, "available": INTEGER})
SCHEMAS.update({
    "Cart": _obj({"id": STRING, "lines": {"type": "array", "items": CART_LINE}, "total_vnd": INTEGER}),
    "CartLineRequest": _obj({"sku": SKU, "quantity": {"type": "integer", "minimum": 0,
                                                      "maximum": MAX_LINE_QUANTITY}}),
    "CheckoutRequest": _obj({
        "email": STRING, "phone": STRING, "name": STRING,
        "fulfilment": {"type": "string", "enum": ["delivery", "pickup"]},
        "address": {"oneOf": [{"type": "null"}, _obj({"line": STRING, "ward_code": STRING,
                                                      "province_code": STRING})]},
        "pickup_point": {"type": ["string", "null"]},
        "payment_method": {"type": "string", "enum": ["cod", "bank_transfer", "card"]}},
        ["email", "phone", "name", "fulfilment", "payment_method"]),
    "Order": _obj({"order": _obj({
        "number": STRING, "status": STRING, "payment_status": STRING, "payment_method": STRING,
        "fulfilment": STRING, "subtotal_vnd": INTEGER, "shipping_vnd": INTEGER, "total_vnd": INTEGER,
        "access_token": STRING, "created_at": STRING, "url": STRING,
        "lines": {"type": "array", "items": {"type": "object"}},
        "shipments": {"type": "array", "items": {"type": "object"}},
        "invoices": {"type": "array", "items": _ref("OrderInvoice")}}),
        "payment": _obj({"method": STRING, "status": STRING}, ["method", "status"])}),
})
SCHEMAS["OrderInvoice"] = _obj({
    "number": {**STRING, "example": "1C27TAA-00000001"},
    "kind": {"type": "string", "enum": ["original", "adjustment"]},
    "adjusts": {"type": ["string", "null"], "description": "the number of the invoice it adjusts"},
    "seller": _obj({"name": STRING, "tax_code": STRING}),
    "template": {"type": "string", "enum": ["1", "2"]},
    "issued_on": {"type": "string", "format": "date"}, "total_vnd": INTEGER,
    "lines": {"type": "array", "items": _obj({
        "sku": STRING, "name": STRING, "quantity": INTEGER, "unit_price_vnd": INTEGER,
        "vat_rate": {"type": "string", "pattern": "^(not_subject|exempt|[0-9]|10)$"},
        "amount_vnd": INTEGER, "vat_vnd": INTEGER})},
    "pdf_url": STRING})
_CART_ID = [{"name": "id", "in": "path", "required": True, "schema": STRING}]
DOCUMENT["paths"].update({
    "/carts": {"post": {"operationId": "createCart",
                        "responses": {"201": _ok("Cart", "a new, empty cart")}}},
    "/carts/{id}": {"get": {"operationId": "getCart", "parameters": _CART_ID,
                            "responses": {"200": _ok("Cart", "the cart"),
                                          "404": _error_response("no open cart")}}},
    "/carts/{id}/lines": {"post": {
        "operationId": "addCartLine", "parameters": _CART_ID,
        "requestBody": _json_body("CartLineRequest"),
        "responses": {"200": _ok("Cart", "the quantity adds to the line; 0 removes it"),
                      "404": _error_response("no open cart"),
                      "422": _error_response("unknown SKU or bad quantity")}}},
    "/carts/{id}/checkout": {"post": {
        "operationId": "checkout", "parameters": _CART_ID + [
            {"name": "Idempotency-Key", "in": "header", "required": False, "schema": STRING}],
        "requestBody": _json_body("CheckoutRequest"),
        "responses": {"201": _ok("Order", "placed; every line reserved"),
                      "200": _ok("Order", "the same Idempotency-Key again: the same order"),
                      "404": _error_response("no open cart"),
                      "409": _error_response("insufficient_stock (nothing reserved) or idempotency_conflict"),
                      "422": _error_response("invalid details")}}},
    "/orders/{number}": {"get": {
        "operationId": "getOrder",
        "parameters": [{"name": "number", "in": "path", "required": True, "schema": STRING}],
        "security": [{"order": []}],
        "responses": {"200": _ok("Order", "the order"), "401": _error_response("no token"),
                      "404": _error_response("no such order for this token")}}},
    "/provinces": {"get": {"operationId": "provinces",
                           "responses": {"200": {"description": "the 34 provinces"}}}},
    "/provinces/{code}/wards": {"get": {
        "operationId": "wards",
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": STRING}],
        "responses": {"200": {"description": "the wards of a province"},
                      "404": _error_response("no such province")}}},
})
DOCUMENT["components"]["securitySchemes"]["order"] = {
    "type": "http", "scheme": "bearer", "description": "an order's access_token"}

STAT_ROW = _obj({"key": STRING, "label": STRING, "count": INTEGER, "share": {"type": "number"},
                 "amount_vnd": INTEGER}, ["key", "label", "count", "share"])
SCHEMAS["Stats"] = _obj({"day": {"type": "string", "format": "date"}, "tables": {
    "type": "object", "additionalProperties": _obj({
        "total": INTEGER, "rows": {"type": "array", "items": STAT_ROW}})}})
DOCUMENT["paths"]["/stats"] = {"get": {
    "operationId": "stats",
    "responses": {"200": _ok("Stats", "the program in figures: certified products by stars, group, "
                                      "region and province, producers by kind, certificates per "
                                      "month, sales by region and sales point, top products")}}}
SEARCH_TEXT = _query("q", {"type": "string", "maxLength": 200},
                     "search text, with or without diacritics, Vietnamese or English")
DOCUMENT["paths"]["/products"]["get"]["parameters"].insert(0, SEARCH_TEXT)
SCHEMAS["Suggestions"] = _obj({"q": STRING, "suggestions": {"type": "array", "maxItems": 8, "items": _obj(
    {"slug": STRING, "name": STRING, "producer": STRING, "province": STRING, "url": STRING})}})
DOCUMENT["paths"]["/suggest"] = {"get": {
    "operationId": "suggest", "summary": "Listed products for what is being typed in the search box",
    "parameters": [SEARCH_TEXT],
    "responses": {"200": _ok("Suggestions", "up to 8 products, best first"),
                  "422": _error_response("search text too long")}}}


def _unavailable_everywhere(paths: dict) -> None:
    """Every operation may answer 503 while the database or the disk cannot serve."""
    unavailable = {**_error_response(
        "the database or the disk cannot serve now (code service_unavailable): send the request "
        "again, with the same Idempotency-Key or sale id, after Retry-After seconds"),
        "headers": {"Retry-After": {"description": "seconds to wait", "schema": INTEGER}}}
    for operations in paths.values():
        for operation in operations.values():
            operation["responses"].setdefault("503", unavailable)


def _unreadable_bodies_everywhere(paths: dict) -> None:
    """Every POST may answer 400 when its body is declared as JSON and does not parse."""
    unreadable = _error_response("the body is not valid JSON (code invalid_json; "
                                 "details.fields.body says where)")
    for operations in paths.values():
        if "post" in operations:
            operations["post"]["responses"].setdefault("400", unreadable)


_unavailable_everywhere(DOCUMENT["paths"])
_unreadable_bodies_everywhere(DOCUMENT["paths"])
