"""The reference data the generator draws on, and where the catalog's producers are.

Producers are spread over the six regions in about the shares of OCOP products the program
reported by region (2024), and within a region over its provinces by their number of wards
and communes (a stand-in for how many communes take part).
"""

from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from sqlalchemy import select

from shop.extensions import db
from shop.places.models import FormerProvince, Province, Ward

REGION_SHARES = {"NMM": 21, "RRD": 24, "NCC": 23, "CH": 6, "SE": 8, "MD": 18}


@dataclass
class Place:
    code: str
    name: str
    full_name: str
    region: str
    wards: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, full name
    former: list[tuple[str, str]] = field(default_factory=list)  # code, name


class Places:
    def __init__(self):
        self.provinces: dict[str, Place] = {
            code: Place(code, name, full, region) for code, name, full, region in db.session.execute(
                select(Province.code, Province.name, Province.full_name, Province.region_code)
                .order_by(Province.code))}
        for code, name, full, province in db.session.execute(
                select(Ward.code, Ward.name, Ward.full_name, Ward.province_code).order_by(Ward.code)):
            self.provinces[province].wards.append((code, name, full))
        for code, name, province in db.session.execute(
                select(FormerProvince.code, FormerProvince.name, FormerProvince.province_code)
                .order_by(FormerProvince.code)):
            self.provinces[province].former.append((code, name))
        self.codes = sorted(self.provinces)
        self.weights = list(accumulate(self._weight(code) for code in self.codes))
        self.wards = {w[0]: (w, p.code) for p in self.provinces.values() for w in p.wards}

    def _weight(self, code: str) -> float:
        place = self.provinces[code]
        in_region = sum(len(p.wards) for p in self.provinces.values() if p.region == place.region)
        return REGION_SHARES[place.region] * len(place.wards) / in_region

    def pick(self, rng) -> Place:
        """A province drawn in the catalog's regional proportions."""
        at = bisect(self.weights, rng.random() * self.weights[-1])
        return self.provinces[self.codes[min(at, len(self.codes) - 1)]]

    def address(self, ward_code: str | None, province_code: str, line: str = "") -> str:
        """`line, ward, province` as invoices and addresses write it."""
        ward = self.wards[ward_code][0][2] if ward_code else ""
        return ", ".join(p for p in (line, ward, self.provinces[province_code].full_name) if p)
