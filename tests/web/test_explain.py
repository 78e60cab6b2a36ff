"""On PostgreSQL, the queries the catalog pages run use indexes: on a catalog of a few
thousand products (bulk inserted, then ANALYZE), each query a page ran is EXPLAINed, and a
table of a thousand rows or more read whole (a Seq Scan, or an index walked end to end with
no condition) fails the test."""

import json

import pytest
from sqlalchemy import event

from shop.catalog.models import PRODUCT_GROUPS, Certificate, Producer, Product, Variant
from shop.extensions import db
from shop.inventory.models import Location, StockLevel
from shop.pos import devices
from tests import builders
from tests.conftest import csrf_token
from tests.web.test_query_counts import catalog

pytestmark = pytest.mark.postgres_only

BULK_PRODUCTS = 3000
BIG = 1000  # rows: a table this size read whole on every request is a defect


def bulk_catalog(today) -> None:
    """BULK_PRODUCTS more listed products of the catalog's producers, two packs each, in stock
    at both sales points; written with Core inserts in one go (seconds, not minutes)."""
    connection = db.session.connection()
    producers = connection.execute(db.select(Producer.id, Producer.province_code)).all()
    points = connection.scalars(db.select(Location.id).where(Location.kind == "sales_point")).all()
    first = connection.scalar(db.select(db.func.max(Product.id))) + 1
    products = [{"id": first + n, "producer_id": producers[n % len(producers)][0],
                 "name": f"Hàng {n}", "slug": f"hang-{n}", "product_group": PRODUCT_GROUPS[n % 6],
                 "province_code": producers[n % len(producers)][1], "status": "active",
                 "stars": 3 + n % 3, "certified_until": today.replace(year=today.year + 2),
                 "min_price_vnd": 10_000 + n} for n in range(BULK_PRODUCTS)]
    connection.execute(db.insert(Product.__table__), products)
    connection.execute(db.insert(Certificate), [
        {"product_id": p["id"], "stars": p["stars"], "decision_number": f"B{p['id']}",
         "decision_date": today, "issuer_level": "province", "valid_until": p["certified_until"],
         "verify_code": f"B{p['id']:09d}"} for p in products])
    variants = [{"id": 10 * p["id"] + k, "product_id": p["id"], "sku": f"B{p['id']}-{k}",
                 "label": "Hộp", "price_vnd": p["min_price_vnd"], "vat_category": "10_reducible"}
                for p in products for k in (1, 2)]
    connection.execute(db.insert(Variant), variants)
    connection.execute(db.insert(StockLevel), [
        {"variant_id": v["id"], "location_id": point, "on_hand": 5, "reserved": 0}
        for v in variants for point in points])
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()


def big_tables() -> set[str]:
    return set(db.session.scalars(db.text(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= :big"), {"big": BIG}))


def capture(client, paths, headers=None) -> list[tuple[str, str, object]]:
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "WITH")):
            seen.append((path, statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for path in paths:
            assert client.get(path, headers=headers or {}).status_code == 200, path
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def seq_scans(plan: dict, big: set[str], *, walks: bool, limited: bool) -> list[str]:
    """What a plan reads whole: a Seq Scan of a big table; an index of one walked end to end
    with no condition (`walks`); in a page (`limited`), a Sort of BIG rows or more: no index
    gives the order the page is read in, so every row is sorted to show a few."""
    kind, table = plan.get("Node Type"), plan.get("Relation Name")
    walk = kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in plan
    found = [table] if table in big and (kind == "Seq Scan" or (walk and walks)) else []
    if limited and kind == "Sort" and plan["Plan Rows"] >= BIG:
        found.append(f"Sort of {plan['Plan Rows']} rows by {', '.join(plan['Sort Key'])}")
    for child in plan.get("Plans", []):
        found += seq_scans(child, big, walks=walks, limited=limited)
    return found


def explain(captured, big: set[str], whole_reads: set[str] = frozenset()) -> dict[str, list[str]]:
    """Plans with sequential scans switched off: a Seq Scan left means no index can serve.
    An index walked end to end counts too, except under a LIMIT (a page read in the index's
    order stops after the page; a big Sort says when it does not) and on `whole_reads` paths,
    which read one location's or producer's whole stock by design."""
    problems = {}
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        for path, statement, parameters in captured:
            row = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement,
                                             parameters).scalar()
            plan = (row if isinstance(row, list) else json.loads(row))[0]["Plan"]
            limited, whole = " LIMIT " in statement, path in whole_reads
            tables = seq_scans(plan, big, walks=not (limited or whole), limited=limited)
            if tables:
                problems.setdefault(path, []).append(f"{tables}: {statement[:160]}")
        connection.rollback()
    return problems


def test_the_pages_queries_use_indexes(app, client, today):
    catalog(40, today)
    bulk_catalog(today)
    big = big_tables()
    assert {"product", "variant", "certificate", "stock_level"} <= big
    app.config["PAGE_CACHE"] = False
    try:
        slug = "san-pham-000"
        product = db.session.scalar(db.select(Product).where(Product.slug == slug))
        point = db.session.scalar(db.select(Location).where(Location.code == "QN-HALONG"))
        token = devices.create_device(point, "Quầy 1")[1]
        owner = builders.user("owner@example.com", "producer:4600000000")
        pages = ["/", "/products", "/products?stars=4&region=RRD&sort=price_asc",
                 "/products?group=food&sort=newest&page=2&per_page=10", "/products?province=22",
                 f"/p/{slug}", "/api/v1/products?sort=price_desc", f"/api/v1/products/{slug}",
                 f"/producers/{product.producer.slug}",
                 f"/verify/{product.certificates[0].verify_code}", "/products?q=sản phẩm",
                 "/api/v1/suggest?q=san"]
        captured = capture(client, pages)
        captured += capture(app.test_client(), ["/api/v1/pos/stock"],
                            {"Authorization": f"Bearer {token}"})
        producer = app.test_client()
        producer.post("/login", data={"email": owner.email, "password": builders.PASSWORD,
                                      "csrf_token": csrf_token(producer)})
        captured += capture(producer, ["/producer/"])
    finally:
        app.config["PAGE_CACHE"] = True
    assert len(captured) > 60
    assert explain(captured, big, whole_reads={"/api/v1/pos/stock", "/producer/"}) == {}
