"""Warehouses (one per producer), OCOP sales points in every province, and opening stock."""

from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from shop.generate import names
from shop.generate.catalog import VariantInfo
from shop.inventory.models import Location

HOURS = "T2–CN 08:00–21:00"
READY_AFTER = timedelta(days=10)  # the opening receipt has reached the shelves
WAREHOUSE_HOURS = "T2–T7 07:30–17:00"


@dataclass
class SalesPoint:
    id: int
    code: str
    province: str
    region: str
    offers_pickup: bool
    variants: list[VariantInfo] = field(default_factory=list)  # in the order they came in
    ready_from: list[datetime] = field(default_factory=list)

    def ready(self, rng, when: datetime, count: int) -> list[VariantInfo]:
        """Up to `count` different variants on the shelves at `when`, in id order."""
        on_shelf = bisect(self.ready_from, when)
        picked = rng.sample(range(on_shelf), min(count, on_shelf))
        return sorted((self.variants[i] for i in picked), key=lambda v: v.id)


class LocationMaker:
    def __init__(self, run, catalog):
        self.run, self.rng, self.w, self.catalog = run, run.rng("locations"), run.writer, catalog
        from shop.extensions import db

        self.codes = set(db.session.scalars(select(Location.code)))
        self.sales_points: list[SalesPoint] = []

    def _row(self, code: str, name: str, kind: str, province: str, ward: str | None, address: str,
             **fields) -> tuple[int, str]:
        location_id = self.w.new_id("location")
        while code in self.codes:
            code = f"{code}-{self.rng.randint(2, 9)}"
        self.codes.add(code)
        self.w.add("location", {
            "id": location_id, "code": code, "name": name[:200], "kind": kind,
            "province_code": province, "ward_code": ward, "address": address[:300],
            "phone": f"02{self.rng.randint(10, 99)} {self.rng.randint(1000, 9999)} "
                     f"{self.rng.randint(100, 999)}", "is_active": True, **fields})
        return location_id, code

    def warehouses(self) -> None:
        """Each producer ships online from its own warehouse, at its registered address."""
        for producer in self.catalog.producers:
            producer.warehouse_id, _code = self._row(
                f"WH-{producer.id:06d}", f"Kho {producer.name}", "warehouse", producer.province,
                None, producer.address, producer_id=producer.id, opening_hours=WAREHOUSE_HOURS,
                ships_online=True, offers_pickup=False,
                created_at=self.run.now - timedelta(days=1200))

    def sales_points_in_every_province(self, count: int) -> None:
        places = self.run.places
        provinces = list(places.codes) if count >= len(places.codes) else []
        provinces += [places.pick(self.rng).code for _ in range(count - len(provinces))]
        numbers: dict[str, int] = {}
        for code in sorted(provinces):
            place = places.provinces[code]
            numbers[code] = numbers.get(code, 0) + 1
            ward = self.rng.choice(place.wards)
            line = f"Số {self.rng.randint(1, 300)} đường {self.rng.choice(names.BRANDS)}"
            pickup = self.rng.random() < 0.7
            location_id, actual = self._row(
                f"SP{code}-{numbers[code]:03d}", f"Điểm bán OCOP {ward[1]}", "sales_point", code,
                ward[0], places.address(ward[0], code, line), producer_id=None,
                opening_hours=HOURS, ships_online=self.rng.random() < 0.25, offers_pickup=pickup,
                created_at=self.run.now - timedelta(days=self.rng.randint(500, 1100)))
            self.sales_points.append(SalesPoint(location_id, actual, code, place.region, pickup))

    def opening_stock(self, per_point: int, progress) -> None:
        """Every variant at its producer's warehouse; each sales point carries a range, mostly
        from its own region."""
        ledger, rng = self.run.ledger, self.rng
        for variant in self.catalog.variants:
            ledger.receive(variant.id, variant.producer.warehouse_id, rng.randint(60, 400),
                           variant.listed_from)
        by_region: dict[str, list[VariantInfo]] = {}
        for variant in self.catalog.variants:
            by_region.setdefault(variant.producer.region, []).append(variant)
        everything = self.catalog.variants
        for point in self.sales_points:
            local = by_region.get(point.region) or everything
            chosen = {}
            for _ in range(min(per_point, len(everything))):
                pool = local if rng.random() < 0.7 else everything
                variant = rng.choice(pool)
                chosen[variant.id] = variant
            point.variants = sorted(chosen.values(), key=lambda v: (v.listed_from, v.id))
            point.ready_from = [v.listed_from + READY_AFTER for v in point.variants]
            for variant in point.variants:
                later = variant.listed_from + timedelta(hours=rng.randint(2, 240))
                ledger.receive(variant.id, point.id, rng.randint(5, 60), self.run.before_now(later))
            progress(1)
