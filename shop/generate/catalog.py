"""Producers, products, variants and certificates, as the catalog services would record them."""

from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from sqlalchemy import select

from shop.catalog.models import Certificate, Producer, Product, Variant
from shop.extensions import db
from shop.generate import names
from shop.generate.places import Place
from shop.text import fold, slugify

KIND_SHARES = {"cooperative": 40, "enterprise": 27, "household": 28, "cooperative_group": 5}
GROUP_SHARES = {"food": 68, "beverages": 8, "herbal": 9, "handicrafts": 9, "ornamental": 3,
                "tourism": 3}
STAR_SHARES = {3: 75, 4: 23, 5: 2}
VERIFY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MINISTRY_RENAMED = date(2025, 3, 1)
DISTRICTS_ABOLISHED = date(2025, 7, 1)
VN_OFFSET = timedelta(hours=7)
CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế")


def pick(rng, shares: dict):
    keys = list(shares)
    return rng.choices(keys, weights=[shares[k] for k in keys])[0]


def vn_time(day: date, hour: int) -> datetime:
    """An instant on a Vietnamese calendar day, as naive UTC."""
    return datetime.combine(day, time(hour)) - VN_OFFSET


@dataclass
class ProducerInfo:
    id: int
    name: str
    kind: str
    tax_code: str
    address: str
    province: str
    region: str
    warehouse_id: int = 0
    product_names: set = field(default_factory=set)


@dataclass
class VariantInfo:
    id: int
    sku: str
    name: str
    unit: str
    price_vnd: int
    vat_category: str
    producer: ProducerInfo
    listed_from: datetime
    weight: float
    is_service: bool = False  # the tourism group: taxed and withheld as a service


class Taken:
    """Unique values already in the database, and those the generator hands out."""

    def __init__(self):
        self.producer_slugs = set(db.session.scalars(select(Producer.slug)))
        self.product_slugs = set(db.session.scalars(select(Product.slug)))
        self.tax_codes = set(db.session.scalars(select(Producer.tax_code)))
        self.skus = set(db.session.scalars(select(Variant.sku)))
        self.verify_codes = set(db.session.scalars(select(Certificate.verify_code)))
        self.suffixes: dict[int, dict[str, int]] = {}  # per set of slugs

    def slug(self, name: str, taken: set) -> str:
        """As `catalog.services.unique_slug`: the slug, or the first free '-2', '-3'..."""
        base = slugify(name)
        suffixes = self.suffixes.setdefault(id(taken), {})
        slug, n = base, suffixes.get(base, 2)
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        suffixes[base] = n  # every suffix below n is taken: the next search starts there
        taken.add(slug)
        return slug

    @staticmethod
    def code(rng, taken: set, make) -> str:
        """`make(rng)`, made again (or given a suffix) until it is not taken."""
        value = make(rng)
        while value in taken:
            value = f"{make(rng)}{rng.choice(VERIFY_ALPHABET)}"[:64]
        taken.add(value)
        return value


class CatalogMaker:
    def __init__(self, run):
        self.run, self.rng, self.w = run, run.rng("catalog"), run.writer
        self.taken = Taken()
        self.producers: list[ProducerInfo] = []
        self.variants: list[VariantInfo] = []

    def producers_and_products(self, producers: int, products: int, progress) -> None:
        counts = self._products_per_producer(producers, products)
        for count in counts:
            place = self.run.places.pick(self.rng)
            group = pick(self.rng, GROUP_SHARES)
            info, ward, former = self._producer(place, group)
            for _ in range(count):
                self._product(info, place, ward, former, group)
            progress(count)

    def _products_per_producer(self, producers: int, products: int) -> list[int]:
        """Every producer has a product; a few have many (a Pareto tail)."""
        counts = [1] * producers
        weights = list(accumulate(self.rng.paretovariate(1.6) for _ in range(producers)))
        for _ in range(products - producers):
            counts[min(bisect(weights, self.rng.random() * weights[-1]), producers - 1)] += 1
        return counts

    def _producer(self, place: Place, group: str):
        rng = self.rng
        kind = pick(rng, KIND_SHARES)
        ward = rng.choice(place.wards)
        former = rng.choice(place.former) if place.former else (None, place.name)
        name = names.producer_name(rng, kind, group, rng.choice((ward[1], former[1])))
        producer_id = self.w.new_id("producer")
        tax_code = self.taken.code(rng, self.taken.tax_codes,
                                   lambda r: f"{place.code}{r.randrange(10**8):08d}")
        line = f"{rng.choice(names.VILLAGES)}"
        created = self.run.now - timedelta(days=rng.randint(1200, 2400))
        self.w.add("producer", {
            "id": producer_id, "name": name, "slug": self.taken.slug(name, self.taken.producer_slugs),
            "kind": kind, "tax_code": tax_code, "province_code": place.code, "ward_code": ward[0],
            "address": line, "story": "", "status": "active", "created_at": created,
            "members_count": rng.randint(7, 120) if kind == "cooperative" else (
                rng.randint(3, 20) if kind == "cooperative_group" else None),
            "verified_at": created + timedelta(days=rng.randint(1, 30)), "verified_by_id": None})
        info = ProducerInfo(producer_id, name, kind, tax_code,
                            self.run.places.address(ward[0], place.code, line)[:300],
                            place.code, place.region)
        self.producers.append(info)
        return info, ward, former

    def _product(self, producer: ProducerInfo, place: Place, ward, former, group: str) -> None:
        rng = self.rng
        if rng.random() > 0.8:
            group = pick(rng, GROUP_SHARES)
        kind = rng.choice(names.KINDS[group])
        name = self._product_name(kind, producer, ward, former)
        product_id = self.w.new_id("product")
        certificates = self._certificates(product_id, place, former)
        newest = certificates[-1]
        created = newest["created_at"] - timedelta(days=rng.randint(1, 60))
        variants = self._variants(product_id, producer, kind, name,
                                  self.run.before_now(newest["created_at"] + timedelta(hours=1)),
                                  is_service=group == "tourism")
        locality = f"{ward[1]}, {former[1]}"
        self.w.add("product", {
            "id": product_id, "producer_id": producer.id, "name": name,
            "slug": self.taken.slug(name, self.taken.product_slugs), "product_group": group,
            "description": f"{name}: {kind.material.lower()} của vùng {ward[1]}, làm theo cách "
                           "truyền thống và đóng gói tại nơi sản xuất.",
            "origin_story": f"<p>{producer.name} làm ra <strong>{name}</strong> từ "
                            f"{kind.material.lower()} vùng {locality}.</p>",
            "locality": locality, "raw_material_origin": f"{kind.material} vùng {ward[1]}",
            "province_code": place.code, "former_province_code": former[0], "status": "active",
            "stars": newest["stars"], "certified_until": newest["valid_until"],
            "min_price_vnd": min(v["price_vnd"] for v in variants), "main_photo": None,
            "created_at": created, "updated_at": newest["created_at"]})
        for row in variants:
            self.w.add("variant", row)
        for certificate in certificates:
            self.w.add("certificate", certificate)

    def _product_name(self, kind, producer: ProducerInfo, ward, former) -> str:
        rng = self.rng
        place = rng.choice((ward[1], ward[1], former[1]))
        name = f"{kind.base} {place}"
        qualifier = rng.choice(names.QUALIFIERS)
        name = f"{name} {qualifier}".strip()
        while name in producer.product_names:
            name = f"{kind.base} {place} {rng.choice(names.QUALIFIERS[3:])} {rng.randint(2, 99)}"
        producer.product_names.add(name)
        return name

    def _certificates(self, product_id: int, place: Place, former) -> list[dict]:
        """The product's valid certificate, after an older superseded one for some."""
        rng, day = self.rng, self.run.day
        stars = pick(rng, STAR_SHARES)
        decided = day - timedelta(days=rng.randint(0, 1080))
        rows = []
        if rng.random() < 0.2 and decided.year >= 2023:
            old = date(decided.year - 3, decided.month, min(decided.day, 28))
            rows.append(self._certificate(product_id, max(3, stars - rng.randint(0, 1)), old,
                                          place, former, "superseded"))
        rows.append(self._certificate(product_id, stars, decided, place, former, "active"))
        if len(rows) == 2 and rows[0]["decision_number"] == rows[1]["decision_number"]:
            rows[0]["decision_number"] = "1" + rows[0]["decision_number"]  # one per product
        return rows

    def _certificate(self, product_id, stars, decided: date, place: Place, former, status) -> dict:
        rng = self.rng
        number = rng.randint(100, 9999)
        if stars == 5:
            level = "central"
            issuer, suffix = (("Bộ Nông nghiệp và Môi trường", "QĐ-BNNMT") if decided >= MINISTRY_RENAMED
                              else ("Bộ Nông nghiệp và Phát triển nông thôn", "QĐ-BNN-KTHT"))
        elif stars == 3 and decided < DISTRICTS_ABOLISHED and rng.random() < 0.35:
            level, issuer, suffix = "district", f"UBND huyện {rng.choice(place.wards)[1]}", "QĐ-UBND"
        else:
            province = former[1] if decided < DISTRICTS_ABOLISHED else place.name
            kind = "thành phố" if province in CITIES else "tỉnh"
            level, issuer, suffix = "province", f"UBND {kind} {province}", "QĐ-UBND"
        return {
            "id": self.w.new_id("certificate"), "product_id": product_id, "stars": stars,
            "decision_number": f"{number}/{suffix}", "decision_date": decided,
            "issuer_level": level, "issuer_name": issuer,
            "valid_until": Certificate.expiry_for(decided), "status": status,
            "verify_code": self.taken.code(rng, self.taken.verify_codes, lambda r: "".join(
                r.choice(VERIFY_ALPHABET) for _ in range(10))),
            "created_at": self.run.before_now(vn_time(decided, 9) + timedelta(days=rng.randint(0, 20))),
            "revoked_reason": "", "notice_sent_at": None}

    def _variants(self, product_id: int, producer: ProducerInfo, kind, name: str,
                  listed_from: datetime, *, is_service: bool) -> list[dict]:
        """The variant rows, to be written after their product."""
        rng = self.rng
        count = min(len(kind.packs), rng.choices((1, 2, 3), weights=(45, 40, 15))[0])
        initials = "".join(word[0] for word in fold(kind.base).split()).upper()
        jitter = rng.uniform(0.8, 1.25)
        popularity = rng.paretovariate(1.2)
        rows = []
        for position, (label, unit, grams, factor) in enumerate(kind.packs[:count], start=1):
            price = max(1000, round(kind.price_vnd * factor * jitter / 1000) * 1000)
            sku = self.taken.code(rng, self.taken.skus,
                                  lambda r, p=position: f"{initials}-{product_id:06d}-{p}")
            variant_id = self.w.new_id("variant")
            rows.append({
                "id": variant_id, "product_id": product_id, "sku": sku, "label": label,
                "unit": unit, "price_vnd": price, "vat_category": kind.vat_category, "weight_g": grams,
                "is_active": True})
            self.variants.append(VariantInfo(variant_id, sku, f"{name} – {label}", unit, price,
                                             kind.vat_category, producer, listed_from,
                                             popularity / position, is_service))
        return rows

