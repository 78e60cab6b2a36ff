"""What the storefront and the producer portal share about invoices: the PDF download."""

from __future__ import annotations

from flask import Response

from shop.invoices import documents
from shop.invoices.models import Invoice
from shop.web import links


def verify_url(invoice: Invoice) -> str:
    return links.external_url("storefront.verify_invoice", token=invoice.verify_token)


def pdf_response(invoice: Invoice) -> Response:
    """The invoice as a PDF download named by its template, symbol and number."""
    data = documents.invoice_pdf(invoice, verify_url=verify_url(invoice))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{invoice.label}.pdf"',
        "Cache-Control": "private, no-store"})
