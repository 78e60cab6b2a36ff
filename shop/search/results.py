"""A search's page of results: the engine's ranking, narrowed by the database's truth.

The engine only ranks; whether a product is listed on the day (active, certificate valid),
the filters and the facet counts come from the database, so an expired certificate leaves
the results on the day without a reindex, and a stale index never shows a suspended product.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

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


@dataclass(frozen=True)
class _Row:
    id: int
    stars: int
    group: str
    region: str
    province: str
    price: int | None
    created: object
    name: str

    def passes(self, filters: Filters) -> bool:
        return all(self.checks(filters))

    def checks(self, filters: Filters) -> tuple[bool, bool, bool, bool]:
        """Whether the row passes each facet's filter, in the order of FACETS."""
        return (not filters.stars or self.stars in filters.stars,
                filters.group in (None, self.group), filters.region in (None, self.region),
                filters.province in (None, self.province))


def _among(ranked: list[int]):
    """`product.id IN (the ranked ids)` as one bound value, however many ids there are."""
    if db.session.get_bind().dialect.name == "postgresql":
        return Product.id.in_(db.select(func.unnest(bindparam("ranked_ids", ranked, type_=ARRAY(Integer)))))
    return Product.id.in_(text("SELECT value FROM json_each(:ranked_ids)")
                          .bindparams(ranked_ids=json.dumps(ranked)))


def _listed_rows(ranked: list[int], day: date) -> list[_Row]:
    """The ranked products listed on `day`, in rank order, with what filters and sorts need."""
    if not ranked:
        return []
    columns = (Product.id, Product.stars, Product.group, Province.region_code,
               Product.province_code, Product.min_price_vnd, Product.created_at, Product.name)
    query = (queries.listed(day).with_only_columns(*columns)
             .join(Province, Province.code == Product.province_code).where(_among(ranked)))
    found = {row[0]: _Row(*row) for row in db.session.execute(query)}
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
    for row in rows:
        checks = row.checks(filters)
        failed = checks.count(False)
        if failed > 1:
            continue
        for i, name in enumerate(FACETS):
            if failed == 0 or not checks[i]:
                value = str(getattr(row, name))
                result[name][value] = result[name].get(value, 0) + 1
    return result


def page(ranked: list[int], plan: Plan, filters: Filters, day: date, **extra) -> SearchListing:
    """One page of the ranked matches listed on `day`, with facets and snippets."""
    rows = _listed_rows(ranked, day)
    matching = [r for r in rows if r.passes(filters)]
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
