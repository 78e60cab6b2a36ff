"""A producer's monthly statement: invoices issued, gross sales, VAT per rate, adjustments,
withholding, the shop's fee and the net amount due, all sums of the invoices to the đồng."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop import csvfile, dates
from shop.catalog.models import Producer
from shop.errors import ValidationError
from shop.extensions import db
from shop.invoices import pdf
from shop.invoices.documents import VatRow, supplies_of, vat_summary, vnd
from shop.invoices.models import Invoice
from shop.money import basis_points_of
from shop.tax import rates as tax

MONTH_PROBLEM = f"a month from {dates.FIRST_MONTH} to {dates.LAST_MONTH}, as YYYY-MM"


def parse_month(text: str) -> date:
    """'2026-11' -> date(2026, 11, 1); ValidationError naming `month` otherwise."""
    try:
        return dates.parse_month(text)
    except ValueError:
        raise ValidationError(f"not a month from {dates.FIRST_MONTH} to {dates.LAST_MONTH}: "
                              f"{text!r} (YYYY-MM)", {"month": MONTH_PROBLEM}) from None


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def recent_months(day: date, count: int) -> list[date]:
    """The first days of the month of `day` and the `count` - 1 before it, newest first."""
    index = day.year * 12 + day.month - 1
    return [date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(count)]


@dataclass
class Statement:
    producer: Producer
    month: date
    fee_basis_points: int
    invoices: list[Invoice] = field(default_factory=list)

    def _sum(self, attribute: str, kind: str | None = None) -> int:
        return sum(getattr(i, attribute) for i in self.invoices if kind in (None, i.kind))

    @property
    def gross_sales_vnd(self) -> int:
        return self._sum("total_vnd", "original")

    @property
    def adjustments_vnd(self) -> int:
        return self._sum("total_vnd", "adjustment")

    @property
    def net_sales_vnd(self) -> int:
        return self.gross_sales_vnd + self.adjustments_vnd

    @property
    def vat_rows(self) -> list[VatRow]:
        return vat_summary([line for invoice in self.invoices for line in invoice.lines])

    @property
    def withholding_vat_vnd(self) -> int:
        return self._sum("withholding_vat_vnd")

    @property
    def withholding_pit_vnd(self) -> int:
        return self._sum("withholding_pit_vnd")

    def withholding_rate(self, tax_name: str) -> str:
        """The withholding rate the statement's label names ("1%", or per supply)."""
        return tax.withholding_text(tax_name, supplies_of(self.invoices))

    @property
    def fee_vnd(self) -> int:
        """The shop's fee: its percentage of the month's net sales, rounded to the đồng."""
        return basis_points_of(self.net_sales_vnd, self.fee_basis_points)

    @property
    def due_vnd(self) -> int:
        return self.net_sales_vnd - self.withholding_vat_vnd - self.withholding_pit_vnd - self.fee_vnd


def monthly(producer: Producer, month: date, *, fee_basis_points: int) -> Statement:
    """The producer's statement of the invoices it issued in `month` (Vietnam's calendar)."""
    invoices = db.session.scalars(
        select(Invoice).where(Invoice.producer_id == producer.id, Invoice.issued_on >= month,
                              Invoice.issued_on < next_month(month))
        .options(selectinload(Invoice.lines), selectinload(Invoice.adjusts),
                 selectinload(Invoice.order))
        .order_by(Invoice.issued_on, Invoice.symbol, Invoice.number)).all()
    return Statement(producer, month, fee_basis_points, list(invoices))


CSV_COLUMNS = ("kind", "template", "symbol", "number", "issued_on", "adjusts", "order",
               "total_vnd", "before_tax_vnd", "vat_vnd", "withholding_vat_vnd", "withholding_pit_vnd")


def to_csv(statement: Statement) -> str:
    """One row per invoice, then the totals as name,value rows."""
    rows = [[invoice.kind, invoice.template, invoice.symbol, invoice.number_text,
             invoice.issued_on.isoformat(), invoice.adjusts.label if invoice.adjusts else "",
             invoice.order.number, invoice.total_vnd,
             sum(line.before_tax_vnd for line in invoice.lines),
             sum(line.vat_vnd for line in invoice.lines),
             invoice.withholding_vat_vnd, invoice.withholding_pit_vnd]
            for invoice in statement.invoices]
    return csvfile.to_csv(CSV_COLUMNS, [*rows, [], *summary(statement)], lineterminator="\n")


def summary(statement: Statement) -> list[tuple[str, str | int]]:
    rows = [("producer", statement.producer.name), ("tax_code", statement.producer.tax_code),
            ("month", f"{statement.month:%Y-%m}"), ("invoices", len(statement.invoices)),
            ("gross_sales_vnd", statement.gross_sales_vnd),
            ("adjustments_vnd", statement.adjustments_vnd), ("net_sales_vnd", statement.net_sales_vnd)]
    for row in statement.vat_rows:
        rows += [(f"before_tax_{row.rate}_vnd", row.before_tax_vnd), (f"vat_{row.rate}_vnd", row.vat_vnd)]
    return rows + [
        ("withholding_vat_vnd", statement.withholding_vat_vnd),
        ("withholding_pit_vnd", statement.withholding_pit_vnd),
        ("platform_fee_basis_points", statement.fee_basis_points),
        ("platform_fee_vnd", statement.fee_vnd), ("due_vnd", statement.due_vnd)]


def to_pdf(statement: Statement) -> bytes:
    return pdf.render("invoices/statement.html", statement=statement, vnd=vnd)
