"""`locations.csv` and `stock.csv`: sales points, warehouses and goods receipts.

Like every import: all or nothing, every bad row reported with its line, and a second import
of the same file changes nothing. A stock file is a goods receipt, so each of its rows is
written under an idempotency key made of the file's digest and the row's line.
"""

from __future__ import annotations

import hashlib
import re

from shop.catalog.models import Producer, Variant
from shop.csvfile import ImportReport, Row, parse_bool, parse_int, read_rows
from shop.errors import ImportRefused
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.models import LOCATION_KINDS, MAX_QUANTITY, Location, StockMovement
from shop.places.models import Province, Ward

LOCATION_COLUMNS = ("code", "name", "kind", "province_code", "address", "producer_tax_code",
                    "ships_online", "offers_pickup")
STOCK_COLUMNS = ("location_code", "sku", "quantity")
MAX_RECEIPT = MAX_QUANTITY  # per row, as a POS line: more is a typing error
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,39}$")


def import_locations(data: bytes | str) -> ImportReport:
    rows = read_rows(data, LOCATION_COLUMNS)
    provinces = set(db.session.scalars(db.select(Province.code)))
    wards = dict(db.session.execute(db.select(Ward.code, Ward.province_code)).all())
    producers = dict(db.session.execute(db.select(Producer.tax_code, Producer.id)).all())
    parsed, problems, seen = [], [], {}
    for row in rows:
        try:
            value = _parse_location(row, provinces, wards, producers)
        except ValueError as error:
            problems.append((row.line, str(error)))
            continue
        if value["code"] in seen:
            problems.append((row.line, f"code {value['code']} repeats line {seen[value['code']]}"))
        seen.setdefault(value["code"], row.line)
        parsed.append(value)
    if problems:
        raise ImportRefused(problems)
    report = ImportReport()
    existing = {loc.code: loc for loc in db.session.scalars(db.select(Location))}
    for value in parsed:
        location = existing.get(value["code"])
        if location is None:
            db.session.add(Location(**value))
            report.count("locations", "created")
        else:
            changed = {k: v for k, v in value.items() if getattr(location, k) != v}
            for key, new in changed.items():
                setattr(location, key, new)
            report.count("locations", "updated" if changed else "unchanged")
    db.session.commit()
    return report


def _parse_location(row: Row, provinces: set, wards: dict, producers: dict) -> dict:
    if row.problem:
        raise ValueError(row.problem)
    problems = []
    code, kind, province = row["code"], row["kind"], row["province_code"]
    if not CODE_PATTERN.match(code):
        problems.append(f"code: {code!r} must be upper-case letters, digits, '-' or '_'")
    if not row["name"]:
        problems.append("name: is required")
    if kind not in LOCATION_KINDS:
        problems.append(f"kind: {kind!r} is not warehouse or sales_point")
    if province not in provinces:
        problems.append(f"province_code: {province!r} is not a known province code")
    ward = row["ward_code"]
    if ward and wards.get(ward) != province:
        problems.append(f"ward_code: {ward!r} is not a ward of province {province!r}")
    tax_code = row["producer_tax_code"]
    producer_id = producers.get(tax_code) if tax_code else None
    if kind == "warehouse" and producer_id is None:
        problems.append(f"producer_tax_code: no producer with tax code {tax_code!r}")
    if kind == "sales_point" and tax_code:
        problems.append("producer_tax_code: a sales point belongs to no producer")
    flags = {}
    for column in ("ships_online", "offers_pickup"):
        try:
            flags[column] = parse_bool(row[column])
        except ValueError as error:
            problems.append(f"{column}: {error}")
    if problems:
        raise ValueError("; ".join(problems))
    return {"code": code, "name": row["name"], "kind": kind, "province_code": province,
            "ward_code": ward or None, "address": row["address"], "producer_id": producer_id,
            "opening_hours": row["opening_hours"], "phone": row["phone"], **flags}


def import_stock(data: bytes | str, *, actor_id: int | None = None) -> ImportReport:
    """Goods receipts: each row adds `quantity` of `sku` at `location_code`."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()[:32]
    rows = read_rows(data, STOCK_COLUMNS)
    locations = dict(db.session.execute(db.select(Location.code, Location.id)).all())
    variants = dict(db.session.execute(db.select(Variant.sku, Variant.id)).all())
    parsed, problems = [], []
    for row in rows:
        try:
            parsed.append(_parse_stock(row, locations, variants))
        except ValueError as error:
            problems.append((row.line, str(error)))
    if problems:
        raise ImportRefused(problems)
    keys = {f"import-stock:{digest}:{value['line']}" for value in parsed}
    done = set(db.session.scalars(
        db.select(StockMovement.idempotency_key).where(StockMovement.idempotency_key.in_(keys))))
    report = ImportReport()
    for value in parsed:
        key = f"import-stock:{digest}:{value['line']}"
        if key in done:
            report.count("receipts", "unchanged")
            continue
        stock.move(value["variant_id"], value["location_id"], value["quantity"], "receipt",
                   reference=f"import {digest[:12]} line {value['line']}", actor_id=actor_id,
                   idempotency_key=key)
        report.count("receipts", "created")
    db.session.commit()
    return report


def _parse_stock(row: Row, locations: dict, variants: dict) -> dict:
    if row.problem:
        raise ValueError(row.problem)
    problems = []
    if row["location_code"] not in locations:
        problems.append(f"location_code: no location {row['location_code']!r}")
    if row["sku"] not in variants:
        problems.append(f"sku: no variant {row['sku']!r}")
    try:
        quantity = parse_int(row["quantity"], minimum=1, maximum=MAX_RECEIPT)
    except ValueError as error:
        problems.append(f"quantity: {error}")
    if problems:
        raise ValueError("; ".join(problems))
    return {"line": row.line, "location_id": locations[row["location_code"]],
            "variant_id": variants[row["sku"]], "quantity": quantity}
