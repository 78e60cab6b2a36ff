"""catalog.csv, locations.csv and stock.csv: all or nothing, every bad row named, idempotent."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func

from shop.catalog.imports import COLUMNS as REQUIRED
from shop.catalog.imports import import_catalog
from shop.catalog.models import Certificate, Producer, Product, Variant
from shop.errors import ImportRefused
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory.imports import import_locations, import_stock
from shop.inventory.models import Location, StockLevel, StockMovement

# Files as operators have made them so far: `vat_rate` where the category now goes.
COLUMNS = (*REQUIRED[:4], "vat_rate", *REQUIRED[4:])

DEMO = Path(__file__).resolve().parents[2] / "shop" / "catalog" / "demo"
GOOD = {
    "sku": "HD-CHE-100", "product_name": "Chè Đinh Tân Cương", "variant_label": "Hộp 100 g",
    "price_vnd": "380000", "vat_rate": "8", "weight_g": "150", "group": "food",
    "description": "Chè búp non.", "origin_story": "<p>Tân Cương</p>",
    "locality": "Tân Cương, Thái Nguyên", "producer_name": "HTX chè Hảo Đạt",
    "producer_kind": "cooperative", "producer_tax_code": "4600000001",
    "producer_province_code": "19", "stars": "5", "decision_number": "3712/QĐ-BNNMT",
    "decision_date": "2025-09-16", "issuer_level": "central",
}


def csv_text(*rows: dict, columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(db.select(func.count()).select_from(m))
                 for m in (Producer, Product, Variant, Certificate))


def refusal(data, today) -> list[tuple[int, str]]:
    with pytest.raises(ImportRefused) as refused:
        import_catalog(data, today=today)
    assert counts() == (0, 0, 0, 0), "a refused import writes nothing"
    return refused.value.rows


def test_the_demo_catalog_imports_and_a_second_import_changes_nothing(today):
    report = import_catalog((DEMO / "catalog.csv").read_bytes(), today=today)
    assert report.counts["products"]["created"] == 32
    assert report.counts["variants"]["created"] == counts()[2] > 32
    stamps = list(db.session.scalars(db.select(Product.updated_at).order_by(Product.id)))
    again = import_catalog((DEMO / "catalog.csv").read_bytes(), today=today)
    assert not again.changed
    assert again.counts["products"] == {"unchanged": 32}
    assert list(db.session.scalars(db.select(Product.updated_at).order_by(Product.id))) == stamps


def test_a_good_row_creates_everything_certified(today):
    import_catalog(csv_text(GOOD), today=today)
    product = db.session.scalar(db.select(Product))
    assert (product.name, product.slug, product.status, product.stars) == (
        "Chè Đinh Tân Cương", "che-dinh-tan-cuong", "active", 5)
    assert product.certified_until == date(2028, 9, 16)
    assert product.min_price_vnd == 380000
    assert product.producer.tax_code == "4600000001"


def test_a_pack_takes_its_vat_category_and_an_old_files_rate_reads_as_one(today):
    new_columns = [c if c != "vat_rate" else "vat_category" for c in COLUMNS]
    wine = {**GOOD, "sku": "RUOU-1", "product_name": "Rượu nếp cái hoa vàng", "vat_rate": "8"}
    salt = {**GOOD, "sku": "MUOI-1", "product_name": "Muối hạt", "vat_rate": "exempt"}
    import_catalog(csv_text(GOOD, wine, salt), today=today)  # a file made before categories
    lychee = {**{k: v for k, v in GOOD.items() if k != "vat_rate"}, "sku": "VAI-1",
              "product_name": "Vải thiều", "vat_category": "not_subject"}
    import_catalog(csv_text(lychee, columns=new_columns), today=today)
    assert dict(db.session.execute(db.select(Variant.sku, Variant.vat_category)).all()) == {
        "HD-CHE-100": "10_reducible", "RUOU-1": "10", "MUOI-1": "not_subject",
        "VAI-1": "not_subject"}


def test_a_category_and_a_rate_that_disagree_are_refused(today):
    both = [*COLUMNS, "vat_category"]
    rows = [{**GOOD, "vat_category": "10_reducible", "vat_rate": "8"},          # as exported
            {**GOOD, "sku": "B-2", "vat_category": "not_subject", "vat_rate": "8"},
            {**GOOD, "sku": "B-3", "vat_category": "8", "vat_rate": ""},
            {**GOOD, "sku": "B-4", "vat_category": "", "vat_rate": ""}]
    assert refusal(csv_text(*rows, columns=both), today) == [
        (3, "vat_category: 'not_subject' disagrees with vat_rate '8' (give one of them)"),
        (4, "vat_category: '8' is not one of not_subject, 5, 10_reducible, 10"),
        (5, "vat_category: is required (one of not_subject, 5, 10_reducible, 10)")]


def test_utf8_bom_and_any_column_order(today):
    columns = list(reversed(COLUMNS))
    import_catalog(("\ufeff" + csv_text(GOOD, columns=columns)).encode("utf-8"), today=today)
    assert counts() == (1, 1, 1, 1)


def test_changes_are_applied_and_counted(today):
    import_catalog(csv_text(GOOD), today=today)
    report = import_catalog(csv_text({**GOOD, "price_vnd": "390000"}), today=today)
    assert report.counts["variants"] == {"updated": 1}
    assert report.counts["products"] == {"unchanged": 1}
    assert db.session.scalar(db.select(Variant.price_vnd)) == 390000
    assert db.session.scalar(db.select(Product.min_price_vnd)) == 390000


def test_every_bad_row_is_reported_with_its_line(today):
    rows = [
        GOOD,
        {**GOOD, "sku": "B-2", "vat_rate": "7", "price_vnd": "12.5"},
        {**GOOD, "sku": "B-3", "product_name": "Khác", "stars": "2"},
        {**GOOD, "sku": "B-4", "product_name": "Khác 2", "decision_date": "16/09/2025"},
        {**GOOD, "sku": "HD-CHE-100", "variant_label": "Hộp 200 g"},
        {**GOOD, "sku": "B-6", "product_name": "Khác 3", "producer_province_code": "99",
         "group": "snacks"},
    ]
    assert refusal(csv_text(*rows), today) == [
        (3, "price_vnd: expected a whole number, found '12.5'; vat_rate: '7' is not one of "
            "exempt, 0, 5, 8, 10"),
        (4, "stars: '2' is not a known star level (3, 4 or 5)"),
        (5, "decision_date: '16/09/2025' is not a date YYYY-MM-DD"),
        (6, "sku HD-CHE-100 repeats line 2"),
        (7, "group: 'snacks' is not one of food, beverages, herbal, handicrafts, ornamental, "
            "tourism; producer_province_code: '99' is not a known province code"),
    ]


def test_rows_of_one_product_must_agree(today):
    rows = [GOOD, {**GOOD, "sku": "HD-CHE-200", "stars": "4", "issuer_level": "province"}]
    assert refusal(csv_text(*rows), today) == [
        (3, "product 4600000001 / Chè Đinh Tân Cương differs from line 2 in: stars, issuer_level")]


def test_certificate_rules_apply_to_imports(today):
    row = {**GOOD, "stars": "5", "issuer_level": "province"}
    assert refusal(csv_text(row), today) == [
        (2, "issuer_level: 5-star products are recognised by the ministry (central)")]


def test_a_sku_of_another_product_is_refused(today):
    import_catalog(csv_text(GOOD), today=today)
    before = counts()
    other = {**GOOD, "product_name": "Chè móc câu"}
    with pytest.raises(ImportRefused) as refused:
        import_catalog(csv_text(other), today=today)
    assert refused.value.rows == [
        (2, "sku HD-CHE-100 already belongs to product 'Chè Đinh Tân Cương' of producer 4600000001")]
    assert counts() == before


def test_a_recorded_decision_cannot_be_rewritten(today):
    import_catalog(csv_text(GOOD), today=today)
    with pytest.raises(ImportRefused) as refused:
        import_catalog(csv_text({**GOOD, "decision_date": "2025-09-17"}), today=today)
    assert refused.value.rows == [
        (2, "decision 3712/QĐ-BNNMT is recorded with 5 stars on 2025-09-16; "
            "a correction needs a new decision")]


def test_missing_columns_refuse_the_file(today):
    text = csv_text(GOOD).replace("vat_rate", "vat")
    assert refusal(text, today) == [(1, "missing column(s): vat_category (or vat_rate, as before)")]
    text = csv_text(GOOD).replace("weight_g", "weight")
    assert refusal(text, today) == [(1, "missing column(s): weight_g")]


def test_not_utf8_is_refused(today):
    assert refusal(csv_text(GOOD).encode("cp1258", errors="replace"), today)[0][0] == 1


def test_a_row_with_the_wrong_number_of_cells(today):
    text = csv_text(GOOD) + "X-1,only,three\n"
    assert refusal(text, today) == [(3, f"expected {len(COLUMNS)} cells, found 3")]


def test_line_numbers_count_lines_inside_quoted_cells(today):
    story = "<p>Một</p>\n<p>Hai</p>\n<p>Ba</p>"
    rows = [{**GOOD, "origin_story": story}, {**GOOD, "sku": "X-2", "vat_rate": "bad"}]
    assert refusal(csv_text(*rows), today) == [
        (5, "vat_rate: 'bad' is not one of exempt, 0, 5, 8, 10")]


def test_origin_stories_are_sanitised_on_the_way_in(today):
    import_catalog(csv_text({**GOOD, "origin_story": '<p onmouseover="x()">Hay<script>x()</script></p>'}),
                   today=today)
    assert db.session.scalar(db.select(Product.origin_story)) == "<p>Hay</p>"


def test_an_old_province_in_the_locality_maps_to_todays(today):
    row = {**GOOD, "locality": "Hoàng Su Phì, Hà Giang", "producer_province_code": "08",
           "stars": "4", "issuer_level": "province"}
    import_catalog(csv_text(row), today=today)
    product = db.session.scalar(db.select(Product))
    assert (product.former_province.name, product.province.name) == ("Hà Giang", "Tuyên Quang")


LOCATIONS = ("code,name,kind,province_code,address,producer_tax_code,ships_online,offers_pickup,"
             "ward_code\n")


def test_locations_import_and_reimport(today):
    import_catalog(csv_text(GOOD), today=today)
    text = LOCATIONS + ("WH-HD,Kho Hảo Đạt,warehouse,19,Tân Cương,4600000001,true,false,\n"
                        "QN-HALONG,Trung tâm OCOP Quảng Ninh,sales_point,22,Hạ Long,,true,true,\n")
    assert import_locations(text).counts["locations"] == {"created": 2}
    assert import_locations(text).counts["locations"] == {"unchanged": 2}
    warehouse = db.session.scalar(db.select(Location).where(Location.code == "WH-HD"))
    assert warehouse.producer.tax_code == "4600000001" and warehouse.ships_online


def test_bad_locations_are_refused_with_reasons(today):
    text = LOCATIONS + ("WH-X,Kho,warehouse,19,,9999999999,true,false,\n"
                        "sp 1,Điểm,sales_point,22,,,maybe,true,00004\n"
                        "QN-A,Điểm,shop,22,,,true,true,\n")
    with pytest.raises(ImportRefused) as refused:
        import_locations(text)
    assert refused.value.rows == [
        (2, "producer_tax_code: no producer with tax code '9999999999'"),
        (3, "code: 'sp 1' must be upper-case letters, digits, '-' or '_'; ward_code: '00004' is "
            "not a ward of province '22'; ships_online: expected true or false, found 'maybe'"),
        (4, "kind: 'shop' is not warehouse or sales_point"),
    ]
    assert db.session.scalar(db.select(func.count()).select_from(Location)) == 0


def test_a_stock_file_counts_once_and_keeps_the_ledger(today):
    import_catalog(csv_text(GOOD), today=today)
    import_locations(LOCATIONS + "QN-HALONG,Trung tâm,sales_point,22,,,true,true,\n")
    text = "location_code,sku,quantity\nQN-HALONG,HD-CHE-100,12\nQN-HALONG,HD-CHE-100,3\n"
    assert import_stock(text).counts["receipts"] == {"created": 2}
    assert import_stock(text).counts["receipts"] == {"unchanged": 2}
    assert db.session.scalar(db.select(StockLevel.on_hand)) == 15
    assert db.session.scalar(db.select(func.count()).select_from(StockMovement)) == 2
    assert inventory.ledger_mismatches() == []


def test_bad_stock_rows_write_nothing(today):
    import_catalog(csv_text(GOOD), today=today)
    text = "location_code,sku,quantity\nNOWHERE,HD-CHE-100,1\nNOWHERE,NOPE,0\n"
    with pytest.raises(ImportRefused) as refused:
        import_stock(text)
    assert refused.value.rows == [
        (2, "location_code: no location 'NOWHERE'"),
        (3, "location_code: no location 'NOWHERE'; sku: no variant 'NOPE'; "
            "quantity: must be at least 1, found 0"),
    ]
    assert db.session.scalar(db.select(func.count()).select_from(StockMovement)) == 0
