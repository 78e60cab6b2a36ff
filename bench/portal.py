"""Benchmark: the producer portal's heavy paths on a fresh database.

1. Photo uploads through the real app (Flask test client, the whole request path): a 12 MP
   phone photo is decoded, checked, re-encoded to 1600 px with a 480x360 thumbnail, stored and
   recorded; and a decompression bomb (144 MP in a small PNG) is refused before decoding.
2. The dashboard (`/producer/`) of a producer with 8 weeks of sales: 10,000 online order
   lines and 5,000 counter sale lines.

    .venv/bin/python bench/portal.py
    .venv/bin/python bench/portal.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pos_sync import fresh_app  # noqa: E402
from shop.extensions import db  # noqa: E402

PASSWORD = "bench password"


def phone_photo(seed: int) -> bytes:
    """A 4000x3000 JPEG with gradients and noise, about the weight of a phone's photo."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    small = Image.frombytes("RGB", (400, 300), bytes(rng.randrange(256) for _ in range(400 * 300 * 3)))
    image = small.resize((4000, 3000), Image.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def bomb() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (12_000, 12_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def setup(app):
    from datetime import date

    from shop.accounts import services as accounts
    from shop.catalog import services as catalog
    from shop.inventory import stock
    from shop.inventory.models import Location

    with app.app_context():
        producer = catalog.create_producer(name="HTX Benchmark", kind="cooperative",
                                           tax_code="4600009997", province_code="19")
        warehouse = Location(code="WH-BENCH", name="Kho", kind="warehouse", producer=producer,
                             province_code="19", ships_online=True)
        point = Location(code="QN-BENCH", name="Điểm bán", kind="sales_point", province_code="22",
                         ships_online=True, offers_pickup=True)
        db.session.add_all([warehouse, point])
        db.session.commit()
        variants = []
        for n in range(40):
            product = catalog.create_product(producer, name=f"Sản phẩm {n}", group="food")
            variants.append(catalog.add_variant(product, sku=f"B-{n}", label="Hộp",
                                                price_vnd=50_000 + n * 1_000, vat_category="10_reducible"))
            catalog.certify(product, stars=4, decision_number=f"{n}/QĐ",
                            decision_date=date(2025, 9, 1), issuer_level="province",
                            today=date(2026, 11, 22))
            stock.move(variants[-1].id, warehouse.id, n % 7 + 1, "receipt")
        db.session.commit()
        accounts.register("owner@bench.example", PASSWORD, role=f"producer:{producer.tax_code}")
        return producer.id, product.id, [(v.id, v.sku, v.price_vnd) for v in variants], point.id


def add_sales(app, producer_id: int, variants, point_id: int, online: int, counter: int) -> None:
    """Order and sale rows written directly (a data generator, not the checkout path)."""
    from shop.orders.models import Order, OrderLine
    from shop.pos.models import PosSale, PosSaleLine

    rng = random.Random(7)
    now = datetime.now(UTC).replace(tzinfo=None)
    with app.app_context():
        for n in range(online):
            variant_id, sku, price = rng.choice(variants)
            when = now - timedelta(minutes=rng.randrange(8 * 7 * 24 * 60))
            order = Order(email="b@example.com", phone="0912345678", name="B", fulfilment="delivery",
                          payment_method="cod", status="confirmed", subtotal_vnd=price,
                          shipping_vnd=0, total_vnd=price, access_token=uuid.uuid4().hex,
                          created_at=when)
            order.lines = [OrderLine(variant_id=variant_id, sku=sku, name=sku, producer_id=producer_id,
                                     producer_name="HTX", unit_price_vnd=price, vat_category="10_reducible",
                                     quantity=rng.randrange(1, 4))]
            db.session.add(order)
            if n % 1000 == 999:
                db.session.commit()
        for _ in range(counter):
            variant_id, sku, price = rng.choice(variants)
            when = now - timedelta(minutes=rng.randrange(8 * 7 * 24 * 60))
            db.session.add(PosSale(id=str(uuid.uuid4()), location_id=point_id, occurred_at=when,
                                   payment_method="cash", total_vnd=price, request_hash="x",
                                   lines=[PosSaleLine(variant_id=variant_id, sku=sku, name=sku,
                                                      quantity=1, unit_price_vnd=price)]))
        db.session.commit()


def csrf(client, path: str) -> str:
    import re

    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in(client) -> str:
    """Sign the owner in; returns the session's CSRF token."""
    response = client.post("/login", data={"email": "owner@bench.example", "password": PASSWORD,
                                           "csrf_token": csrf(client, "/login")})
    assert response.status_code == 302
    return csrf(client, "/producer/products/new")


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"runs": len(times), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--photos", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        app.config.update(MEDIA_DIR=str(Path(workdir) / "media"))
        producer_id, product_id, variants, point_id = setup(app)
        client = app.test_client()
        token = sign_in(client)
        photos = [phone_photo(n) for n in range(4)]
        upload_path = f"/producer/products/{product_id}/photos"

        def upload(data):
            response = client.post(upload_path, data={"photo": (io.BytesIO(data), "p.jpg"),
                                                     "csrf_token": token},
                                   content_type="multipart/form-data")
            assert response.status_code in (303, 422), response.status_code
            return response

        counter = iter(range(10 ** 6))
        uploads = timed(lambda: upload(photos[next(counter) % len(photos)]), args.photos)
        bomb_data = bomb()
        bombs = timed(lambda: upload(bomb_data), 5)
        add_sales(app, producer_id, variants, point_id, online=10_000, counter=5_000)
        client.get("/producer/")
        dashboard = timed(lambda: client.get("/producer/"), 20)
        print(json.dumps({
            "engine": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0],
            "photo_kb": round(statistics.mean(len(p) for p in photos) / 1024),
            "photo_upload": summary(uploads),
            "bomb_kb": round(len(bomb_data) / 1024), "bomb_refusal": summary(bombs),
            "dashboard_15000_sale_lines": summary(dashboard),
        }, indent=2))


if __name__ == "__main__":
    main()
