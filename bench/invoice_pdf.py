"""Benchmark: the time to render one invoice as a PDF (p50 over N runs), and one statement.

A fresh database (SQLite file by default, or PostgreSQL with --database-url) holds one paid
bank-transfer order of --lines lines from one cooperative; the invoice it issued is rendered
N times through the same function the download uses (WeasyPrint, embedded Noto Sans, QR code).

    .venv/bin/python bench/invoice_pdf.py
    .venv/bin/python bench/invoice_pdf.py --runs 50 --lines 20
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.orders import stock_the_catalog  # noqa: E402
from bench.pos_sync import fresh_app  # noqa: E402
from shop.extensions import db  # noqa: E402


def paid_invoice(app, lines: int):
    """Place and pay an order of `lines` SKUs; return its invoice's id."""
    from datetime import date

    from shop.invoices import queries
    from shop.orders import carts, checkout
    from shop.orders import services as orders
    from shop.payments import services as payments

    with app.app_context():
        cart = carts.create()
        for n in range(lines):
            cart = carts.add(cart, f"O-{n}", 1 + n % 3, today=date(2026, 11, 22))
        details = checkout.parse({"email": "an@example.com", "phone": "0912345678",
                                  "name": "Nguyễn Thị Hồng Nhung", "fulfilment": "delivery",
                                  "address": {"line": "12 Lê Lợi", "ward_code": "00004",
                                              "province_code": "01"},
                                  "payment_method": "bank_transfer"})
        order = orders.place_order(cart, details, settings=checkout.OrderSettings(),
                                   today=date(2026, 11, 22))[1]
        payments.confirm_transfer(order, order.total_vnd, actor_id=None)
        return queries.of_order(order.id)[0].id


def time_renders(app, invoice_id: int, runs: int) -> dict:
    from shop.invoices.models import Invoice
    from shop.web import invoicing

    timings = []
    with app.test_request_context("/", base_url="https://cho-ocop.example"):
        invoice = db.session.get(Invoice, invoice_id)
        size = len(invoicing.pdf_response(invoice).get_data())  # warm-up: fonts, templates
        for _ in range(runs):
            started = time.perf_counter()
            invoicing.pdf_response(invoice).get_data()
            timings.append(time.perf_counter() - started)
    timings.sort()
    return {"runs": runs, "lines": len(invoice.lines), "pdf_bytes": size,
            "p50_ms": round(statistics.median(timings) * 1000, 1),
            "p90_ms": round(timings[int(0.9 * (runs - 1))] * 1000, 1),
            "min_ms": round(timings[0] * 1000, 1), "max_ms": round(timings[-1] * 1000, 1)}


def time_statement(app, invoice_id: int) -> float:
    from shop.invoices import statements
    from shop.invoices.models import Invoice

    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        statement = statements.monthly(invoice.producer, invoice.issued_on.replace(day=1),
                                       fee_basis_points=500)
        started = time.perf_counter()
        statements.to_pdf(statement)
        return round((time.perf_counter() - started) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--lines", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        stock_the_catalog(app, args.lines)
        invoice_id = paid_invoice(app, args.lines)
        result = time_renders(app, invoice_id, args.runs)
        result["statement_pdf_ms"] = time_statement(app, invoice_id)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
