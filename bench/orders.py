"""Benchmark: orders placed per second by 16 concurrent buyers, on one hot SKU and spread SKUs.

Each buyer is a thread running the real app in-process (Flask test client: cart, add a line,
checkout with cash on delivery over the JSON API). A fresh database: a SQLite file by default,
or PostgreSQL with --database-url (its public schema is dropped and recreated).

    .venv/bin/python bench/orders.py
    .venv/bin/python bench/orders.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pos_sync import fresh_app  # noqa: E402
from bench.timing import run_threads  # noqa: E402
from shop.extensions import db  # noqa: E402

BUYERS = 16
BODY = {"email": "an@example.com", "phone": "0912345678", "name": "Người mua",
        "fulfilment": "delivery",
        "address": {"line": "12 Lê Lợi", "ward_code": "00004", "province_code": "01"},
        "payment_method": "cod"}


def stock_the_catalog(app, skus: int) -> None:
    from datetime import date

    from shop.catalog import services as catalog
    from shop.inventory import stock
    from shop.inventory.models import Location

    with app.app_context():
        producer = catalog.create_producer(name="HTX Benchmark", kind="cooperative",
                                           tax_code="4600009998", province_code="19")
        warehouse = Location(code="WH-BENCH", name="Kho", kind="warehouse", producer=producer,
                             province_code="19", ships_online=True)
        db.session.add(warehouse)
        db.session.commit()
        for n in range(skus):
            product = catalog.create_product(producer, name=f"Sản phẩm {n}", group="food")
            variant = catalog.add_variant(product, sku=f"O-{n}", label="Hộp", price_vnd=50_000,
                                          vat_category="10_reducible")
            catalog.certify(product, stars=4, decision_number=f"{n}/QĐ", decision_date=date(2025, 9, 1),
                            issuer_level="province", today=date(2026, 11, 22))
            stock.move(variant.id, warehouse.id, 1_000_000, "receipt")
        db.session.commit()


def run(app, label: str, orders: int, sku_of) -> dict:
    def buy(n: int) -> None:
        client = app.test_client()
        cart = client.post("/api/v1/carts").get_json()["id"]
        client.post(f"/api/v1/carts/{cart}/lines", json={"sku": sku_of(n), "quantity": 1})
        response = client.post(f"/api/v1/carts/{cart}/checkout", json=BODY,
                               headers={"Idempotency-Key": f"bench-{label}-{n}"})
        assert response.status_code == 201, response.get_data(as_text=True)

    timed = run_threads(BUYERS, range(orders), buy)
    return {"orders": orders, "seconds": timed["seconds"], "orders_per_second": timed["per_second"],
            "p50_ms": timed["p50_ms"], "p99_ms": timed["p99_ms"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--orders", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        app.config["MAIL_BACKEND"] = "memory"
        stock_the_catalog(app, 50)
        results = {"engine": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0], "buyers": BUYERS,
                   "hot_sku": run(app, "hot", args.orders, lambda n: "O-0"),
                   "spread_skus": run(app, "spread", args.orders, lambda n: f"O-{n % 50}")}
        with app.app_context():
            from shop.inventory.services import ledger_mismatches

            results["ledger_mismatches"] = len(ledger_mismatches())
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
