"""Search straight from the database, while the index is missing or being rebuilt.

Slower and plainer than the engines (folded substring matching over the listed catalog, name
matches first), but a shopper still finds the product instead of an error page.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.orm import joinedload

from shop.catalog import queries
from shop.catalog.models import Product
from shop.extensions import db
from shop.search.analysis import Plan
from shop.search.documents import document
from shop.text import fold

_SPACES = re.compile(r"[^a-z0-9]+")


def _folded(text: str) -> str:
    return f" {_SPACES.sub(' ', fold(text))} "


def _unit_score(unit, name: str, rest: str) -> int:
    """3 for a match in the name, 1 elsewhere, 0 if no alternative of the unit matches."""
    for where, score in ((name, 3), (rest, 1)):
        for run in unit.alternatives:
            phrase = " " + " ".join(run)
            if f"{phrase} " in where or (unit.prefix and phrase in where):
                return score
    return 0


def search(plan: Plan, day: date) -> list[int]:
    """Ids of listed products where every unit of the plan matches, best first."""
    products = db.session.scalars(queries.listed(day).options(
        joinedload(Product.producer), joinedload(Product.province),
        joinedload(Product.former_province))).unique()
    scored = []
    for product in products:
        doc = document(product)
        name, rest = _folded(doc.name), _folded(" ".join((doc.people, doc.places, doc.body)))
        scores = [_unit_score(unit, name, rest) for unit in plan.units]
        if all(scores):
            scored.append((-sum(scores), product.id))
    return [product_id for _, product_id in sorted(scored)]
