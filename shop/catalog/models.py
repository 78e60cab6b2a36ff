"""The certified catalog: producers, products, variants and certificates.

A product's `stars` and `certified_until` summarise its newest active certificate so that the
listing can filter and sort by index; `catalog.services.refresh_certification` keeps them in
step in the same transaction as any certificate change. Whether a product is certified *today*
is still decided at query time (`certified_until >= today`), so an expiry takes a product off
the shop on the day, with no job to run.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.clock import utcnow
from shop.extensions import db
from shop.places.models import FormerProvince, Province, Ward
from shop.tax.rates import VAT_CATEGORIES

PRODUCER_KINDS = ("enterprise", "cooperative", "cooperative_group", "household")
PRODUCT_GROUPS = ("food", "beverages", "herbal", "handicrafts", "ornamental", "tourism")
PRODUCT_STATUSES = ("draft", "active", "suspended", "archived")
ISSUER_LEVELS = ("district", "province", "central")
CERTIFICATE_STATUSES = ("active", "superseded", "revoked")
CERTIFICATE_MONTHS = 36
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_WEIGHT_G = 1_000_000  # a tonne: more is a typing error, and the column is a 32-bit integer
TAX_CODE_PATTERN = re.compile(r"^(\d{10}(-\d{3})?|\d{12})$")
DISTRICTS_ABOLISHED = date(2025, 7, 1)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day where that day does not exist."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Producer(db.Model):
    __tablename__ = "producer"
    __table_args__ = (
        CheckConstraint(_in("kind", PRODUCER_KINDS), name="kind"),
        CheckConstraint(_in("status", ("active", "suspended")), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
    ward_code: Mapped[str | None] = mapped_column(ForeignKey("ward.code"))
    address: Mapped[str] = mapped_column(String(300), default="")
    story: Mapped[str] = mapped_column(Text, default="")
    members_count: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The program office checked the tax code, kind and address against the business register.
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    province: Mapped[Province] = relationship(lazy="joined")
    ward: Mapped[Ward | None] = relationship()
    products: Mapped[list[Product]] = relationship(back_populates="producer")


class Product(db.Model):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint(_in("product_group", PRODUCT_GROUPS), name="product_group"),
        CheckConstraint(_in("status", PRODUCT_STATUSES), name="status"),
        CheckConstraint("stars IS NULL OR stars BETWEEN 3 AND 5", name="stars"),
        UniqueConstraint("producer_id", "name"),
        Index("ix_product_listing", "status", "certified_until", "stars"),
        # the listing's orders, so that a page is read in index order and the walk stops
        Index("ix_product_by_price", "min_price_vnd", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producer.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    group: Mapped[str] = mapped_column("product_group", String(20), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    origin_story: Mapped[str] = mapped_column(Text, default="")
    locality: Mapped[str] = mapped_column(String(200), default="")
    raw_material_origin: Mapped[str] = mapped_column(String(300), default="")
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
    former_province_code: Mapped[str | None] = mapped_column(ForeignKey("former_province.code"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    stars: Mapped[int | None]
    certified_until: Mapped[date | None]
    min_price_vnd: Mapped[int | None] = mapped_column(BigInteger)
    main_photo: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship(back_populates="products")
    province: Mapped[Province] = relationship()
    former_province: Mapped[FormerProvince | None] = relationship()
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.price_vnd, Variant.id")
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="product", order_by="Certificate.decision_date.desc(), Certificate.id.desc()")
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", order_by="ProductPhoto.position, ProductPhoto.id")

    def is_listed_on(self, day: date) -> bool:
        """Listed in the shop: active, with a certificate valid on `day`."""
        return (self.status == "active" and self.certified_until is not None
                and self.certified_until >= day)

    def badge_certificate(self, day: date) -> Certificate | None:
        """The newest certificate valid on `day`: the one whose stars the product shows."""
        return next((c for c in self.certificates if c.is_valid_on(day)), None)


# The listing's default order (stars, best first, then name): a page is read in index order.
Index("ix_product_by_stars", Product.stars.desc(), Product.name, Product.id)


class Variant(db.Model):
    __tablename__ = "variant"
    __table_args__ = (
        CheckConstraint("price_vnd > 0", name="price_positive"),
        CheckConstraint(_in("vat_category", VAT_CATEGORIES), name="vat_category"),
        CheckConstraint("weight_g >= 0", name="weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(30), default="")
    price_vnd: Mapped[int] = mapped_column(BigInteger)
    # How the pack is taxed (shop.tax.rates): its rate follows from this and the day.
    vat_category: Mapped[str] = mapped_column(String(12))
    weight_g: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="variants")


class Certificate(db.Model):
    """One product's line in a recognition decision: stars, issuer and validity."""

    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 3 AND 5", name="stars"),
        CheckConstraint(_in("issuer_level", ISSUER_LEVELS), name="issuer_level"),
        CheckConstraint(_in("status", CERTIFICATE_STATUSES), name="status"),
        CheckConstraint("valid_until > decision_date", name="validity"),
        UniqueConstraint("product_id", "decision_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    stars: Mapped[int]
    decision_number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[date]
    issuer_level: Mapped[str] = mapped_column(String(10))
    issuer_name: Mapped[str] = mapped_column(String(200), default="")
    valid_until: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default="active")
    verify_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_reason: Mapped[str] = mapped_column(String(300), default="")
    # When the producer was told that the certificate is about to expire (sent once).
    notice_sent_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship(back_populates="certificates")

    @staticmethod
    def expiry_for(decision_date: date) -> date:
        """Valid 36 months from the decision date, through the corresponding day.

        Civil Code 2015 arts. 147-148: a period in months starts the day after the decision
        and ends at the end of the corresponding day of the last month (or that month's last
        day when it has no such day).
        """
        return add_months(decision_date, CERTIFICATE_MONTHS)

    def is_valid_on(self, day: date) -> bool:
        return self.status == "active" and self.decision_date <= day <= self.valid_until


REPORT_KINDS = ("quality", "labelling", "certificate", "other")
REPORT_STATUSES = ("new", "in_review", "closed")


class QualityReport(db.Model):
    """A consumer's report of a problem with a product, for the program office to triage."""

    __tablename__ = "quality_report"
    __table_args__ = (
        CheckConstraint(_in("kind", REPORT_KINDS), name="kind"),
        CheckConstraint(_in("status", REPORT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    message: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(String(254), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(10), default="new", index=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship()


PHOTO_NAME_PATTERN = re.compile(r"^[0-9a-f]{32}$")
SCAN_STATUSES = ("pending", "accepted", "rejected")


class ProductPhoto(db.Model):
    """A re-encoded photo of a product, stored under a server-made name; position 0 is the main one."""

    __tablename__ = "product_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship(back_populates="photos")


class ListingChange(db.Model):
    """One field of a product or variant changed by a producer: who, when, old and new value."""

    __tablename__ = "listing_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variant.id"))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    variant: Mapped[Variant | None] = relationship()
    actor = relationship("User")


class CertificateScan(db.Model):
    """The scan of a new recognition decision, sent by the producer for the program office to review."""

    __tablename__ = "certificate_scan"
    __table_args__ = (CheckConstraint(_in("status", SCAN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    decision_number: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The program office's review: the certificate it recorded, or why the scan was refused.
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(String(300), default="")
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))

    product: Mapped[Product] = relationship()
