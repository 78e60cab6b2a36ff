"""The buyer's invoices (from the order page) and every invoice's public verification page,
which says that it exists, who sold, when and for how much, and nothing about the buyer."""

from flask import abort, render_template

from shop.invoices import queries
from shop.web import invoicing
from shop.web.storefront import bp
from shop.web.storefront.orders import _buyers_order


@bp.get("/orders/<number>/invoices/<int:invoice_id>.pdf")
def invoice_pdf(number: str, invoice_id: int):
    """An invoice of the order, for its buyer (signed in, or holding the order's link)."""
    order = _buyers_order(number)
    invoice = queries.one_of_order(order.id, invoice_id)
    if invoice is None:
        abort(404)
    return invoicing.pdf_response(invoice)


@bp.get("/invoices/verify/<token>")
def verify_invoice(token: str):
    invoice = queries.by_verify_token(token)
    if invoice is None:
        abort(404)
    return render_template("storefront/invoice_verify.html", invoice=invoice)
