"""A producer keeps its own listings: products and variants, each change kept in the history.

Every use case takes the producer's product and the acting user explicitly, commits once, and
then tells the search index which products changed. The storefront reads the same rows, so a
new price or text shows there as soon as the commit is done.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from shop import csvfile, search
from shop.catalog import imports, services
from shop.catalog.models import MAX_WEIGHT_G, PRODUCT_GROUPS, ListingChange, Producer, Product, Variant
from shop.catalog.richtext import sanitise
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.money import amount_rule, is_amount
from shop.places.services import former_province_in
from shop.tax import rates as tax

PRODUCT_FIELDS = ("name", "group", "description", "origin_story", "locality",
                  "raw_material_origin")
VARIANT_FIELDS = ("label", "unit", "price_vnd", "vat_category", "weight_g", "is_active")


def create_listing(producer: Producer, *, actor_id: int | None, name: str, group: str,
                   description: str = "", origin_story: str = "", locality: str = "",
                   raw_material_origin: str = "") -> Product:
    """A new product of the producer: a draft until the program office records its certificate.

    The history keeps changes from here on; the product's own row says when it was created.
    """
    product = services.create_product(
        producer, name=name, group=group, description=description, origin_story=origin_story,
        locality=locality, raw_material_origin=raw_material_origin)
    search.refresh([product.id])
    return product


def update_listing(product: Product, *, actor_id: int | None, **values) -> list[ListingChange]:
    """Change a product's texts; each changed field is kept with its old and new value."""
    cleaned = _clean_product(product, values)
    changes = _apply(product, cleaned, actor_id)
    if "locality" in cleaned and any(c.field == "locality" for c in changes):
        former = former_province_in(product.locality) if product.locality else None
        product.former_province_code = former.code if former else None
        if former:
            product.province_code = former.province_code
    db.session.commit()
    search.refresh([product.id])
    return changes


def _clean_product(product: Product, values: dict) -> dict:
    unknown = set(values) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"not a product field: {', '.join(sorted(unknown))}")
    cleaned = {k: (v or "").strip() for k, v in values.items()}
    if "origin_story" in cleaned:
        cleaned["origin_story"] = sanitise(cleaned["origin_story"])
    problems = {}
    if "name" in cleaned and not cleaned["name"]:
        problems["name"] = "required"
    if "group" in cleaned and cleaned["group"] not in PRODUCT_GROUPS:
        problems["group"] = "one of " + ", ".join(PRODUCT_GROUPS)
    for field, limit in (("name", 200), ("locality", 200), ("raw_material_origin", 300)):
        if len(cleaned.get(field, "")) > limit:
            problems[field] = f"at most {limit} characters"
    if problems:
        raise ValidationError("the product is not valid", problems)
    if cleaned.get("name", product.name) != product.name and db.session.scalar(
            db.select(Product.id).where(Product.producer_id == product.producer_id,
                                        Product.name == cleaned["name"])):
        raise Conflict(f"{product.producer.name} already has a product named {cleaned['name']!r}",
                       {"fields": {"name": "taken"}})
    return cleaned


def add_listing_variant(product: Product, *, actor_id: int | None, sku: str, label: str,
                        price_vnd: int, vat_category: str, weight_g: int = 0,
                        unit: str = "") -> Variant:
    """A new pack of the product, with its own SKU and price."""
    variant = services.add_variant(product, sku=(sku or "").strip(), label=label or "",
                                   price_vnd=price_vnd, vat_category=vat_category,
                                   weight_g=weight_g, unit=unit or "")
    search.refresh([product.id])
    return variant


def update_variant(variant: Variant, *, actor_id: int | None, **values) -> list[ListingChange]:
    """Change a pack's label, price, VAT category, weight or sale; each change kept in the
    history."""
    cleaned = _clean_variant(values)
    changes = _apply(variant, cleaned, actor_id, product_id=variant.product_id,
                     variant_id=variant.id)
    services.refresh_min_price(variant.product)
    db.session.commit()
    search.refresh([variant.product_id])
    return changes


def _clean_variant(values: dict) -> dict:
    unknown = set(values) - set(VARIANT_FIELDS)
    if unknown:
        raise ValueError(f"not a variant field: {', '.join(sorted(unknown))}")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    problems = {}
    if "label" in cleaned and not cleaned["label"]:
        problems["label"] = "required"
    if not is_amount(cleaned.get("price_vnd", 1), minimum=1):
        problems["price_vnd"] = amount_rule(minimum=1)
    if "vat_category" in cleaned and cleaned["vat_category"] not in tax.VAT_CATEGORIES:
        problems["vat_category"] = "one of " + ", ".join(tax.VAT_CATEGORIES)
    weight = cleaned.get("weight_g", 0)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= MAX_WEIGHT_G:
        problems["weight_g"] = f"a whole number of grams from 0 to {MAX_WEIGHT_G}"
    if problems:
        raise ValidationError("the variant is not valid", problems)
    return cleaned


def _apply(obj, values: dict, actor_id: int | None, *, product_id: int | None = None,
           variant_id: int | None = None) -> list[ListingChange]:
    """Set the values that differ and write one history row per field. Caller commits."""
    changes = []
    for field, new in values.items():
        old = getattr(obj, field)
        if old == new:
            continue
        setattr(obj, field, new)
        changes.append(ListingChange(
            product_id=product_id or obj.id, variant_id=variant_id, field=field,
            old_value=_text(old), new_value=_text(new), actor_id=actor_id))
    db.session.add_all(changes)
    db.session.flush()
    return changes


def _text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def history(product_id: int, limit: int = 100) -> list[ListingChange]:
    """The latest changes of a product and its variants, newest first."""
    return list(db.session.scalars(
        db.select(ListingChange).where(ListingChange.product_id == product_id)
        .options(selectinload(ListingChange.actor), selectinload(ListingChange.variant))
        .order_by(ListingChange.created_at.desc(), ListingChange.id.desc()).limit(limit)))


EXPORT_COLUMNS = (*imports.COLUMNS[:4], "vat_category", "vat_rate", *imports.COLUMNS[4:])


def export_catalog(producer: Producer, *, today: date) -> str:
    """The producer's own listings as catalog.csv, one row per variant, newest certificate;
    `vat_rate` is each category's rate of `today`, for spreadsheets that read it."""
    rates = tax.rates_on(today)
    products = db.session.scalars(
        db.select(Product).where(Product.producer_id == producer.id)
        .order_by(Product.name, Product.id))
    rows = []
    for product in products:
        certificate = next((c for c in product.certificates if c.status == "active"),
                           product.certificates[0] if product.certificates else None)
        for variant in sorted(product.variants, key=lambda v: v.sku):
            rows.append(_row(producer, product, variant, certificate, rates))
    return csvfile.to_csv(EXPORT_COLUMNS, rows)


def _row(producer: Producer, product: Product, variant: Variant, certificate, rates) -> list:
    return [variant.sku, product.name, variant.label, variant.price_vnd, variant.vat_category,
            tax.legacy_rate(rates[variant.vat_category]), variant.weight_g, product.group,
            product.description, product.origin_story, product.locality, producer.name,
            producer.kind, producer.tax_code, producer.province_code,
            certificate.stars if certificate else "",
            certificate.decision_number if certificate else "",
            certificate.decision_date.isoformat() if certificate else "",
            certificate.issuer_level if certificate else ""]


def import_own_catalog(producer: Producer, data: bytes | str, *, actor_id: int | None, today):
    """Import catalog.csv rows of the producer's own listings only, all or nothing."""
    before = _snapshot(producer.id)
    report, product_ids = imports.write_catalog(
        data, today=today, only_producer_tax_code=producer.tax_code, listings_only=True)
    _record_import_changes(before, _snapshot(producer.id), actor_id)
    db.session.commit()
    search.refresh(product_ids)
    return report


def _snapshot(producer_id: int) -> dict:
    """(product id, variant id or None) -> the listing values history keeps, for one producer."""
    found = {}
    for product in db.session.scalars(db.select(Product).where(Product.producer_id == producer_id)):
        found[(product.id, None)] = {f: _text(getattr(product, f)) for f in PRODUCT_FIELDS}
        for variant in product.variants:
            found[(product.id, variant.id)] = {f: _text(getattr(variant, f))
                                               for f in VARIANT_FIELDS}
    return found


def _record_import_changes(before: dict, after: dict, actor_id: int | None) -> None:
    """History rows for what an import changed in existing products and variants. Caller commits."""
    for (product_id, variant_id), values in after.items():
        old = before.get((product_id, variant_id))
        if old is None:
            continue
        db.session.add_all(
            ListingChange(product_id=product_id, variant_id=variant_id, field=field,
                          old_value=old[field], new_value=new, actor_id=actor_id)
            for field, new in values.items() if old[field] != new)
    db.session.flush()
