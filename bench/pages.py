"""Benchmark: catalog pages with the page cache off and on, in process (Flask test client).

A fresh database gets a bulk-inserted catalog (20,000 products by default, two packs each,
stock at two sales points); each page is then requested `--runs` times by an anonymous
visitor with the cache off, with the cache on (served from it after the first request), and
with the cache on and the browser's ETag (304). Requests per second, one thread: this is the
shop's own cost per page, not a load test (the gunicorn figures are the load test's).

    .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --products 2000 --runs 200
    .venv/bin/python bench/pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pos_sync import fresh_app  # noqa: E402
from shop.extensions import db  # noqa: E402

GROUPS = ("food", "beverages", "herbal", "handicrafts", "ornamental", "tourism")
PROVINCES = ("01", "19", "22", "79", "91", "48", "46", "31")


def bulk_catalog(app, products: int) -> str:
    """`products` listed products of 100 producers; returns a product's slug."""
    from shop.catalog.models import Certificate, Producer, Product, Variant
    from shop.inventory.models import Location, StockLevel

    today = date.today()
    until = today.replace(year=today.year + 2)
    with app.app_context():
        connection = db.session.connection()
        connection.execute(db.insert(Producer.__table__), [
            {"id": n + 1, "name": f"HTX {n}", "slug": f"htx-{n}", "kind": "cooperative",
             "tax_code": f"46{n:08d}", "province_code": PROVINCES[n % 8], "status": "active"}
            for n in range(100)])
        connection.execute(db.insert(Location.__table__), [
            {"id": 1, "code": "QN-1", "name": "Điểm bán Quảng Ninh", "kind": "sales_point",
             "province_code": "22", "ships_online": True, "offers_pickup": True},
            {"id": 2, "code": "HN-1", "name": "Điểm bán Hà Nội", "kind": "sales_point",
             "province_code": "01", "ships_online": True, "offers_pickup": True}])
        rows = [{"id": n + 1, "producer_id": n % 100 + 1, "name": f"Sản phẩm {n}",
                 "slug": f"san-pham-{n}", "product_group": GROUPS[n % 6],
                 "province_code": PROVINCES[n % 100 % 8], "status": "active",
                 "stars": (3, 3, 3, 4, 4, 5)[n % 6], "certified_until": until,
                 "min_price_vnd": 20_000 + n % 500 * 1_000} for n in range(products)]
        for start in range(0, products, 5000):
            chunk = rows[start:start + 5000]
            connection.execute(db.insert(Product.__table__), chunk)
            connection.execute(db.insert(Certificate.__table__), [
                {"product_id": p["id"], "stars": p["stars"], "decision_number": f"{p['id']}/QĐ",
                 "decision_date": today, "issuer_level": "province", "valid_until": until,
                 "verify_code": f"V{p['id']:09d}", "status": "active"} for p in chunk])
            variants = [{"id": 2 * p["id"] + k, "product_id": p["id"], "sku": f"S{p['id']}-{k}",
                         "label": "Hộp", "price_vnd": p["min_price_vnd"] + k * 5_000,
                         "vat_category": "10_reducible"} for p in chunk for k in (0, 1)]
            connection.execute(db.insert(Variant.__table__), variants)
            connection.execute(db.insert(StockLevel.__table__), [
                {"variant_id": v["id"], "location_id": point, "on_hand": 10, "reserved": 0}
                for v in variants for point in (1, 2)])
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return f"san-pham-{products // 2}"


def rate(client, path: str, runs: int, headers: dict | None = None) -> float:
    expected = 304 if headers else 200
    start = time.perf_counter()
    for _ in range(runs):
        response = client.get(path, headers=headers or {})
        assert response.status_code == expected, (path, response.status_code)
    return runs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        slug = bulk_catalog(app, args.products)
        pages = {"home": "/", "listing": "/products",
                 "listing, 5 stars in the Red River Delta": "/products?stars=5&region=RRD",
                 "listing, page 50": "/products?page=50", "product": f"/p/{slug}",
                 "API list": "/api/v1/products", "API product": f"/api/v1/products/{slug}"}
        client = app.test_client()
        client.get("/")  # the visitor's session and CSRF token, as after a first page
        engine = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
        print(f"{args.products} products, {args.runs} requests per figure, {engine}")
        print(f"{'page':42} {'cache off':>10} {'cache on':>10} {'304':>10}  (requests/s)")
        for name, path in pages.items():
            app.config["PAGE_CACHE"] = False
            off = rate(client, path, max(args.runs // 10, 20))
            app.config["PAGE_CACHE"] = True
            etag = client.get(path).headers["ETag"]
            on = rate(client, path, args.runs)
            revalidated = rate(client, path, args.runs, {"If-None-Match": etag})
            print(f"{name:42} {off:10.0f} {on:10.0f} {revalidated:10.0f}  x{on / off:.1f}")


if __name__ == "__main__":
    main()
