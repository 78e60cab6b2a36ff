"""Benchmark: the cost of the sign-in protections: the throttle's two counts over a large
history of attempts, the common-password check, and a whole sign-in request.

A fresh database: a SQLite file by default, or PostgreSQL with --database-url (its public
schema is dropped and recreated).

    .venv/bin/python bench/sign_in.py
    .venv/bin/python bench/sign_in.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pos_sync import fresh_app  # noqa: E402
from shop.extensions import db  # noqa: E402

PASSWORD = "một mật khẩu đủ dài"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def fill_history(app, attempts: int) -> None:
    """`attempts` failed sign-ins over the last 15 minutes, from 5,000 addresses on 20,000 emails."""
    from shop.accounts.models import SignInAttempt
    from shop.clock import utcnow

    now = utcnow()
    with app.app_context():
        rows = [{"email": f"u{n % 20_000}@example.com", "address": f"10.{n % 5000 // 250}.{n % 250}.1",
                 "succeeded": False, "created_at": now - timedelta(seconds=n % 900)}
                for n in range(attempts)]
        db.session.execute(db.insert(SignInAttempt), rows)
        db.session.commit()


def timed(function, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    return {"p50_ms": round(statistics.median(times), 3), "p99_ms": round(p99, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--attempts", type=int, default=100_000)
    args = parser.parse_args()
    from shop.accounts import passwords
    from shop.accounts import services as accounts
    from shop.clock import utcnow

    with tempfile.TemporaryDirectory() as workdir:
        os.environ["RATELIMIT_ENABLED"] = "0"  # the per-address limit would stop the loop
        app = fresh_app(args.database_url, Path(workdir))
        fill_history(app, args.attempts)
        started = time.perf_counter()
        passwords.common_passwords()
        load_ms = (time.perf_counter() - started) * 1000
        with app.app_context():
            accounts.register("an@example.com", PASSWORD)
            limits = accounts.SignInLimits(per_account=10**9, per_address=10**9)
            throttle = timed(lambda: accounts.check_throttle("u7@example.com", "10.0.7.1",
                                                             limits=limits, now=utcnow()), 200)
            started = time.perf_counter()
            for _ in range(100_000):
                passwords.is_common("một mật khẩu khác")
            common_us = (time.perf_counter() - started) * 10  # µs per call over 100,000 calls
        client = app.test_client()
        times = []
        for _ in range(30):
            token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
            started = time.perf_counter()
            response = client.post("/login", data={"email": "an@example.com", "password": PASSWORD,
                                                   "csrf_token": token})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302, response.status_code
            client.post("/logout", data={"csrf_token": token})
        request = {"p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
    print(json.dumps({"engine": (args.database_url or "sqlite").split(":")[0],
                      "attempts_in_window": args.attempts,
                      "throttle_check": throttle, "common_password_check_us": round(common_us, 2),
                      "common_list_load_ms": round(load_ms, 1),
                      "sign_in_request": request}, indent=2))


if __name__ == "__main__":
    main()
