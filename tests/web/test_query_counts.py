"""Catalog pages cost the same number of SQL queries for 1 product as for 200."""

import contextlib

import pytest
from sqlalchemy import event

from shop.catalog.imports import import_catalog
from shop.extensions import db
from shop.inventory.imports import import_locations, import_stock
from tests.catalog.test_imports import GOOD, csv_text

# The budget of each page: a change that adds queries has to say so here.
BUDGET = {"/": 6, "/products": 9, "/p/{slug}": 5, "/api/v1/products": 7,
          "/api/v1/products/{slug}": 5}


@contextlib.contextmanager
def counting():
    statements = []

    def record(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN is not a query
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
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
        f"{point},P{n}-{v},5\n" for n in range(size) for v in "AB" for point in ("QN-HALONG", "HN-1")))


def queries_for(client, path: str) -> int:
    with counting() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.mark.parametrize("size", [1, 200])
def test_catalog_pages_keep_their_query_budget(client, today, size):
    catalog(size, today)
    counts = {template: queries_for(client, template.format(slug="san-pham-000"))
              for template in BUDGET}
    assert counts == BUDGET, f"{size} product(s): {counts}"
