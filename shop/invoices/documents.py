"""What an invoice shows: its VAT per rate and its total in words, rendered as a PDF with a QR
code that links to its public verification page."""

from __future__ import annotations

from dataclasses import dataclass

import segno

from shop.invoices import pdf
from shop.invoices.models import Invoice, InvoiceLine
from shop.money import NO_VAT, format_vnd, in_words, vat_percent
from shop.tax import rates as tax

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
        return tax.label(self.rate)


def _rate_order(rate: str) -> tuple[int, str]:
    """Highest rate first; KCT (no VAT) last."""
    return (-vat_percent(rate) if rate not in NO_VAT else 1, rate)


def vat_summary(lines: list[InvoiceLine]) -> list[VatRow]:
    """Per rate, the sums of the lines' amounts, amounts before tax and VAT."""
    rows = []
    for rate in sorted({line.vat_rate for line in lines}, key=_rate_order):
        of_rate = [line for line in lines if line.vat_rate == rate]
        rows.append(VatRow(rate, sum(line.amount_vnd for line in of_rate),
                           sum(line.before_tax_vnd for line in of_rate),
                           sum(line.vat_vnd for line in of_rate)))
    return rows


def reduction_note(invoice: Invoice) -> str:
    """The sentence a sales invoice carries while a VAT reduction is in force (Decree 174/2025)."""
    if not invoice.reduction_vnd:
        return ""
    return (f"Đã giảm {vnd(abs(invoice.reduction_vnd))} tương ứng "
            f"{tax.DIRECT_METHOD_REDUCTION_PERCENT}% mức tỷ lệ % để tính thuế giá trị gia tăng "
            f"theo {invoice.reduction_basis}.")


def withholding_note(invoice: Invoice) -> str:
    """What the platform withheld and pays over for a household seller (Decree 117/2025)."""
    if not (invoice.withholding_vat_vnd or invoice.withholding_pit_vnd):
        return ""
    supplies = supplies_of([invoice])
    return (f"Sàn thương mại điện tử khấu trừ, nộp thay: thuế GTGT "
            f"{tax.withholding_text('vat', supplies)}: {vnd(invoice.withholding_vat_vnd)}; "
            f"thuế TNCN {tax.withholding_text('pit', supplies)}: {vnd(invoice.withholding_pit_vnd)}")


def supplies_of(invoices: list[Invoice]) -> set[str]:
    """Whether the invoices sold goods, services or both."""
    return {"service" if line.is_service else "goods" for invoice in invoices for line in invoice.lines}


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def invoice_pdf(invoice: Invoice, *, verify_url: str) -> bytes:
    """The invoice as a PDF; its QR code opens `verify_url`."""
    return pdf.render("invoices/invoice.html", invoice=invoice, vat_rows=vat_summary(invoice.lines),
                      total_words=in_words(invoice.total_vnd), verify_url=verify_url,
                      qr=qr_data_uri(verify_url), rate_label=tax.label,
                      reduction_note=reduction_note(invoice),
                      withholding_note=withholding_note(invoice),
                      payment_labels=PAYMENT_LABELS, order_number=invoice.order.number, vnd=vnd)


def vnd(amount: int) -> str:
    """Amounts on documents, which are always in Vietnamese: 120.000 ₫."""
    return format_vnd(int(amount), "vi")
