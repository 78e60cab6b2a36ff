"""`catalog.csv`: producers, products, variants and certificates from a spreadsheet.

All or nothing: every row is checked first (on its own, against the other rows, against the
database), and with any bad row nothing is written and each is reported with its line. Rows
are matched to what exists (producer by tax code, product by producer and name, variant by
SKU, certificate by product and decision number) and only real differences are written, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import re
from datetime import date

from shop import dates, search
from shop.audit import services as audit
from shop.catalog import services
from shop.catalog.models import (
    MAX_WEIGHT_G,
    PRODUCER_KINDS,
    PRODUCT_GROUPS,
    SKU_PATTERN,
    TAX_CODE_PATTERN,
    Certificate,
    Producer,
    Product,
    Variant,
)
from shop.catalog.richtext import sanitise
from shop.csvfile import ImportReport, Row, parse_int, read_rows
from shop.errors import ImportRefused
from shop.extensions import db
from shop.money import MAX_AMOUNT_VND
from shop.places.models import FormerProvince, Province
from shop.places.services import former_province_in
from shop.tax import rates as tax

COLUMNS = ("sku", "product_name", "variant_label", "price_vnd", "weight_g", "group",
           "description", "origin_story", "locality", "producer_name", "producer_kind",
           "producer_tax_code", "producer_province_code", "stars", "decision_number",
           "decision_date", "issuer_level")
# A pack's tax: `vat_category`, or in a file made before categories `vat_rate` (exempt, 0, 5,
# 8, 10), read as its category. One of the two columns is required.
VAT_COLUMNS = ("vat_category", "vat_rate")
LEGACY_RATES = ("exempt", "0", "5", "8", "10")
PRODUCER_FIELDS = ("producer_name", "producer_kind", "producer_province_code")
PRODUCT_FIELDS = ("group", "description", "origin_story", "locality", "raw_material_origin",
                  "province_code", "former_province_code", "stars", "decision_number",
                  "decision_date", "issuer_level", "issuer_name")


def import_catalog(data: bytes | str, *, today: date,
                   only_producer_tax_code: str | None = None) -> ImportReport:
    """Check and write a catalog.csv; raise ImportRefused listing every bad row."""
    report, product_ids = write_catalog(data, today=today,
                                        only_producer_tax_code=only_producer_tax_code)
    db.session.commit()
    search.refresh(product_ids)
    return report


def write_catalog(data: bytes | str, *, today: date, only_producer_tax_code: str | None = None,
                  listings_only: bool = False) -> tuple[ImportReport, list[int]]:
    """Check and write a catalog.csv, refusing every bad row; the report and the ids of the
    products of the file, for the search index. Caller commits.

    `listings_only` is a producer's own import: its producer details and certificates are the
    program office's records, so a row must match them and may not add a certificate.
    """
    rows = read_rows(data, COLUMNS)
    if not any(column in row.values for row in rows for column in VAT_COLUMNS):
        raise ImportRefused([(1, "missing column(s): vat_category (or vat_rate, as before)")])
    known = _known_codes()
    parsed, problems = [], []
    for row in rows:
        try:
            parsed.append(_parse(row, known, today, only_producer_tax_code))
        except ValueError as error:
            problems.append((row.line, str(error)))
    problems += _conflicts_between_rows(parsed) + _conflicts_with_database(parsed)
    if listings_only:
        problems += _outside_own_listings(parsed)
    if problems:
        raise ImportRefused(sorted(problems))
    return _write(parsed, today)


def _outside_own_listings(rows: list[dict]) -> list[tuple[int, str]]:
    """Rows that would change the producer's registered details or record a certificate."""
    producers = {p.tax_code: p for p in db.session.scalars(
        db.select(Producer).where(Producer.tax_code.in_({r["producer_tax_code"] for r in rows})))}
    recorded = set(db.session.execute(
        db.select(Producer.tax_code, Product.name, Certificate.decision_number)
        .join(Certificate.product).join(Product.producer)
        .where(Producer.tax_code.in_(set(producers)))))
    problems = []
    for row in rows:
        producer = producers.get(row["producer_tax_code"])
        registered = producer and (producer.name, producer.kind, producer.province_code)
        if registered != (row["producer_name"], row["producer_kind"],
                          row["producer_province_code"]):
            problems.append((row["line"], "producer_name, producer_kind, producer_province_code: "
                             "must match the producer's registration (the program office "
                             "changes it)"))
        if (row["producer_tax_code"], row["product_name"], row["decision_number"]) not in recorded:
            problems.append((row["line"], f"decision {row['decision_number']} is not recorded "
                             f"for {row['product_name']!r}: the program office records "
                             "certificates"))
    return problems


def _known_codes() -> dict[str, dict]:
    return {
        "province": set(db.session.scalars(db.select(Province.code))),
        "former": {p.code: p.province_code for p in db.session.scalars(db.select(FormerProvince))},
    }


def _parse(row: Row, known: dict, today: date, only_tax_code: str | None) -> dict:
    """One row as typed values; ValueError naming every problem of the row."""
    if row.problem:
        raise ValueError(row.problem)
    problems, value = [], {"line": row.line}

    def check(column: str, parse):
        try:
            value[column] = parse(row[column])
        except (ValueError, KeyError) as error:
            problems.append(f"{column}: {error}")

    check("sku", lambda s: _match(SKU_PATTERN, s, "letters, digits, '.', '_' or '-'"))
    check("product_name", lambda s: _required(s, 200))
    check("variant_label", lambda s: _required(s, 120))
    check("unit", lambda s: s[:30])
    check("price_vnd", lambda s: parse_int(s, minimum=1, maximum=MAX_AMOUNT_VND))
    if row["vat_category"] or not row["vat_rate"]:
        check("vat_category", lambda s: _vat_category(s, row["vat_rate"], row["product_name"], today))
    else:  # a file made before categories: the category its rate implies
        check("vat_rate", lambda s: tax.category_of_rate(_choice(s, LEGACY_RATES), row["product_name"]))
        value["vat_category"] = value.pop("vat_rate", None)
    check("weight_g", lambda s: parse_int(s or "0", minimum=0, maximum=MAX_WEIGHT_G))
    check("group", lambda s: _choice(s, PRODUCT_GROUPS))
    check("description", lambda s: s)
    check("origin_story", sanitise)
    check("locality", lambda s: s[:200])
    check("raw_material_origin", lambda s: s[:300])
    check("producer_name", lambda s: _required(s, 200))
    check("producer_kind", lambda s: _choice(s, PRODUCER_KINDS))
    check("producer_tax_code", lambda s: _match(TAX_CODE_PATTERN, s, "10 digits, 10-3 or 12"))
    check("producer_province_code", lambda s: _choice(s, known["province"], "province code"))
    check("province_code", lambda s: _choice(s, known["province"], "province code") if s else "")
    check("old_province_code", lambda s: _choice(s, known["former"], "old province code") if s else "")
    check("stars", lambda s: _choice(s, ("3", "4", "5"), "star level (3, 4 or 5)"))
    check("decision_number", lambda s: _required(s, 60))
    check("decision_date", _iso_date)
    check("issuer_level", lambda s: _choice(s, ("district", "province", "central")))
    check("issuer_name", lambda s: s[:200])
    if only_tax_code and value.get("producer_tax_code") not in (None, only_tax_code):
        problems.append("producer_tax_code: you may import only your own producer's listings")
    if not problems:
        value["stars"] = int(value["stars"])
        problems += [f"{k}: {v}" for k, v in services.certificate_problems(
            value["stars"], value["decision_date"], value["issuer_level"], today).items()]
    if problems:
        raise ValueError("; ".join(problems))
    old = value.pop("old_province_code")
    former_code = old or _former_code(value["locality"])
    value["former_province_code"] = former_code or None
    value["province_code"] = (value["province_code"]
                              or value["producer_province_code"])
    return value


def _vat_category(category: str, rate: str, product_name: str, today: date) -> str:
    """The pack's category; a `vat_rate` beside it (as exported) must agree with it."""
    if not category:
        raise ValueError("is required (one of " + ", ".join(tax.VAT_CATEGORIES) + ")")
    _choice(category, tax.VAT_CATEGORIES)
    if rate and tax.legacy_rate(tax.rate_for(category, today)) != rate and (
            rate not in LEGACY_RATES or tax.category_of_rate(rate, product_name) != category):
        raise ValueError(f"{category!r} disagrees with vat_rate {rate!r} (give one of them)")
    return category


def _former_code(locality: str) -> str | None:
    former = former_province_in(locality) if locality else None
    return former.code if former else None


def _required(text: str, max_length: int) -> str:
    if not text:
        raise ValueError("is required")
    if len(text) > max_length:
        raise ValueError(f"is longer than {max_length} characters")
    return text


def _choice(text: str, allowed, what: str | None = None) -> str:
    if text not in allowed:
        shown = what or "one of " + ", ".join(allowed)
        raise ValueError(f"{text!r} is not a known {shown}" if what else f"{text!r} is not {shown}")
    return text


def _match(pattern: re.Pattern, text: str, what: str) -> str:
    if not pattern.match(text):
        raise ValueError(f"{text!r} is not valid ({what})")
    return text


def _iso_date(text: str) -> date:
    try:
        return dates.parse_day(text)
    except dates.OutOfRange:
        raise ValueError(f"{text!r} is not a day from {dates.FIRST_DAY} to {dates.LAST_DAY}") from None
    except ValueError:
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD") from None


def _conflicts_between_rows(rows: list[dict]) -> list[tuple[int, str]]:
    """Repeated SKUs, and rows of one producer or product that disagree with an earlier row."""
    problems, first = [], {}
    for row in rows:
        for key, fields in ((("sku", row["sku"]), ()),
                            (("producer", row["producer_tax_code"]), PRODUCER_FIELDS),
                            (("product", row["producer_tax_code"], row["product_name"]),
                             PRODUCT_FIELDS)):
            earlier = first.setdefault(key, row)
            if earlier is row:
                continue
            if key[0] == "sku":
                problems.append((row["line"], f"sku {row['sku']} repeats line {earlier['line']}"))
            differing = [f for f in fields if row[f] != earlier[f]]
            if differing:
                problems.append((row["line"], f"{key[0]} {' / '.join(key[1:])} differs from "
                                 f"line {earlier['line']} in: {', '.join(differing)}"))
    return problems


def _conflicts_with_database(rows: list[dict]) -> list[tuple[int, str]]:
    """A SKU that belongs to another product; a recorded certificate the file contradicts."""
    skus = {row["sku"] for row in rows}
    owners = {
        sku: (tax_code, name) for sku, tax_code, name in db.session.execute(
            db.select(Variant.sku, Producer.tax_code, Product.name)
            .join(Variant.product).join(Product.producer).where(Variant.sku.in_(skus)))
    }
    recorded = {
        (tax_code, name, number): (stars, day) for tax_code, name, number, stars, day in
        db.session.execute(
            db.select(Producer.tax_code, Product.name, Certificate.decision_number,
                      Certificate.stars, Certificate.decision_date)
            .join(Certificate.product).join(Product.producer)
            .where(Producer.tax_code.in_({row["producer_tax_code"] for row in rows})))
    }
    problems = []
    for row in rows:
        owner = owners.get(row["sku"])
        if owner and owner != (row["producer_tax_code"], row["product_name"]):
            problems.append((row["line"], f"sku {row['sku']} already belongs to product "
                             f"{owner[1]!r} of producer {owner[0]}"))
        key = (row["producer_tax_code"], row["product_name"], row["decision_number"])
        if key in recorded and recorded[key] != (row["stars"], row["decision_date"]):
            stars, day = recorded[key]
            problems.append((row["line"], f"decision {row['decision_number']} is recorded with "
                             f"{stars} stars on {day}; a correction needs a new decision"))
    return problems


def _write(rows: list[dict], today: date) -> tuple[ImportReport, list[int]]:
    report = ImportReport()
    producers, products = {}, {}
    for row in rows:
        tax_code, product_key = row["producer_tax_code"], (row["producer_tax_code"],
                                                           row["product_name"])
        if tax_code not in producers:
            producers[tax_code] = _upsert_producer(row, report)
        if product_key not in products:
            products[product_key] = _upsert_product(producers[tax_code], row, today, report)
        _upsert_variant(products[product_key], row, report)
    for product in products.values():
        services.refresh_min_price(product)
    return report, [p.id for p in products.values()]


def _assign(obj, values: dict) -> bool:
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    for key, value in changed.items():
        setattr(obj, key, value)
    return bool(changed)


def _upsert_producer(row: dict, report: ImportReport) -> Producer:
    values = {"name": row["producer_name"], "kind": row["producer_kind"],
              "province_code": row["producer_province_code"]}
    producer = db.session.scalar(
        db.select(Producer).where(Producer.tax_code == row["producer_tax_code"]))
    if producer is None:
        producer = Producer(tax_code=row["producer_tax_code"],
                            slug=services.unique_slug(Producer, row["producer_name"]), **values)
        db.session.add(producer)
        report.count("producers", "created")
    else:
        report.count("producers", "updated" if _assign(producer, values) else "unchanged")
    db.session.flush()
    return producer


def _upsert_product(producer: Producer, row: dict, today: date, report: ImportReport) -> Product:
    values = {key: row[key] for key in ("group", "description", "origin_story", "locality",
                                        "raw_material_origin", "province_code",
                                        "former_province_code")}
    product = db.session.scalar(db.select(Product).where(
        Product.producer_id == producer.id, Product.name == row["product_name"]))
    if product is None:
        product = Product(producer=producer, name=row["product_name"], status="draft",
                          slug=services.unique_slug(Product, row["product_name"]), **values)
        db.session.add(product)
        report.count("products", "created")
    else:
        report.count("products", "updated" if _assign(product, values) else "unchanged")
    numbers = {c.decision_number for c in product.certificates}
    if row["decision_number"] in numbers:
        report.count("certificates", "unchanged")
    else:
        services.add_certificate(
            product, stars=row["stars"], decision_number=row["decision_number"],
            decision_date=row["decision_date"], issuer_level=row["issuer_level"],
            issuer_name=row["issuer_name"], today=today)
        report.count("certificates", "created")
    return product


def _upsert_variant(product: Product, row: dict, report: ImportReport) -> None:
    values = {"label": row["variant_label"], "unit": row["unit"], "price_vnd": row["price_vnd"],
              "vat_category": row["vat_category"], "weight_g": row["weight_g"]}
    variant = db.session.scalar(db.select(Variant).where(Variant.sku == row["sku"]))
    if variant is None:
        db.session.add(Variant(product=product, sku=row["sku"], **values))
        report.count("variants", "created")
    else:
        old_price = variant.price_vnd
        report.count("variants", "updated" if _assign(variant, values) else "unchanged")
        if variant.price_vnd != old_price:
            audit.record("price.changed", actor_id=None, subject=f"variant:{variant.sku}",
                         old_vnd=old_price, new_vnd=variant.price_vnd, source="catalog import")
    db.session.flush()
