"""Benchmark: what sessions kept on the server cost: reading one session among many, saving
one, ending every session of a user, a signed-in page, and purging the expired ones; on the
database store (SQLite file or PostgreSQL) and on Redis.

    .venv/bin/python bench/sessions.py
    .venv/bin/python bench/sessions.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench
    .venv/bin/python bench/sessions.py --redis-url redis://127.0.0.1:6379/0
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pos_sync import fresh_app  # noqa: E402
from bench.sign_in import timed  # noqa: E402
from shop.extensions import db  # noqa: E402

PASSWORD = "một mật khẩu đủ dài"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DATA = json.dumps({"_user_id": "1.0123456789abcdef", "_fresh": True, "_id": "x" * 128,
                   "csrf_token": "y" * 40, "_signed_in_at": 0, "_seen_at": 0})


def fill(store, sessions: int, user_ids: list[int], now: int) -> None:
    """`sessions` sessions, one in ten of them expired, spread over the users."""
    from shop.accounts.models import WebSession
    from shop.accounts.sessions import DatabaseStore

    if isinstance(store, DatabaseStore):
        rows = [{"id": f"{n:064x}", "user_id": user_ids[n % len(user_ids)], "data": DATA,
                 "created_at": datetime.now(UTC),
                 "expires_at": datetime.fromtimestamp(now + (-60 if n % 10 == 0 else 1800), UTC)}
                for n in range(sessions)]
        for start in range(0, sessions, 10_000):
            db.session.execute(db.insert(WebSession), rows[start:start + 10_000])
        db.session.commit()
        return
    pipe = store.client.pipeline()
    for n in range(sessions):
        key, user_id = f"{n:064x}", user_ids[n % len(user_ids)]
        pipe.set(store._session(key), json.dumps({"user_id": user_id, "data": DATA,
                                                  "expires_at": now + 1800}), ex=1800)
        pipe.sadd(store._user(user_id), key)
    pipe.execute()


def many_users(count: int) -> list[int]:
    """`count` accounts (their password hash a stand-in: no one signs in as them)."""
    from shop.accounts.models import User

    db.session.execute(db.insert(User), [{"email": f"many{n}@example.com", "password_hash": "-",
                                          "name": "", "phone": "", "created_at": datetime.now(UTC)}
                                         for n in range(count)])
    db.session.commit()
    return list(db.session.scalars(db.select(User.id).where(User.email.like("many%"))))


def signed_in_page(app, email: str, interface=None) -> dict:
    """GET /account, signed in, with the given session interface (None: the shop's own)."""
    if interface is not None:
        app.session_interface = interface
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return timed(lambda: client.get("/account"), 300)


def measure(app, label: str, sessions: int) -> dict:
    from flask.sessions import SecureCookieSessionInterface

    from shop.accounts import services as accounts
    from shop.accounts import sessions as store_module

    now = int(time.time())
    with app.app_context():
        email = accounts.register("an@example.com", PASSWORD).email
        user_ids = many_users(sessions // 5)  # five sessions per user
        store = store_module.store()
        fill(store, sessions, user_ids, now)
        key = f"{sessions // 2 + 1:064x}"
        load = timed(lambda: store.load(key, now), 500)
        update = timed(lambda: store.update(key, user_ids[1], DATA, now + 1800), 300)
        created = iter(range(10**6))
        create = timed(lambda: store.create(f"new-{next(created)}", user_ids[1], DATA, now + 1800), 300)
        end_all = timed(lambda: store.end_all(user_ids[2 + next(created) % 1000]), 200)
    page = signed_in_page(app, email)
    with app.app_context():
        started = time.perf_counter()
        purged = store_module.purge(now + 1)
        purge_ms = round((time.perf_counter() - started) * 1000, 1)
    cookie_page = signed_in_page(app, email, SecureCookieSessionInterface())
    return {"store": label, "sessions_stored": sessions, "load": load, "update": update,
            "create": create, "end_all_of_a_user": end_all, "signed_in_page_account": page,
            "same_page_with_signed_cookie_sessions": cookie_page,
            "purge": {"deleted": purged, "ms": purge_ms}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--sessions", type=int, default=100_000)
    args = parser.parse_args()
    os.environ["RATELIMIT_ENABLED"] = "0"
    with tempfile.TemporaryDirectory() as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        label = (args.database_url or "sqlite").split(":")[0]
        if args.redis_url:
            import redis

            from shop.accounts.sessions import RedisStore

            prefix = f"bench-{uuid.uuid4().hex}"
            client = redis.Redis.from_url(args.redis_url)
            app.extensions["session_store"] = RedisStore(client, prefix, 86_400)
            label = "redis"
        try:
            print(json.dumps(measure(app, label, args.sessions), indent=2))
        finally:
            if args.redis_url:
                for key in client.scan_iter(match=f"{prefix}:*", count=10_000):
                    client.delete(key)


if __name__ == "__main__":
    main()
