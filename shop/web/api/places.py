"""Reference data for forms: the wards of a province (the 2025 units)."""

from flask import jsonify

from shop.errors import NotFound
from shop.extensions import db
from shop.places import services as places
from shop.places.models import Province
from shop.web.api import bp


@bp.get("/provinces")
def provinces():
    return jsonify({"items": [{"code": p.code, "name": p.name, "region": p.region_code}
                              for p in places.provinces()]})


@bp.get("/provinces/<code>/wards")
def wards(code: str):
    if db.session.get(Province, code) is None:
        raise NotFound("no such province")
    return jsonify({"items": [{"code": w.code, "name": w.name, "full_name": w.full_name}
                              for w in places.wards_of(code)]})
