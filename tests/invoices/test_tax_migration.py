"""Migration 0013 on a database written before it: packs rated by hand get their category,
invoices keep their rates and numbers, series continue, the triggers still refuse updates; and
the downgrade gives the rates back. Run on a database of its own (a SQLite file, or a PostgreSQL
database beside the suite's)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shop import create_app
from shop.extensions import db

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC).replace(tzinfo=None)
PRODUCTS = [  # id, name, group, rate typed by its producer
    (1, "Chè Tân Cương", "food", "8"), (2, "Rượu nếp cái hoa vàng", "beverages", "8"),
    (3, "Bia hơi làng Vọng", "beverages", "10"), (4, "Vải thiều", "food", "exempt"),
    (5, "Muối hạt Cà Mau", "food", "8"), (6, "Cao cà gai leo", "herbal", "5"),
    (7, "Nón lá", "handicrafts", "10"), (8, "Du lịch bản làng", "tourism", "8"),
    (9, "Trà 0 đồng", "food", "0"),
]


@pytest.fixture
def old_database(tmp_path):
    """An app on an empty database of its own, migrated to 0012."""
    suite_url = os.environ.get("TEST_DATABASE_URL", "")
    if suite_url.startswith("postgresql"):
        url = make_url(suite_url).set(database="ocop_migration_test")
        admin = create_engine(suite_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS ocop_migration_test WITH (FORCE)"))
            connection.execute(text("CREATE DATABASE ocop_migration_test"))
        url = url.render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url,
                      "INSTANCE_PATH": str(tmp_path), "MAIL_BACKEND": "memory",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(revision="0012")
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    if suite_url.startswith("postgresql"):
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS ocop_migration_test WITH (FORCE)"))
        admin.dispose()


def _fill_before_categories(connection) -> None:
    run = connection.execute
    run(text("INSERT INTO producer (id, name, slug, kind, tax_code, province_code, address, story, "
             "status, created_at) VALUES (1, 'HTX Thử', 'htx-thu', 'cooperative', '4600000001', "
             "'19', '', '', 'active', :now)"), {"now": NOW})
    for pid, name, group, rate in PRODUCTS:
        run(text("INSERT INTO product (id, producer_id, name, slug, product_group, description, "
                 "origin_story, locality, raw_material_origin, province_code, status, created_at, "
                 "updated_at) VALUES (:id, 1, :name, :slug, :grp, '', '', '', '', '19', 'draft', "
                 ":now, :now)"), {"id": pid, "name": name, "slug": f"p{pid}", "grp": group, "now": NOW})
        run(text("INSERT INTO variant (id, product_id, sku, label, unit, price_vnd, vat_rate, weight_g, "
                 "is_active) VALUES (:id, :id, :sku, 'Hộp', 'hộp', 108000, :rate, 100, :yes)"),
            {"id": pid, "sku": f"SKU-{pid}", "rate": rate, "yes": True})
    run(text("INSERT INTO customer_order (id, number, email, phone, name, fulfilment, address_line, "
             "payment_method, status, payment_status, subtotal_vnd, shipping_vnd, total_vnd, "
             "access_token, request_hash, needs_attention, created_at) VALUES (1, 'OC2611-000001', "
             "'a@example.com', '0912345678', 'An', 'delivery', '12 Lê Lợi', 'cod', 'completed', "
             "'paid', 216000, 0, 216000, 't', '', :no, :now)"), {"no": False, "now": NOW})
    run(text("INSERT INTO shipment (id, order_id, kind, producer_id, status, subtotal_vnd, shipping_vnd, "
             "tracking_note, updated_at) VALUES (1, 1, 'delivery', 1, 'delivered', 216000, 0, '', :now)"),
        {"now": NOW})
    for line_id, pid in ((1, 2), (2, 8)):
        run(text("INSERT INTO order_line (id, order_id, shipment_id, variant_id, sku, name, unit, "
                 "producer_id, producer_name, unit_price_vnd, vat_rate, quantity) VALUES (:id, 1, 1, "
                 ":pid, :sku, 'x', 'hộp', 1, 'HTX Thử', 108000, '8', 1)"),
            {"id": line_id, "pid": pid, "sku": f"SKU-{pid}"})
    for number, template in ((1, "1"), (2, "1"), (3, "2")):  # a template change mid-year
        run(text("INSERT INTO invoice (id, producer_id, order_id, shipment_id, kind, due_key, template, "
                 "symbol, number, issued_on, issued_at, seller_name, seller_tax_code, seller_address, "
                 "buyer_name, buyer_email, buyer_phone, buyer_address, payment_method, total_vnd, "
                 "withholding_vat_vnd, withholding_pit_vnd, reason, verify_token) VALUES (:n, 1, 1, 1, "
                 "'original', :key, :template, 'C26TAA', :n, :day, :now, 'HTX Thử', '4600000001', 'x', "
                 "'An', 'a@example.com', '0912345678', 'x', 'cod', 108000, 0, 0, '', :token)"),
            {"n": number, "key": f"k{number}", "template": template, "day": date(2026, 11, 30),
             "now": NOW, "token": f"tok{number}"})
    run(text("INSERT INTO invoice_line (id, invoice_id, position, sku, name, unit, quantity, "
             "unit_price_vnd, vat_rate, amount_vnd, before_tax_vnd, vat_vnd) VALUES "
             "(1, 1, 1, 'SKU-1', 'Chè Tân Cương – Hộp', 'hộp', 1, 108000, '8', 108000, 100000, 8000), "
             "(2, 2, 1, 'SKU-4', 'Vải thiều – Hộp', 'hộp', 1, 108000, 'exempt', 108000, 108000, 0), "
             "(3, 3, 1, 'SKU-8', 'Du lịch bản làng – Vé', 'vé', 1, 108000, '8', 108000, 100000, 8000)"))
    run(text("INSERT INTO invoice_series (producer_id, symbol, year, last_number) "
             "VALUES (1, 'C26TAA', 2026, 3)"))


def test_packs_get_their_category_and_invoices_keep_their_rates(old_database):
    with db.engine.begin() as connection:
        _fill_before_categories(connection)
    upgrade()
    query = lambda sql: db.session.execute(text(sql)).all()  # noqa: E731
    assert query("SELECT product_id, vat_category FROM variant ORDER BY product_id") == [
        (1, "10_reducible"), (2, "10"), (3, "10"), (4, "not_subject"), (5, "not_subject"),
        (6, "5"), (7, "10_reducible"), (8, "10_reducible"), (9, "not_subject")]
    assert query("SELECT id, vat_category, is_service FROM order_line ORDER BY id") == [
        (1, "10", False), (2, "10_reducible", True)]
    assert query("SELECT id, seller, producer_id, reduction_vnd FROM invoice ORDER BY id") == [
        (1, "producer:1", 1, 0), (2, "producer:1", 1, 0), (3, "producer:1", 1, 0)]
    assert query("SELECT invoice_id, vat_category, vat_rate, is_service FROM invoice_line "
                 "ORDER BY id") == [(1, "10_reducible", "8", False), (2, "not_subject", "not_subject", False),
                                    (3, "10_reducible", "8", True)]
    # each template's series continues after its own last number
    assert query("SELECT seller, template, symbol, year, last_number FROM invoice_series "
                 "ORDER BY template") == [("producer:1", "1", "C26TAA", 2026, 2),
                                          ("producer:1", "2", "C26TAA", 2026, 3)]
    assert [tuple(map(str, row)) for row in query(
        "SELECT starts_on, ends_on, percent, resolution FROM vat_reduction")] == [
        ("2025-07-01", "2026-12-31", "8", "Nghị quyết số 204/2025/QH15")]
    db.session.rollback()
    for statement in ("UPDATE invoice SET total_vnd = 1", "UPDATE invoice_line SET quantity = 9"):
        with pytest.raises(Exception, match="never changes"), db.engine.begin() as connection:
            connection.execute(text(statement))
    downgrade(revision="0012")
    assert query("SELECT product_id, vat_rate FROM variant ORDER BY product_id") == [
        (1, "8"), (2, "10"), (3, "10"), (4, "exempt"), (5, "exempt"), (6, "5"), (7, "8"),
        (8, "8"), (9, "exempt")]
    assert query("SELECT vat_rate FROM invoice_line ORDER BY id") == [("8",), ("exempt",), ("8",)]
    assert query("SELECT producer_id, symbol, year, last_number FROM invoice_series") == [
        (1, "C26TAA", 2026, 3)]
    db.session.rollback()
