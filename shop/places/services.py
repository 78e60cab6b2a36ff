"""Looking up provinces and wards, and mapping an old locality to today's province."""

from __future__ import annotations

import re

from shop.errors import ValidationError
from shop.extensions import db
from shop.places.models import FormerProvince, Province, Region, Ward
from shop.text import fold


def regions() -> list[Region]:
    return list(db.session.scalars(db.select(Region).order_by(Region.position)))


def provinces() -> list[Province]:
    return list(db.session.scalars(db.select(Province).order_by(Province.name)))


def wards_of(province_code: str) -> list[Ward]:
    return list(db.session.scalars(
        db.select(Ward).where(Ward.province_code == province_code).order_by(Ward.name)))


def require_province(code: str, field: str = "province_code") -> Province:
    province = db.session.get(Province, (code or "").strip())
    if province is None:
        raise ValidationError(f"unknown province code {code!r}", {field: "unknown province"})
    return province


def require_ward(code: str, province_code: str, field: str = "ward_code") -> Ward:
    ward = db.session.get(Ward, (code or "").strip())
    if ward is None:
        raise ValidationError(f"unknown ward code {code!r}", {field: "unknown ward"})
    if ward.province_code != province_code:
        raise ValidationError(
            f"ward {code} is not in province {province_code}",
            {field: "ward does not belong to the province"})
    return ward


def former_province_in(locality: str) -> FormerProvince | None:
    """The pre-2025 province a certified locality names ('Hoàng Su Phì, Hà Giang' -> Hà Giang).

    Names are matched as whole words on folded text, longest first, so that 'Hà Nam' is not
    taken for 'Nam Định' and 'Hà Tĩnh' not for 'Hà Nội'.
    """
    folded = f" {re.sub(r'[^a-z0-9]+', ' ', fold(locality))} "
    candidates = db.session.scalars(db.select(FormerProvince)).all()
    for former in sorted(candidates, key=lambda p: -len(p.name)):
        if f" {fold(former.name)} " in folded:
            return former
    return None
