"""The invoice and statement as documents: a PDF whose extracted text keeps the Vietnamese,
a CSV whose totals reconcile with the invoices to the đồng, and the statements command."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from shop.clock import today
from shop.database import write_transaction
from shop.extensions import db
from shop.invoices import documents, issuing, statements
from shop.invoices.models import Invoice, InvoiceLine
from shop.orders import services as orders
from tests import builders
from tests.invoices.helpers import invoices_of, paid_order

MONTH = today().replace(day=1)


def pdf_text(data: bytes) -> str:
    """The PDF's text with every run of white space as one space (cells wrap their lines)."""
    assert data.startswith(b"%PDF-")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_an_invoice_pdf_keeps_its_vietnamese_text(market):
    invoice, _rice = invoices_of(paid_order(("CHE-1", 2), ("GAO-1", 1)))
    text = pdf_text(documents.invoice_pdf(invoice, verify_url="http://shop.test/invoices/verify/x"))
    for expected in ("HÓA ĐƠN GIÁ TRỊ GIA TĂNG", f"Ký hiệu: {invoice.symbol}", "Số: 00000001",
                     "Đơn vị bán hàng: HTX Chè", "Họ tên người mua hàng: Nguyễn Văn An",
                     "Chè Tân Cương – Hộp 200 g", "500.000 ₫", "462.963 ₫", "37.037 ₫",
                     "Số tiền viết bằng chữ: Năm trăm nghìn đồng", "Chuyển khoản",
                     "Tra cứu hóa đơn: http://shop.test/invoices/verify/x"):
        assert expected in text, expected


def test_an_adjustment_pdf_names_the_original(market):
    order = paid_order(("CHE-1", 1))
    orders.cancel_order(order, actor_id=None, reason="Khách hủy đơn")
    original, adjustment = invoices_of(order)
    text = pdf_text(documents.invoice_pdf(adjustment, verify_url="http://shop.test/v"))
    assert "HÓA ĐƠN ĐIỀU CHỈNH" in text
    assert (f"Điều chỉnh cho hóa đơn mẫu số 1 ký hiệu {original.symbol} số 00000001 ngày "
            f"{original.issued_on:%d/%m/%Y}") in text
    assert "Lý do: Khách hủy đơn" in text and "Âm hai trăm năm mươi nghìn đồng" in text


def household_world():
    home = builders.product("Mứt gừng", sku="MUT-1", price_vnd=99_999, vat_category="not_subject",
                            maker=builders.producer("Hộ Bà Tư", kind="household"))
    other = builders.product("Bánh", sku="BANH-1", price_vnd=45_500, maker=home.producer)
    warehouse = builders.warehouse(home.producer)
    builders.receive(home, warehouse, 20)
    builders.receive(other, warehouse, 20)
    builders.sales_point("QN-HALONG")
    return home.producer


def test_a_statement_reconciles_with_its_invoices_to_the_dong():
    producer = household_world()
    kept = [paid_order(("MUT-1", n), ("BANH-1", 3)) for n in (1, 2, 7)]
    orders.cancel_order(kept[1], actor_id=None, reason="hủy")
    statement = statements.monthly(producer, MONTH, fee_basis_points=275)
    invoices = db.session.scalars(select(Invoice).where(Invoice.producer_id == producer.id)).all()
    assert len(statement.invoices) == len(invoices) == 4
    assert statement.gross_sales_vnd == 3 * 3 * 45_500 + 10 * 99_999 == 1_409_490
    assert statement.adjustments_vnd == -(2 * 99_999 + 3 * 45_500) == -336_498
    assert statement.net_sales_vnd == db.session.scalar(
        select(func.sum(Invoice.total_vnd)).where(Invoice.producer_id == producer.id)) == 1_072_992
    lines = db.session.execute(select(InvoiceLine.vat_rate, func.sum(InvoiceLine.before_tax_vnd),
                                      func.sum(InvoiceLine.vat_vnd))
                               .join(Invoice).where(Invoice.producer_id == producer.id)
                               .group_by(InvoiceLine.vat_rate).order_by(InvoiceLine.vat_rate)).all()
    assert sorted((r.rate, r.before_tax_vnd, r.vat_vnd) for r in statement.vat_rows) == sorted(
        (rate, before, vat) for rate, before, vat in lines)
    assert statement.withholding_vat_vnd == sum(i.withholding_vat_vnd for i in invoices)
    assert statement.withholding_pit_vnd == sum(i.withholding_pit_vnd for i in invoices)
    assert statement.fee_vnd == 29_507  # 2.75% of 1,072,992 = 29,507.28
    assert statement.due_vnd == (1_072_992 - statement.withholding_vat_vnd
                                 - statement.withholding_pit_vnd - 29_507)
    rows = list(csv.reader(io.StringIO(statements.to_csv(statement))))
    assert rows[0] == list(statements.CSV_COLUMNS) and len(rows) == 1 + 4 + 1 + 16
    assert sum(int(row[7]) for row in rows[1:5]) == statement.net_sales_vnd
    totals = dict(row for row in rows[6:])
    assert (totals["gross_sales_vnd"], totals["net_sales_vnd"], totals["platform_fee_vnd"],
            totals["due_vnd"]) == ("1409490", "1072992", "29507", str(statement.due_vnd))
    assert totals["vat_not_subject_vnd"] == "0"


def test_a_statement_counts_only_its_month_and_producer(market):
    order = paid_order(("CHE-1", 1), ("GAO-1", 1))
    tea, _rice = invoices_of(order)
    with write_transaction(db.session):
        issuing.adjust(tea, [], day=date(MONTH.year + 1, 1, 1), reason="Sửa tên")
    producer = market.tea.product.producer
    this_month = statements.monthly(producer, MONTH, fee_basis_points=500)
    assert [i.id for i in this_month.invoices] == [tea.id]
    assert (this_month.gross_sales_vnd, this_month.fee_vnd, this_month.due_vnd) == (250_000, 12_500, 237_500)
    assert len(statements.monthly(producer, date(MONTH.year + 1, 1, 1), fee_basis_points=500).invoices) == 1


def test_the_statements_command_writes_a_csv_and_a_pdf_per_producer(app, market, tmp_path):
    paid_order(("CHE-1", 1))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["shop", "statements", "--month", f"{MONTH:%Y-%m}",
                                                "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{p.slug}-{MONTH:%Y-%m}.{ext}" for p in (market.tea.product.producer, market.rice.product.producer)
        for ext in ("csv", "pdf"))
    tea_pdf = tmp_path / f"{market.tea.product.producer.slug}-{MONTH:%Y-%m}.pdf"
    text = pdf_text(tea_pdf.read_bytes())
    assert f"BẢNG KÊ DOANH THU THÁNG {MONTH:%m/%Y}" in text and "HTX Chè" in text
    assert "237.500 ₫" in text  # 250,000 less the 5% fee
    bad = app.test_cli_runner().invoke(args=["shop", "statements", "--month", "2026-13"])
    assert bad.exit_code == 1 and "YYYY-MM" in bad.output


def test_a_document_loads_nothing_from_outside_the_static_folder(app):
    from shop.invoices import pdf

    fetch = pdf._local_fetcher(Path(app.static_folder).resolve())
    with pytest.raises(pdf.RemoteResource):
        fetch("https://example.com/tracker.png")
    with pytest.raises(pdf.RemoteResource):
        fetch("file:///etc/passwd")
    font = fetch((Path(app.static_folder) / "fonts" / "NotoSans-Regular.ttf").resolve().as_uri())
    assert font is not None
