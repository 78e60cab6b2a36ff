"""Every storefront page and API endpoint, the producer dashboard, the POS, the cart and the
checkout cost the same number of SQL queries for 1 product as for 200: the budget below.

A cached page is counted twice: the first request builds it ("cold"), the next is served from
the cache ("warm": the catalog generation and what the visitor's own parts need).
"""

import contextlib
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from shop import search
from shop.cache import counter
from shop.catalog.imports import import_catalog
from shop.catalog.models import Product
from shop.extensions import db
from shop.inventory.imports import import_locations, import_stock
from shop.inventory.models import Location
from shop.pos import devices
from tests import builders
from tests.catalog.test_imports import GOOD, csv_text
from tests.conftest import csrf_token
from tests.orders.web import CHECKOUT, checkout_page

# The budget of each request: a change that adds (or saves) queries has to say so here.
# A request that writes stock then raises its products' stock versions in 2 statements (raise
# the versions; read the flags with the stock as it stands), 1 more for a flag that turned and
# 1 for the `available` generation then: instead of one raise of a counter that emptied every
# cached page showing stock.
BUDGET = {
    "GET / cold": 5,
    "GET / warm": 1,
    "GET /products cold": 7,
    "GET /products warm": 1,
    "GET /products filtered cold": 7,
    "GET /products filtered warm": 1,
    "GET /p/<slug> cold": 6,
    "GET /p/<slug> warm": 1,
    "GET /api/v1/products cold": 5,
    "GET /api/v1/products warm": 1,
    "GET /api/v1/products/<slug> cold": 7,  # with the VAT reduction of the day
    "GET /api/v1/products/<slug> warm": 1,
    "GET /products?q= search": 6,  # cold: with the catalog generation of its cache key
    "GET /products?q= search warm": 1,
    "GET /p/<slug>/report": 3,
    "GET /producers/<slug>": 4,
    "GET /verify": 1,
    "GET /verify/<code>": 1,
    "GET /api/v1/suggest": 2,
    "GET /api/v1/provinces": 1,
    "GET /api/v1/provinces/<code>/wards": 2,
    "GET /api/v1/stats": 10,
    "GET /api/v1/openapi.json": 0,
    "POST /cart/lines": 13,
    "GET /cart": 6,
    "GET /checkout": 9,
    "POST /checkout": 31,
    "GET /orders/<number>": 7,
    "POST /api/v1/carts": 3,
    "POST /api/v1/carts/<id>/lines": 16,
    "GET /api/v1/carts/<id>": 5,
    # the order document lists its invoices and each line's rate of the day
    "POST /api/v1/carts/<id>/checkout": 33,
    "GET /api/v1/orders/<number>": 6,
    "GET /api/v1/pos/stock": 6,
    "POST /api/v1/pos/sales": 10,
    "POST /api/v1/pos/sync (3 sales)": 20,
    "GET /api/v1/pos/transfers": 3,
    "GET /producer/ (dashboard)": 14,  # with the session read (see below)
    # a signed-in page also reads its session, kept on the server (one lookup by primary key)
    "GET / warm, signed in": 5,
    "GET /orders, signed in": 5,
}


@contextlib.contextmanager
def counting():
    statements = []

    def record(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT")):
            statements.append(statement)  # SQLite's explicit BEGIN is not a query

    read = counter._Reader.read

    def generation(reader, *args):
        statements.append("generation (its own connection)")  # it counts as every query
        return read(reader, *args)

    event.listen(db.engine, "before_cursor_execute", record)
    counter._Reader.read = generation
    try:
        yield statements
    finally:
        counter._Reader.read = read
        event.remove(db.engine, "before_cursor_execute", record)


def catalog(size: int, today) -> None:
    """`size` products of 5 producers in 3 provinces, each with two variants in stock."""
    rows = []
    for n in range(size):
        producer = n % 5
        base = {**GOOD, "product_name": f"Sản phẩm {n:03d}", "stars": str(3 + n % 2),
                "issuer_level": "province", "producer_tax_code": f"46000000{producer:02d}",
                "producer_name": f"HTX {producer}",
                "producer_province_code": ("19", "22", "91")[producer % 3]}
        rows += [{**base, "sku": f"P{n}-A", "price_vnd": str(10_000 + n)},
                 {**base, "sku": f"P{n}-B", "price_vnd": str(20_000 + n), "variant_label": "Hộp lớn"}]
    import_catalog(csv_text(*rows), today=today)
    import_locations("code,name,kind,province_code,address,producer_tax_code,ships_online,offers_pickup\n"
                     "QN-HALONG,Trung tâm,sales_point,22,,,true,true\n"
                     "HN-1,Điểm Hà Nội,sales_point,01,,,true,true\n")
    import_stock("location_code,sku,quantity\n" + "".join(
        f"{point},P{n}-{v},50\n" for n in range(size) for v in "AB" for point in ("QN-HALONG", "HN-1")))


class Counter:
    """Runs requests and notes the queries each cost under its name."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def __call__(self, name: str, send, expect: int = 200):
        with counting() as statements:
            response = send()
        assert response.status_code == expect, (name, response.status_code,
                                                response.get_data(as_text=True)[:300])
        self.counts[name] = len(statements)
        return response


def sale(quantity: int = 1) -> dict:
    return {"id": str(uuid.uuid4()), "occurred_at": datetime.now(UTC).isoformat(),
            "payment_method": "cash",
            "lines": [{"sku": "P0-A", "quantity": quantity, "unit_price_vnd": 10_000}]}


def storefront(run: Counter, client, product: Product) -> None:
    slug, code = product.slug, product.certificates[0].verify_code
    for path, name in (("/", "GET /"), ("/products", "GET /products"),
                       ("/products?stars=3&group=food&sort=price_asc", "GET /products filtered"),
                       (f"/p/{slug}", "GET /p/<slug>"), ("/api/v1/products", "GET /api/v1/products"),
                       (f"/api/v1/products/{slug}", "GET /api/v1/products/<slug>")):
        run(f"{name} cold", lambda p=path: client.get(p))
        run(f"{name} warm", lambda p=path: client.get(p))
    run("GET /products?q= search", lambda: client.get("/products?q=sản phẩm"))
    run("GET /products?q= search warm", lambda: client.get("/products?q=sản phẩm"))
    run("GET /p/<slug>/report", lambda: client.get(f"/p/{slug}/report"))
    run("GET /producers/<slug>", lambda: client.get(f"/producers/{product.producer.slug}"))
    run("GET /verify", lambda: client.get("/verify?q=HTX"))
    run("GET /verify/<code>", lambda: client.get(f"/verify/{code}"))
    run("GET /api/v1/suggest", lambda: client.get("/api/v1/suggest?q=san"))
    run("GET /api/v1/provinces", lambda: client.get("/api/v1/provinces"))
    run("GET /api/v1/provinces/<code>/wards", lambda: client.get("/api/v1/provinces/22/wards"))
    run("GET /api/v1/stats", lambda: client.get("/api/v1/stats"))
    run("GET /api/v1/openapi.json", lambda: client.get("/api/v1/openapi.json"))


def buying(run: Counter, client) -> None:
    token = csrf_token(client, "/")
    run("POST /cart/lines", lambda: client.post("/cart/lines", data={
        "csrf_token": token, "sku": "P0-A", "quantity": "1"}), expect=303)
    run("GET /cart", lambda: client.get("/cart"))
    run("GET /checkout", lambda: client.get("/checkout"))
    form = {**CHECKOUT, "checkout_token": checkout_page(client)[1], "csrf_token": token}
    placed = run("POST /checkout", lambda: client.post("/checkout", data=form), expect=303)
    run("GET /orders/<number>", lambda: client.get(placed.headers["Location"]))


def api_buying(run: Counter, client) -> None:
    cart = run("POST /api/v1/carts", lambda: client.post("/api/v1/carts"), 201).get_json()["id"]
    run("POST /api/v1/carts/<id>/lines", lambda: client.post(
        f"/api/v1/carts/{cart}/lines", json={"sku": "P0-B", "quantity": 2}))
    run("GET /api/v1/carts/<id>", lambda: client.get(f"/api/v1/carts/{cart}"))
    body = {"email": "an@example.vn", "phone": "0912345678", "name": "Nguyễn Văn An",
            "fulfilment": "delivery", "pickup_point": None, "payment_method": "cod",
            "address": {"line": "12 Lê Lợi", "ward_code": "00004", "province_code": "01"}}
    order = run("POST /api/v1/carts/<id>/checkout", lambda: client.post(
        f"/api/v1/carts/{cart}/checkout", json=body), 201).get_json()["order"]
    run("GET /api/v1/orders/<number>", lambda: client.get(
        f"/api/v1/orders/{order['number']}",
        headers={"Authorization": f"Bearer {order['access_token']}"}))


def pos(run: Counter, client) -> None:
    point = db.session.scalar(db.select(Location).where(Location.code == "QN-HALONG"))
    headers = {"Authorization": f"Bearer {devices.create_device(point, 'Quầy 1')[1]}"}
    run("GET /api/v1/pos/stock", lambda: client.get("/api/v1/pos/stock", headers=headers))
    run("POST /api/v1/pos/sales", lambda: client.post("/api/v1/pos/sales", json=sale(),
                                                      headers=headers), 201)
    run("POST /api/v1/pos/sync (3 sales)", lambda: client.post(
        "/api/v1/pos/sync", json={"sales": [sale(), sale(2), sale()]}, headers=headers))
    run("GET /api/v1/pos/transfers", lambda: client.get("/api/v1/pos/transfers", headers=headers))


def signed_in(run: Counter, app) -> None:
    owner = builders.user("owner@example.com", "producer:4600000000")
    producer_client = app.test_client()
    _sign_in(producer_client, owner)
    producer_client.get("/producer/")  # the steady state: not the first page after signing in
    run("GET /producer/ (dashboard)", lambda: producer_client.get("/producer/"))
    customer = builders.user("an@example.com")
    shopper = app.test_client()
    _sign_in(shopper, customer)
    shopper.get("/")
    run("GET / warm, signed in", lambda: shopper.get("/"))
    run("GET /orders, signed in", lambda: shopper.get("/orders"))


def _sign_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": builders.PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302


@pytest.mark.parametrize("size", [1, 200])
def test_every_page_and_endpoint_keeps_its_query_budget(app, client, today, size):
    catalog(size, today)
    search.reindex()  # the index holds this catalog alone, whatever earlier tests left in it
    product = db.session.scalar(db.select(Product).where(Product.slug == "san-pham-000"))
    run = Counter()
    storefront(run, client, product)
    buying(run, app.test_client())
    api_buying(run, app.test_client())
    pos(run, app.test_client())
    signed_in(run, app)
    assert run.counts == BUDGET, f"{size} product(s): {run.counts}"
