"""Use cases of the catalog: producers, products, variants and certificates."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import func

from shop import search
from shop.catalog.models import (
    DISTRICTS_ABOLISHED,
    ISSUER_LEVELS,
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
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.money import amount_rule, is_amount
from shop.places.services import former_province_in
from shop.tax.rates import VAT_CATEGORIES
from shop.text import slugify


def certificate_problems(stars: int, decision_date: date, issuer_level: str,
                         today: date) -> dict[str, str]:
    """What is wrong with a recognition decision's line, field by field (empty when fine).

    Only 3-5 stars are OCOP certificates; districts certified (3 stars only) until they were
    abolished on 2025-07-01; 5-star products are recognised by the ministry.
    """
    problems: dict[str, str] = {}
    if stars not in (3, 4, 5):
        problems["stars"] = "stars must be 3, 4 or 5"
    if issuer_level not in ISSUER_LEVELS:
        problems["issuer_level"] = "issuer_level must be district, province or central"
    elif issuer_level == "district" and decision_date >= DISTRICTS_ABOLISHED:
        problems["issuer_level"] = "districts no longer certify since 2025-07-01"
    elif "stars" in problems:
        pass
    elif issuer_level == "district" and stars != 3:
        problems["issuer_level"] = "a district certified 3-star products only"
    elif stars == 5 and issuer_level != "central":
        problems["issuer_level"] = "5-star products are recognised by the ministry (central)"
    elif issuer_level == "central" and stars != 5:
        problems["issuer_level"] = "the ministry recognises 5-star products only"
    if decision_date > today:
        problems["decision_date"] = "the decision date is in the future"
    return problems


def refresh_certification(product: Product) -> None:
    """Summarise the newest active certificate on the product. Caller commits."""
    active = [c for c in product.certificates if c.status == "active"]
    newest = max(active, key=lambda c: (c.decision_date, c.id or 0), default=None)
    product.stars = newest.stars if newest else None
    product.certified_until = newest.valid_until if newest else None


def refresh_min_price(product: Product) -> None:
    """Keep the 'from' price the listing sorts by. Caller commits."""
    prices = [v.price_vnd for v in product.variants if v.is_active]
    product.min_price_vnd = min(prices) if prices else None


def add_certificate(product: Product, *, stars: int, decision_number: str, decision_date: date,
                    issuer_level: str, issuer_name: str, today: date) -> Certificate:
    """Record a product's line of a recognition decision; it supersedes older ones.

    A draft product becomes active once it holds a valid certificate. Caller commits.
    """
    problems = certificate_problems(stars, decision_date, issuer_level, today)
    if problems:
        raise ValidationError("the certificate is not valid", problems)
    certificate = Certificate(
        product=product, stars=stars, decision_number=decision_number.strip(),
        decision_date=decision_date, issuer_level=issuer_level, issuer_name=issuer_name.strip(),
        valid_until=Certificate.expiry_for(decision_date), verify_code=new_verify_code())
    db.session.add(certificate)
    for other in product.certificates:
        if other is certificate or other.status != "active":
            continue
        if other.decision_date <= decision_date:
            other.status = "superseded"
        else:
            certificate.status = "superseded"
    db.session.flush()
    refresh_certification(product)
    if product.status == "draft" and certificate.is_valid_on(today):
        product.status = "active"
    return certificate


def new_verify_code() -> str:
    """A short public code printed as a QR code on packaging (no 0/O/1/I to misread)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def unique_slug(model, name: str, exclude_id: int | None = None) -> str:
    """A slug for `name` not yet taken in `model`'s table ('-2', '-3' ... on a clash)."""
    base = slugify(name)
    query = db.select(model.slug).where(
        (model.slug == base) | model.slug.like(f"{base}-%"))
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    taken = set(db.session.scalars(query))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def certificates_due(today: date, within_days: int = 30) -> list[Certificate]:
    """Active certificates that expire within `within_days`, and those already expired."""
    horizon = date.fromordinal(today.toordinal() + within_days)
    return list(db.session.scalars(
        db.select(Certificate)
        .where(Certificate.status == "active", Certificate.valid_until <= horizon)
        .order_by(Certificate.valid_until, Certificate.id)))


def listed_count(today: date) -> int:
    return db.session.scalar(
        db.select(func.count(Product.id))
        .where(Product.status == "active", Product.certified_until >= today))


def create_producer(*, name: str, kind: str, tax_code: str, province_code: str,
                    ward_code: str | None = None, address: str = "", story: str = "") -> Producer:
    """Register a producer (the program office's registry; imports use the same rules)."""
    producer = add_producer(name=name, kind=kind, tax_code=tax_code, province_code=province_code,
                            ward_code=ward_code, address=address, story=story)
    db.session.commit()
    return producer


def producer_problems(*, name: str, kind: str, tax_code: str, province_code: str,
                      ward_code: str | None, exclude_id: int | None = None) -> None:
    """ValidationError or Conflict naming each bad field of a producer's registry entry."""
    from shop.places import services as places

    problems = {}
    if not name.strip():
        problems["name"] = "required"
    if kind not in PRODUCER_KINDS:
        problems["kind"] = "one of " + ", ".join(PRODUCER_KINDS)
    if not TAX_CODE_PATTERN.match(tax_code or ""):
        problems["tax_code"] = "10 digits, 10-3 digits for a branch, or 12 digits"
    if problems:
        raise ValidationError("the producer is not valid", problems)
    places.require_province(province_code)
    if ward_code:
        places.require_ward(ward_code, province_code)
    taken = db.select(Producer.id).where(Producer.tax_code == tax_code)
    if exclude_id is not None:
        taken = taken.where(Producer.id != exclude_id)
    if db.session.scalar(taken):
        raise Conflict(f"a producer with tax code {tax_code} exists",
                       {"fields": {"tax_code": "taken"}})


def add_producer(*, name: str, kind: str, tax_code: str, province_code: str,
                 ward_code: str | None = None, address: str = "", story: str = "") -> Producer:
    """A new registry entry, checked field by field. Caller commits."""
    producer_problems(name=name, kind=kind, tax_code=tax_code, province_code=province_code,
                      ward_code=ward_code)
    producer = Producer(name=name.strip(), slug=unique_slug(Producer, name), kind=kind,
                        tax_code=tax_code, province_code=province_code, ward_code=ward_code,
                        address=address.strip(), story=sanitise(story))
    db.session.add(producer)
    db.session.flush()
    return producer


def create_product(producer: Producer, *, name: str, group: str, description: str = "",
                   origin_story: str = "", locality: str = "", raw_material_origin: str = "",
                   province_code: str | None = None) -> Product:
    """A new product, a draft until it holds a valid certificate."""
    problems = {}
    if not name.strip():
        problems["name"] = "required"
    if group not in PRODUCT_GROUPS:
        problems["group"] = "one of " + ", ".join(PRODUCT_GROUPS)
    if problems:
        raise ValidationError("the product is not valid", problems)
    if db.session.scalar(db.select(Product.id).where(
            Product.producer_id == producer.id, Product.name == name.strip())):
        raise Conflict(f"{producer.name} already has a product named {name!r}",
                       {"fields": {"name": "taken"}})
    former = former_province_in(locality) if locality else None
    product = Product(
        producer=producer, name=name.strip(), slug=unique_slug(Product, name), group=group,
        description=description.strip(), origin_story=sanitise(origin_story),
        locality=locality.strip(), raw_material_origin=raw_material_origin.strip(),
        province_code=province_code or (former.province_code if former else producer.province_code),
        former_province_code=former.code if former else None, status="draft")
    db.session.add(product)
    db.session.commit()
    search.refresh([product.id])
    return product


def add_variant(product: Product, *, sku: str, label: str, price_vnd: int, vat_category: str,
                weight_g: int = 0, unit: str = "") -> Variant:
    problems = {}
    if not SKU_PATTERN.match(sku or ""):
        problems["sku"] = "letters, digits, '.', '_' or '-' (at most 64)"
    if not label.strip():
        problems["label"] = "required"
    if not is_amount(price_vnd, minimum=1):
        problems["price_vnd"] = amount_rule(minimum=1)
    if vat_category not in VAT_CATEGORIES:
        problems["vat_category"] = "one of " + ", ".join(VAT_CATEGORIES)
    if not isinstance(weight_g, int) or isinstance(weight_g, bool) or not 0 <= weight_g <= MAX_WEIGHT_G:
        problems["weight_g"] = f"a whole number of grams from 0 to {MAX_WEIGHT_G}"
    if problems:
        raise ValidationError("the variant is not valid", problems)
    if db.session.scalar(db.select(Variant.id).where(Variant.sku == sku)):
        raise Conflict(f"SKU {sku} is taken", {"fields": {"sku": "taken"}})
    variant = Variant(product=product, sku=sku, label=label.strip(), price_vnd=price_vnd,
                      vat_category=vat_category, weight_g=weight_g, unit=unit.strip())
    db.session.add(variant)
    db.session.flush()
    refresh_min_price(product)
    db.session.commit()
    return variant


def certify(product: Product, *, stars: int, decision_number: str, decision_date: date,
            issuer_level: str, issuer_name: str = "", today: date) -> Certificate:
    """Record a recognition decision for one product (the use case around add_certificate)."""
    if any(c.decision_number == decision_number.strip() for c in product.certificates):
        raise Conflict(f"decision {decision_number} is already recorded for this product",
                       {"fields": {"decision_number": "taken"}})
    certificate = add_certificate(product, stars=stars, decision_number=decision_number,
                                  decision_date=decision_date, issuer_level=issuer_level,
                                  issuer_name=issuer_name, today=today)
    db.session.commit()
    search.refresh([product.id])
    return certificate
