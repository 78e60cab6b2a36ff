"""Benchmark: the shop under real gunicorn, driven by wrk, beside a bare Flask ceiling.

The shop runs as in production (`gunicorn --config gunicorn.conf.py wsgi:app`, 2 workers,
SHOP_ENV=production, SECRET_KEY from the environment or made for the run) with the rate limits
off (RATELIMIT_ENABLED=false: one address sends everything) and its access log written to a
file. In the same run bench/bare_app.py, a Flask app that returns a static page of the listing
page's size, runs under the same settings: the ceiling for any Flask page on this machine.
wrk (Debian: `apt-get install wrk`; not needed by the tests) drives each from a second process
with 16 connections on 2 threads for --seconds per scenario (scripts in bench/wrk/). Afterwards
`shop check-ledger` must find the stock ledger consistent.

The database: a fresh SQLite file by default, or --database-url (a PostgreSQL database's public
schema is dropped and recreated), filled by `prepare_catalog`: --prepare "COMMAND" runs a shell
command with DATABASE_URL set (for instance "flask --app wsgi shop generate --products 20000"),
otherwise --products N products are written with bulk inserts. --reuse takes the database as
it stands (already prepared) and only adds the benchmark's own producer, carts and device.

    .venv/bin/python bench/load.py --products 2000 --seconds 10
    .venv/bin/python bench/load.py --products 2000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ocop_load --output docs/load.json
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from shop.extensions import db  # noqa: E402

CONNECTIONS, THREADS = 16, 2
BACKGROUND_CONNECTIONS = 4  # the checkouts running beside the pages of the "_during_checkouts" rows
PASSWORD = "load bench password"
SKUS = 50
COLD = 2000  # distinct addresses per page for the scenarios that build every page
CHECKOUT = {"email": "an@example.com", "phone": "0912345678", "name": "Người mua",
            "fulfilment": "delivery",
            "address": {"line": "12 Lê Lợi", "ward_code": "00004", "province_code": "01"},
            "payment_method": "cod"}
BROAD = ["che", "mat ong", "gao", "banh", "ha giang", "huu co", "tra", "gom"]


# -- the database ---------------------------------------------------------------------------

# What production requires: the shop's own registration (it invoices its shipping) and the
# origin of its links; the benchmark's requests name 127.0.0.1.
BENCH_SELLER = {"SHOP_LEGAL_NAME": "Chợ OCOP (đo tải)", "SHOP_TAX_CODE": "0100000000-998",
                "SHOP_ADDRESS": "Số 2 Ngọc Hà, Hà Nội", "PUBLIC_URL": "http://127.0.0.1",
                "TRUSTED_HOSTS": "127.0.0.1,localhost"}


def open_app(database_url: str, workdir: Path, reset: bool, index: Path):
    """The app in this process, on `database_url`, emptied first when `reset`, migrated."""
    from flask_migrate import upgrade

    from shop import create_app

    if reset and database_url.startswith("postgresql"):
        engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif reset and database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "load-bench",
                      "INSTANCE_PATH": str(workdir), "RATELIMIT_ENABLED": False,
                      "SEARCH_INDEX_DIR": str(index), "MEDIA_DIR": str(workdir / "media")})
    with app.app_context():
        upgrade()
    return app


def prepare_catalog(app, database_url: str, products: int, command: str | None) -> None:
    """Fill the catalog: `command` (a shell command, run with DATABASE_URL) or bulk inserts."""
    if command:
        env = os.environ | {"DATABASE_URL": database_url, "RATELIMIT_ENABLED": "false",  # flask on PATH
                            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
        subprocess.run(command, shell=True, check=True, cwd=ROOT, env=env,
                       executable="/bin/bash")
        return
    generate_catalog(app, products)


def generate_catalog(app, count: int, seed: int = 2026) -> None:
    """`count` listed products (bench/search.py's generator) with a variant, a certificate and
    stock at their producer's warehouse each, written with bulk inserts."""
    from bench.search import generate
    from shop.catalog.models import Certificate, Producer, Product, Variant
    from shop.inventory.models import Location, StockLevel, StockMovement

    generate(app, count, seed)
    rng = random.Random(seed)
    now = datetime(2025, 1, 1)
    with app.app_context():
        producers = db.session.execute(db.select(Producer.id, Producer.province_code)).all()
        db.session.execute(db.insert(Location), [
            {"id": pid, "code": f"WH-G{pid}", "name": f"Kho {pid}", "kind": "warehouse",
             "producer_id": pid, "province_code": province, "address": "", "opening_hours": "",
             "phone": "", "ships_online": True, "offers_pickup": False, "is_active": True,
             "created_at": now} for pid, province in producers])
        rows = db.session.execute(db.select(Product.id, Product.producer_id, Product.stars,
                                            Product.certified_until, Product.min_price_vnd)).all()
        variants, certificates, levels, movements = [], [], [], []
        for pid, producer_id, stars, until, price in rows:
            variants.append({"id": pid, "product_id": pid, "sku": f"G-{pid}", "label": "Hộp",
                             "unit": "hộp", "price_vnd": price, "vat_category": "10_reducible",
                             "weight_g": 500, "is_active": True})
            certificates.append({
                "id": pid, "product_id": pid, "stars": stars, "decision_number": f"{pid}/QĐ-UBND",
                "decision_date": date(until.year - 3, until.month, until.day), "issuer_level": "province",
                "issuer_name": "", "valid_until": until, "status": "active",
                "verify_code": f"G{pid:011d}", "created_at": now, "revoked_reason": ""})
            on_hand = rng.choice((0, 5, 20, 50, 200))
            if on_hand:
                levels.append({"variant_id": pid, "location_id": producer_id, "on_hand": on_hand,
                               "reserved": 0})
                movements.append({"variant_id": pid, "location_id": producer_id, "delta": on_hand,
                                  "reason": "receipt", "reference": "", "note": "",
                                  "occurred_at": now, "created_at": now})
        for model, batch in ((Variant, variants), (Certificate, certificates),
                             (StockLevel, levels), (StockMovement, movements)):
            for i in range(0, len(batch), 2000):
                db.session.execute(db.insert(model), batch[i:i + 2000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in ("producer", "product", "variant", "certificate", "location"):
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
            db.session.commit()


def fixtures(app, workdir: Path, pool: int, history: int) -> dict:
    """The benchmark's own producer (50 SKUs, a warehouse, a sales point with a POS device, an
    owner account, `history` past orders for its dashboard) and the carts the POSTs use; the
    product slugs and search texts the GETs rotate over. Works on any prepared database."""
    from bench.portal import add_sales
    from shop.accounts import services as accounts
    from shop.catalog import services as catalog
    from shop.catalog.models import Product
    from shop.catalog.queries import listing_condition
    from shop.clock import today
    from shop.inventory import stock
    from shop.inventory.models import Location
    from shop.orders.models import Cart, CartLine
    from shop.pos import devices
    from shop.text import fold

    rng = random.Random()
    run = f"{rng.randrange(16 ** 6):06x}"
    with app.app_context():
        day = today()
        point = Location(code=f"SP-LOAD-{run}", name="Điểm bán tải thử", kind="sales_point",
                         province_code="22")
        db.session.add(point)
        db.session.commit()
        point_id = point.id

        def producer_with_history(label: str, tax_code: str, stock_each: int) -> tuple[int, list]:
            """A producer of SKUS certified products, each stocked at its warehouse and at the
            sales point, with `history` past orders and half as many counter sales."""
            producer = catalog.create_producer(name=f"HTX {label} {run}", kind="cooperative",
                                               tax_code=tax_code, province_code="19")
            warehouse = Location(code=f"WH-{tax_code}", name=f"Kho {label}", kind="warehouse",
                                 producer=producer, province_code="19", ships_online=True)
            db.session.add(warehouse)
            db.session.commit()
            made = []
            for n in range(SKUS):
                product = catalog.create_product(producer, name=f"Mật ong {label} {run} {n}",
                                                 group="food")
                variant = catalog.add_variant(product, sku=f"{tax_code}-{n}", label="Hũ 500 g",
                                              price_vnd=100_000 + n * 1_000, vat_category="10_reducible")
                catalog.certify(product, stars=4, decision_number=f"{n}/QĐ-{tax_code}",
                                decision_date=day - timedelta(days=200), issuer_level="province",
                                today=day)
                stock.move(variant.id, warehouse.id, stock_each, "receipt")
                stock.move(variant.id, point_id, 1_000_000, "receipt")
                made.append((variant.id, variant.sku, variant.price_vnd))
            producer_id = producer.id
            db.session.commit()  # no transaction of this session open while add_sales writes
            add_sales(app, producer_id, made, point_id, online=history, counter=history // 2)
            return producer_id, made

        tax_code = f"47{rng.randrange(10 ** 8):08d}"
        producer_id, variants = producer_with_history("tải thử", tax_code, pool * 4 + 10_000)
        accounts.register(f"owner-{run}@load.example", PASSWORD, role=f"producer:{tax_code}")
        # the dashboard's producer: the same history, and no sale of the other scenarios, so
        # that its figure does not depend on which scenarios ran before it
        dash_tax = f"48{rng.randrange(10 ** 8):08d}"
        producer_with_history("bảng tải thử", dash_tax, history * 4 + 1_000)
        accounts.register(f"dash-{run}@load.example", PASSWORD, role=f"producer:{dash_tax}")
        token = devices.create_device(db.session.get(Location, point_id), "load bench")[1]

        def carts(name: str, sku_of) -> Path:
            tokens = []
            for start in range(0, pool, 1000):
                batch = [Cart(token=f"load{run}{name}{n:06d}{secrets.token_hex(8)}",
                              lines=[CartLine(variant_id=variants[sku_of(n)][0], quantity=1)]
                              if sku_of else [])
                         for n in range(start, min(pool, start + 1000))]
                db.session.add_all(batch)
                db.session.commit()
                tokens += [cart.token for cart in batch]
            path = workdir / f"carts-{name}.txt"
            path.write_text("\n".join(tokens) + "\n")
            return path

        files = {"add": carts("add", None), "spread": carts("spread", lambda n: 1 + n % (SKUS - 1)),
                 "hot": carts("hot", lambda n: 0),
                 "beside": carts("beside", lambda n: 1 + n % (SKUS - 1))}
        own = [product.slug for product in db.session.scalars(
            db.select(Product).where(Product.producer_id == producer_id).order_by(Product.id))]
        listed = db.session.execute(db.select(Product.slug, Product.name)
                                    .where(listing_condition(day)).order_by(Product.id)).all()
    names = rng.sample([name for _, name in listed], min(6, len(listed)))
    narrow = sorted({fold(" ".join(name.split()[:3])) for name in names})
    slugs = rng.sample([slug for slug, _ in listed], min(500, len(listed)))
    return {"run": run, "skus": [sku for _, sku, _ in variants],
            "prices": [price for _, _, price in variants], "token": token,
            "owner": f"owner-{run}@load.example", "dashboard_owner": f"dash-{run}@load.example",
            "carts": files, "slugs": slugs, "own_slugs": own,
            "narrow": narrow}


# -- servers --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the shop's gunicorn.conf.py serving `target` on a free port."""

    def __init__(self, target: str, env: dict, log: Path, access_log: Path):
        self.port = free_port()
        self.log_path, self.log = log, log.open("ab")
        env = os.environ | env | {"GUNICORN_BIND": f"127.0.0.1:{self.port}",
                                  "GUNICORN_ACCESS_LOG": str(access_log)}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "--config", str(ROOT / "gunicorn.conf.py"), "--chdir", str(ROOT), target],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {target} exited, see {log}")
            try:
                if get(self.port, "/")[0] < 500:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn {target} did not answer within 60 s")

    def cpu_seconds(self) -> float:
        """CPU time of gunicorn and all its workers so far, the recycled ones included (their
        time is added to the master's children's time when it reaps them)."""
        tick = os.sysconf("SC_CLK_TCK")

        def times(pid: int, children: bool) -> int:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return sum(int(f) for f in fields[11:15 if children else 13])

        master = self.process.pid
        total = times(master, children=True)
        for task in Path(f"/proc/{master}/task").iterdir():
            for child in (task / "children").read_text().split():
                # a worker recycled at this moment is counted once the master reaps it
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    total += times(int(child), children=False)
        return total / tick

    def server_errors(self) -> dict[str, int]:
        """The exceptions in gunicorn's log (each traceback's last line), with their counts."""
        found: dict[str, int] = {}
        lines = self.log_path.read_text(errors="replace").splitlines()
        for i, line in enumerate(lines):
            if line.startswith("Traceback (most recent call last)"):
                end = next((text for text in lines[i + 1:] if text and not text[0].isspace()), "?")
                found[end[:300]] = found.get(end[:300], 0) + 1
        return found

    def stop(self) -> int:
        """Stop gunicorn; returns how many workers it started beyond the first ones (gunicorn.conf.py
        recycles a worker after about 2,000 requests, as in production)."""
        self.process.terminate()
        self.process.wait(30)
        self.log.close()
        booted = self.log_path.read_text(errors="replace").count("Booting worker")
        return max(0, booted - int(os.environ.get("WEB_CONCURRENCY", "2")))


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, http.client.HTTPMessage]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


def session_cookie(port: int, email: str) -> str:
    """Sign in over HTTP; returns the Cookie header value (the production cookie is Secure,
    so it is carried by hand over plain HTTP)."""
    def cookies(headers) -> dict:
        return dict(c.split(";")[0].split("=", 1) for c in headers.get_all("Set-Cookie") or [])

    status, page, headers = get(port, "/login")
    jar = cookies(headers)
    csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": csrf})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = connection.getresponse()
    response.read()
    jar |= cookies(response.headers)
    connection.close()
    if response.status != 302:
        raise RuntimeError(f"sign-in answered {response.status}")
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    if get(port, "/producer/", {"Cookie": cookie})[0] != 200:
        raise RuntimeError("the producer dashboard refused the signed-in session")
    return cookie


# -- wrk ------------------------------------------------------------------------------------

def wrk_command(port: int, script: str, args: list[str], seconds: int, headers: tuple[str, ...] = (),
                connections: int = CONNECTIONS, threads: int = THREADS) -> list[str]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "30s", "-s", str(ROOT / "bench" / "wrk" / script)]
    for header in headers:
        command += ["-H", header]
    return command + [f"http://127.0.0.1:{port}/", str(threads), *args]


def wrk_summary(output: str) -> dict:
    found = json.loads(output.split("WRK_JSON ", 1)[1].splitlines()[0])
    bad = output.split("WRK_FIRST_BAD ", 1)[1].splitlines()[0] if "WRK_FIRST_BAD " in output else None
    return {"requests_per_s": round(found["requests"] / (found["duration_us"] / 1e6), 1),
            "p50_ms": round(found["p50_us"] / 1000, 1), "p95_ms": round(found["p95_us"] / 1000, 1),
            "p99_ms": round(found["p99_us"] / 1000, 1), "requests": found["requests"],
            "non_2xx": found["non2xx"], "socket_errors": found["socket_errors"]} | (
                {"first_non_2xx": bad} if bad else {})


def wrk(port: int, script: str, args: list[str], seconds: int, headers: tuple[str, ...] = ()) -> dict:
    output = subprocess.run(wrk_command(port, script, args, seconds, headers), cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    return wrk_summary(output)


def wrk_beside(port: int, script: str, args: list[str], seconds: int, background: tuple) -> dict:
    """`script` as `wrk` runs it, while a second wrk sends `background` (script, arguments)
    on BACKGROUND_CONNECTIONS connections for the same time: the row of the foreground, with
    the background's under "background"."""
    behind = subprocess.Popen(wrk_command(port, *background, seconds, (), BACKGROUND_CONNECTIONS, 1),
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        row = wrk(port, script, args, seconds)
    finally:
        output, errors = behind.communicate(timeout=seconds + 60)
    if behind.returncode != 0:
        raise RuntimeError(f"background wrk failed: {errors}")
    return row | {"background": wrk_summary(output)}


def paths_file(workdir: Path, name: str, paths: list[str]) -> str:
    path = workdir / f"paths-{name}.txt"
    path.write_text("\n".join(paths) + "\n")
    return str(path)


def scenarios(workdir: Path, data: dict, cookie: str) -> list[tuple]:
    """(name, wrk script, script arguments, headers[, background]) for every measured page and
    endpoint; `background`: (script, arguments) sent beside it (`wrk_beside`)."""
    q = urllib.parse.quote_plus
    regions = ("NMM", "RRD", "NCC", "CH", "SE", "MD")
    body = workdir / "checkout.json"
    body.write_text(json.dumps(CHECKOUT, ensure_ascii=False) + "\n")
    pos = [data["run"][:6], datetime.now(UTC).isoformat(timespec="seconds"),
           ",".join(data["skus"]), ",".join(str(p) for p in data["prices"])]
    device = (f"Authorization: Bearer {data['token']}",)
    beside = ("checkout.lua", [str(data["carts"]["beside"]), str(body)])

    def gets(name: str, paths: list[str]) -> list[str]:
        return [paths_file(workdir, name, paths)]

    return [
        ("home", "get.lua", gets("home", ["/"]), ()),
        ("listing", "get.lua", gets("listing", ["/products"]), ()),
        ("listing_stars_region", "get.lua", gets("filtered", [
            f"/products?stars={s}&region={r}" for s in ("4", "5", "4,5") for r in regions]), ()),
        ("listing_page_50", "get.lua", gets("page50", ["/products?page=50"]), ()),
        ("product_page", "get.lua", gets("product", [f"/p/{s}" for s in data["slugs"]]), ()),
        # the same pages built afresh on every request (a page not in the cache yet: an address
        # seen for the first time since the last change), made distinct by a parameter the
        # pages ignore
        ("listing_stars_region_cold", "get.lua", gets("filtered-cold", [
            f"/products?stars={s}&region={r}&_={n}" for n in range(COLD)
            for s in ("4", "5", "4,5") for r in regions]), ()),
        ("product_page_cold", "get.lua", gets("product-cold", [
            f"/p/{s}?_={n}" for n in range(COLD // 10) for s in data["slugs"]]), ()),
        # festival traffic: the same pages read while orders come in (BACKGROUND_CONNECTIONS
        # sending checkouts of the benchmark producer's products: their stock changes with each)
        ("listing_stars_region_during_checkouts", "get.lua", gets("filtered-beside", [
            f"/products?stars={s}&region={r}" for s in ("4", "5", "4,5") for r in regions]), (),
         beside),
        ("product_page_during_checkouts", "get.lua", gets("product-beside", [
            f"/p/{s}" for s in data["slugs"] + data["own_slugs"]]), (), beside),
        ("search_narrow", "get.lua", gets("narrow", [f"/products?q={q(t)}" for t in data["narrow"]]), ()),
        ("search_broad", "get.lua", gets("broad", [f"/products?q={q(t)}" for t in BROAD]), ()),
        ("cart_add", "cart_add.lua", [str(data["carts"]["add"]), ",".join(data["skus"])], ()),
        ("checkout_spread_skus", "checkout.lua", [str(data["carts"]["spread"]), str(body)], ()),
        ("checkout_hot_sku", "checkout.lua", [str(data["carts"]["hot"]), str(body)], ()),
        ("pos_sale", "pos.lua", [str(int(data["run"], 16)), *pos[1:], "1"], device),
        ("pos_sync_batch_20", "pos.lua", [str(int(data["run"], 16) + 1), *pos[1:], "20"], device),
        ("producer_dashboard", "get.lua", gets("dashboard", ["/producer/"]), (f"Cookie: {cookie}",)),
    ]


def run_ceiling(env: dict, size: int, workdir: Path, seconds: int, warmup: int) -> dict:
    """bench/bare_app.py serving `size` bytes under the same gunicorn settings, driven alike."""
    bare = Server("bench.bare_app:app", env | {"BARE_PAGE_BYTES": str(size)},
                  workdir / "gunicorn-bare.log", workdir / "access-bare.log")
    try:
        assert len(get(bare.port, "/")[1]) == size
        paths = [paths_file(workdir, "bare", ["/"])]
        if warmup:
            wrk(bare.port, "get.lua", paths, warmup)
        cpu = bare.cpu_seconds()
        ceiling = wrk(bare.port, "get.lua", paths, seconds)
        ceiling["server_cpu_ms_per_request"] = round(
            (bare.cpu_seconds() - cpu) * 1000 / max(1, ceiling["requests"]), 2)
    finally:
        restarts = bare.stop()
    return ceiling | {"worker_restarts": restarts}


# -- the run --------------------------------------------------------------------------------

def markdown(result: dict) -> str:
    lines = [f"{result['engine']}, {result['products']} listed products, listing page "
             f"{result['listing_bytes']} bytes, {CONNECTIONS} connections, {result['seconds']} s each, "
             f"load average before {result['load_average_before']}",
             "", "| scenario | requests/s | p50 ms | p95 ms | p99 ms | non-2xx | x ceiling "
             "| server CPU ms/request | x ceiling by CPU |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines[0] += (f"; ratios to the mean ceiling {result['ceiling_requests_per_s']} requests/s; "
                 f"gunicorn recycled {result['shop_worker_restarts']} shop workers")
    rows = [("bare Flask ceiling, before", result["ceiling_before"]),
            ("bare Flask ceiling, after", result["ceiling_after"]), *result["scenarios"].items()]
    for name, row in rows:
        ratio = f"{row['ratio']:.3f}" if "ratio" in row else ""
        cpu_ratio = f"{row['cpu_ratio']:.3f}" if "cpu_ratio" in row else ""
        lines.append(f"| {name} | {row['requests_per_s']} | {row['p50_ms']} | {row['p95_ms']} | "
                     f"{row['p99_ms']} | {row['non_2xx']} | {ratio} | {row['server_cpu_ms_per_request']} "
                     f"| {cpu_ratio} |")
        if "background" in row:
            behind = row["background"]
            lines.append(f"| ... beside it, checkouts ({BACKGROUND_CONNECTIONS} connections) | "
                         f"{behind['requests_per_s']} | {behind['p50_ms']} | {behind['p95_ms']} | "
                         f"{behind['p99_ms']} | {behind['non_2xx']} |  |  |  |")
    lines.append("")
    lines.append(f"`shop check-ledger`: {result['check_ledger']}")
    for error, count in result["server_errors"].items():
        lines.append(f"server error x{count}: `{error}`")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a scratch folder")
    parser.add_argument("--products", type=int, default=2000,
                        help="products written with bulk inserts (without --prepare or --reuse)")
    parser.add_argument("--prepare", metavar="COMMAND",
                        help='fills the emptied database, e.g. '
                        '"flask --app wsgi shop generate --products 20000"')
    parser.add_argument("--reuse", action="store_true", help="take the database as it stands")
    parser.add_argument("--seconds", type=int, default=10, help="per scenario")
    parser.add_argument("--warmup", type=int, default=2,
                        help="seconds of unmeasured load before each GET scenario and the ceiling")
    parser.add_argument("--history", type=int, default=2000,
                        help="past online orders of the dashboard's producer "
                        "(and half as many counter sales)")
    parser.add_argument("--carts", type=int, default=0,
                        help="carts per checkout scenario (default: 300 per second of run)")
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument("--access-log", help="default: in the scratch folder")
    parser.add_argument("--index-dir", help="keep the search index here: built when the folder is "
                        "empty, used as it is (with the run's own products added) when not; "
                        "default: built in the scratch folder")
    parser.add_argument("--output", help="also write the JSON summary here and the table beside it (.md)")
    args = parser.parse_args()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url")

    with tempfile.TemporaryDirectory(prefix="ocop-load-") as scratch:
        workdir = Path(scratch)
        database_url = args.database_url or f"sqlite:///{workdir / 'load.db'}"
        started = time.perf_counter()
        index = Path(args.index_dir) if args.index_dir else workdir / "index"
        kept_index = bool(args.index_dir) and index.is_dir() and any(index.iterdir())
        app = open_app(database_url, workdir, reset=not args.reuse, index=index)
        if not args.reuse:
            prepare_catalog(app, database_url, args.products, args.prepare)
        data = fixtures(app, workdir, args.carts or 300 * args.seconds, args.history)
        from shop import search

        with app.app_context():
            if kept_index:  # built by an earlier run on this database; this run's products were
                # added to it as they were written
                from shop.catalog.models import Product
                from shop.catalog.queries import listing_condition
                from shop.clock import today

                indexed = db.session.scalar(db.select(db.func.count()).select_from(Product)
                                            .where(listing_condition(today())))
            else:
                indexed = search.reindex()
        prepared_s = round(time.perf_counter() - started, 1)
        with app.app_context():
            db.engine.dispose()

        access_log = Path(args.access_log) if args.access_log else workdir / "access.log"
        secret = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32)
        env = {"SHOP_ENV": "production", "SECRET_KEY": secret, **BENCH_SELLER,
               "DATABASE_URL": database_url, "RATELIMIT_ENABLED": "false",
               "INSTANCE_PATH": str(workdir), "SEARCH_INDEX_DIR": str(index),
               "MEDIA_DIR": str(workdir / "media")}
        load_before = [round(x, 1) for x in os.getloadavg()]
        shop = Server("wsgi:app", env, workdir / "gunicorn.log", access_log)
        try:
            status, page, _ = get(shop.port, "/products")
            assert status == 200, status
            cookie = session_cookie(shop.port, data["dashboard_owner"])
            ceiling = run_ceiling(env, len(page), workdir, args.seconds, args.warmup)
            results = {}
            wanted = set(args.only.split(",")) if args.only else None
            for name, script, script_args, headers, *background in scenarios(workdir, data, cookie):
                if wanted and name not in wanted:
                    continue
                # POSTs would use up their carts, and a cold page warmed would be cached
                if args.warmup and script == "get.lua" and not name.endswith("_cold"):
                    # long enough for each worker to have built every address of the scenario
                    # (500 product pages take each worker about 4 s to build once)
                    # and again (up to 5 times) while its slowest answers are still first builds
                    addresses = len(Path(script_args[0]).read_text().splitlines())
                    for _ in range(5):
                        warm = wrk(shop.port, script, script_args, args.warmup + addresses // 100,
                                   headers)
                        if warm["p99_ms"] <= 3 * warm["p50_ms"] + 5:
                            break
                cpu = shop.cpu_seconds()
                if background:
                    row = wrk_beside(shop.port, script, script_args, args.seconds, background[0])
                else:
                    row = wrk(shop.port, script, script_args, args.seconds, headers)
                row["server_cpu_ms_per_request"] = round(
                    (shop.cpu_seconds() - cpu) * 1000 / max(1, row["requests"]), 2)
                results[name] = row
                print(f"{name}: {row}", file=sys.stderr)
        finally:
            restarts, server_errors = shop.stop(), shop.server_errors()
        # The ceiling again after the shop's scenarios: the machine's load drifts during a run;
        # the ratios are to the mean of the two.
        ceiling_after = run_ceiling(env, len(page), workdir, args.seconds, args.warmup)
        mean = (ceiling["requests_per_s"] + ceiling_after["requests_per_s"]) / 2
        bare_cpu = (ceiling["server_cpu_ms_per_request"] + ceiling_after["server_cpu_ms_per_request"]) / 2
        for row in results.values():
            row["ratio"] = round(row["requests_per_s"] / mean, 3)
            # the same ratio from server CPU time per request: less moved by the machine's load
            row["cpu_ratio"] = round(bare_cpu / max(0.01, row["server_cpu_ms_per_request"]), 3)
        ledger = subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "shop",
                                 "check-ledger"], cwd=ROOT, env=os.environ | env,
                                capture_output=True, text=True)
        result = {"engine": database_url.split(":")[0], "products": indexed,
                  "listing_bytes": len(page), "connections": CONNECTIONS, "threads": THREADS,
                  "seconds": args.seconds, "prepared_s": prepared_s,
                  "gunicorn_workers": int(os.environ.get("WEB_CONCURRENCY", "2")),
                  "load_average_before": load_before,
                  "load_average_after": [round(x, 1) for x in os.getloadavg()],
                  "ceiling_requests_per_s": round(mean, 1), "ceiling_before": ceiling,
                  "ceiling_after": ceiling_after, "scenarios": results,
                  "shop_worker_restarts": restarts, "server_errors": server_errors,
                  "check_ledger": (ledger.stdout + ledger.stderr).strip().splitlines()[-1]
                  if ledger.returncode == 0 else f"FAILED: {(ledger.stdout + ledger.stderr).strip()}"}
    table = markdown(result)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print(table)
    if args.output:
        Path(args.output).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        Path(args.output).with_suffix(".md").write_text(table + "\n")
    if ledger.returncode != 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
