"""Rows of the shipped reference data (see data/NOTICE.md for sources and licences)."""

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def region_rows() -> list[dict]:
    regions = _load("vn_units_2025.json")["regions"]
    return [{**r, "position": i} for i, r in enumerate(regions)]


def province_rows() -> list[dict]:
    return [
        {key: p[key] for key in ("code", "name", "full_name", "name_en", "kind")}
        | {"region_code": p["region"]}
        for p in _load("vn_units_2025.json")["provinces"]
    ]


def ward_rows() -> list[dict]:
    return [
        {key: w[key] for key in ("code", "name", "full_name", "name_en")}
        | {"province_code": p["code"]}
        for p in _load("vn_units_2025.json")["provinces"]
        for w in p["wards"]
    ]


def former_province_rows() -> list[dict]:
    return [
        {"code": p["code"], "name": p["name"], "full_name": p["full_name"],
         "region_code": p["region"], "province_code": p["became"][0]}
        for p in _load("vn_provinces_before_2025.json")["provinces"]
    ]
