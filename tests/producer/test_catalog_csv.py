"""catalog.csv from the portal: the producer's own rows out, edited rows back in, all or nothing."""

from __future__ import annotations

import csv
import io
import re

from shop.catalog import listings
from shop.catalog.models import Certificate, ListingChange, Producer, Product, Variant
from shop.extensions import db
from tests import builders
from tests.conftest import csrf_token
from tests.producer.helpers import fresh, text
from tests.producer.images import upload


def _export(client) -> list[dict]:
    response = client.get("/producer/catalog.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=listings.EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _import(client, data: bytes):
    return client.post("/producer/catalog/import", data={
        "file": upload(data, "catalog.csv"), "csrf_token": csrf_token(client, "/")},
        content_type="multipart/form-data")


def _state():
    fresh()
    return ([(v.sku, v.label, v.price_vnd, v.product.name) for v in
             db.session.scalars(db.select(Variant).order_by(Variant.sku))],
            [(p.name, p.description) for p in db.session.scalars(db.select(Product).order_by(Product.id))],
            db.session.scalar(db.select(db.func.count()).select_from(Certificate)),
            [(p.name, p.kind) for p in db.session.scalars(db.select(Producer).order_by(Producer.id))])


def test_the_export_holds_only_the_producers_own_rows(client, shop):
    builders.product("Mắm tôm", sku="MAM-1")
    rows = _export(client)
    assert [r["sku"] for r in rows] == ["CHE-1", "GAO-1"]
    assert rows[0] == {
        "sku": "CHE-1", "product_name": "Chè Tân Cương", "variant_label": "Hộp 200 g",
        "price_vnd": "150000", "vat_category": "10_reducible", "vat_rate": "8", "weight_g": "250",
        "group": "food",
        "description": "", "origin_story": "", "locality": "",
        "producer_name": shop.producer.name, "producer_kind": "cooperative",
        "producer_tax_code": shop.producer.tax_code, "producer_province_code": "19",
        "stars": "4", "decision_number": shop.tea.product.certificates[0].decision_number,
        "decision_date": "2025-09-01", "issuer_level": "province"}


def test_round_trip_unchanged_then_edited(client, shop):
    rows = _export(client)
    response = _import(client, _csv(rows))
    assert response.status_code == 303
    assert "variants: 0 created, 0 updated, 2 unchanged" in text(client.get(response.headers["Location"]))

    rows[0]["price_vnd"] = "165000"
    rows[1]["description"] = "Gạo nếp cái hoa vàng"
    new_pack = {**rows[0], "sku": "CHE-500", "variant_label": "Hộp 500 g", "price_vnd": "390000"}
    assert _import(client, _csv(rows + [new_pack])).status_code == 303
    assert _export(client)[0]["price_vnd"] == "165000"
    variants, products, certificates, _ = _state()
    assert variants == [("CHE-1", "Hộp 200 g", 165_000, "Chè Tân Cương"),
                        ("CHE-500", "Hộp 500 g", 390_000, "Chè Tân Cương"),
                        ("GAO-1", "Hộp 200 g", 150_000, "Gạo nếp")]
    assert products[1] == ("Gạo nếp", "Gạo nếp cái hoa vàng") and certificates == 2
    history = [(c.field, c.old_value, c.new_value, c.actor_id) for c in
               db.session.scalars(db.select(ListingChange).order_by(ListingChange.id))]
    assert sorted(history) == [("description", "", "Gạo nếp cái hoa vàng", shop.user.id),
                               ("price_vnd", "150000", "165000", shop.user.id)]


def test_a_file_with_bad_rows_changes_nothing_and_lists_each(client, shop):
    other = builders.product("Mắm tôm", sku="MAM-1")
    rows = _export(client)
    before = _state()
    bad = [
        {**rows[0], "price_vnd": "165000"},                              # fine alone
        {**rows[1], "price_vnd": "-5"},                                  # line 3
        {**rows[1], "sku": "MAM-1"},                                     # line 4: not ours
        {**rows[0], "producer_tax_code": other.producer.tax_code},       # line 5: other producer
        {**rows[0], "sku": "CHE-9", "decision_number": "77/QĐ"},        # line 6: self-certifying
        {**rows[0], "sku": "CHE-8", "producer_name": "Tên mới"},        # line 7: registration
    ]
    response = _import(client, _csv(bad))
    assert response.status_code == 422
    page = text(response)
    assert "5 bad row(s): nothing was imported." in page
    lines = [int(n) for n in re.findall(r'data-line="(\d+)"', page)]
    assert lines == [3, 4, 5, 6, 6, 7, 7]
    assert "decision 77/QĐ is not recorded for 'Chè Tân Cương'" in page
    assert "must match the producer's registration" in page
    assert _state() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(ListingChange)) == 0


def test_a_new_product_row_is_refused_because_certificates_come_from_the_program_office(client, shop):
    rows = _export(client)
    row = {**rows[0], "sku": "MIEN-1", "product_name": "Miến dong", "decision_number": "5/QĐ"}
    before = _state()
    response = _import(client, _csv([row]))
    assert response.status_code == 422
    assert "the program office records certificates" in text(response)
    assert _state() == before
