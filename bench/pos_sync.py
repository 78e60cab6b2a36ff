"""Benchmark: POS sales recorded per second, as a batch sync and as single-sale requests.

Runs the real app in-process (the Flask test client: the whole request path, no network)
against a fresh database: a SQLite file by default, or PostgreSQL with --database-url.

    .venv/bin/python bench/pos_sync.py
    .venv/bin/python bench/pos_sync.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The PostgreSQL database's public schema is dropped and recreated.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from shop import create_app  # noqa: E402
from shop.extensions import db  # noqa: E402
from shop.inventory import services  # noqa: E402

SKUS = 50


def fresh_app(database_url: str | None, workdir: Path):
    if database_url is None:
        database_url = f"sqlite:///{workdir / 'bench.db'}"
    elif database_url.startswith("postgresql"):
        engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    # The benchmarks send hundreds of requests from one address: the rate limits (which would
    # refuse them, as they should) are off, so the figures measure the shop's own work.
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(workdir), "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    return app


def stock_a_sales_point(app) -> str:
    """A sales point holding 50 SKUs of one producer, 100,000 units each; returns a token."""
    from shop.catalog import services as catalog
    from shop.inventory import stock
    from shop.inventory.models import Location
    from shop.pos import devices

    with app.app_context():
        producer = catalog.create_producer(name="HTX Benchmark", kind="cooperative",
                                           tax_code="4600009999", province_code="22")
        point = Location(code="QN-HALONG", name="Trung tâm OCOP Quảng Ninh", kind="sales_point",
                         province_code="22", ships_online=True, offers_pickup=True)
        db.session.add(point)
        db.session.commit()
        for n in range(SKUS):
            product = catalog.create_product(producer, name=f"Sản phẩm {n}", group="food")
            variant = catalog.add_variant(product, sku=f"B-{n}", label="Hộp", price_vnd=50_000,
                                          vat_category="10_reducible")
            stock.move(variant.id, point.id, 100_000, "receipt")
        db.session.commit()
        return devices.create_device(point, "bench")[1]


def sale(rng: random.Random) -> dict:
    lines = rng.sample(range(SKUS), rng.randint(1, 3))
    return {"id": str(uuid.uuid4()), "occurred_at": datetime.now(UTC).isoformat(),
            "payment_method": "cash",
            "lines": [{"sku": f"B-{n}", "quantity": rng.randint(1, 3), "unit_price_vnd": 50_000}
                      for n in lines]}


def measure(app, token: str, count: int) -> dict:
    rng = random.Random(7)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    batch = [sale(rng) for _ in range(count)]
    started = time.perf_counter()
    response = client.post("/api/v1/pos/sync", json={"sales": batch}, headers=headers)
    batch_seconds = time.perf_counter() - started
    results = response.get_json()["results"]
    assert response.status_code == 200 and all(r["status"] == "created" for r in results)

    replay_started = time.perf_counter()
    replay = client.post("/api/v1/pos/sync", json={"sales": batch}, headers=headers).get_json()
    replay_seconds = time.perf_counter() - replay_started
    assert all(r["status"] == "duplicate" for r in replay["results"])

    singles, latencies = [sale(rng) for _ in range(count)], []
    started = time.perf_counter()
    for body in singles:
        t0 = time.perf_counter()
        assert client.post("/api/v1/pos/sales", json=body, headers=headers).status_code == 201
        latencies.append(time.perf_counter() - t0)
    singles_seconds = time.perf_counter() - started
    with app.app_context():
        mismatches = services.ledger_mismatches()
    latencies.sort()
    return {
        "engine": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0],
        "sales": count,
        "batch_seconds": round(batch_seconds, 3),
        "batch_sales_per_second": round(count / batch_seconds),
        "replayed_batch_seconds": round(replay_seconds, 3),
        "single_requests_seconds": round(singles_seconds, 3),
        "single_sales_per_second": round(count / singles_seconds),
        "single_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "single_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "ledger_mismatches": len(mismatches),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sales", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        token = stock_a_sales_point(app)
        print(json.dumps(measure(app, token, args.sales), indent=2))


if __name__ == "__main__":
    main()
