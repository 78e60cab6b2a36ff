"""A search's page of results: the engine's ranking, narrowed by the database's truth.

The engine only ranks; whether a product is listed on the day (active, certificate valid),
the filters and the facet counts come from the database, so an expired certificate leaves
the results on the day without a reindex, and a stale index never shows a suspended product.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from markupsafe import Markup
from sqlalchemy import ARRAY, Integer, bindparam, func, text
from sqlalchemy.orm import joinedload

from shop.catalog import queries
from shop.catalog.models import PRODUCT_GROUPS, Product
from shop.catalog.queries import FACETS, Filters, Listing
from shop.extensions import db
from shop.inventory import queries as stock_queries
from shop.places.models import REGION_CODES, Province
from shop.search.analysis import Plan
from shop.search.snippets import snippet


@dataclass
class SearchListing(Listing):
    """A listing for a search: also snippets per product id, a suggestion, and how it was served."""

    query: str = ""
    snippets: dict[int, Markup] = field(default_factory=dict)
    suggestion: str | None = None
    degraded: bool = False


class _Row(NamedTuple):
    """What the filters, the sorts and the facets need of one ranked product."""

    id: int
    stars: int
    group: str
    region: str
    province: str
    price: int | None
    name: str
    created: datetime | None


def _checks(row: _Row, filters: Filters) -> tuple[bool, bool, bool, bool]:
    """Whether the row passes each facet's filter, in the order of FACETS."""
    return (not filters.stars or row.stars in filters.stars,
            filters.group in (None, row.group), filters.region in (None, row.region),
            filters.province in (None, row.province))


def _filtering(filters: Filters) -> bool:
    return bool(filters.stars or filters.group or filters.region or filters.province)


def _among(ranked: list[int]):
    """`product.id IN (the ranked ids)` as one bound value, however many ids there are."""
    if db.session.get_bind().dialect.name == "postgresql":
        return Product.id.in_(db.select(func.unnest(bindparam("ranked_ids", ranked, type_=ARRAY(Integer)))))
    return Product.id.in_(text("SELECT value FROM json_each(:ranked_ids)")
                          .bindparams(ranked_ids=json.dumps(ranked)))


_COLUMNS = (Product.id, Product.stars, Product.group, Province.region_code, Product.province_code,
            Product.min_price_vnd, Product.name)


def _listed_rows(ranked: list[int], day: date, with_created: bool = False) -> list[_Row]:
    """The ranked products listed on `day`, in rank order, with what filters and sorts need.

    The products are read by id alone, the listing's condition is a column of the rows read:
    given as a condition of the query, SQLite walked every listed product of the catalog by the
    listing index to find the few thousand ranked ones."""
    if not ranked:
        return []
    columns = (*_COLUMNS, queries.listing_condition(day).label("listed"))
    if with_created:
        columns += (Product.created_at,)
    query = (db.select(*columns).join(Province, Province.code == Product.province_code)
             .where(_among(ranked)))
    if db.session.get_bind().dialect.name == "postgresql":  # its planner picks the better index
        query = query.where(queries.listing_condition(day))
    found = {row[0]: _Row(*row[:7], row[8] if with_created else None)
             for row in db.session.connection().execute(query).all()  # Core rows: no ORM loading
             if row[7]}
    return [found[i] for i in ranked if i in found]


SORT_KEYS = {
    "price_asc": lambda r: (r.price is None, r.price or 0, r.id),
    "price_desc": lambda r: (r.price is None, -(r.price or 0), r.id),
    "stars": lambda r: (-r.stars, r.name, r.id),
    "newest": lambda r: (-r.created.timestamp(), -r.id),
}


def facets(rows: list[_Row], filters: Filters) -> dict[str, dict[str, int]]:
    """Counts per value of each facet among the matches, under every filter but the facet's own."""
    result = {"stars": dict.fromkeys(("3", "4", "5"), 0), "group": dict.fromkeys(PRODUCT_GROUPS, 0),
              "region": dict.fromkeys(REGION_CODES, 0), "province": {}}
    positions = [(i, name, result[name]) for i, name in enumerate(FACETS)]
    if not _filtering(filters):  # every match counts for every facet
        for row in rows:
            for _, name, counts in positions:
                value = str(getattr(row, name))
                counts[value] = counts.get(value, 0) + 1
        return result
    for row in rows:
        checks = _checks(row, filters)
        failed = checks.count(False)
        if failed > 1:
            continue
        for i, name, counts in positions:
            if failed == 0 or not checks[i]:
                value = str(getattr(row, name))
                counts[value] = counts.get(value, 0) + 1
    return result


def page(ranked: list[int], plan: Plan, filters: Filters, day: date, **extra) -> SearchListing:
    """One page of the ranked matches listed on `day`, with facets and snippets."""
    rows = _listed_rows(ranked, day, with_created=filters.sort == "newest")
    matching = [r for r in rows if all(_checks(r, filters))] if _filtering(filters) else list(rows)
    if filters.sort in SORT_KEYS:
        matching.sort(key=SORT_KEYS[filters.sort])
    start = (filters.page - 1) * filters.per_page
    ids = [r.id for r in matching[start:start + filters.per_page]]
    items = products_in_order(ids)
    return SearchListing(items, len(matching), filters, facets(rows, filters),
                         stock_queries.online_available_by_product(ids), query=plan.text,
                         snippets=snippets(items, plan), **extra)


def products_in_order(ids: list[int]) -> list[Product]:
    """The products with these ids, with producer and province, in the order given."""
    if not ids:
        return []
    loaded = {p.id: p for p in db.session.scalars(
        db.select(Product).where(Product.id.in_(ids))
        .options(joinedload(Product.producer), joinedload(Product.province))).unique()}
    return [loaded[i] for i in ids if i in loaded]


def snippets(items: list[Product], plan: Plan) -> dict[int, Markup]:
    """The description (or else the name) of each product with the matched words marked."""
    wanted = frozenset(plan.highlight)
    prefix = next((u.typed[0] for u in plan.units if u.prefix), None)
    found = {}
    for product in items:
        marked = snippet(product.description, wanted, prefix) or snippet(product.name, wanted, prefix)
        if marked:
            found[product.id] = marked
    return found


def listed_ids(ranked: list[int], day: date, limit: int) -> list[int]:
    """The first `limit` of the ranked ids that are listed on `day`."""
    return [r.id for r in _listed_rows(ranked, day)][:limit]
