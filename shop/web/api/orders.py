"""Carts and checkout over the API (API.md, Cart and checkout)."""

from flask import jsonify, request, url_for
from flask_login import current_user

from shop.clock import today
from shop.errors import NotFound, Unauthorized, ValidationError
from shop.invoices import queries as invoices
from shop.invoices.models import Invoice
from shop.orders import carts, checkout
from shop.orders import services as orders
from shop.orders.models import Order
from shop.tax import rates as tax
from shop.web import ordering
from shop.web.api import bp

MAX_IDEMPOTENCY_KEY = 100


@bp.post("/carts")
def create_cart():
    return jsonify(carts.view(carts.create())), 201


@bp.get("/carts/<token>")
def get_cart(token: str):
    return jsonify(carts.view(carts.require(token)))


@bp.post("/carts/<token>/lines")
def add_cart_line(token: str):
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    cart = carts.add(carts.require(token), body.get("sku") if isinstance(body.get("sku"), str) else "",
                     body.get("quantity"), today=today())
    return jsonify(carts.view(cart))


@bp.post("/carts/<token>/checkout")
def checkout_cart(token: str):
    key = _idempotency_key()
    cart = carts.by_token(token)
    if cart is None:  # used up by the first send of this same checkout, or unknown
        existing = orders.replay_of(token, checkout.parse(request.get_json(silent=True)),
                                    f"api:{key}") if key else None
        if existing is None:
            raise NotFound("no open cart with that id")
        return jsonify(order_body(existing)), 200
    details = checkout.parse(request.get_json(silent=True))
    created, order = orders.place_order(
        cart, details, settings=ordering.order_settings(), today=today(),
        idempotency_key=f"api:{key}" if key else None,
        user_id=current_user.id if current_user.is_authenticated else None)
    if created:
        ordering.after_placed(order)
    return jsonify(order_body(order)), 201 if created else 200


def _idempotency_key() -> str | None:
    """The Idempotency-Key header, whole; longer than the limit is refused, never cut."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise ValidationError(f"the Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} characters",
                              {"Idempotency-Key": f"at most {MAX_IDEMPOTENCY_KEY} characters"})
    return key or None


def order_body(order: Order) -> dict:
    return {"order": order_view(order), "payment": ordering.payment_view(order)}


def order_view(order: Order) -> dict:
    issued = invoices.of_order(order.id, with_lines=True)
    rates = invoices.line_rates(order, issued, today())
    return {
        "number": order.number, "status": order.status, "payment_status": order.payment_status,
        "payment_method": order.payment_method, "fulfilment": order.fulfilment,
        "subtotal_vnd": order.subtotal_vnd, "shipping_vnd": order.shipping_vnd,
        "total_vnd": order.total_vnd, "access_token": order.access_token,
        "created_at": order.created_at.isoformat(),
        "lines": [{"sku": line.sku, "name": line.name, "producer": line.producer_name,
                   "quantity": line.quantity, "unit_price_vnd": line.unit_price_vnd,
                   "vat_rate": tax.legacy_rate(rates[line.id]), "vat_category": line.vat_category,
                   "line_total_vnd": line.line_total_vnd}
                  for line in order.lines],
        "shipments": [{"id": s.id, "kind": s.kind, "status": s.status,
                       "subtotal_vnd": s.subtotal_vnd, "shipping_vnd": s.shipping_vnd,
                       "tracking_note": s.tracking_note,
                       "skus": [line.sku for line in s.lines]} for s in order.shipments],
        "invoices": [invoice_view(invoice, order) for invoice in issued],
        "url": url_for("storefront.order", number=order.number, token=order.access_token),
    }


def invoice_view(invoice: Invoice, order: Order) -> dict:
    """An invoice issued for the order, as API.md lists it (amounts VAT-inclusive)."""
    return {
        "number": invoice.label, "kind": invoice.kind,
        "adjusts": invoice.adjusts.label if invoice.adjusts is not None else None,
        "seller": {"name": invoice.seller_name, "tax_code": invoice.seller_tax_code},
        "template": invoice.template, "issued_on": invoice.issued_on.isoformat(),
        "total_vnd": invoice.total_vnd,
        "lines": [{"sku": line.sku, "name": line.name, "quantity": line.quantity,
                   "unit_price_vnd": line.unit_price_vnd, "vat_rate": line.vat_rate,
                   "amount_vnd": line.amount_vnd, "vat_vnd": line.vat_vnd}
                  for line in invoice.lines],
        "pdf_url": url_for("storefront.invoice_pdf", number=order.number, invoice_id=invoice.id,
                           token=order.access_token),
    }


@bp.get("/orders/<number>")
def get_order(number: str):
    """The order for its buyer: a signed-in customer's own, or with the order's access token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not token and not current_user.is_authenticated:
        raise Unauthorized("send the order's access token: Authorization: Bearer <access_token>")
    order = orders.by_number(number)
    own = current_user.is_authenticated and order is not None and order.user_id == current_user.id
    if order is None or not (own or (scheme.lower() == "bearer"
                                     and orders.token_matches(order, token.strip()))):
        raise NotFound("no such order")
    return jsonify(order_body(order))
