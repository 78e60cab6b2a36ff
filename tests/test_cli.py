"""Operator commands, as API.md names them."""

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import func, update

from shop.catalog.models import Product, Variant
from shop.clock import today
from shop.extensions import db
from shop.inventory.models import Location, StockLevel, StockMovement
from tests import builders
from tests.catalog.test_imports import GOOD, csv_text

DEMO_CATALOG = Path(__file__).parent.parent / "shop" / "catalog" / "demo" / "catalog.csv"


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def count(model) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model))


def demo_products_certified_on(day) -> int:
    """The demo catalog's products whose certificate (36 months from its decision) covers `day`."""
    rows = csv.DictReader(DEMO_CATALOG.open(encoding="utf-8"))
    valid = set()
    for row in rows:
        decided = date.fromisoformat(row["decision_date"])
        if day <= decided.replace(year=decided.year + 3):
            valid.add((row["producer_tax_code"], row["product_name"]))
    return len(valid)


def test_seed_demo_loads_the_demo_once(app):
    first = run(app, "shop", "seed-demo")
    assert first.exit_code == 0, first.output + first.stderr
    # The demo's certificates are real ones and expire with time: count those valid today.
    assert f"demo ready: {demo_products_certified_on(today())} certified products listed" in first.output
    totals = tuple(count(m) for m in (Product, Variant, Location, StockMovement))
    assert totals[0] == 32 and totals[2] >= 38
    second = run(app, "shop", "seed-demo")
    assert second.exit_code == 0
    assert tuple(count(m) for m in (Product, Variant, Location, StockMovement)) == totals
    sales_points = db.session.scalars(db.select(Location).where(Location.kind == "sales_point")).all()
    regions = {p.province.region_code for p in sales_points}
    assert len(sales_points) >= 6 and len(regions) >= 6
    assert "QN-HALONG" in {p.code for p in sales_points}
    assert run(app, "shop", "check-ledger").exit_code == 0


def test_import_catalog_reports_refused_rows_and_exits_1(app, tmp_path: Path):
    bad = tmp_path / "catalog.csv"
    bad.write_text(csv_text({**GOOD, "vat_rate": "7"}), encoding="utf-8")
    result = run(app, "shop", "import-catalog", str(bad))
    assert result.exit_code == 1
    assert "line 2: vat_rate: '7' is not one of exempt, 0, 5, 8, 10" in result.stderr
    assert count(Product) == 0
    good = tmp_path / "good.csv"
    good.write_text(csv_text(GOOD), encoding="utf-8")
    assert "products: 1 created" in run(app, "shop", "import-catalog", str(good)).output
    assert "nothing changed" in run(app, "shop", "import-catalog", str(good)).output


def test_certificates_due_lists_what_expires(app):
    from datetime import date

    builders.product("Bánh cáy", stars=4, decision_date=date(2023, 11, 29), today=date(2023, 12, 1))
    result = run(app, "shop", "certificates-due", "--days", "100000")
    assert result.exit_code == 0
    assert "2026-11-29" in result.output and "Bánh cáy" in result.output


def test_check_ledger_names_each_mismatch(app):
    item = builders.product("Chè", sku="CHE-1")
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, point, 5)
    assert "ledger consistent" in run(app, "shop", "check-ledger").output
    db.session.execute(update(StockLevel).values(on_hand=7))
    db.session.commit()
    result = run(app, "shop", "check-ledger")
    assert result.exit_code == 1
    assert "QN-HALONG CHE-1: on_hand is 7, the ledger says 5" in result.output
