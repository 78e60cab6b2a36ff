"""Benchmark: what the input guard (shop/web/input_guard.py) costs a request, by body.

It runs `guard_request` alone in a request context (no view, no database) on: a cart line, a
checkout, a POS sync of 1,000 sales (the largest body a device sends), and the refusals: JSON
1,000 and 1,000,000 levels deep, a body that does not parse, a lone surrogate deep in a sync.
Prints the median milliseconds of a call for each, and the body's size.

    .venv/bin/python bench/input_guard.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shop import create_app  # noqa: E402
from shop.errors import ShopError  # noqa: E402
from shop.web import input_guard  # noqa: E402


def sync(sales: int, sku: str = "B-1") -> str:
    return json.dumps({"sales": [
        {"id": str(uuid.uuid4()), "occurred_at": "2026-11-20T09:15:00+07:00",
         "payment_method": "cash", "lines": [{"sku": sku, "quantity": 2, "unit_price_vnd": 50000},
                                             {"sku": "B-2", "quantity": 1, "unit_price_vnd": 75000,
                                              "override": {"reason": "khuyến mãi"}}]}
        for _ in range(sales)]})


BODIES = {
    "cart line": json.dumps({"sku": "TNG-CHE-200", "quantity": 2}),
    "checkout": json.dumps({"email": "an@example.vn", "phone": "0912345678",
                            "name": "Nguyễn Văn An", "fulfilment": "delivery",
                            "address": {"line": "12 Lê Lợi", "ward_code": "00004",
                                        "province_code": "01"},
                            "pickup_point": None, "payment_method": "cod"}),
    "POS sync, 1,000 sales": sync(1000),
    "refused: 1,000 deep": '{"sku": ' + "[" * 1000 + "]" * 1000 + "}",
    "refused: 1,000,000 deep": '{"sku": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}",
    "refused: not JSON": sync(1000)[:-1],
    "refused: a surrogate in a 1,000-sale sync": sync(1000, sku="B-\\ud800"),
}


def median_ms(app, body: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        with app.test_request_context("/api/v1/pos/sync", method="POST", data=body,
                                      content_type="application/json"):
            started = time.perf_counter()
            with contextlib.suppress(ShopError):  # the refusals are timed to the raise
                input_guard.guard_request()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench",
                      "INSTANCE_PATH": "/tmp"})
    for name, body in BODIES.items():
        print(f"{name:<44} {len(body):>10,} bytes  {median_ms(app, body, rounds):8.3f} ms")


if __name__ == "__main__":
    main()
