"""Benchmark: bank transfers confirmed per second by 8 office threads at once, each confirmation
issuing the order's invoices (one per producer, and the shop's own for the shipping: every
confirmation takes a number of the shop's one series).

Orders are placed first (bank transfer, one pack from each of two producers, so two shipments
that each pay the shipping fee); then the threads confirm them through the service the office's
page and the bank statement import call. A fresh database: a SQLite file by default, or
PostgreSQL with --database-url (its public schema is dropped and recreated).

    .venv/bin/python bench/invoicing.py
    .venv/bin/python bench/invoicing.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.orders import BODY as COD_BODY  # noqa: E402
from bench.pos_sync import fresh_app  # noqa: E402
from bench.timing import run_threads  # noqa: E402
from shop.extensions import db  # noqa: E402

THREADS = 8
BODY = {**COD_BODY, "payment_method": "bank_transfer"}
PACK = {"vat_category": "10_reducible"}  # the keyword the pack's tax takes


def two_producers(app, skus: int) -> None:
    from shop.catalog import services as catalog
    from shop.inventory import stock
    from shop.inventory.models import Location

    with app.app_context():
        for p, code in enumerate(("19", "22")):
            producer = catalog.create_producer(name=f"HTX Benchmark {p}", kind="cooperative",
                                               tax_code=f"460000999{p}", province_code=code)
            warehouse = Location(code=f"WH-{p}", name="Kho", kind="warehouse", producer=producer,
                                 province_code=code, ships_online=True)
            db.session.add(warehouse)
            db.session.commit()
            for n in range(skus):
                product = catalog.create_product(producer, name=f"Sản phẩm {p}-{n}", group="food")
                variant = catalog.add_variant(product, sku=f"I{p}-{n}", label="Hộp",
                                              price_vnd=50_000, **PACK)
                catalog.certify(product, stars=4, decision_number=f"{p}-{n}/QĐ",
                                decision_date=date(2025, 9, 1), issuer_level="province",
                                today=date(2026, 11, 22))
                stock.move(variant.id, warehouse.id, 1_000_000, "receipt")
            db.session.commit()


def place(app, orders: int, skus: int) -> list[str]:
    client, numbers = app.test_client(), []
    for n in range(orders):
        cart = client.post("/api/v1/carts").get_json()["id"]
        for p in (0, 1):
            client.post(f"/api/v1/carts/{cart}/lines", json={"sku": f"I{p}-{n % skus}", "quantity": 1})
        response = client.post(f"/api/v1/carts/{cart}/checkout", json=BODY)
        assert response.status_code == 201, response.get_data(as_text=True)
        numbers.append(response.get_json()["order"]["number"])
    return numbers


def confirm_all(app, numbers: list[str], threads: int = THREADS) -> dict:
    from shop.orders import services as orders
    from shop.payments import services as payments

    def confirm(number: str) -> None:
        with app.app_context():
            order = orders.by_number(number)
            payments.confirm_transfer(order, order.total_vnd, actor_id=None)
            db.session.remove()

    return run_threads(threads, numbers, confirm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        app.config["MAIL_BACKEND"] = "memory"
        two_producers(app, 20)
        numbers = place(app, args.orders, 20)
        result = {"engine": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0],
                  "threads": args.threads, **confirm_all(app, numbers, args.threads)}
        with app.app_context():
            from sqlalchemy import func, select

            from shop.invoices.models import Invoice

            result["invoices"] = db.session.scalar(select(func.count()).select_from(Invoice))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
