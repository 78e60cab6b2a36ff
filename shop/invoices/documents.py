"""What an invoice shows: its VAT per rate and its total in words, rendered as a PDF with a QR
code that links to its public verification page."""

from __future__ import annotations

from dataclasses import dataclass

import segno

from shop.invoices import pdf
from shop.invoices.models import Invoice, InvoiceLine
from shop.money import format_vnd, in_words

RATE_ORDER = ("10", "8", "5", "0", "exempt")
RATE_LABELS = {"10": "10%", "8": "8%", "5": "5%", "0": "0%", "exempt": "KCT"}  # không chịu thuế
PAYMENT_LABELS = {"cod": "Tiền mặt khi nhận hàng", "bank_transfer": "Chuyển khoản", "card": "Thẻ"}


@dataclass(frozen=True)
class VatRow:
    """The lines of one VAT rate: amount with VAT, amount before tax, VAT."""

    rate: str
    amount_vnd: int
    before_tax_vnd: int
    vat_vnd: int

    @property
    def label(self) -> str:
        return RATE_LABELS[self.rate]


def vat_summary(lines: list[InvoiceLine]) -> list[VatRow]:
    """Per rate, the sums of the lines' amounts, amounts before tax and VAT."""
    rows = []
    for rate in RATE_ORDER:
        of_rate = [line for line in lines if line.vat_rate == rate]
        if of_rate:
            rows.append(VatRow(rate, sum(line.amount_vnd for line in of_rate),
                               sum(line.before_tax_vnd for line in of_rate),
                               sum(line.vat_vnd for line in of_rate)))
    return rows


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def invoice_pdf(invoice: Invoice, *, verify_url: str) -> bytes:
    """The invoice as a PDF; its QR code opens `verify_url`."""
    return pdf.render("invoices/invoice.html", invoice=invoice, vat_rows=vat_summary(invoice.lines),
                      total_words=in_words(invoice.total_vnd), verify_url=verify_url,
                      qr=qr_data_uri(verify_url), rate_labels=RATE_LABELS,
                      payment_labels=PAYMENT_LABELS, order_number=invoice.order.number, vnd=vnd)


def vnd(amount: int) -> str:
    """Amounts on documents, which are always in Vietnamese: 120.000 ₫."""
    return format_vnd(int(amount), "vi")
